"""Enrolling with the registration's mail, holding the course row's lock for the database's
work only.

Every registration of a capped course queues on the course row's lock, so what happens while
it is held sets the pace of a rush. Here it is held for:

- PostgreSQL: one statement, `WITH place AS (UPDATE course …), seat AS (UPDATE course_format
  …), reg AS (INSERT INTO registration … RETURNING …), pos AS MATERIALIZED (SELECT …,
  courses_waiting_before(…) + 1 …), mail AS (INSERT INTO outbox … FROM pos JOIN unnest(…))
  SELECT … FROM pos`. Where nothing may have to be undone or given back after it
  (`is_one_statement`) it commits by itself, so the lock goes as the statement ends, with no
  BEGIN or COMMIT round trip; otherwise COMMIT follows. The waitlist position is counted by a
  VOLATILE function (migration 0013), which runs on a fresh snapshot after the UPDATE got the
  lock, so it sees every registration that committed before (the statement's own snapshot is
  older). The outbox rows of both outcomes are given as arrays; the ones of the outcome that
  happened are written, a waitlisted one with its position set.
- SQLite: one `BEGIN IMMEDIATE … COMMIT` run at once on the driver's thread
  (`Database.write_at_once`): no await, so no other request's work, between its statements.

Only the plain case comes here (no employer share, no approval, no lottery, nobody else
writing in the transaction); the others enrol with `courses.storage.seats.enrolment`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import (
    JSON,
    Executable,
    Integer,
    Text,
    bindparam,
    case,
    cast,
    column,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import OutboxStatus
from courses.domain.rules import RegistrationStatus
from courses.storage import outbox
from courses.storage.db import SyncRun
from courses.storage.seats import counters, enrolment
from courses.storage.tables import course_table, format_table, outbox_table, registration_table

__all__ = [
    "Mails",
    "NoWaitlist",
    "enrol_mailed_at_once",
    "enrol_mailed_in_one_statement",
    "is_one_statement",
]

Mails = Mapping[RegistrationStatus, Sequence[outbox.NewMail]]
"""The mails of each outcome (confirmed, waitlisted). Their registration id is the new row's;
a waitlisted payload's `waitlist_position` is the position counted."""

_CONFIRMED = RegistrationStatus.CONFIRMED.value
_WAITLISTED = RegistrationStatus.WAITLISTED.value
_REG = registration_table.c
_OUT = outbox_table.c
_MAIL_ARRAYS = (
    ("status", Text),
    ("kind", Text),
    ("part", Integer),
    ("method", Text),
    ("payload", Text),
    ("message_id", Text),
)


class NoWaitlist(Exception):
    """The course had no seat and takes no waitlist: nothing was written (rolled back)."""


def _with_mails(registered: Any, position: Any) -> Executable:
    """SELECT id, status, queue number, whether a counted course seat was taken, position
    FROM `registered` (the INSERT INTO registration as a CTE), writing the outcome's mails."""
    pos = (
        select(
            registered.c.id,
            registered.c.status,
            registered.c.queue_no,
            registered.c.counted,
            position.label("position"),
        )
        .cte("pos")
        .prefix_with("MATERIALIZED")
    )
    arrays = [bindparam(f"m_{name}", type_=ARRAY(type_)) for name, type_ in _MAIL_ARRAYS]
    m = (
        func.unnest(*arrays)
        .table_valued(*(column(name, type_) for name, type_ in _MAIL_ARRAYS), name="m")
        .render_derived()
    )
    positioned = func.jsonb_set(
        cast(m.c.payload, JSONB),
        literal_column("'{waitlist_position}'::text[]"),
        func.to_jsonb(pos.c.position),
    )
    payload = case(
        (pos.c.position.is_(None), cast(m.c.payload, JSON)), else_=cast(positioned, JSON)
    )
    now = bindparam("now", type_=_OUT.created_at.type)
    rows = select(
        pos.c.id,
        m.c.kind,
        m.c.part,
        m.c.method,
        payload,
        m.c.message_id,
        literal(OutboxStatus.PENDING.value),
        literal(0),
        now,
        now,
    ).select_from(pos.join(m, m.c.status == pos.c.status))
    columns = [
        "registration_id",
        "kind",
        "part",
        "method",
        "payload",
        "message_id",
        "status",
        "attempts",
        "available_at",
        "created_at",
    ]
    mail = insert(outbox_table).from_select(columns, rows).cte("mail")
    return select(pos.c.id, pos.c.status, pos.c.queue_no, pos.c.counted, pos.c.position).add_cte(
        mail
    )


def _capped() -> Executable:
    registered = enrolment.capped_insert().cte("reg")
    waiting_before = func.courses_waiting_before(
        bindparam("place_course_id", type_=Integer), registered.c.queue_no
    )
    position = case((registered.c.status == _WAITLISTED, waiting_before + 1), else_=None)
    return _with_mails(registered, position)


