"""Who may register for what, and when.

These functions take plain values and an explicit `now`; the services feed them from the
database and the injected clock. Swedish texts here are the ones a registrant reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from courses.domain.errors import (
    FieldError,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
)
from courses.domain.timing import (
    SessionTime,
    registration_closes_at,
    registration_opens_at,
)

__all__ = [
    "EMAIL_PATTERN",
    "CourseStatus",
    "CourseTiming",
    "RegistrationState",
    "RegistrationStatus",
    "canonical_email",
    "check_can_cancel",
    "check_eligible",
    "check_registration_open",
    "choose_format",
    "domain_allowed",
    "email_domain",
    "normalize_email",
    "registration_state",
    "seats_left",
]


class CourseStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class RegistrationState(StrEnum):
    """What a visitor can do with a course right now."""

    OPEN = "open"
    WAITLIST = "waitlist"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    CANCELLED = "cancelled"


_SWEDISH_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def swedish_date(day: date) -> str:
    """`20 mars 2022`, the way the source page writes dates."""
    return f"{day.day} {_SWEDISH_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True, slots=True)
class CourseTiming:
    """The parts of a course that decide when registering and cancelling are allowed."""

    status: CourseStatus
    deadline: date
    opens: date | None
    sessions: Sequence[SessionTime]

    def first_session_starts_at(self, tz: ZoneInfo) -> datetime | None:
        return min((s.starts_at(tz) for s in self.sessions), default=None)

    def has_started(self, now: datetime, tz: ZoneInfo) -> bool:
        first = self.first_session_starts_at(tz)
        return first is not None and now >= first


def check_registration_open(timing: CourseTiming, *, now: datetime, tz: ZoneInfo) -> None:
    """Refuse with a clear reason unless a registration may be made at `now`."""
    if timing.status is CourseStatus.CANCELLED:
        raise RegistrationClosed("Kursen är inställd och tar inte emot anmälningar.")
    opens_at = registration_opens_at(timing.opens, tz)
    if opens_at is not None and now < opens_at:
        assert timing.opens is not None
        raise NotYetOpen(
            f"Anmälan öppnar {swedish_date(timing.opens)}. Välkommen tillbaka då.",
        )
    if now >= registration_closes_at(timing.deadline, tz):
        raise RegistrationClosed(
            f"Sista anmälningsdag var {swedish_date(timing.deadline)}. Anmälan är stängd.",
        )
    if timing.has_started(now, tz):
        raise RegistrationClosed("Kursen har redan börjat. Anmälan är stängd.")


def registration_state(
    timing: CourseTiming,
    *,
    has_room: bool,
    waitlist: bool,
    now: datetime,
    tz: ZoneInfo,
) -> RegistrationState:
    """The state shown in listings; consistent with `check_registration_open`."""
    if timing.status is CourseStatus.CANCELLED:
        return RegistrationState.CANCELLED
    try:
        check_registration_open(timing, now=now, tz=tz)
    except NotYetOpen:
        return RegistrationState.NOT_YET_OPEN
    except RegistrationClosed:
        return RegistrationState.CLOSED
    if has_room:
        return RegistrationState.OPEN
    return RegistrationState.WAITLIST if waitlist else RegistrationState.CLOSED


def check_can_cancel(timing: CourseTiming, *, now: datetime, tz: ZoneInfo) -> None:
    """A registrant may cancel by link until the first session begins."""
    if timing.has_started(now, tz):
        raise RegistrationClosed(
            "Kursen har redan börjat, så anmälan kan inte längre avanmälas via länken. "
            "Kontakta kursledaren.",
        )


def seats_left(cap: int | None, taken: int) -> int | None:
    """Free seats under a cap; None when there is no cap. Never negative (a cap may shrink)."""
    return None if cap is None else max(cap - taken, 0)


# An address the mail transport can deliver: an RFC 5322 dot-atom local part in ASCII (atext:
# letters, digits and !#$%&'*+/=?^_`{|}~-; no leading, trailing or double dot) and a domain of
# at least two labels. A label is letters, digits and inner hyphens; it may be written in
# Unicode (an internationalised domain), and `canonical_email` then decides, by encoding it,
# whether it is a real IDN label. The same pattern is the API's and the schedule file's
# `Email` (courses.validation), so the OpenAPI document shows it.
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
# A label character: an ASCII letter or digit, or anything beyond ASCII. Written as what it is
# not (ASCII punctuation, space, controls), which reads the same in Python and ECMA-262 regex
# and lets test generators draw from it quickly; with the hyphen allowed inside a label.
_LABEL_CHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
_LABEL_INNER = r"[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
_LABEL = rf"{_LABEL_CHAR}(?:{_LABEL_INNER}*{_LABEL_CHAR})?"
EMAIL_PATTERN = (
    rf"^[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@{_LABEL}(?:\.{_LABEL})+"
    # The end of the text, not `$` (which also matches before a final line break); `\Z` would
    # say the same but is not JSON Schema (ECMA-262) regex, and the pattern is published.
    r"(?![\s\S])"
)
_SHAPE = re.compile(EMAIL_PATTERN)
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAX_LOCAL = 64  # octets, RFC 5321 4.5.3.1.1
_MAX_ADDRESS = 254  # the longest path an SMTP server must take, less the angle brackets


class UndeliverableAddress(ValueError):
    """The mail transport could not send to this address; the text says why (in English, for
    logs: callers show their own Swedish message)."""


def canonical_email(address: str) -> str:
    """The address as the mail transport sends it; `UndeliverableAddress` if it has none.

    The local part is kept as written; the domain is lower-cased and an internationalised
    domain is encoded to its A-label (`växjö.se` -> `xn--vxj-qla6g.se`), so eligibility and the
    mail both see the form that goes over SMTP.
    """
    if not _SHAPE.search(address):
        raise UndeliverableAddress(f"not an address of the accepted shape: {address!r}")
    local, _, domain = address.rpartition("@")
    if len(local) > _MAX_LOCAL:
        raise UndeliverableAddress("the local part is too long")
    canonical = f"{local}@{_ascii_domain(domain)}"
    if len(canonical) > _MAX_ADDRESS:
        raise UndeliverableAddress("the address is too long")
    return canonical


def _ascii_domain(domain: str) -> str:
    """The domain in ASCII (A-labels), lower case, unless a label is not LDH."""
    try:
        # The standard library's codec is IDNA 2003 (nameprep, then punycode per label).
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise UndeliverableAddress(f"not an internationalised domain: {domain!r}") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        raise UndeliverableAddress(f"not a mail domain: {domain!r}")
    for label in labels:
        if not _LDH_LABEL.fullmatch(label):
            raise UndeliverableAddress(f"not a domain label: {label!r}")
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise UndeliverableAddress(f"not a valid A-label: {label!r}") from None
    return ascii_domain


def normalize_email(email: str) -> str:
    """The key for "one registration per person": one mailbox is one person.

    Trimmed and case-insensitive, without a `+tag` in the local part (`Kim+kurs@Vaxjo.se` and
    `kim@vaxjo.se` reach the same mailbox) and with the domain in its A-label form. It never
    raises: it also keys rows stored before addresses were checked this strictly.
    """
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return domain
    base, plus, _tag = local.partition("+")
    if plus and base:
        local = base
    # A domain that does not encode is kept as given: such an address is refused before it is
    # ever registered, and only rows stored before that check can have one.
    with suppress(ValueError):
        domain = _ascii_domain(domain)
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return normalize_email(email).rpartition("@")[2]


def domain_allowed(domain: str, allowed: Sequence[str]) -> bool:
    """A listed domain or any subdomain of it, case-insensitive (`it.vaxjo.se` for `vaxjo.se`).

    Both sides are compared as A-labels, so a listed `växjö.se` and an address at
    `xn--vxj-qla6g.se` are the same domain.
    """
    domain = _comparable_domain(domain)
    for listed in allowed:
        listed = _comparable_domain(listed.strip().lstrip("@"))
        if listed and (domain == listed or domain.endswith("." + listed)):
            return True
    return False


def _comparable_domain(domain: str) -> str:
    domain = domain.lower().rstrip(".")
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def check_eligible(
    *,
    email: str,
    employer_name: str,
    employer_domains: Sequence[str],
    works_in_field: bool,
) -> None:
    """Employees of the county's employers who work with addiction care may register."""
    if not works_in_field:
        raise NotEligible(
            "Utbildningarna är till för dig som arbetar med missbruks- och beroendevård. "
            "Bekräfta att du gör det för att anmäla dig.",
        )
    if not domain_allowed(email_domain(email), employer_domains):
        listed = ", ".join(employer_domains)
        raise NotEligible(
            f"E-postadressen hör inte till {employer_name}. Använd din e-postadress i "
            f"tjänsten (som slutar på {listed}).",
        )


def choose_format(available: Sequence[str], requested: str | None) -> str:
    """The format key the registrant takes; it may be left out when there is only one."""
    if requested is None:
        if len(available) == 1:
            return available[0]
        choices = ", ".join(available)
        raise InvalidInput(
            "Välj hur du vill delta.",
            [FieldError("format", f"Välj ett av: {choices}.")],
        )
    if requested not in available:
        choices = ", ".join(available)
        raise InvalidInput(
            "Kursen ges inte i det formatet.",
            [FieldError("format", f"Okänt format {requested!r}. Välj ett av: {choices}.")],
        )
    return requested
