"""What tells whether the catalogue changed: every course's revision and seat counters.

Imports bump a course's revision whenever its definition changes (courses.storage.courses);
registering and cancelling move the counters of capped courses and formats. So equal marks
mean the catalogue's course records would load exactly as before.
"""

from __future__ import annotations

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import course_table, format_table

__all__ = ["CatalogueMarks", "catalogue_marks"]

CatalogueMarks = tuple[tuple[int, int, int, int], ...]

_MARKS = union_all(
    select(
        literal(0).label("kind"),
        course_table.c.id,
        course_table.c.revision,
        course_table.c.confirmed_count,
    ),
    select(
        literal(1).label("kind"),
        format_table.c.id,
        format_table.c.course_id,
        format_table.c.confirmed_count,
    ),
)


async def catalogue_marks(conn: AsyncConnection) -> CatalogueMarks:
    """One small query; sorted, so that equal catalogues give equal marks on every database."""
    rows = (await conn.execute(_MARKS)).all()
    return tuple(sorted((int(a), int(b), int(c), int(d)) for a, b, c, d in rows))
