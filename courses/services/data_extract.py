"""The registrant's data extract (registerutdrag): all that is stored about their registration."""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.errors import RegistrationNotFound
from courses.services.context import ServiceContext
from courses.services.lookup import RegistrationDetails, get_registration
from courses.storage.extract import (
    StoredMail,
    StoredRegistration,
    stored_mails,
    stored_registration,
)

__all__ = ["RegistrationData", "registration_data"]


@dataclass(frozen=True, slots=True)
class RegistrationData:
    details: RegistrationDetails
    stored: StoredRegistration
    mails: list[StoredMail]


async def registration_data(ctx: ServiceContext, token: str) -> RegistrationData:
    """The registration behind a manage token with every stored column and its mails.

    Raises RegistrationNotFound for an unknown token. Read on every call: an extract is rare and
    must be current.
    """
    details = await get_registration(ctx, token)
    async with ctx.db.read() as conn:
        stored = await stored_registration(conn, details.id)
        mails = await stored_mails(conn, details.id)
    if stored is None:  # purged between the two reads
        raise RegistrationNotFound("Anmälan finns inte, eller så är länken ogiltig.")
    return RegistrationData(details=details, stored=stored, mails=mails)
