"""email key: one mailbox is one person, whatever its +tag

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

`registration.email_key` was the address trimmed and lower-cased, so `kim+a@vaxjo.se` and
`kim+b@vaxjo.se` could each take a capped seat. The key is now `normalize_email`: without the
`+tag` and with an internationalised domain as A-labels. Every row is keyed again here with the
same function the service uses, so stored keys and new ones always agree.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from courses.domain.addresses import normalize_email

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "uq_registration_active_email"
_ACTIVE = ("confirmed", "waitlisted")
_KEY_LENGTH = 254

_registration = sa.table(
    "registration",
    sa.column("id", sa.Integer),
    sa.column("course_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("email_key", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at"),
)


def upgrade() -> None:
    _rekey(normalize_email)


def downgrade() -> None:
    _rekey(_key_before_0003)


def _key_before_0003(email: str) -> str:
    return email.strip().lower()


def _where() -> sa.TextClause:
    return sa.text("status IN ('confirmed', 'waitlisted')")


def _rekey(key_of: Callable[[str], str]) -> None:
    reg = _registration.c
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(reg.id, reg.course_id, reg.email, reg.email_key, reg.status).order_by(
            reg.course_id, reg.created_at, reg.id
        )
    ).all()
    # Keys move between rows (a row may take the key another row gives up), so the unique
    # index would trip halfway; it is rebuilt over the final keys, which are unique below.
    op.drop_index(
        _INDEX, table_name="registration", sqlite_where=_where(), postgresql_where=_where()
    )
    taken: set[tuple[int, str]] = set()
    changes = []
    for row in rows:
        key = key_of(row.email)
        if row.status in _ACTIVE:
            if (row.course_id, key) in taken:
                # One mailbox already holds two active registrations of this course (made with
                # two +tags before this rule). Both stay: cancelling someone in a migration
                # would be worse. The oldest keeps the real key, so the person cannot register
                # a third time; a later one gets a key that no address can normalise to (it
                # ends in `~<id>`, and a real key ends in a domain label).
                suffix = f"~{row.id}"
                key = key[: _KEY_LENGTH - len(suffix)] + suffix
            taken.add((row.course_id, key))
        if key != row.email_key:
            changes.append({"row_id": row.id, "new_key": key})
    if changes:
        bind.execute(
            sa.update(_registration)
            .where(reg.id == sa.bindparam("row_id"))
            .values(email_key=sa.bindparam("new_key")),
            changes,
        )
    op.create_index(
        _INDEX,
        "registration",
        ["course_id", "email_key"],
        unique=True,
        sqlite_where=_where(),
        postgresql_where=_where(),
    )
