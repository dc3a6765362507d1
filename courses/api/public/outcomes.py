"""What registrations come to, counted for /metrics by every handler that registers someone
(the API now, the web form next): the status given, or the refusal's code."""

from __future__ import annotations

from collections.abc import Awaitable

from courses.domain.errors import DomainError
from courses.metrics import Metrics
from courses.services.registration.register import RegistrationReceipt

__all__ = ["counted_registration"]


async def counted_registration(
    metrics: Metrics, registering: Awaitable[RegistrationReceipt]
) -> RegistrationReceipt:
    """Await `registering` and count its outcome; a refusal is counted, then raised on."""
    try:
        receipt = await registering
    except DomainError as exc:
        metrics.registration(exc.code)
        raise
    metrics.registration(receipt.status.value)
    return receipt
