"""A national data set: 21 organizers × 300 courses, 290 employers, 300 000 registrations.

    .venv/bin/python bench/national_data.py URL [--organizers 21] [--scale 1.0]

URL is a plain `sqlite:///path.db` or `postgresql://...` of an empty (or missing) database.
Organizers, employers and courses go in through the real import (`import_schedule`, one
generated schedule file per organizer, as `courses seed` imports it); registrations, their
outbox history (the mails sent) and attendance are written in bulk into the real tables, with
the counters (`confirmed_count`, `queue_counter`) brought in line afterwards, and the lottery
courses already drawn. Deterministic for a given day: the courses are laid out around today.

Each organizer: 13 or 14 employers (290 in all), 300 courses with three sessions and two
formats (digital and on site), every tenth course a fair-seats, lottery or approval course in
turn, the first session of course i about 760 - 3.65 i days from today (a third of them ended
more than a year ago: the purge's backlog), course 200 (about a month ago) with 300
registrants, the others sharing the organizer's 14 286 × scale registrations. Printed: one
JSON line with the counts and the seconds each part took (target: under 600 s in all).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from national_rows import Course, at, audit, mails, statuses
from national_schedule import (
    BIG_COURSE,
    BIG_REGISTRANTS,
    COURSES,
    ORGANIZERS,
    REGISTRATIONS,
    employer_counts,
    first_day,
    kind_of,
    organizer_key,
    schedule_text,
)
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import make_url

from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.staff_tables import attendance_table, audit_table
from courses.storage.tables import (
    course_table,
    employer_table,
    format_table,
    organizer_table,
    outbox_table,
    registration_table,
)

_CHUNK = 5_000
_FIRST = ["Anna", "Björn", "Åsa", "Örjan", "Märta", "Lars", "Eva", "Kjell", "Sara", "Ali"]
_LAST = ["Andersson", "Öberg", "Ström", "Lindqvist", "Åkesson", "Nyström", "Hamle", "Berg"]
_WORK = ["Beroendemottagningen, Öster", "Socialtjänsten, vuxenenheten", "Mottagningen för unga"]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(slots=True)
class Counts:
    registrations: int = 0
    mails: int = 0
    attendance: int = 0


async def _courses(conn: Any, organizers: int) -> list[Course]:
    keys = {organizer_key(n): n for n in range(1, organizers + 1)}
    orgs = {
        oid: keys[key]
        for oid, key in (await conn.execute(select(organizer_table.c.id, organizer_table.c.key)))
        if key in keys
    }
    employers: dict[int, list[int]] = {}
    for eid, oid in await conn.execute(select(employer_table.c.id, employer_table.c.organizer_id)):
        employers.setdefault(oid, []).append(eid)
    formats: dict[int, list[int]] = {}
    for fid, cid in await conn.execute(
        select(format_table.c.id, format_table.c.course_id).order_by(format_table.c.position)
    ):
        formats.setdefault(cid, []).append(fid)
    found = []
    query = select(course_table.c.id, course_table.c.slug, course_table.c.organizer_id)
    for cid, slug, oid in await conn.execute(query.order_by(course_table.c.id)):
        if oid in orgs:
            found.append(Course(cid, int(slug[-3:]), formats[cid], employers[oid], orgs[oid], oid))
    return found


async def _fill(db: Database, organizers: int, scale: float, today: date) -> Counts:
    """Registrations, mails and attendance for every course, in chunks."""
    rng = random.Random(2026)
    counts = Counts()
    per_org = round(REGISTRATIONS / ORGANIZERS * scale)
    async with db.read() as conn:
        courses = await _courses(conn, organizers)
    reg_id = 0
    rows: dict[str, list[dict[str, Any]]] = {"reg": [], "mail": [], "mark": [], "audit": []}

    async def flush(force: bool = False) -> None:
        if not force and len(rows["mail"]) < _CHUNK * 4:
            return
        async with db.write() as conn:
            for table, key in (
                (registration_table, "reg"),
                (outbox_table, "mail"),
                (attendance_table, "mark"),
                (audit_table, "audit"),
            ):
                if rows[key]:
                    await conn.execute(table.insert(), rows[key])
                    rows[key].clear()

    others = max(per_org - BIG_REGISTRANTS, 0)
    for course in courses:
        i = course.index
        day = first_day(i, today)
        past = day + timedelta(days=14) < today
        if i == BIG_COURSE:
            count = BIG_REGISTRANTS
        else:  # spread the rest evenly over the other 299 (± one)
            count = others * (i + 1) // (COURSES - 1) - others * i // (COURSES - 1)
            if i > BIG_COURSE:
                count = others * i // (COURSES - 1) - others * (i - 1) // (COURSES - 1)
        kind = kind_of(i)
        seen: list[tuple[int, str, str, str]] = []
        for q, status in enumerate(statuses(kind, count, past, rng), start=1):
            reg_id += 1
            which = (reg_id * 7 + q) % len(course.employers)
            employer = course.employers[which]
            created = at(day - timedelta(days=60 - q * 45 // max(count, 1)), 8 + q % 9)
            name = f"{_FIRST[reg_id % 10]} {_LAST[reg_id % 8]}"
            domain = f"ag{which:02d}.{organizer_key(course.organizer)}.se"
            email = f"{name.lower().replace(' ', '.')}.{reg_id}@{domain}"
            rows["reg"].append(
                {
                    "id": reg_id,
                    "course_id": course.id,
                    "format_id": course.formats[q % 2],
                    "employer_id": employer,
                    "name": name,
                    "email": email,
                    "email_key": email,
                    "workplace": _WORK[reg_id % 3],
                    "phone": "0470-12 34 56" if reg_id % 3 else None,
                    "message": "Jag har allergi mot nötter." if reg_id % 20 == 0 else None,
                    "status": status,
                    "queue_no": q,
                    "token_hash": hashlib.sha256(str(reg_id).encode()).hexdigest(),
                    "token_nonce": f"{reg_id:032x}",
                    "created_at": created,
                    "updated_at": created,
                    "confirmed_at": created if status == "confirmed" else None,
                    "cancelled_at": created + timedelta(days=3) if status == "cancelled" else None,
                    "reminded_at": at(day - timedelta(days=2))
                    if past and status == "confirmed"
                    else None,
                    "manager_email": f"chef.{employer}@ag.se" if kind == "approval" else None,
                }
            )
            rows["mail"].extend(mails(reg_id, status, created, past))
            if past and status == "confirmed":
                rows["mark"].extend(
                    {
                        "registration_id": reg_id,
                        "session_position": p,
                        "attended": (reg_id + p) % 9 != 0,
                        "marked_at": at(day + timedelta(days=7 * (p - 1)), 17),
                        "marked_by": f"ledare{i % 30}@{organizer_key(course.organizer)}.se",
                    }
                    for p in (1, 2, 3)
                )
            counts.registrations += 1
            seen.append((reg_id, status, name, email))
        rows["audit"].extend(audit(course, day, past, seen))
        await flush()
    await flush(force=True)
    return counts


async def _counters(db: Database, today: date) -> None:
    """What the seat guard and the draw keep: confirmed counts, queue counters, drawn lotteries."""
    reg = registration_table.c
    held = reg.status.in_(["confirmed", "pending_approval"])
    async with db.write() as conn:
        for table, key in ((course_table, reg.course_id), (format_table, reg.format_id)):
            found = await conn.execute(select(key, func.count()).where(held).group_by(key))
            rows = [{"row_id": id_, "held": n} for id_, n in found]
            await conn.execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(confirmed_count=bindparam("held")),
                rows,
            )
        found = await conn.execute(
            select(reg.course_id, func.max(reg.queue_no)).group_by(reg.course_id)
        )
        rows = [{"row_id": id_, "top": n} for id_, n in found]
        await conn.execute(
            update(course_table)
            .where(course_table.c.id == bindparam("row_id"))
            .values(queue_counter=bindparam("top")),
            rows,
        )
        await conn.execute(
            update(course_table)
            .where(course_table.c.allocation == "lottery", course_table.c.draw_on < today)
            .values(drawn_at=at(today), draw_seed=42, draw_applications=47, draw_seated=40)
        )
        if conn.dialect.name == "postgresql":
            for table in ("registration", "outbox_mail"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )


async def _count(db: Database) -> dict[str, int]:
    async with db.read() as conn:
        out = {}
        for name in (
            "organizer",
            "employer",
            "course",
            "registration",
            "outbox_mail",
            "attendance",
            "audit_entry",
        ):
            out[name] = (await conn.execute(text(f"SELECT count(*) FROM {name}"))).scalar_one()
    return out


async def build(url: str, *, organizers: int = ORGANIZERS, scale: float = 1.0) -> dict[str, Any]:
    """Fill the empty database at `url`; the counts and seconds per part."""
    parsed = make_url(url)
    today = date.today()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        settings = Settings(database_url=url, base_url="http://bench.invalid")
        now = datetime.now(UTC)
        ctx = ServiceContext(db=db, clock=FixedClock(now), settings=settings)
        for n, employers in enumerate(employer_counts(organizers), start=1):
            schedule = parse_schedule(schedule_text(n, employers, today))
            await import_schedule(ctx, schedule, source=f"{organizer_key(n)}.toml")
            progress(f"  imported {organizer_key(n)}: {len(schedule.course)} courses")
        seconds["import_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        await _fill(db, organizers, scale, today)
        seconds["rows_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        await _counters(db, today)
        if db.engine.dialect.name == "postgresql":
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
        seconds["counters_s"] = time.perf_counter() - mark
        counts = await _count(db)
    finally:
        await db.dispose()
    seconds["total_s"] = time.perf_counter() - started
    return {
        "database": parsed.get_backend_name(),
        "organizers": organizers,
        "scale": scale,
        **counts,
        **{k: round(v, 1) for k, v in seconds.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="sqlite:///FILE or postgresql://... (empty)")
    parser.add_argument("--organizers", type=int, default=ORGANIZERS)
    parser.add_argument("--scale", type=float, default=1.0, help="of the registrations (1.0)")
    args = parser.parse_args()
    line = asyncio.run(build(args.url, organizers=args.organizers, scale=args.scale))
    print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
