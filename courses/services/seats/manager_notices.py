"""Telling the manager that a registration waiting for their answer no longer needs it.

A registration that waits for its manager (`pending_approval`) can end without the manager: the
registrant cancels it with their link, an admin cancels it for them, or the course is
cancelled. The manager was asked by mail and may be about to open the link, so they get a short
mail without a link (`ApprovalWithdrawn`); the approval page then says the registration is no
longer open. Queued by the same transaction as the change, like every other mail.
"""

from __future__ import annotations

from courses.domain.notices import WithdrawnBy
from courses.domain.rules import RegistrationStatus
from courses.services.notices import notice
from courses.storage import outbox
from courses.storage.payloads import ApprovalWithdrawn

__all__ = ["manager_told"]


def manager_told(
    registration_id: int, status: RegistrationStatus, by: WithdrawnBy
) -> list[list[outbox.NewMail]]:
    """The manager's notice when a registration in `status` ends without their answer: none
    unless it was waiting for them (a waitlisted one's manager was never asked)."""
    if status is not RegistrationStatus.PENDING_APPROVAL:
        return []
    return [notice(registration_id, ApprovalWithdrawn(by=by))]
