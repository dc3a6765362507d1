"""A fair-seat course for tests: one seat per employer until 25 August 2022 by default."""

from __future__ import annotations

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule

FAIR = "rattvis-2022"
SHARE_LINE = "Högst 1 plats per arbetsgivare till och med 25 augusti"
REASON = (
    "Varje arbetsgivare får högst 1 plats till och med 25 augusti; du står på reservlistan "
    "och får en plats om det finns någon kvar när fördelningen upphör."
)


def fair_course(*, seats: int | None = 3, per_employer: int | None = 1, until: str = "") -> str:
    """The course's schedule entry; `per_employer=None` leaves fair seats out."""
    lines = [
        "[[course]]",
        f'slug = "{FAIR}"',
        'title = "Rättvis kurs"',
        "deadline = 2022-09-01",
    ]
    if seats is not None:
        lines.append(f"seats = {seats}")
    if per_employer is not None:
        lines.append(f"per_employer = {per_employer}")
        lines.append(f"share_until = {until or '2022-08-25'}")
    lines += ["[[course.format]]", 'key = "digital"', 'kind = "digital"']
    lines += ["[[course.session]]", "date = 2022-09-14"]
    return "\n".join(lines) + "\n"


async def with_fair_course(
    ctx: ServiceContext, *, seats: int | None = 3, per_employer: int | None = 1
) -> None:
    await import_schedule(ctx, parse_schedule(fair_course(seats=seats, per_employer=per_employer)))
