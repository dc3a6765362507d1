"""A course with everyone a message can reach: confirmed, pending approval, waitlisted and
cancelled registrations; its leader, and a leader of another course."""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.messages import MessageDraft, MessageGroup
from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.services.approval.answers import approve
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from tests.approval_support import approval_form, approval_token

COURSE = "meddelandekurs-2022"
OTHER = "annan-ledares-kurs-2022"
LEADER_EMAIL = "maria.ledare@kronoberg.se"
OTHER_LEADER_EMAIL = "olle.ledare@kronoberg.se"

LEADER = Actor(label=LEADER_EMAIL, leader_key=LEADER_EMAIL)
OTHER_LEADER = Actor(label=OTHER_LEADER_EMAIL, leader_key=OTHER_LEADER_EMAIL)

# Two seats held until the manager answers, a waitlist; two sessions.
COURSES = f"""
[[course]]
slug = "{COURSE}"
title = "Motiverande samtal <fördjupning>"
deadline = 2022-04-20
seats = 2
approval = "manager"
approval_days = 7
leaders = [{{ name = "Maria Ledare", email = "{LEADER_EMAIL}" }}]
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-05-10
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2022-05-17
start = 09:00:00
end = 12:00:00

[[course]]
slug = "{OTHER}"
title = "En annan ledares kurs"
deadline = 2022-04-20
leaders = [{{ name = "Olle Ledare", email = "{OTHER_LEADER_EMAIL}" }}]
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-11
"""


@dataclass(frozen=True, slots=True)
class People:
    confirmed: RegistrationReceipt
    pending: RegistrationReceipt
    waitlisted: RegistrationReceipt
    cancelled: RegistrationReceipt

    @property
    def active(self) -> list[RegistrationReceipt]:
        return [self.confirmed, self.pending, self.waitlisted]


async def course_with_people(ctx: ServiceContext) -> People:
    """The course: 1 confirmed (approved), 2 pending approval, 3 waitlisted, 4 cancelled."""
    await import_schedule(ctx, parse_schedule(COURSES))
    confirmed = await register(ctx, COURSE, approval_form(1))
    pending = await register(ctx, COURSE, approval_form(2))
    waitlisted = await register(ctx, COURSE, approval_form(3))
    cancelled = await register(ctx, COURSE, approval_form(4))
    await approve(ctx, await approval_token(ctx, confirmed.id))
    await cancel_registration(ctx, cancelled.token)
    return People(confirmed, pending, waitlisted, cancelled)


def draft(
    to: MessageGroup = MessageGroup.ALL,
    *,
    subject: str = "Ta med manualen",
    text: str = "Hej!\n\nTa med manualen till kursdagen.",
    session: int | None = None,
) -> MessageDraft:
    return MessageDraft(to=to, subject=subject, text=text, session=session)
