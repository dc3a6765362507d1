"""Filling in the registration form the way a person does: by the visible labels."""

from __future__ import annotations

from playwright.async_api import Page

__all__ = ["CONFIRM", "fill_registration", "submit"]

CONFIRM = "Jag arbetar med missbruks- och beroendevård"


async def fill_registration(
    page: Page,
    *,
    name: str = "Anna Andersson",
    email: str = "anna.andersson@vaxjo.se",
    employer: str = "Växjö kommun",
    workplace: str = "Beroendemottagningen",
    format: str | None = None,
    phone: str = "",
    message: str = "",
    confirm: bool = True,
) -> None:
    await page.get_by_label("Namn", exact=True).fill(name)
    await page.get_by_label("E-postadress i tjänsten").fill(email)
    await page.get_by_label("Arbetsgivare").select_option(label=employer)
    await page.get_by_label("Arbetsplats").fill(workplace)
    if format is not None:
        await page.get_by_label(format).check()
    if phone:
        await page.get_by_label("Telefonnummer").fill(phone)
    if message:
        await page.get_by_label("Meddelande till kursledaren").fill(message)
    if confirm:
        await page.get_by_label(CONFIRM).check()


async def submit(page: Page) -> None:
    await page.locator("form.form button[type=submit]").click()
