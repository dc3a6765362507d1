"""`/api/docs` in chromium with every request beyond 127.0.0.1 cut: Swagger UI renders the
API's operations from files served here, under the page's own CSP (the `page` fixture fails
the test on any blocked script or style and on any script error)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Route, expect

from tests.pages.conftest import BROWSER
from tests.pages.site import Site

pytestmark = BROWSER


async def test_the_api_page_shows_every_operation_with_the_network_cut(
    page: Page, site: Site
) -> None:
    attempted: list[str] = []

    async def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            attempted.append(route.request.url)
            await route.abort()

    await page.context.route("**/*", local_only)
    document = await site.api("/api/schema/openapi.json")
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]

    await page.goto("/api/docs")

    await expect(page.locator(".information-container .title")).to_contain_text(
        document["info"]["title"]
    )
    blocks = page.locator(".opblock")
    await expect(blocks).to_have_count(len(operations))
    shown = {
        (
            await block.locator(".opblock-summary-method").inner_text(),
            await block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in await blocks.all()
    }
    assert shown == set(operations)
    await expect(page.locator(".errors-wrapper")).to_have_count(0)
    assert attempted == []
