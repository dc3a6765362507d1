"""SEQUENCE of the invites: it rises only when a date, time or place changes, a CANCEL outranks
the REQUESTs before it, and an update after a CANCEL outranks the CANCEL."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
import pytest

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from tests.conftest import form
from tests.mail import parse
from tests.mail.invite_scenarios import ASI, ME, invites_to, moved_first_session
from tests.mail.scenarios import course_spec, deliver, reimport
from tests.mail.smtp_server import SmtpServer

# SEQUENCE ---------------------------------------------------------------------------------------


async def test_first_invites_have_sequence_zero(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))

    await deliver(worker)

    assert [invite.sequence for invite in invites_to(smtp, ME)] == [0, 0, 0, 0]


async def test_moving_a_session_sends_updates_with_a_higher_sequence(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)

    await reimport(seeded, moved_first_session(course_spec(seed_schedule, ASI)))
    await deliver(worker)

    updates = invites_to(smtp, ME, skip=4)
    assert [i.method for i in updates] == ["REQUEST"] * 4
    assert all(i.sequence > 0 for i in updates)


async def test_changing_the_place_sends_updates_with_a_higher_sequence(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    spec = course_spec(seed_schedule, ASI)
    format_ = msgspec.structs.replace(spec.format[0], place="Växjö")

    await reimport(seeded, msgspec.structs.replace(spec, format=[format_]))
    await deliver(worker)

    updates = invites_to(smtp, ME, skip=4)
    assert [i.method for i in updates] == ["REQUEST"] * 4
    assert all(i.sequence > 0 for i in updates)
    assert all(str(i.event["LOCATION"]) == "Växjö" for i in updates)


async def test_changing_one_sessions_place_raises_the_sequence(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    spec = course_spec(seed_schedule, ASI)
    second = msgspec.structs.replace(spec.session[1], place="Ljungby, Vårdcentralen")
    sessions = [spec.session[0], second, *spec.session[2:]]

    await reimport(seeded, msgspec.structs.replace(spec, session=sessions))
    await deliver(worker)

    updates = invites_to(smtp, ME, skip=4)
    assert len(updates) == 4
    assert all(i.sequence > 0 for i in updates)
    assert str(updates[1].event["LOCATION"]) == "Ljungby, Vårdcentralen"


async def test_title_only_change_sends_updates_at_the_same_sequence(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    before = invites_to(smtp, ME)
    spec = course_spec(seed_schedule, ASI)

    await reimport(seeded, msgspec.structs.replace(spec, title="ASI grundutbildning 2022"))
    await deliver(worker)

    updates = invites_to(smtp, ME, skip=4)
    assert [i.method for i in updates] == ["REQUEST"] * 4
    assert [i.sequence for i in updates] == [i.sequence for i in before]
    assert [i.uid for i in updates] == [i.uid for i in before]
    assert all(str(i.event["SUMMARY"]).startswith("ASI grundutbildning 2022") for i in updates)


async def test_cancel_by_the_registrant_has_a_sequence_at_least_the_last_requests(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    await reimport(seeded, moved_first_session(course_spec(seed_schedule, ASI)))
    await deliver(worker)
    requests = invites_to(smtp, ME)

    await cancel_registration(seeded, receipt.token)
    await deliver(worker)

    cancels = invites_to(smtp, ME, skip=8)
    assert [i.method for i in cancels] == ["CANCEL"] * 4
    for cancel in cancels:
        last = max(r.sequence for r in requests if r.uid == cancel.uid)
        assert cancel.sequence >= last
        assert str(cancel.event["STATUS"]) == "CANCELLED"


async def test_cancelled_course_cancels_every_session_by_its_uid(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    requests = invites_to(smtp, ME)

    await reimport(
        seeded, msgspec.structs.replace(course_spec(seed_schedule, ASI), status="cancelled")
    )
    await deliver(worker)

    cancels = invites_to(smtp, ME, skip=4)
    assert [i.method for i in cancels] == ["CANCEL"] * 4
    assert [i.uid for i in cancels] == [i.uid for i in requests]
    assert all(c.sequence >= r.sequence for c, r in zip(cancels, requests, strict=True))


async def test_removed_session_is_cancelled_by_its_uid(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    requests = invites_to(smtp, ME)
    spec = course_spec(seed_schedule, ASI)

    await reimport(seeded, msgspec.structs.replace(spec, session=spec.session[:3]))
    await deliver(worker)

    changes = invites_to(smtp, ME, skip=4)
    assert [i.method for i in changes] == ["REQUEST"] * 3 + ["CANCEL"]
    assert [i.uid for i in changes] == [i.uid for i in requests]
    removed = changes[3]
    assert removed.event.decoded("DTSTART") == date(2023, 5, 4)
    assert removed.sequence >= max(i.sequence for i in changes[:3])
    assert removed.sequence > requests[3].sequence


@pytest.mark.parametrize("undo", ["session added back", "course reopened"])
async def test_request_after_a_cancel_outranks_the_cancel(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
    clock: FixedClock,
    undo: str,
) -> None:
    # A calendar that applied the CANCEL keeps an event with the CANCEL's SEQUENCE; a REQUEST
    # that brings it back must carry a higher one, or it reads as out of date.
    await register(seeded, ASI, form(1))
    await deliver(worker)
    spec = course_spec(seed_schedule, ASI)
    if undo == "session added back":
        await reimport(seeded, msgspec.structs.replace(spec, session=spec.session[:3]))
    else:
        await reimport(seeded, msgspec.structs.replace(spec, status="cancelled"))
    await deliver(worker)
    sent = len(smtp.to(ME))
    cancels = {i.uid: i.sequence for i in invites_to(smtp, ME) if i.method == "CANCEL"}
    assert cancels
    clock.set(clock.now() + timedelta(days=1))

    await reimport(seeded, spec)
    await deliver(worker)

    requests = invites_to(smtp, ME, skip=sent)
    assert [i.method for i in requests] == ["REQUEST"] * 4
    for request in requests:
        if request.uid in cancels:
            assert request.sequence > cancels[request.uid]


@pytest.mark.parametrize("by", ["registrant", "admin"])
async def test_cancel_invite_does_not_carry_the_manage_link(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
    by: str,
) -> None:
    # The mail's body leaves the link out after a cancellation; its invite must as well.
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    if by == "registrant":
        await cancel_registration(seeded, receipt.token)
    else:
        spec = course_spec(seed_schedule, ASI)
        await reimport(seeded, msgspec.structs.replace(spec, status="cancelled"))

    await deliver(worker)

    cancels = invites_to(smtp, ME, skip=4)
    assert len(cancels) == 4
    for cancel in cancels:
        assert receipt.token not in parse.unfolded_ics(cancel.message)


# SUMMARY of a cancelled event -------------------------------------------------------------------


async def test_own_cancellation_is_titled_avanmald_and_a_cancelled_course_installt(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    """ "Inställt" on one's own cancellation would read as if the course were called off."""
    mine = await register(seeded, ASI, form(1))
    await register(seeded, ASI, form(2))
    await deliver(worker)

    await cancel_registration(seeded, mine.token)
    await reimport(
        seeded, msgspec.structs.replace(course_spec(seed_schedule, ASI), status="cancelled")
    )
    await deliver(worker)

    own = invites_to(smtp, ME, skip=4)
    others = invites_to(smtp, "deltagare2@vaxjo.se", skip=4)
    assert [str(i.event["SUMMARY"]).split(":")[0] for i in own] == ["Avanmäld"] * 4
    assert [str(i.event["SUMMARY"]).split(":")[0] for i in others] == ["Inställt"] * 4