def _uncapped() -> Executable:
    registered = (
        enrolment.uncapped_statement()
        .returning(_REG.id, _REG.status, _REG.queue_no, literal(False).label("counted"))
        .cte("reg")
    )
    return _with_mails(registered, literal(None, type_=Integer))


_CAPPED = _capped()
_UNCAPPED = _uncapped()


def _mail_arrays(mails: Mails, *, now: datetime) -> dict[str, list[Any]]:
    rows = [
        (status.value, outbox.new_row(mail, now=now))
        for status, some in mails.items()
        for mail in some
    ]
    return {
        "m_status": [status for status, _ in rows],
        "m_kind": [row["kind"] for _, row in rows],
        "m_part": [row["part"] for _, row in rows],
        "m_method": [row["method"] for _, row in rows],
        "m_payload": [msgspec.json.encode(row["payload"]).decode() for _, row in rows],
        "m_message_id": [row["message_id"] for _, row in rows],
    }


def is_one_statement(request: counters.SeatRequest, *, waitlist: bool) -> bool:
    """Whether `enrol_mailed_in_one_statement` is all of its transaction, so that the
    statement may commit by itself (`Database.single_statement`): nothing is undone for a
    course without a waitlist that turned out full, and no course seat is given back because
    the format had none, which happens only when the course and the format both have caps.
    The cached caps are the statement's own: it matches only the course's revision."""
    both_capped = request.course_seats_left is not None and request.format_seats_left is not None
    return waitlist and not both_capped


async def enrol_mailed_in_one_statement(
    conn: AsyncConnection,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
    mails: Mails,
    waitlist: bool,
) -> enrolment.Enrolment | None:
    """PostgreSQL: `enrolment.enrol` and the outcome's mails in one statement. None (nothing
    written) when the course is no longer published at `revision`; NoWaitlist (roll back)
    when it had no seat and `waitlist` is off."""
    uncapped = request.course_seats_left is None and request.format_seats_left is None
    found = (
        await conn.execute(
            _UNCAPPED if uncapped else _CAPPED,
            enrolment.params(request, revision=revision, row=row, now=now)
            | _mail_arrays(mails, now=now),
        )
    ).first()
    if found is None:
        return None
    registration_id, status, queue_no, counted, position = found
    confirmed = status == _CONFIRMED
    if not confirmed and not waitlist:
        raise NoWaitlist
    await enrolment.give_back(conn, request, course_seat=bool(counted), confirmed=confirmed)
    return enrolment.Enrolment(
        int(registration_id), confirmed, int(queue_no), None if confirmed else int(position)
    )


_WAITING_BEFORE = select(func.count()).where(
    _REG.course_id == bindparam("course_id"),
    _REG.status == _WAITLISTED,
    _REG.queue_no < bindparam("queue_no"),
)
_INSERT_MAIL = outbox_table.insert()


def enrol_mailed_at_once(
    run: SyncRun,
    request: counters.SeatRequest,
    *,
    revision: int,
    row: Mapping[str, Any],
    now: datetime,
    mails: Mails,
    waitlist: bool,
) -> enrolment.Enrolment | None:
    """SQLite: the same, as plain statements inside `Database.write_at_once`'s transaction."""
    found = enrolment.params(request, revision=revision, row=row, now=now)
    if request.course_seats_left is None and request.format_seats_left is None:
        made = run(enrolment.UNCAPPED, found)
        if not made:
            return None
        registration_id, confirmed, queue_no = int(made[0][0]), True, 0
    else:
        place = run(counters.TAKE_PLACE, found)
        if not place:
            return None
        queue_no, course_seat, counted = int(place[0][0]), bool(place[0][1]), bool(place[0][2])
        confirmed = course_seat and bool(run(counters.TAKE[format_table.name], found))
        if counted and not confirmed:
            run(counters.GIVE_BACK[course_table.name], {"row_id": request.course_id})
        inserted = enrolment.inserted(row, confirmed=confirmed, queue_no=queue_no, now=now)
        # Inserted first, as on PostgreSQL: someone registered already hears that, not "full".
        registration_id = int(run(enrolment.INSERT, inserted)[0][0])
        if not confirmed and not waitlist:
            raise NoWaitlist
    position = None
    if not confirmed:
        ahead = run(_WAITING_BEFORE, {"course_id": request.course_id, "queue_no": queue_no})
        position = int(ahead[0][0]) + 1
    status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
    for mail in mails.get(status, ()):
        values = outbox.new_row(mail, now=now) | {"registration_id": registration_id}
        if position is not None and "waitlist_position" in values["payload"]:
            values["payload"] = values["payload"] | {"waitlist_position": position}
        run(_INSERT_MAIL, values)
    return enrolment.Enrolment(registration_id, confirmed, queue_no, position)
