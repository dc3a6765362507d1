"""registrations by mailbox: "Mina anmälningar" without reading every registration

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

`/mina-anmalningar` finds a mailbox's registrations by `email_key` across every course of the
deployment; the unique index on (course, email_key) cannot serve that, so PostgreSQL read the
whole registration table (300,000 rows in a national year) for every request.

Expand only: a new index, which the previous release does not need and does not mind.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_registration_email_key", "registration", ["email_key"])


def downgrade() -> None:
    op.drop_index("ix_registration_email_key", table_name="registration")
