"""Who a mail is from: the course organizer's sender, or the deployment's setting."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr, quote

from courses.domain.wording import one_line
from courses.storage.organizers import OrganizerRecord

__all__ = ["Organizer", "organizer_sender"]


@dataclass(frozen=True, slots=True)
class Organizer:
    """Who sends the mail and answers questions: a name and an address."""

    name: str
    address: str

    @classmethod
    def of(cls, mail_from: str) -> Organizer:
        name, address = parseaddr(mail_from)
        return cls(name or address, address)


def organizer_sender(organizer: OrganizerRecord, mail_from: str) -> str:
    """`Namn <adress>` an organizer's mails are from: its own sender, else the COURSES_MAIL_FROM
    address under the organizer's name, so that every mail names who arranges the course (the
    unnamed default organizer's mails are from the setting as it is)."""
    if organizer.mail_from:
        return organizer.mail_from
    if organizer.placeholder:
        return mail_from
    return f'"{quote(one_line(organizer.name))}" <{parseaddr(mail_from)[1]}>'
