"""What the mails of waitlist offers and handed-on seats say, read from the real SMTP server:
a real service call queues each one, the worker builds and sends it, and the test reads the
subject, the text and HTML parts and the invites (parsed with icalendar) as received.

ASI grundutbildning (four all-day sessions from Wednesday 14 September 2022, four seats) gets
`offer_hours = 48`; the default clock is Tuesday 1 March 2022 10.00 in Stockholm.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import msgspec

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.schedule import Schedule
from courses.services.approval.answers import approve
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.my_registrations import mail_my_registrations
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.registration.transfer import Colleague, transfer_registration
from tests.approval_support import APPROVAL, add_approval_course, approval_form
from tests.approval_support import approval_token as manager_token
from tests.conftest import ASI, fill_asi, local
from tests.mail import parse
from tests.mail.scenarios import course_spec, deliver, method_param, reimport
from tests.mail.smtp_server import SmtpServer

TITLE = "ASI grundutbildning"
COLLEAGUE = "kollega9@vaxjo.se"


def _address(n: int) -> str:
    return f"deltagare{n}@vaxjo.se"


def _subjects(messages: list[EmailMessage]) -> list[str]:
    return [str(m["Subject"]) for m in messages]


def _only(smtp: SmtpServer, address: str, subject_start: str) -> EmailMessage:
    (found,) = [m for m in smtp.to(address) if str(m["Subject"]).startswith(subject_start)]
    return found


async def _full_with_offers(
    ctx: ServiceContext, schedule: Schedule, *, waiting: int
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """ASI with timed offers, full (1-4 seated), `waiting` people (5, 6, ...) on its waitlist."""
    await reimport(ctx, msgspec.structs.replace(course_spec(schedule, ASI), offer_hours=48))
    return await fill_asi(ctx, waiting=waiting)


async def test_a_held_offer_says_until_when_and_where_to_answer(
    seeded: ServiceContext, seed_schedule: Schedule, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=2)
    await deliver(worker)
    assert "Då har du 48 timmar på dig att tacka ja" in parse.text(smtp.to(_address(5))[-1])

    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)

    offered = smtp.to(_address(5))[-1]
    assert str(offered["Subject"]) == (
        f"Du erbjuds en plats: {TITLE} – svara senast torsdag 3 mars 2022 kl. 10.00"
    )
    link = f"{queued[0].manage_url}/erbjudande"
    text = parse.text(offered)
    assert "Platsen är reserverad åt dig fram till torsdag 3 mars 2022 kl. 10.00." in text
    assert f"Tacka ja eller nej här senast torsdag 3 mars 2022 kl. 10.00:\n{link}" in text
    assert "Tackar du ja är din plats bekräftad" in text
    assert "Tackar du nej lämnar du reservlistan" in text
    assert "Svarar du inte i tid går platsen till nästa person som väntar, och du hamnar sist" in (
        text
    )
    assert f'<a href="{link}">Tacka ja eller nej här</a>' in parse.html(offered)
    assert method_param(offered) is None
    assert len(smtp.to(_address(6))) == 1  # only the waitlisted mail: the seat is held for 5


async def test_an_offer_capped_by_the_last_window_ends_at_midnight_written_as_24(
    seeded: ServiceContext,
    seed_schedule: Schedule,
    worker: MailWorker,
    smtp: SmtpServer,
    clock: FixedClock,
) -> None:
    seated, _ = await _full_with_offers(seeded, seed_schedule, waiting=1)
    clock.set(local(2022, 9, 11, 10, 0))  # 48 hours would pass the last window (13 Sep 00.00)

    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)

    offered = smtp.to(_address(5))[-1]
    assert str(offered["Subject"]).endswith("svara senast måndag 12 september 2022 kl. 24.00")
    assert "fram till måndag 12 september 2022 kl. 24.00." in parse.text(offered)


async def test_accepting_a_held_offer_brings_the_confirmation_with_the_invites(
    seeded: ServiceContext, seed_schedule: Schedule, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)
    before = len(smtp.to(_address(5)))

    await answer_offer(seeded, queued[0].token, accept=True)
    await deliver(worker)

    mails = smtp.to(_address(5))[before:]
    assert _subjects(mails) == [f"Du har fått en plats: {TITLE}"] + [
        f"Kursdag {n} av 4 – Du har fått en plats: {TITLE}" for n in (2, 3, 4)
    ]
    first = mails[0]
    assert "Du tackade ja till den lediga platsen, och din anmälan är nu bekräftad." in (
        parse.text(first)
    )
    assert "flyttats från reservlistan" not in parse.text(first)
    for mail in mails:
        assert method_param(mail) == "REQUEST"
        assert parse.calendar(mail)["METHOD"] == "REQUEST"
    assert str(parse.event(first)["SUMMARY"]) == f"{TITLE} (kursdag 1 av 4)"


async def test_declining_tells_them_they_left_the_waitlist_and_offers_the_next(
    seeded: ServiceContext, seed_schedule: Schedule, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=2)
    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)

    await answer_offer(seeded, queued[0].token, accept=False)
    await deliver(worker)

    declined = smtp.to(_address(5))[-1]
    assert str(declined["Subject"]) == f"Du har tackat nej till platsen: {TITLE}"
    text = parse.text(declined)
    assert "Du har tackat nej till den lediga platsen" in text
    assert "Du står inte längre på reservlistan." in text
    assert "/anmalan/" not in text + parse.html(declined)  # the link shows only a cancellation
    assert str(smtp.to(_address(6))[-1]["Subject"]).startswith(f"Du erbjuds en plats: {TITLE}")


async def test_an_offer_not_answered_in_time_puts_them_last_in_line_and_says_so(
    seeded: ServiceContext,
    seed_schedule: Schedule,
    worker: MailWorker,
    smtp: SmtpServer,
    clock: FixedClock,
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=3)
    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)
    clock.set(local(2022, 3, 3, 10, 1))

    assert await lapse_due_offers(seeded) == 1
    await deliver(worker)

    lapsed = smtp.to(_address(5))[-1]
    assert str(lapsed["Subject"]) == f"Tiden att svara har gått ut: {TITLE}"
    text = parse.text(lapsed)
    assert "Du svarade inte i tid på erbjudandet" in text
    # 6 holds the offer now and 7 waits before 5, who went back last in line.
    assert "Du står kvar på reservlistan, men sist i kön: du är nu nummer 2." in text
    assert queued[0].manage_url in text  # still on the waitlist: the link still serves
    offered = smtp.to(_address(6))[-1]
    assert str(offered["Subject"]).endswith("svara senast lördag 5 mars 2022 kl. 10.01")


async def test_in_the_last_window_everyone_hears_and_the_others_are_told_it_went(
    seeded: ServiceContext,
    seed_schedule: Schedule,
    worker: MailWorker,
    smtp: SmtpServer,
    clock: FixedClock,
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=2)
    await deliver(worker)
    clock.set(local(2022, 9, 13, 10, 0))  # less than 24 hours before the first session

    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)

    for receipt, n in zip(queued, (5, 6), strict=True):
        offered = smtp.to(_address(n))[-1]
        assert str(offered["Subject"]) == (f"En plats har blivit ledig: {TITLE} – först till kvarn")
        text = parse.text(offered)
        assert "den som först tackar ja får platsen" in text
        assert "Du kan svara fram till att kursen börjar" in text
        assert f"Tacka ja här:\n{receipt.manage_url}/erbjudande" in text
        assert "Hinner någon annan före står du kvar på din plats på reservlistan" in text

    await answer_offer(seeded, queued[0].token, accept=True)
    await deliver(worker)

    gone = smtp.to(_address(6))[-1]
    assert str(gone["Subject"]) == f"Platsen gick till någon annan: {TITLE}"
    assert "Du står kvar på reservlistan som nummer 1." in parse.text(gone)
    won = _only(smtp, _address(5), "Du har fått en plats")
    assert "Du tackade ja till den lediga platsen" in parse.text(won)
    assert parse.calendar(won)["METHOD"] == "REQUEST"


async def test_my_registrations_lists_an_offer_with_its_answer_link(
    seeded: ServiceContext, seed_schedule: Schedule, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, queued = await _full_with_offers(seeded, seed_schedule, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await deliver(worker)

    assert await mail_my_registrations(seeded, _address(5))
    await deliver(worker)

    listing = _only(smtp, _address(5), "Dina kursanmälningar")
    text = parse.text(listing)
    assert (
        "Du har erbjudits en plats, som är reserverad åt dig. "
        "Svara senast torsdag 3 mars 2022 kl. 10.00."
    ) in text
    assert f"Svara på erbjudandet: {queued[0].manage_url}/erbjudande" in text
    assert f'<a href="{queued[0].manage_url}/erbjudande">' in parse.html(listing)


def _colleague(**overrides: str) -> Colleague:
    values = {"name": "Kollega Nio", "email": COLLEAGUE, "workplace": "Mottagningen"}
    return Colleague(**{**values, **overrides})


async def test_a_seat_handed_on_brings_the_colleague_invites_and_the_giver_cancels(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    await deliver(worker)
    given = len(smtp.to(_address(1)))

    await transfer_registration(seeded, seated[0].token, _colleague())
    await deliver(worker)

    taken = smtp.to(COLLEAGUE)
    assert _subjects(taken) == [
        f"Deltagare 1 har lämnat över sin plats till dig: {TITLE}",
        *(
            f"Kursdag {n} av 4 – Deltagare 1 har lämnat över sin plats till dig: {TITLE}"
            for n in (2, 3, 4)
        ),
    ]
    text = parse.text(taken[0])
    assert "Deltagare 1 har lämnat över sin plats på kursen till dig, och nu är platsen din." in (
        text
    )
    assert "Anmälan är nu din egen" in text
    own = re.search(r"http://kurser\.test/anmalan/[\w-]+", text)
    assert own is not None
    assert own.group(0) != seated[0].manage_url
    assert all(parse.calendar(m)["METHOD"] == "REQUEST" for m in taken)
    assert str(parse.event(taken[0])["URL"]) == own.group(0)

    handed = smtp.to(_address(1))[given:]
    assert _subjects(handed)[0] == f"Du har lämnat över din plats till Kollega Nio: {TITLE}"
    text = parse.text(handed[0])
    assert "Du är inte längre anmäld till kursen. Kursdagarna tas bort ur din kalender." in text
    assert "/anmalan/" not in parse.bodies(handed[0])  # neither link: not theirs, nor needed
    assert len(handed) == 4
    for mail in handed:
        assert parse.calendar(mail)["METHOD"] == "CANCEL"
        assert str(parse.event(mail)["SUMMARY"]).startswith("Avanmäld: ")
    # A seat handed on is not the giver's any more: their list has nothing to send.
    assert not await mail_my_registrations(seeded, _address(1))


async def test_on_an_approval_course_the_colleague_hears_the_seat_is_held_for_their_manager(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_approval_course(seeded)
    giver = await register(seeded, APPROVAL, approval_form(1))
    await approve(seeded, await manager_token(seeded, giver.id))
    await deliver(worker)
    boss = "chef.nio@vaxjo.se"

    await transfer_registration(seeded, giver.token, _colleague(manager_email=boss))
    await deliver(worker)

    (held,) = smtp.to(COLLEAGUE)
    assert str(held["Subject"]) == "Deltagare 1 har lämnat över sin plats till dig: MI fördjupning"
    text = parse.text(held)
    assert "så platsen är reserverad åt dig medan vi frågar" in text
    assert f"Vi har mejlat din chef ({boss}) och bett om ett svar senast 8 mars 2022." in text
    assert method_param(held) is None
    (asked,) = smtp.to(boss)
    assert str(asked["Subject"]) == "Godkänn anmälan: Kollega Nio till MI fördjupning"
