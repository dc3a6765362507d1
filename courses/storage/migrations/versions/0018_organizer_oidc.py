"""staff sign-in with the organizer's OpenID Connect provider: its settings and the logins started

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

An organizer may name an OpenID Connect provider (`[organizer.oidc]` in the schedule file),
kept as one JSON column, and turn the mailed sign-in link off for the provider's domains
(`sign_in`). `oidc_login` holds each sign-in started at a provider until its callback: the
state's hash, the nonce and the PKCE code verifier, spent once.

Expand only: a new table and new columns with defaults, which the previous release ignores.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import courses.storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = courses.storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("organizer") as batch:
        batch.add_column(sa.Column("oidc", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column(
                "sign_in", sa.String(length=20), nullable=False, server_default="link_and_oidc"
            )
        )
    op.create_table(
        "oidc_login",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "organizer_id",
            sa.Integer(),
            sa.ForeignKey("organizer.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.Column("expires_at", _UTC(timezone=True), nullable=False),
        sa.Column("used_at", _UTC(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("oidc_login")
    with op.batch_alter_table("organizer") as batch:
        batch.drop_column("sign_in")
        batch.drop_column("oidc")
