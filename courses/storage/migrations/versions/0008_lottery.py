"""lottery: a course's allocation, its draw day, and the draw's record

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02

`course.allocation` is `first_come` (every course so far) or `lottery`. A lottery course's
`draw_on` is the local day whose start the draw is due; `drawn_at` and `draw_seed` are set
once, by the conditional UPDATE that makes one draw happen exactly once
(`courses.storage.lottery.claim_draw`); `draw_applications` and `draw_seated` keep the
draw's counts for the statistics.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(
            sa.Column(
                "allocation",
                sa.String(length=20),
                nullable=False,
                server_default=sa.text("'first_come'"),
            )
        )
        batch.add_column(sa.Column("draw_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("drawn_at", _UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("draw_seed", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("draw_applications", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("draw_seated", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.drop_column("draw_seated")
        batch.drop_column("draw_applications")
        batch.drop_column("draw_seed")
        batch.drop_column("drawn_at")
        batch.drop_column("draw_on")
        batch.drop_column("allocation")
