"""A cap may not go below the seats people already hold.

Lowering a cap under the confirmed (and manager-pending) registrations would leave more people
in seats than the course has, so nobody can say who is over. The admin cancels someone first,
or keeps the cap; the same rule holds for an import, the editor and the API.
"""

from __future__ import annotations

__all__ = ["cap_below_held"]


def cap_below_held(cap: int | None, held: int, *, what: str = "kursen") -> str | None:
    """Why `cap` cannot be set where `held` seats are taken, in Swedish; None when it can."""
    if cap is None or cap >= held:
        return None
    people = "1 person har" if held == 1 else f"{held} personer har"
    return (
        f"{people} redan plats på {what}, så antalet platser kan inte bli {cap}. "
        f"Välj minst {held}, eller avanmäl någon först."
    )
