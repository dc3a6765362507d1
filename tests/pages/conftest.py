"""Page fixtures: Debian's chromium driven by Playwright, against the real service on 127.0.0.1.

Without chromium the browser tests are skipped with a message that says how to get it; under
CI (`CI=true`) they fail instead, because there they are mandatory.

Playwright's async API on one session-wide event loop: one browser for the whole run. (Its sync
API keeps its loop marked as running in the main thread, which breaks the database fixtures'
`asyncio.run`.) Browser tests mark themselves with `BROWSER`.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.mail.smtp_server import SmtpServer
from tests.pages.site import Site, running_site

CHROMIUM = Path(os.environ.get("COURSES_TEST_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",  # the tests run as root, where chromium's sandbox cannot start
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HAVE_CHROMIUM = CHROMIUM.exists()
DESKTOP = {"width": 1024, "height": 800}
BROWSER = pytest.mark.asyncio(loop_scope="session")
"""Mark of a browser test: it runs on the session's loop, where the browser lives."""


@pytest.fixture
async def client(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app over the seeded 2022 schedule through Litestar's test client, which keeps the
    CSRF cookie like a browser."""
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: AsyncTestClient[Any], path: str) -> str:
    """The token of the form on `path`, as a browser gets it (with its cookie)."""
    page = await client.get(path)
    found = _CSRF.search(page.text)
    assert found, f"no form on {path}"
    return found[1]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        message = (
            f"The browser tests need Debian's chromium at {CHROMIUM}: "
            "install it with `apt-get install chromium` (no browser download is used)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    """A fresh browser profile on the site. Every page must work under the CSP: a blocked
    script, style or form fails the test, as does any script error."""
    context = await browser.new_context(base_url=site.url, locale="sv-SE", viewport=DESKTOP)
    page = await context.new_page()
    blocked: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: blocked.append(str(error)))
    yield page
    await context.close()
    assert not blocked, blocked
