"""Bearer tokens for the admin API tests."""

from __future__ import annotations

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.services.staff.api_tokens import create_token


async def bearer(
    ctx: ServiceContext, *, organizer: str = "kronoberg-beroende", role: Role = Role.ADMIN
) -> dict[str, str]:
    """The Authorization header of a new admin token of `organizer` (or a leader's)."""
    if role is Role.LEADER:
        made = await create_token(ctx, role, label="kursledare", email="kursledare@vaxjo.se")
    else:
        made = await create_token(ctx, role, label=f"admin {organizer}", organizer_key=organizer)
    return {"Authorization": f"Bearer {made.token}"}
