"""Moving through a page by keyboard alone, checking at each step that focus is visible."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

__all__ = ["REMEMBER", "tab", "tab_to"]

# What focus can change about an element; read for every focusable element before anything has
# focus, then again for the focused one: a visible focus must differ from the resting look.
_LOOK = """e => { const s = getComputedStyle(e);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
          s.color].join('|'); }"""
REMEMBER = f"""() => {{ const look = {_LOOK};
  window.restingLook = new Map();
  for (const e of document.querySelectorAll('a[href], input, select, textarea, button'))
    window.restingLook.set(e, look(e)); }}"""
_FOCUSED = f"""() => {{ const look = {_LOOK}; const e = document.activeElement;
  return {{ id: e.id, tag: e.tagName, text: (e.textContent || '').trim().slice(0, 40),
           changed: window.restingLook.has(e) && window.restingLook.get(e) !== look(e) }}; }}"""


async def tab(page: Page, key: str = "Tab") -> dict[str, Any]:
    """Move focus by keyboard; what has it now, and whether that shows."""
    await page.keyboard.press(key)
    focused: dict[str, Any] = await page.evaluate(_FOCUSED)
    assert focused["changed"], f"focus is not visible on {focused}"
    return focused


async def tab_to(page: Page, element_id: str, *, limit: int = 25) -> None:
    for _ in range(limit):
        if (await tab(page))["id"] == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")
