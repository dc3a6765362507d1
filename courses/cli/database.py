"""The database as a short command opens it: brought to the newest schema, with Alembic loaded
only when there is something to migrate.

Alembic and its templates cost a short command (`courses token list`, `courses mail-status`)
more start-up time than its work; a database at the newest revision, the usual case, is told
by one query against the revision the migration files end at.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from courses.settings import Settings
from courses.storage.db import Database

__all__ = ["head_of_files", "open_database"]

_VERSIONS = Path(__file__).resolve().parent.parent / "storage" / "migrations" / "versions"
_REVISION = re.compile(r'^revision(?::\s*str)?\s*=\s*"([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision(?::[^=]+)?=\s*"([^"]+)"', re.MULTILINE)


def head_of_files(folder: Path = _VERSIONS) -> str | None:
    """The one revision no migration file builds on; None if that is not one (Alembic knows)."""
    revisions, built_on = set(), set()
    for script in folder.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(source))
        built_on.update(_DOWN.findall(source))
    heads = revisions - built_on
    return heads.pop() if len(heads) == 1 else None


async def _revision(db: Database) -> str | None:
    try:
        async with db.read() as conn:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except DBAPIError:  # no such table yet: a new database
        return None


async def open_database(settings: Settings) -> Database:
    """The database of `settings`, migrated first when it is behind (the caller disposes it)."""
    db = Database.from_url(settings.database_url)
    head = head_of_files()
    if head is None or await _revision(db) != head:
        from courses.storage.migrate import upgrade

        await upgrade(db.engine)
    return db
