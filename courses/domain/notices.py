"""The mails a change can produce, and the iTIP method of the invite a message carries."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MailKind", "Method"]


class MailKind(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    ALREADY_REGISTERED = "already_registered"
    COURSE_CHANGED = "course_changed"
    COURSE_CANCELLED = "course_cancelled"
    REMINDER = "reminder"
    SIGN_IN = "sign_in"
    APPLIED = "applied"


class Method(StrEnum):
    """The iTIP method of the invite a message carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
