"""A message from a course's leader (or an admin) to the course's people: who is in each group,
and what a message may hold.

The subject becomes a mail header, so it is one line: a CR or LF in it is refused rather than
quietly joined, because whoever typed it meant something else. The text is the mail's body,
where any character is harmless (the body is base64 and the HTML part escapes it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from courses.domain.errors import FieldError
from courses.domain.rules import ACTIVE_STATUSES, RegistrationStatus

__all__ = [
    "SUBJECT_MAX",
    "TEXT_MAX",
    "MessageDraft",
    "MessageGroup",
    "draft_errors",
    "group_statuses",
    "group_words",
    "paragraphs",
]

SUBJECT_MAX = 150
TEXT_MAX = 5000


class MessageGroup(StrEnum):
    """Whom a message goes to."""

    ALL = "all"
    """Everyone with an active registration: confirmed, waitlisted, pending approval, applied."""
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    SESSION = "session"
    """Those with a seat (confirmed, or holding it until their manager answers), about one
    session: registrations are for the whole course, so these are the people at that day."""


_STATUSES: dict[MessageGroup, frozenset[RegistrationStatus]] = {
    MessageGroup.ALL: frozenset(ACTIVE_STATUSES),
    MessageGroup.CONFIRMED: frozenset({RegistrationStatus.CONFIRMED}),
    # Someone offered a seat has not taken it yet: still one of those waiting.
    MessageGroup.WAITLISTED: frozenset({RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED}),
    MessageGroup.SESSION: frozenset(
        {RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL}
    ),
}


def group_statuses(group: MessageGroup) -> frozenset[RegistrationStatus]:
    """The registration statuses a group's message reaches."""
    return _STATUSES[group]


def group_words(group: MessageGroup, session: int | None = None) -> str:
    """The group as the audit log and the pages name it ("alla anmälda", ...)."""
    if group is MessageGroup.SESSION:
        return f"deltagarna kursdag {session}"
    return {
        MessageGroup.ALL: "alla anmälda",
        MessageGroup.CONFIRMED: "de bekräftade deltagarna",
        MessageGroup.WAITLISTED: "reservlistan",
    }[group]


@dataclass(frozen=True, slots=True)
class MessageDraft:
    """What the sender wrote: the group, the session (for `SESSION` only), subject and text."""

    to: MessageGroup
    subject: str
    text: str
    session: int | None = None

    def cleaned(self) -> MessageDraft:
        """Without the blank space around the subject and text (a trailing newline of a form),
        and the text's line breaks as LF (a browser sends CRLF, which would count twice)."""
        text = self.text.replace("\r\n", "\n").replace("\r", "\n").strip()
        return MessageDraft(self.to, self.subject.strip(), text, self.session)


def paragraphs(text: str) -> list[list[str]]:
    """The text as paragraphs of lines, as the HTML mail and the preview show it: a blank line
    ends a paragraph, a line break stays a line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [block for block in re.split(r"\n\s*\n", text) if block.strip()]
    return [[line for line in block.split("\n") if line.strip()] for block in blocks]


def draft_errors(draft: MessageDraft, *, sessions: frozenset[int]) -> list[FieldError]:
    """Everything wrong with a (cleaned) draft, one Swedish message per field."""
    errors: list[FieldError] = []
    if not draft.subject:
        errors.append(FieldError("subject", "Skriv en ämnesrad."))
    elif _controls(draft.subject, allowed=""):
        errors.append(FieldError("subject", "Ämnesraden ska vara en enda rad, utan radbrytningar."))
    elif len(draft.subject) > SUBJECT_MAX:
        errors.append(
            FieldError("subject", f"Ämnesraden får vara högst {SUBJECT_MAX} tecken lång.")
        )
    if not draft.text:
        errors.append(FieldError("text", "Skriv meddelandet."))
    elif len(draft.text) > TEXT_MAX:
        errors.append(FieldError("text", f"Meddelandet får vara högst {TEXT_MAX} tecken långt."))
    elif _controls(draft.text, allowed="\t\r\n"):
        errors.append(
            FieldError("text", "Meddelandet innehåller ett styrtecken som inte kan skickas.")
        )
    if draft.to is MessageGroup.SESSION:
        if draft.session is None:
            errors.append(FieldError("session", "Välj vilken kursdag meddelandet gäller."))
        elif draft.session not in sessions:
            errors.append(FieldError("session", f"Kursen har ingen kursdag {draft.session}."))
    elif draft.session is not None:
        # Refused rather than ignored: "all" with a session was likely meant for fewer people.
        errors.append(
            FieldError(
                "session",
                "Ange kursdag bara när meddelandet går till deltagarna en viss kursdag.",
            )
        )
    return errors


def _controls(text: str, *, allowed: str) -> bool:
    """Whether `text` holds a control character or line separator other than `allowed`
    (a NUL cannot even be stored in PostgreSQL's JSON)."""
    return any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp") and char not in allowed for char in text
    )
