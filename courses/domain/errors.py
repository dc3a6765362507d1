"""One error tree for the domain. No HTTP here: `courses.api.http.problems` maps codes to statuses.

Each error carries a stable machine code and a Swedish `detail` a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "AlreadyRegistered",
    "CourseFull",
    "CourseNotFound",
    "DomainError",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "ItemNotFound",
    "NoCertificate",
    "NoInvite",
    "NotEligible",
    "NotYetOpen",
    "OfferClosed",
    "RegistrationClosed",
    "RegistrationNotFound",
    "StaffConflict",
    "StaleCourse",
    "Unauthorized",
]


class DomainError(Exception):
    """Base of every refusal the rules or services can give."""

    code: ClassVar[str] = "domain-error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class CourseNotFound(DomainError):
    code = "course-not-found"


class RegistrationNotFound(DomainError):
    # The public contract answers an unknown or used-up token like an unknown course: it must
    # not reveal whether a token ever existed.
    code = "course-not-found"


class ItemNotFound(DomainError):
    """An employer or a mail that staff asked for which does not exist or is another
    organizer's: answered like a missing course, so nothing about other organizers leaks."""

    code = "course-not-found"


class RegistrationClosed(DomainError):
    code = "registration-closed"


class NotYetOpen(DomainError):
    code = "not-yet-open"


class CourseFull(DomainError):
    code = "course-full"


class AlreadyRegistered(DomainError):
    code = "already-registered"


class NotEligible(DomainError):
    code = "not-eligible"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        # The form field the refusal is about (email, employer, works_in_field): a page shows
        # the refusal next to that field.
        self.field = field


class NoInvite(DomainError):
    """A waitlisted or cancelled registration has no calendar invite."""

    code = "no-invite"


class Unauthorized(DomainError):
    """No valid sign-in or token: the staff side needs one."""

    code = "unauthorized"


class Forbidden(DomainError):
    """Signed in, but this needs a role the actor lacks (an admin's work asked by a leader).

    Never for a course that is not the actor's: that answers CourseNotFound, like a missing one.
    """

    code = "forbidden"


class StaffConflict(DomainError):
    """A staff action that the state does not allow (promote someone not on the waitlist)."""

    code = "conflict"


class StaleCourse(StaffConflict):
    """A course form opened at one revision was saved after someone else changed the course."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            detail
            or "Kursen har ändrats av någon annan sedan du öppnade den. Ladda om sidan och "
            "gör om ändringen."
        )


class OfferClosed(DomainError):
    """An offered seat that can no longer be accepted or declined: it lapsed, someone else
    took it (`taken`), or the course began; `waitlist_position` is the registrant's place now
    (None when they are no longer waiting)."""

    code = "offer-closed"

    def __init__(
        self, detail: str, *, taken: bool = False, waitlist_position: int | None = None
    ) -> None:
        super().__init__(detail)
        self.taken = taken
        self.waitlist_position = waitlist_position
        if taken:
            self.code = "offer-taken"  # type: ignore[misc]


class NoCertificate(DomainError):
    """No certificate yet: not every session is marked as attended."""

    code = "no-certificate"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule tied to one field (e.g. an unknown format)."""

    code = "validation-error"

    def __init__(self, detail: str, errors: list[FieldError]) -> None:
        super().__init__(detail)
        self.errors = errors
