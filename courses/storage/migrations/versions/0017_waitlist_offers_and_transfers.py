"""waitlist offers and transfers: a course's offer hours, a registration's offer and whom it replaces

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

A course may offer a freed seat for `offer_hours` (0: promote at once, as before) with a last
window of `offer_until_hours` before the first session. A registration that is offered a seat
(status `offered`, active like the others) records when, until when it may answer, and how the
offer ended; one that took over a colleague's seat names the registration it replaces (that
one's status becomes `transferred`).

Expand only: new columns with defaults, and the unique index on an active person widened to
`offered` under a new name, created before the old one is dropped, so that an instance of the
previous release never runs without the guard.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime
_OLD_INDEX = "uq_registration_active_email"
_NEW_INDEX = "uq_registration_active_person"
_BEFORE = "status IN ('confirmed', 'waitlisted', 'applied', 'pending_approval')"
_AFTER = "status IN ('confirmed', 'waitlisted', 'applied', 'pending_approval', 'offered')"


def upgrade() -> None:
    with op.batch_alter_table("course") as batch:
        batch.add_column(
            sa.Column("offer_hours", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(
            sa.Column(
                "offer_until_hours", sa.Integer(), nullable=False, server_default=sa.text("24")
            )
        )
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("offered_at", _UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("offer_due_at", _UTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("offer_outcome", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_registration_replaces_id", "registration", ["replaces_id"], ["id"]
        )
    _index(_NEW_INDEX, _AFTER)
    op.drop_index(
        _OLD_INDEX,
        table_name="registration",
        sqlite_where=sa.text(_BEFORE),
        postgresql_where=sa.text(_BEFORE),
    )
    # The worker's look for offers that ran out.
    op.create_index("ix_registration_offer_due", "registration", ["status", "offer_due_at"])


def downgrade() -> None:
    op.drop_index("ix_registration_offer_due", table_name="registration")
    _index(_OLD_INDEX, _BEFORE)
    op.drop_index(
        _NEW_INDEX,
        table_name="registration",
        sqlite_where=sa.text(_AFTER),
        postgresql_where=sa.text(_AFTER),
    )
    with op.batch_alter_table("registration") as batch:
        batch.drop_constraint("fk_registration_replaces_id", type_="foreignkey")
        for column in ("replaces_id", "offer_outcome", "offer_due_at", "offered_at"):
            batch.drop_column(column)
    with op.batch_alter_table("course") as batch:
        batch.drop_column("offer_until_hours")
        batch.drop_column("offer_hours")


def _index(name: str, where: str) -> None:
    op.create_index(
        name,
        "registration",
        ["course_id", "email_key"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )
