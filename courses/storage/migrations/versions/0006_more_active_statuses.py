"""active statuses: an application before a lottery and a registration awaiting its manager

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A registration may now also be `applied` (a lottery course before its draw) or
`pending_approval` (a course whose manager approves each registration). Both are active: the
person holds their place and cannot register twice, so the partial unique index on the email
key covers them too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_registration_active_email"
_BEFORE = "status IN ('confirmed', 'waitlisted')"
_AFTER = "status IN ('confirmed', 'waitlisted', 'applied', 'pending_approval')"


def upgrade() -> None:
    _rebuild(_BEFORE, _AFTER)


def downgrade() -> None:
    _rebuild(_AFTER, _BEFORE)


def _rebuild(old: str, new: str) -> None:
    op.drop_index(
        _INDEX,
        table_name="registration",
        sqlite_where=sa.text(old),
        postgresql_where=sa.text(old),
    )
    op.create_index(
        _INDEX,
        "registration",
        ["course_id", "email_key"],
        unique=True,
        sqlite_where=sa.text(new),
        postgresql_where=sa.text(new),
    )
