"""Who a course change tells, in Swedish: the editor's preview of the mails an import of the
change writes (counted from the outbox rows of its dry run)."""

from __future__ import annotations

from courses.domain.notices import MailCount, MailKind, MailTally, Method

__all__ = ["mail_lines"]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _line(count: MailCount) -> str:
    kind, method = count.kind, count.method
    if kind is MailKind.COURSE_CHANGED and method is Method.REQUEST:
        return _plural(
            count.messages, "uppdaterad kalenderinbjudan", "uppdaterade kalenderinbjudningar"
        )
    if kind is MailKind.COURSE_CHANGED and method is Method.CANCEL:
        return _plural(count.messages, "avbokat kurstillfälle", "avbokade kurstillfällen")
    if kind is MailKind.COURSE_CHANGED:
        return _plural(count.messages, "mejl om ändringen", "mejl om ändringen") + (
            " (utan kalenderinbjudan)"
        )
    if kind is MailKind.COURSE_CANCELLED:
        return (
            _plural(count.registrations, "person får", "personer får")
            + " veta att kursen är inställd"
        )
    if kind is MailKind.PROMOTED:
        return _plural(count.registrations, "person", "personer") + " flyttas upp från reservlistan"
    if kind is MailKind.OFFERED:
        return (
            _plural(count.registrations, "person", "personer")
            + " på reservlistan erbjuds en ledig plats"
        )
    if kind is MailKind.AWAITING_APPROVAL:
        return (
            _plural(count.registrations, "person", "personer")
            + " får en plats som väntar på chefens godkännande"
        )
    if kind is MailKind.APPROVAL_REQUEST:
        return _plural(count.registrations, "chef", "chefer") + " ombeds godkänna en anmälan"
    if kind is MailKind.APPROVAL_WITHDRAWN:
        return (
            _plural(count.registrations, "chef får", "chefer får") + " veta att inget svar behövs"
        )
    return f"{count.messages} mejl av slaget {kind.value}"


def mail_lines(tally: MailTally) -> list[str]:
    """One line per kind of mail, e.g. "12 uppdaterade kalenderinbjudningar"; empty when
    nobody is told."""
    return [_line(count) for count in tally.counts]
