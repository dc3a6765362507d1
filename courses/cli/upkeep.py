"""`courses migrate --check` and `courses backup FILE`: the database around an upgrade."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing, suppress
from pathlib import Path

from sqlalchemy.engine import make_url

from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import pending_revisions, revisions_after

__all__ = ["backup", "migrate_check"]

PAGES_PER_STEP = 256
"""Pages (4 KiB each by default) copied per step of SQLite's online backup."""


async def migrate_check(settings: Settings) -> int:
    """0 when the schema is the newest, 1 (naming what is missing) when `migrate` has work."""
    missing = _sqlite_file(settings)
    if missing is not None and not missing.exists():
        pending = revisions_after(None)  # a check makes no file: a new one starts empty
    else:
        db = Database.from_url(settings.database_url)
        try:
            pending = await pending_revisions(db.engine)
        finally:
            await db.dispose()
    if not pending:
        print("Databasen är uppdaterad: inga migreringar väntar.")
        return 0
    count = "1 migrering väntar" if len(pending) == 1 else f"{len(pending)} migreringar väntar"
    print(f"Databasen behöver uppdateras: {count} (kör `courses migrate`):")
    for revision, title in pending:
        print(f"  {revision} {title}")
    return 1


def _sqlite_file(settings: Settings) -> Path | None:
    """The database file, or None when the database is not a SQLite file (PostgreSQL)."""
    url = make_url(settings.database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def backup(settings: Settings, target: Path, *, force: bool) -> int:
    """Copy a SQLite database with its online backup API, consistent while the service writes.

    The copy is made beside the target and renamed into place when whole, so a failed or
    interrupted backup never leaves a file that looks like one.
    """
    source = _sqlite_file(settings)
    if source is None:
        print(
            "`courses backup` kopierar bara SQLite; en PostgreSQL-databas säkerhetskopieras med "
            "pg_dump och läses tillbaka med pg_restore (se avsnittet Backups i "
            "docs/operating.md).",
            file=sys.stderr,
        )
        return 2
    if not source.is_file():
        print(f"Databasfilen {source} finns inte, så det finns inget att kopiera.", file=sys.stderr)
        return 2
    if target.is_dir():
        print(
            f"{target} är en mapp; ange kopians filnamn, t.ex. {target / 'courses.db'}.",
            file=sys.stderr,
        )
        return 1
    if target.exists() and not force:
        print(
            f"{target} finns redan; välj ett annat namn eller skriv över med --force.",
            file=sys.stderr,
        )
        return 1
    if not target.parent.is_dir():
        print(f"Mappen {target.parent} finns inte.", file=sys.stderr)
        return 1
    if target.exists() and target.resolve() == source.resolve():
        print("Kopian får inte skriva över själva databasen.", file=sys.stderr)
        return 1
    partial = target.with_name(f".{target.name}.delvis")
    shown = -1

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal shown
        percent = (total - remaining) * 100 // max(total, 1)
        if percent // 10 != shown // 10 or remaining == 0:
            shown = percent
            print(
                f"Kopierar databasen: {total - remaining} av {total} sidor ({percent} %)",
                file=sys.stderr,
            )

    try:
        partial.unlink(missing_ok=True)
        with (
            closing(sqlite3.connect(source, isolation_level=None)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            # One read transaction for the whole copy: in WAL mode (the service's) it pins a
            # snapshot, so the steps never see the service's writes and the copy never starts
            # over, while the service goes on writing beside it.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            src.backup(dst, pages=PAGES_PER_STEP, progress=progress, sleep=0.001)
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        print(f"Kopieringen misslyckades: {exc}", file=sys.stderr)
        return 1
    print(f"Databasen är kopierad till {target}.")
    return 0
