"""What the course editor's save sends, read from the real SMTP server: a moved session's
updated invite (same UID, higher SEQUENCE) and a removed session's CANCEL, as an import's."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.editor import open_course, save_course
from tests.conftest import form
from tests.mail.invite_scenarios import ASI, ME, invites_to
from tests.mail.scenarios import deliver
from tests.mail.smtp_server import SmtpServer
from tests.services.admin_support import admin_of


async def test_a_previewed_edit_sends_nothing_and_its_save_sends_the_updated_invites(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    first = invites_to(smtp, ME)
    received = len(smtp.to(ME))
    admin = await admin_of(seeded)
    opened = await open_course(seeded, admin, ASI)
    sessions = list(opened.entry.session)
    sessions[0] = msgspec.structs.replace(sessions[0], date=sessions[0].date + timedelta(days=1))
    del sessions[3]
    edited = msgspec.structs.replace(opened.entry, session=sessions)

    await save_course(seeded, admin, edited, revision=opened.revision, dry_run=True)
    await deliver(worker)
    assert len(smtp.to(ME)) == received

    await save_course(seeded, admin, edited, revision=opened.revision)
    await deliver(worker)

    after = invites_to(smtp, ME, skip=received)
    assert [(i.method, i.uid) for i in after] == [
        ("REQUEST", first[0].uid),
        ("REQUEST", first[1].uid),
        ("REQUEST", first[2].uid),
        ("CANCEL", first[3].uid),
    ]
    assert all(i.sequence > f.sequence for i, f in zip(after, first, strict=True))
    assert str(after[0].event.decoded("DTSTART")) == str(edited.session[0].date)
