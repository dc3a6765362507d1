"""The mails a change can produce, and the iTIP method of the invite a message carries."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MANAGER_KINDS", "MailKind", "Method"]


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
    # A lottery course's application (courses.services.applications).
    APPLIED = "applied"
    # Manager approval (courses.services.approval): to the registrant ...
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    DECLINED = "declined"
    APPROVAL_EXPIRED = "approval_expired"
    # ... and to the manager, with the approval link.
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_REMINDER = "approval_reminder"


MANAGER_KINDS = frozenset({MailKind.APPROVAL_REQUEST, MailKind.APPROVAL_REMINDER})
"""Mails that go to the registration's manager, not to the registrant."""


class Method(StrEnum):
    """The iTIP method of the invite a message carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
