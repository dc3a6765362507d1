"""Seats outside the queue: recounting after the caps or formats change, and an admin's move
of one waiting person into a seat that is free."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.errors import StaffConflict
from courses.storage.seats import counters

__all__ = ["recount", "take_free_seat"]


async def recount(conn: AsyncConnection, course_id: int) -> None:
    """Set the course's and its formats' seat counters from the registrations (the caller holds
    the course lock): after an import, an edit or a draw changed caps, formats or statuses."""
    await counters.recount_seats(conn, course_id)


async def take_free_seat(conn: AsyncConnection, *, course_id: int, format_id: int) -> None:
    """Take a seat in the course and the format by the same conditional writes a registration
    uses, so a full course or format stays full; StaffConflict, in Swedish, when there is none."""
    request = counters.SeatRequest(
        course_id=course_id, format_id=format_id, course_seats_left=None, format_seats_left=None
    )
    claim = await counters.claim_seat(conn, request)
    if claim is counters.Claim.CLAIMED:
        return
    full = (
        "Kursen är fullbokad"
        if claim is counters.Claim.COURSE_FULL
        else "Formatet som personen valt är fullbokat"
    )
    raise StaffConflict(
        f"{full}: det finns ingen ledig plats att flytta upp till. "
        "Höj antalet platser först; då flyttas de som står först i kön upp."
    )
