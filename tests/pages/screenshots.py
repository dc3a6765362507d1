"""Screenshots of the pages for the README: `make screenshots` (or `python -m
tests.pages.screenshots DIR`) starts the seeded service, registers in chromium as a person would
and saves PNGs of the catalogue, the course page with its form, and the receipt.

The site's clock stands still (tests.pages.site.START), so the pictures change only when the
pages do.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

from playwright.async_api import Page, async_playwright

from courses.storage.db import make_engine
from courses.storage.migrate import upgrade
from tests.mail.smtp_server import SmtpServer
from tests.pages.conftest import CHROMIUM, DESKTOP, LAUNCH_ARGS
from tests.pages.forms import fill_registration, submit
from tests.pages.site import running_site

__all__ = ["take_screenshots"]

SHOTS = {
    "catalogue": "katalog.png",
    "course": "kurssida.png",
    "receipt": "kvitto.png",
    "errors": "kurssida-fel.png",
    "phone": "katalog-mobil.png",
}


async def _shoot(page: Page, path: Path) -> None:
    await page.screenshot(path=str(path), full_page=True, animations="disabled")


async def _take(url: str, folder: Path, *, extra: bool) -> list[Path]:
    taken: list[Path] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        context = await browser.new_context(base_url=url, locale="sv-SE", viewport=DESKTOP)
        page = await context.new_page()
        await page.goto("/")
        taken.append(folder / SHOTS["catalogue"])
        await _shoot(page, taken[-1])
        await page.goto("/kurser/demo-aterfallsprevention-2022")
        await fill_registration(page, format="Digitalt")
        taken.append(folder / SHOTS["course"])
        await _shoot(page, taken[-1])
        if extra:
            await page.get_by_label("E-postadress i tjänsten").fill("anna.andersson@gmail.com")
            await page.get_by_label("Namn", exact=True).fill("")
            await submit(page)
            taken.append(folder / SHOTS["errors"])
            await _shoot(page, taken[-1])
            await fill_registration(page, format="Digitalt")
        await submit(page)
        await page.wait_for_url("**/anmalan/*")
        taken.append(folder / SHOTS["receipt"])
        await _shoot(page, taken[-1])
        if extra:
            await page.set_viewport_size({"width": 360, "height": 740})
            await page.goto("/")
            taken.append(folder / SHOTS["phone"])
            await _shoot(page, taken[-1])
        await browser.close()
    return taken


def take_screenshots(folder: Path, *, extra: bool = False) -> list[Path]:
    """The README's pictures into `folder`; `extra` adds the form with errors and a phone."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/screenshots.db"

        async def migrate() -> None:
            engine = make_engine(url)
            await upgrade(engine)
            await engine.dispose()

        asyncio.run(migrate())
        smtp = SmtpServer()
        smtp.start()
        try:
            with running_site(url, smtp, test_courses=False) as site:
                return asyncio.run(_take(site.url, folder, extra=extra))
        finally:
            smtp.stop()


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path, nargs="?", default=Path("docs/screenshots"))
    parser.add_argument("--extra", action="store_true", help="also the errors and a phone")
    args = parser.parse_args()
    for path in take_screenshots(args.folder, extra=args.extra):
        print(path)


if __name__ == "__main__":
    main()
