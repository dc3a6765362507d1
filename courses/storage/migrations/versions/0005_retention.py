"""retention: registrations remember their purge; the daily purge's runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

`registration.purged_at` marks a registration whose personal data the purge (gallring) blanked;
the row stays so the statistics keep their counts. `purge_run` holds one row per local day the
worker purged: inserting the day is how one worker among several claims it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("purged_at", _UTC(timezone=True), nullable=True))
    op.create_table(
        "purge_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", _UTC(timezone=True), nullable=False),
        sa.Column("finished_at", _UTC(timezone=True), nullable=True),
        sa.Column("purged", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("purge_run")
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("purged_at")
