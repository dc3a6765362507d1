"""sign-in requests: every request for a link writes the same row, the worker decides

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

`sign_in_request` holds an address that asked for a sign-in link until the mail worker has
decided whether it is staff's (then it gets the link mail as before) or not (then nothing is
sent); the row is deleted either way. Asking thus costs the same for a known and an unknown
address. A new table only, so the previous release keeps working on this schema (it neither
reads nor writes it and still creates links and their mails itself).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sign_in_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("sign_in_request")
