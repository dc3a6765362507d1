"""The shape of a schedule file, as msgspec Structs (field names are the file's keys)."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

import msgspec

from courses.domain.approval import DEFAULT_APPROVAL_DAYS
from courses.domain.offers import DEFAULT_OFFER_UNTIL_HOURS
from courses.domain.oidc import SignInMode
from courses.validation import (
    DOMAIN_PATTERN,
    Checked,
    Email,
    Key,
    NonEmpty,
    OfferHours,
    PositiveInt,
    Slug,
    Text,
    Url,
)

__all__ = [
    "CourseSpec",
    "EmployerSpec",
    "FormatSpec",
    "LeaderSpec",
    "OidcSpec",
    "OrganizerSpec",
    "Schedule",
    "SessionSpec",
]

Domain = Annotated[
    str,
    msgspec.Meta(
        max_length=253,
        pattern=DOMAIN_PATTERN,
    ),
]
SCOPE_PATTERN = r"^[\x21\x23-\x5b\x5d-\x7e]+(?![\s\S])"
"""An OAuth scope token (RFC 6749 3.3: printable ASCII without space, `"` or `\\`)."""
Description = Annotated[Text, msgspec.Meta(max_length=20_000)]


class _Spec(msgspec.Struct, Checked, forbid_unknown_fields=True, kw_only=True):
    pass


Scope = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=SCOPE_PATTERN)]


class OidcSpec(_Spec):
    """`[organizer.oidc]`: the OpenID Connect provider the organizer's staff sign in with (the
    issuer's scheme and host, and the scopes' required values, are checked by `oidc_problems`)."""

    issuer: Url
    client_id: NonEmpty
    domains: Annotated[list[Domain], msgspec.Meta(min_length=1)]
    """The address domains this provider signs in; subdomains count too."""
    name: NonEmpty | None = None
    """Shown on the button "Logga in med {name}"; default: the issuer's host name."""
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=20)] | None = None
    """Default: openid, email and profile."""


class OrganizerSpec(_Spec):
    key: Key
    name: NonEmpty
    mail_from: NonEmpty | None = None
    """`Namn <adress>` of the organizer's mails; default: the COURSES_MAIL_FROM setting."""
    oidc: OidcSpec | None = None
    sign_in: SignInMode = "link_and_oidc"
    """`"oidc"`: the mailed link is off for the provider's domains (needs `oidc`)."""


class EmployerSpec(_Spec):
    key: Key
    name: NonEmpty
    kind: Literal["municipality", "region"]
    domains: Annotated[list[Domain], msgspec.Meta(min_length=1)]
    retired: bool | None = None
    """true: retired (no new registrations; history kept); false: active again; left out:
    as it is (a file without the key never brings back an employer an admin retired)."""


class LeaderSpec(_Spec):
    name: NonEmpty
    email: Email | None = None


class FormatSpec(_Spec):
    key: Key
    kind: Literal["digital", "on_site"]
    place: NonEmpty | None = None
    seats: PositiveInt | None = None
    meeting_url: Url | None = None


class SessionSpec(_Spec):
    date: date
    start: time | None = None
    end: time | None = None
    place: NonEmpty | None = None


class CourseSpec(_Spec):
    slug: Slug
    title: NonEmpty
    deadline: date
    format: Annotated[list[FormatSpec], msgspec.Meta(min_length=1)]
    session: Annotated[list[SessionSpec], msgspec.Meta(min_length=1)]
    description: Description | None = None
    leaders: list[LeaderSpec] = []
    opens: date | None = None
    seats: PositiveInt | None = None
    waitlist: bool = True
    info_url: Url | None = None
    status: Literal["published", "cancelled", "draft"] = "published"
    approval: Literal["manager"] | None = None
    """`"manager"`: the registrant's manager approves each registration."""
    approval_days: PositiveInt | None = None
    """Days the manager has to answer (default 7); only with `approval`."""

    @property
    def answer_days(self) -> int | None:
        """The manager's days to answer as stored; None when no approval is asked."""
        if self.approval != "manager":
            return None
        return self.approval_days or DEFAULT_APPROVAL_DAYS

    allocation: Literal["first_come", "lottery"] = "first_come"
    draw: date | None = None
    """Lottery only: the day the seats are drawn (default: the day after the deadline)."""
    per_employer: PositiveInt | None = None
    """Fair seats: at most this many seats per employer until `share_until`."""
    share_until: date | None = None
    """The share's last day (inclusive); default: the deadline."""
    offer_hours: OfferHours = 0
    """A freed seat is offered to the first person waiting for this many hours (0: promoted
    at once)."""
    offer_until_hours: OfferHours = DEFAULT_OFFER_UNTIL_HOURS
    """The last window before the first session: a seat freed in it is offered to everyone
    waiting at once."""


class Schedule(_Spec):
    """A whole file. It may hold an organizer, employers, courses, or any of them; without
    an organizer it belongs to the deployment's only one."""

    organizer: OrganizerSpec | None = None
    employer: list[EmployerSpec] = []
    course: list[CourseSpec] = []
