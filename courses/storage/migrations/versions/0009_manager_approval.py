"""manager approval: a course's answer period, a registration's manager and approval link

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02

`course.approval_days` is set on a course whose registrations the registrant's manager approves
(`approval = "manager"`). A registration names its manager (`manager_email`, personal data,
purged like the rest) and, while it waits for the answer, carries the approval link's hash and
nonce, when the manager was asked, until when they may answer, and when they were reminded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime
_UNIQUE = "uq_registration_approval_token_hash"


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(sa.Column("approval_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("manager_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("approval_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("approval_nonce", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("approval_asked_at", _UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("approval_due_at", _UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("approval_reminded_at", _UTC(timezone=True), nullable=True))
        batch.create_unique_constraint(_UNIQUE, ["approval_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.drop_constraint(_UNIQUE, type_="unique")
        for column in (
            "approval_reminded_at",
            "approval_due_at",
            "approval_asked_at",
            "approval_nonce",
            "approval_token_hash",
            "manager_email",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("course") as batch:
        batch.drop_column("approval_days")
