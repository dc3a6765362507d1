"""What the draw's mails say, read back from a real SMTP server: the losers hear that the draw
is done, the winners that they won a seat in it, and on an approval course the winner's
manager is asked before any invite goes out."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.mail.worker import MailWorker
from courses.services.approval.answers import approve
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from tests.approval_support import approval_token
from tests.mail import parse
from tests.mail.scenarios import deliver, method_param
from tests.mail.smtp_server import SmtpServer
from tests.services.lottery_support import SLUG, add_lottery, apply, manager_of

CLI = Actor.command_line()
LOSER = (
    "Lottningen är gjord och du fick tyvärr ingen plats den här gången. "
    "Du står som nummer {n} på reservlistan."
)


async def test_the_draw_tells_losers_their_place_and_winners_they_won(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_lottery(seeded, seats=1)
    await apply(seeded, 1, "vaxjo", "digital")
    await apply(seeded, 2, "alvesta", "digital")
    await apply(seeded, 3, "ljungby", "digital")
    await deliver(worker)

    await draw(seeded, SLUG, actor=CLI, seed=7)
    await deliver(worker)

    after = {
        address: smtp.to(address)[1:]
        for address in ("sokande1@vaxjo.se", "sokande2@alvesta.se", "sokande3@ljungby.se")
    }
    places = []
    for messages in after.values():
        subject = str(messages[0]["Subject"])
        if subject.startswith("Anmälan bekräftad"):
            assert [method_param(m) for m in messages] == ["REQUEST", "REQUEST"]
            for body in (parse.text(messages[0]), parse.html(messages[0])):
                assert "Lottningen är gjord och du har fått en plats på kursen." in body
            continue
        assert subject == "Reservlista: KBT i beroendevården"
        [message] = messages
        text, html = parse.text(message), parse.html(message)
        assert "Kursen är fullbokad" not in text
        places += [n for n in (1, 2) if LOSER.format(n=n) in text]
        assert any(LOSER.format(n=n) in html for n in (1, 2))
    assert sorted(places) == [1, 2]

    # After the draw the course is first come: a late registrant finds it full, as usual.
    await apply(seeded, 4, "lessebo", "digital")
    await deliver(worker)
    [late] = smtp.to("sokande4@lessebo.se")
    assert "Kursen är fullbokad. Du står på reservlistan som nummer 3." in parse.text(late)
    assert "Lottningen" not in parse.text(late)


async def test_on_an_approval_course_the_drawn_winner_waits_for_the_manager(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_lottery(seeded, seats=1, extra='approval = "manager"')
    manager = manager_of(1, "vaxjo")
    receipt = await apply(seeded, 1, "vaxjo", "digital", manager_email=manager)
    await deliver(worker)
    [applied] = smtp.to("sokande1@vaxjo.se")
    assert f"Får du en plats ber vi din chef ({manager}) att godkänna anmälan" in parse.text(
        applied
    )
    assert smtp.to(manager) == []  # nobody is asked before the draw

    await draw(seeded, SLUG, actor=CLI, seed=7)
    await deliver(worker)

    [waiting] = smtp.to("sokande1@vaxjo.se")[1:]
    assert str(waiting["Subject"]).startswith("Din anmälan väntar på din chefs godkännande")
    assert method_param(waiting) is None  # no invite until the manager approves
    for body in (parse.text(waiting), parse.html(waiting)):
        assert "Lottningen är gjord och du har fått en plats. Platsen är reserverad" in body
    [asked] = smtp.to(manager)
    token = await approval_token(seeded, receipt.id)
    assert f"http://kurser.test/godkann/{token}" in parse.text(asked)

    await approve(seeded, token)
    await deliver(worker)

    confirmed = smtp.to("sokande1@vaxjo.se")[2:]
    assert [method_param(m) for m in confirmed] == ["REQUEST", "REQUEST"]


async def test_on_an_approval_course_the_loser_hears_the_manager_is_asked_later(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_lottery(seeded, seats=1, extra='approval = "manager"')
    for n, employer in ((1, "vaxjo"), (2, "alvesta")):
        await apply(seeded, n, employer, "digital", manager_email=manager_of(n, employer))

    await draw(seeded, SLUG, actor=CLI, seed=7)
    await deliver(worker)

    [lost] = [
        m
        for address in ("sokande1@vaxjo.se", "sokande2@alvesta.se")
        for m in smtp.to(address)
        if str(m["Subject"]).startswith("Reservlista")
    ]
    text = parse.text(lost)
    assert LOSER.format(n=1) in text
    assert "vi ber din chef att godkänna anmälan" in text
    assert "kalenderinbjudan" not in text
