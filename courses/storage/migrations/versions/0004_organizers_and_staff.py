"""organizers and the staff side: accounts, sign-in links, sessions, tokens, attendance, audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Employers and courses now belong to an organizer. A database that already holds some gets one
organizer, key `default`, which the first schedule file naming an organizer adopts
(courses.services.schedule.organizers). Outbox rows may now carry a staff member's sign-in link instead
of a registration.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def _utc(name: str, *, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, _UTC(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organizer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mail_from", sa.String(length=300), nullable=True),
        _utc("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    bind = op.get_bind()
    has_data = bind.execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM employer) OR EXISTS (SELECT 1 FROM course)")
    ).scalar()
    default_id = None
    if has_data:
        organizer = sa.table(
            "organizer",
            sa.column("key", sa.String),
            sa.column("name", sa.String),
            sa.column("created_at", _UTC()),
        )
        bind.execute(
            organizer.insert().values(
                key="default",
                name="Utbildningar missbruk och beroende",
                created_at=datetime.now(UTC),
            )
        )
        default_id = bind.execute(sa.text("SELECT id FROM organizer")).scalar_one()
    for table in ("employer", "course"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("organizer_id", sa.Integer(), nullable=True))
        if default_id is not None:
            rows = sa.table(table, sa.column("organizer_id", sa.Integer))
            bind.execute(rows.update().values(organizer_id=default_id))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("organizer_id", existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                f"fk_{table}_organizer_id", "organizer", ["organizer_id"], ["id"]
            )
            batch.create_index(f"ix_{table}_organizer_id", ["organizer_id"], unique=False)

    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(["organizer_id"], ["organizer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key", "role", "organizer_id"),
    )
    op.create_index("ix_staff_account_email_key", "staff_account", ["email_key"])
    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_nonce", sa.String(length=32), nullable=False),
        _utc("created_at", nullable=False),
        _utc("expires_at", nullable=False),
        _utc("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_sign_in_link_email_key", "sign_in_link", ["email_key"])
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        _utc("created_at", nullable=False),
        _utc("expires_at", nullable=False),
        _utc("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        _utc("created_at", nullable=False),
        _utc("last_used_at", nullable=True),
        _utc("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["organizer_id"], ["organizer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "attendance",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_position", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        _utc("marked_at", nullable=False),
        sa.Column("marked_by", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("registration_id", "session_position"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        _utc("at", nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["organizer_id"], ["organizer.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_organizer_at", "audit_entry", ["organizer_id", "at"])
    with op.batch_alter_table("outbox_mail") as batch:
        batch.alter_column("registration_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("sign_in_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_mail_sign_in_id", "sign_in_link", ["sign_in_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_outbox_mail_sign_in_id", ["sign_in_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_mail WHERE registration_id IS NULL")
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_index("ix_outbox_mail_sign_in_id")
        batch.drop_constraint("fk_outbox_mail_sign_in_id", type_="foreignkey")
        batch.drop_column("sign_in_id")
        batch.alter_column("registration_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_audit_entry_organizer_at", table_name="audit_entry")
    for table in ("audit_entry", "attendance", "api_token", "staff_session"):
        op.drop_table(table)
    op.drop_index("ix_sign_in_link_email_key", table_name="sign_in_link")
    op.drop_table("sign_in_link")
    op.drop_index("ix_staff_account_email_key", table_name="staff_account")
    op.drop_table("staff_account")
    for table in ("course", "employer"):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_organizer_id")
            batch.drop_constraint(f"fk_{table}_organizer_id", type_="foreignkey")
            batch.drop_column("organizer_id")
    op.drop_table("organizer")
