"""Work addresses: which ones the mail transport can deliver, their canonical form, and the key
that makes one mailbox one person. Standard library only, like every domain rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from functools import lru_cache

__all__ = [
    "EMAIL_PATTERN",
    "UndeliverableAddress",
    "canonical_email",
    "domain_allowed",
    "email_domain",
    "normalize_email",
]

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


@lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str:
    """The domain in ASCII (A-labels), lower case, unless a label is not LDH.

    Remembered: a county has a handful of mail domains, and the codec runs on every address
    (the form check, the rate limit's key, the service) on the registration's hot path."""
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
