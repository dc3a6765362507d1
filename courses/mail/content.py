"""Subject, text and HTML of a mail, from the Jinja templates in `templates/mail/`.

Each kind has `<kind>.txt` (with the subject in a block) and `<kind>.html`; both extend a base
that lists every fact a person needs, because Outlook builds the appointment from the body and
many people never open an attachment. HTML is autoescaped; the meeting link is given only to
those registered for the digital format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from courses.domain.approval import last_answer_day
from courses.domain.courses import SessionRecord
from courses.domain.fair_seats import Share, waitlisted_by_share
from courses.domain.lottery import draw_words
from courses.domain.messages import paragraphs
from courses.domain.notices import MailKind
from courses.domain.rules import swedish_date
from courses.domain.wording import describe_session, one_line
from courses.mail.listing import listing_context
from courses.mail.offer_content import hours_words, offer_context
from courses.services.outbox.delivery import ListingFacts, MailFacts, SignInFacts
from courses.storage.payloads import (
    Applied,
    ApprovalWithdrawn,
    AwaitingApproval,
    Cancelled,
    Confirmed,
    CourseCancelled,
    CourseChanged,
    FormatChanged,
    Message,
    Waitlisted,
)

__all__ = ["MailContent", "Templates", "default_template_dir"]


def default_template_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True, slots=True)
class MailContent:
    subject: str
    text: str
    html: str


def _when(session: SessionRecord) -> str:
    return describe_session(session.day, session.start_time, session.end_time)


def _session(session: SessionRecord, facts: MailFacts) -> dict[str, Any]:
    """A session's line names its place only where it differs from the format's (shown once,
    with the meeting link, below the sessions)."""
    fmt = facts.registrant.format
    where = session.place if fmt is None or not fmt.digital else None
    if fmt is not None and where == fmt.place:
        where = None
    return {"position": session.position, "when": _when(session), "where": where}


def _approval(facts: MailFacts, tz: ZoneInfo) -> dict[str, Any]:
    """What the approval mails say: the manager, their link, the last day to answer."""
    approval = facts.approval
    due = approval.due_at if approval is not None else None
    return {
        "manager_email": approval.manager_email if approval is not None else None,
        "approval_url": approval.link if approval is not None else None,
        "approval_until": swedish_date(last_answer_day(due, tz)) if due is not None else None,
        "promoted": isinstance(facts.payload, AwaitingApproval) and facts.payload.promoted,
        "accepted": isinstance(facts.payload, AwaitingApproval) and facts.payload.accepted,
    }


def _format(facts: MailFacts) -> dict[str, Any] | None:
    fmt = facts.registrant.format
    if fmt is None:
        return None
    digital = fmt.digital
    return {
        "digital": digital,
        "label": "digitalt" if digital else "på plats",
        "place": None if digital else fmt.place,
        "meeting_url": fmt.meeting_url if digital else None,
    }


class Templates:
    """The mail templates, loaded once per worker."""

    def __init__(self, directory: Path | None = None, *, tz: ZoneInfo | None = None) -> None:
        self._tz = tz or ZoneInfo("Europe/Stockholm")
        self._env = Environment(
            loader=FileSystemLoader((directory or default_template_dir()) / "mail"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def context(self, facts: MailFacts) -> dict[str, Any]:
        course = facts.course
        payload = facts.payload
        sessions = sorted(course.sessions, key=lambda s: s.position)
        part = facts.mail.part
        parts = facts.parts
        this = facts.part_session
        changes = payload.changes if isinstance(payload, CourseChanged | CourseCancelled) else []
        fmt = _format(facts)
        if fmt is not None and isinstance(payload, Applied):
            fmt["meeting_url"] = None  # the link is for those with a seat
        return {
            "name": one_line(facts.registrant.name),
            "course": course,
            "title": one_line(course.title),
            "sessions": [_session(s, facts) for s in sessions],
            "format": fmt,
            "leaders": [
                {"name": leader["name"], "email": leader.get("email")} for leader in course.leaders
            ],
            "leader_contact": any(leader.get("email") for leader in course.leaders),
            "organizer": {
                "name": one_line(facts.organizer.name),
                "address": facts.organizer.address,
            },
            "deadline": swedish_date(course.deadline),
            # After a cancellation the link only shows that it is cancelled: leave it out.
            # The registrant's own link never goes to their manager.
            "manage_url": (
                None
                if facts.mail.kind
                in (
                    MailKind.CANCELLED,
                    MailKind.COURSE_CANCELLED,
                    MailKind.DECLINED,
                    MailKind.APPROVAL_EXPIRED,
                    MailKind.OFFER_DECLINED,
                    MailKind.TRANSFERRED_OUT,
                )
                or facts.to_manager
                else facts.registrant.manage_url
            ),
            "status": facts.registrant.status.value,
            "share_reason": _share_reason(payload),
            "after_draw": isinstance(payload, Waitlisted) and payload.after_draw,
            "drawn": isinstance(payload, Confirmed | AwaitingApproval) and payload.drawn,
            "changes": changes,
            "removed": [{"position": s.position, "when": _when(s)} for s in facts.removed],
            "method": facts.mail.method,
            # A notice with several invites: the first message is the notice itself; each
            # further one says which session's invite it carries.
            "extra_part": bool(parts) and part != parts[0],
            "part": {
                "position": part,
                "count": len(sessions),
                "when": _when(this) if this is not None else "",
            },
            "employer": facts.registrant.employer,
            "workplace": facts.registrant.workplace,
            **_approval(facts, self._tz),
            "draw_day": draw_words(payload.draw_on) if isinstance(payload, Applied) else None,
            "withdrawn_by": (payload.by.value if isinstance(payload, ApprovalWithdrawn) else None),
            # Staff's own words on why (a cancellation), line by line.
            "reason": (
                (payload.reason or "").strip().splitlines()
                if isinstance(payload, Cancelled | CourseChanged | CourseCancelled)
                else []
            ),
            "format_was": payload.was if isinstance(payload, FormatChanged) else None,
            "message": _message(payload, sessions),
            # How long a freed seat is offered for, as the waitlisted mail promises it.
            "offer_hours": hours_words(course.offer_hours) if course.offer_hours > 0 else None,
            **offer_context(payload, manage_url=facts.registrant.manage_url, tz=self._tz),
        }

    def render(self, facts: MailFacts) -> MailContent:
        kind = facts.mail.kind
        context = self.context(facts)
        text_template = self._env.get_template(f"{kind}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        if context["extra_part"]:
            part = context["part"]
            subject = f"Kursdag {part['position']} av {part['count']} – {subject}"
        return MailContent(
            subject=one_line(subject),
            text=text_template.render(context),
            html=self._env.get_template(f"{kind}.html").render(context),
        )

    def render_listing(self, facts: ListingFacts) -> MailContent:
        """A mailbox's list of its registrations, each with its link (courses.mail.listing)."""
        return self._letter("my_registrations", listing_context(facts, tz=self._tz))

    def _letter(self, kind: str, context: dict[str, Any]) -> MailContent:
        """A mail without one course's facts: `<kind>.txt` with its subject block, and
        `<kind>.html`."""
        text_template = self._env.get_template(f"{kind}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        return MailContent(
            subject=one_line(subject),
            text=text_template.render(context),
            html=self._env.get_template(f"{kind}.html").render(context),
        )

    def render_sign_in(self, facts: SignInFacts, *, tz: ZoneInfo) -> MailContent:
        """A sign-in mail: no course facts, only the link and how long it holds."""
        context = {
            "email": facts.email,
            "link": facts.link,
            "until": f"{facts.expires_at.astimezone(tz):%H.%M}",
            "organizer": {"name": one_line(facts.organizer.name)},
            "service": "kursanmälan",
        }
        return self._letter("sign_in", context)


def _message(payload: object, sessions: list[SessionRecord]) -> dict[str, Any] | None:
    """A leader's message: the text as written, and for the HTML part in paragraphs of lines
    (each line escaped by the template, joined by <br>)."""
    if not isinstance(payload, Message):
        return None
    session = next((s for s in sessions if s.position == payload.session), None)
    return {
        "subject": one_line(payload.subject),
        "text": payload.text.replace("\r\n", "\n").replace("\r", "\n"),
        "paragraphs": paragraphs(payload.text),
        "session": (
            None if session is None else {"position": session.position, "when": _when(session)}
        ),
    }


def _share_reason(payload: object) -> str | None:
    """Why a waitlisted registrant waits although seats may be free (the employer share)."""
    if not isinstance(payload, Waitlisted) or payload.per_employer is None:
        return None
    assert payload.share_until is not None
    return waitlisted_by_share(Share(payload.per_employer, payload.share_until))
