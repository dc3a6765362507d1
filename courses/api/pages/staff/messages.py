"""`/kursledare/{slug}/meddelande`: a leader (or admin) writes to the course's people.

Three states on one address, each a POST of the same form except the first: the form (GET),
the preview (`atgard=forhandsgranska`: the mail as it will read and how many get it, a dry run
of the same service), and the send (`atgard=skicka`), which redirects to the form with a
receipt. `atgard=andra` takes the previewed message back into the form. What the sender
typed travels in the form's fields, never in a server-side draft, so nothing is stored until
the send. A course that is not theirs answers the same 404 page as a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.api.http.ratelimit import TooManyRequests, rate_limits
from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.pages.templating import page_headers
from courses.api.pages.wording import session_day, session_time
from courses.api.staff_identity import actor_dependency
from courses.domain.courses import CourseRecord
from courses.domain.errors import InvalidInput
from courses.domain.messages import (
    SUBJECT_MAX,
    TEXT_MAX,
    MessageDraft,
    MessageGroup,
    paragraphs,
)
from courses.domain.permissions import Actor
from courses.domain.wording import describe_session
from courses.services.attendance.attendees import course_for_staff
from courses.services.attendance.messages import MessageOutcome, write_to_course
from courses.services.context import ServiceContext

__all__ = ["MessagePages"]

FIELDS = ("to", "session", "subject", "text")

GROUPS = (
    (
        MessageGroup.ALL.value,
        "Alla anmälda",
        "bekräftade, reservlistan och de som väntar på besked",
    ),
    (MessageGroup.CONFIRMED.value, "De som har fått plats", ""),
    (MessageGroup.WAITLISTED.value, "Reservlistan", ""),
    (MessageGroup.SESSION.value, "Deltagarna en viss kursdag", "välj kursdagen nedan"),
)
_AUDIENCE = {
    MessageGroup.ALL: "alla anmälda",
    MessageGroup.CONFIRMED: "dem som har fått plats",
    MessageGroup.WAITLISTED: "reservlistan",
    MessageGroup.SESSION: "deltagarna kursdag {session}",
}
_TOO_MANY = (
    "Du har skickat många meddelanden den senaste timmen. Vänta en stund och skicka sedan "
    "igen; det du skrev finns kvar."
)


@dataclass(frozen=True, slots=True)
class SessionOption:
    position: int
    label: str


@dataclass(frozen=True, slots=True)
class Preview:
    """The message as the recipients will read it, and who they are."""

    recipients: int
    audience: str
    subject: str
    about: str
    """The mail's line before the text: which course or session it is about."""
    paragraphs: list[list[str]]


def _sessions(course: CourseRecord) -> list[SessionOption]:
    return [
        SessionOption(s.position, f"Kursdag {s.position}: {session_day(s)}, {session_time(s)}")
        for s in course.sessions
    ]


def _draft(form: FormState) -> MessageDraft | None:
    """The draft the form holds; None when its group is not one of ours (no page sends that)."""
    try:
        group = MessageGroup(form.value("to"))
    except ValueError:
        return None
    session: int | None = None
    if group is MessageGroup.SESSION and form.value("session").isdigit():
        session = int(form.value("session"))
    return MessageDraft(group, form.value("subject"), form.value("text"), session)


def _preview(outcome: MessageOutcome) -> Preview:
    draft = outcome.draft
    # Worded as the mail's own line before the text (templates/mail/message.txt).
    about = "Ett meddelande om kursen:"
    for session in outcome.course.sessions:
        if session.position == draft.session:
            when = describe_session(session.day, session.start_time, session.end_time)
            about = f"Ett meddelande om kursdag {session.position}, {when}:"
    return Preview(
        recipients=outcome.recipients,
        audience=_AUDIENCE[draft.to].format(session=draft.session),
        subject=draft.subject,
        about=about,
        paragraphs=paragraphs(draft.text),
    )


def _page(
    course: CourseRecord,
    actor: Actor,
    form: FormState,
    *,
    preview: Preview | None = None,
    sent: int | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Template:
    context: dict[str, Any] = {
        "course": course,
        "back_url": f"/kursledare/{course.slug}",
        "action_url": f"/kursledare/{course.slug}/meddelande",
        "form": form,
        "groups": GROUPS,
        "sessions": _sessions(course),
        "subject_max": SUBJECT_MAX,
        "text_max": TEXT_MAX,
        "preview": preview,
        "sent": sent,
        "general": general or [],
        "has_errors": form.has_errors or bool(general),
    }
    return staff_page("leader_message.html", context, actor, status=status)


def _with_errors(form: FormState, exc: InvalidInput) -> FormState:
    for error in exc.errors:
        form.add(error.field if error.field in FIELDS else "", error.message)
    return form


class MessagePages(Controller):
    path = "/kursledare"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/{slug:str}/meddelande", name="leader-message")
    async def form(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        skickat: FromQuery[int | None] = None,
    ) -> Template:
        course = await course_for_staff(ctx, actor, slug)
        form = FormState(values={"to": MessageGroup.ALL.value}, fields=FIELDS)
        return _page(course, actor, form, sent=skickat if skickat and skickat > 0 else None)

    @post("/{slug:str}/meddelande", status_code=200)
    async def submit(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: FromPath[str],
    ) -> Response[Any]:
        course = await course_for_staff(ctx, actor, slug)
        posted: Mapping[str, Any] = await request.form()
        form = FormState.of(posted, FIELDS)
        action = posted.get("atgard")
        draft = _draft(form)
        if draft is None:
            form.add("to", "Välj vilka som ska få meddelandet.")
            return _page(course, actor, form, status=400)
        if action == "andra":
            return _page(course, actor, form)
        # Checked as a dry run first, also before a send: a draft with errors goes back to
        # the form whether or not the sender has reached the limit.
        try:
            previewed = await write_to_course(ctx, actor, slug, draft, dry_run=True)
        except InvalidInput as exc:
            return _page(course, actor, _with_errors(form, exc), status=400)
        preview = _preview(previewed)
        if action != "skicka":
            return _page(course, actor, form, preview=preview)
        limits = rate_limits(request)
        try:
            await limits.check_message(actor)
        except TooManyRequests as exc:
            limited = _page(course, actor, form, preview=preview, general=[_TOO_MANY], status=429)
            limited.headers["Retry-After"] = str(exc.retry_after)
            return limited
        try:
            outcome = await write_to_course(ctx, actor, slug, draft)
        except InvalidInput as exc:  # the group emptied since the preview
            return _page(course, actor, _with_errors(form, exc), status=400)
        await limits.count_message(actor)
        return Redirect(
            f"/kursledare/{slug}/meddelande?skickat={outcome.recipients}",
            status_code=303,
            headers=page_headers(private=True),
        )
