"""The sign-in mail through a real SMTP server: it carries a working link, from the
deployment's sender; course mails come from their organizer's own sender."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courses.domain.errors import NotEligible
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.staff import sign_in as access
from courses.storage.staff_tables import sign_in_request_table, sign_in_table
from tests.conftest import form
from tests.mail.smtp_server import SmtpServer
from tests.mail.worker_scenarios import smtp_worker
from tests.staff.support import LEADER_A, OTHER_COURSE, staff_world


def _body(message: object) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]  # type: ignore[attr-defined]
    return str(parts[0].get_content())


async def test_the_mailed_link_signs_the_leader_in(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await staff_world(seeded)
    worker: MailWorker = smtp_worker(seeded, smtp, "w")
    await access.request_sign_in(seeded, LEADER_A)

    await worker.drain()

    [mail] = smtp.to(LEADER_A)
    assert "inloggningslänk" in str(mail["Subject"]).lower()
    link = re.search(r"http://kurser\.test/logga-in/(\S+)", _body(mail))
    assert link is not None
    assert "15 minuter" in _body(mail)
    signed_in = await access.confirm_sign_in(seeded, link[1])
    assert signed_in is not None
    assert signed_in.actor.leader_key == LEADER_A


async def test_an_unknown_address_gets_no_mail_and_leaves_nothing_behind(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, "okand@kronoberg.se")
    await access.request_sign_in(seeded, LEADER_A)

    await smtp_worker(seeded, smtp, "w").drain()

    assert smtp.to("okand@kronoberg.se") == []
    assert len(smtp.to(LEADER_A)) == 1
    async with seeded.db.read() as conn:
        for table in (sign_in_request_table, sign_in_table):
            emails = (await conn.execute(select(table.c.email))).scalars().all()
            assert "okand@kronoberg.se" not in emails


async def test_a_course_mail_comes_from_its_organizers_sender(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await staff_world(seeded)
    await register(
        seeded,
        OTHER_COURSE,
        form(1, email="anna@annan.example", employer="annan-kommun"),
    )

    await smtp_worker(seeded, smtp, "w").drain()

    [mail] = smtp.to("anna@annan.example")
    assert "kurs@annat.example" in str(mail["From"])


async def test_an_employee_of_another_organizer_cannot_register_here(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)

    with pytest.raises(NotEligible):
        await register(seeded, OTHER_COURSE, form(2, email="kim@vaxjo.se", employer="vaxjo"))
