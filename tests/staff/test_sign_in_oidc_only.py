"""An organizer that signs its staff in with its provider only (`sign_in = "oidc"`) gets no
mailed links for the provider's domains: the worker drops the request as it drops an unknown
address's, and the page's answer is the same as for anyone."""

from __future__ import annotations

from sqlalchemy import select

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.staff import sign_in as access
from courses.storage.staff_tables import sign_in_request_table, sign_in_table
from tests.mail.smtp_server import SmtpServer
from tests.mail.worker_scenarios import smtp_worker
from tests.staff.support import LEADER_A, staff_world
from tests.staff.test_sign_in_same_work import statements

OTHER_LEADER = "lena@annan.example"
"""The leader of the other organizer's course (tests.staff.support)."""


async def provider_for_annan(ctx: ServiceContext, sign_in: str) -> None:
    text = f"""
[organizer]
key = "annan"
name = "Beroendecentrum i ett annat län"
mail_from = "Beroendecentrum <kurs@annat.example>"
sign_in = "{sign_in}"

[organizer.oidc]
issuer = "https://login.annan.example"
client_id = "kurser"
domains = ["annan.example"]
"""
    await import_schedule(ctx, parse_schedule(text))


async def test_no_link_is_mailed_where_the_organizer_turned_it_off(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await staff_world(seeded)
    await provider_for_annan(seeded, "oidc")
    with statements(seeded) as turned_off:
        await access.request_sign_in(seeded, OTHER_LEADER)
    with statements(seeded) as allowed:
        await access.request_sign_in(seeded, LEADER_A)

    await smtp_worker(seeded, smtp, "w").drain()

    assert turned_off == allowed
    assert smtp.to(OTHER_LEADER) == []
    assert len(smtp.to(LEADER_A)) == 1
    async with seeded.db.read() as conn:
        for table in (sign_in_request_table, sign_in_table):
            emails = (await conn.execute(select(table.c.email))).scalars().all()
            assert OTHER_LEADER not in emails


async def test_any_case_of_the_address_and_the_link_comes_back_when_allowed_again(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await staff_world(seeded)
    await provider_for_annan(seeded, "oidc")
    await access.request_sign_in(seeded, "LENA@Annan.Example")
    assert await access.admit_sign_in_requests(seeded) == 0

    await provider_for_annan(seeded, "link_and_oidc")
    await access.request_sign_in(seeded, OTHER_LEADER)
    await smtp_worker(seeded, smtp, "w").drain()

    assert len(smtp.to(OTHER_LEADER)) == 1
