"""Actors and a second organizer for the tests of admins' work."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.services.audit import AuditRecord, audit_log
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.storage.organizers import organizer_by_key

SEED_ORGANIZER = "kronoberg-beroende"
OTHER_COURSE = "b-kurs-2022"
OTHER_EMPLOYER = "b-kommun"

# A second organizer, with an employer and a course of its own.
OTHER_ORGANIZER_FILE = f"""
[organizer]
key = "b"
name = "Arrangör B"

[[employer]]
key = "{OTHER_EMPLOYER}"
name = "B kommun"
kind = "municipality"
domains = ["b-kommun.se"]

[[course]]
slug = "{OTHER_COURSE}"
title = "B:s kurs"
deadline = 2022-05-01
seats = 2
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""

LEADER = Actor(label="kursledare@vaxjo.se", leader_key="kursledare@vaxjo.se")


async def admin_of(ctx: ServiceContext, key: str = SEED_ORGANIZER) -> Actor:
    """An admin of the organizer `key` (as a token or a session gives one)."""
    async with ctx.db.read() as conn:
        organizer = await organizer_by_key(conn, key)
    assert organizer is not None
    return Actor(label=f"admin av {key}", admin_of=frozenset({organizer.id}))


async def add_other_organizer(ctx: ServiceContext) -> Actor:
    """Import organizer B (by the command line); an admin of B."""
    await import_schedule(ctx, parse_schedule(OTHER_ORGANIZER_FILE, source="b.toml"))
    return await admin_of(ctx, "b")


async def actions(ctx: ServiceContext) -> list[AuditRecord]:
    """Every audit entry, newest first."""
    return await audit_log(ctx, Actor.command_line())
