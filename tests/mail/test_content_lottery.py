"""The lottery's mails, read back from a real SMTP server: the application, then the draw."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from tests.mail import parse
from tests.mail.scenarios import deliver, method_param
from tests.mail.smtp_server import SmtpServer
from tests.services.lottery_support import SLUG, add_lottery, apply


async def test_an_application_is_acknowledged_with_the_draw_day_and_no_meeting_link(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_lottery(seeded)
    await apply(seeded, 1, "vaxjo", "digital")

    await deliver(worker)

    [message] = smtp.to("sokande1@vaxjo.se")
    assert str(message["Subject"]) == "Ansökan mottagen: KBT i beroendevården"
    assert method_param(message) is None  # no invite before a seat
    for body in (parse.text(message), parse.html(message)):
        assert "Din ansökan är mottagen. Platserna lottas den 2 april" in body
        assert "meet.example.se" not in body
        assert "/anmalan/" in body


async def test_after_the_draw_the_seated_get_invites_and_the_rest_their_place(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_lottery(seeded, seats=1)
    await apply(seeded, 1, "vaxjo", "digital")
    await apply(seeded, 2, "alvesta", "digital")
    await deliver(worker)
    await draw(seeded, SLUG, actor=Actor.command_line(), seed=7)

    await deliver(worker)

    after = {
        address: smtp.to(address)[1:] for address in ("sokande1@vaxjo.se", "sokande2@alvesta.se")
    }
    kinds = sorted(str(messages[0]["Subject"]).split(":")[0] for messages in after.values())
    assert kinds == ["Anmälan bekräftad", "Reservlista"]
    for messages in after.values():
        if str(messages[0]["Subject"]).startswith("Anmälan bekräftad"):
            assert [method_param(m) for m in messages] == ["REQUEST", "REQUEST"]
        else:
            assert len(messages) == 1
            assert "nummer 1" in parse.text(messages[0])
