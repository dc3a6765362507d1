"""fair seats: at most N seats per employer until a day

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A course may limit the seats each employer holds (`per_employer`) until the end of a day
(`share_until`, default the deadline); `share_released_for` records the share whose end the
worker handled. The index lets the seats an employer holds be counted under the course lock.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("per_employer", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("share_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("share_released_for", sa.Date(), nullable=True))
    op.create_index(
        "ix_registration_employer", "registration", ["course_id", "employer_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_registration_employer", table_name="registration")
    with op.batch_alter_table("course") as batch:
        batch.drop_column("share_released_for")
        batch.drop_column("share_until")
        batch.drop_column("per_employer")
