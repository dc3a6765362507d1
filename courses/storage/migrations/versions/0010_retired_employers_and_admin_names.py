"""retired employers, and the names of the organizer's admins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

`employer.retired_at` is set when an admin retires an employer: its staff can no longer
register, while its registrations, statistics and attendee lists keep naming it; clearing it
brings the employer back. `staff_account.name` is the name an admin is shown by on
/admin/personal. Both are nullable columns, so the previous release keeps working on this
schema (it neither reads nor writes them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("employer") as batch:
        batch.add_column(sa.Column("retired_at", _UTC(timezone=True), nullable=True))
    with op.batch_alter_table("staff_account") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("employer") as batch:
        batch.drop_column("retired_at")
