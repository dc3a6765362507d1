"""Registrants whose every detail is recognisable, on courses that end on known days, and a scan
of every text and JSON column of every table for what they told us."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator

from courses.domain.permissions import Actor
from courses.services.attendance.attendees import set_attendance
from courses.services.context import ServiceContext
from courses.services.outbox.mail_admin import retry_mail
from courses.services.registration.on_behalf import cancel_on_behalf
from courses.services.registration.register import RegistrationForm, RegistrationReceipt, register
from courses.storage.attendees import Mark
from courses.storage.tables import metadata, outbox_table
from tests.conftest import local

LVM = "lvm-forelasning-2022"  # one session, 29 March 2022
RELAPSE = "aterfallsprevention-2022"  # sessions 5 and 6 April 2022, two formats
STAFF = Actor.command_line()

# 365 days after LVM's only session; Återfallsprevention ended fewer days ago.
A_YEAR_AFTER_LVM = local(2023, 3, 29, 3, 0)


@dataclass(frozen=True, slots=True)
class Person:
    n: int
    name: str
    email: str
    phone: str
    workplace: str
    message: str

    @property
    def needles(self) -> list[str]:
        """What must not be left anywhere once they are purged (local part too: an address
        might be stored lower-cased or split)."""
        return [
            self.name,
            self.email,
            self.email.split("@")[0],
            self.phone,
            self.workplace,
            self.message,
        ]

    def form(self, **overrides: Any) -> RegistrationForm:
        values: dict[str, Any] = {
            "name": self.name,
            "email": self.email,
            "employer": "vaxjo",
            "workplace": self.workplace,
            "phone": self.phone,
            "message": self.message,
            "works_in_field": True,
        }
        values.update(overrides)
        return RegistrationForm(**values)


def person(n: int) -> Person:
    return Person(
        n=n,
        name=f"Kim Gallringsdotter{n}",
        email=f"kim.gallring{n}@vaxjo.se",
        phone=f"0470-55 66 7{n}",
        workplace=f"Mottagningen Sjövik{n}",
        message=f"Behöver hörslinga{n}",
    )


@dataclass(frozen=True, slots=True)
class Registered:
    person: Person
    receipt: RegistrationReceipt


async def register_people(
    ctx: ServiceContext, slug: str, numbers: range, **overrides: Any
) -> list[Registered]:
    people = [person(n) for n in numbers]
    return [Registered(p, await register(ctx, slug, p.form(**overrides))) for p in people]


async def lived_through_lvm(ctx: ServiceContext) -> list[Registered]:
    """Three registrants of LVM: all confirmed, the third cancelled by an admin (an audit entry
    naming them), the first marked present by the leader, and a failed mail of the second
    retried by an admin (an audit entry with their address). The clock ends after the
    course."""
    registered = await register_people(ctx, LVM, range(1, 4))
    first, second, third = registered
    await cancel_on_behalf(ctx, STAFF, third.receipt.id)
    ctx.clock.set(local(2022, 3, 29, 17, 0))  # type: ignore[attr-defined]
    await set_attendance(ctx, STAFF, LVM, [Mark(first.receipt.id, 1, True)])
    async with ctx.db.write() as conn:
        failed = await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id == second.receipt.id)
            .values(status="failed", last_error=f"550 <{second.person.email}> unknown")
            .returning(outbox_table.c.id)
        )
        mail_id = failed.scalars().first()
    assert mail_id is not None
    await retry_mail(ctx, STAFF, mail_id)
    return registered


def _holds_text(column: Column[Any]) -> bool:
    kind = column.type
    # SQLModel's str columns are AutoString, a TypeDecorator over String.
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, String | Text | JSON)


def _texts(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


async def personal_data_left(conn: AsyncConnection, needles: list[str]) -> list[str]:
    """`table.column: needle` for each needle found in any text or JSON column of any table
    (case-insensitive)."""
    lowered = [n.lower() for n in needles]
    found: list[str] = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if _holds_text(c)]
        if not columns:
            continue
        for row in (await conn.execute(select(*columns))).all():
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = _texts(value).lower()
                found += [
                    f"{table.name}.{column.name}: {n}"
                    for n, low in zip(needles, lowered, strict=True)
                    if low in text
                ]
    return found


def at(moment: datetime, ctx: ServiceContext) -> ServiceContext:
    ctx.clock.set(moment)  # type: ignore[attr-defined]
    return ctx
