"""axe-core in the page as it is now: no violation of WCAG 2.1 A or AA."""

from __future__ import annotations

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

__all__ = ["WCAG_21_AA", "Audit"]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


class Audit:
    """Runs axe on the page as it is now and keeps what it finds, page by page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.axe = Axe()
        self.found: dict[str, str] = {}
        self.checked: list[str] = []

    async def check(self, name: str) -> None:
        results = await self.axe.run(self.page, options=WCAG_21_AA)
        assert results.response["passes"], f"axe checked nothing on {name}"
        self.checked.append(name)
        if results.violations_count:
            self.found[name] = results.generate_report()
