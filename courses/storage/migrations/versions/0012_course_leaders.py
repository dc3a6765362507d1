"""course leaders by address: sign-in and a leader's courses without reading every course

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Whether an address leads a course was found by reading every course's `leaders` (JSON) and
comparing in Python, at every sign-in request and every visit to `/kursledare`: a cost that
grows with the whole deployment. `course_leader` holds one row per course and leader address
(normalised with the same function the service uses), with an index on the address, and is
filled here from the stored courses. `ix_registration_employer_status` lets the admins'
statistics count one organizer's employers without reading every registration.

Expand only: a new table and a new index. The previous release neither reads nor writes
them and keeps working. A course whose leaders an instance of the previous release changes
during the upgrade is set right when a worker of the new release starts (the housekeeping's
`reconcile_leaders`), or by the course's next change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from courses.domain.permissions import leader_keys

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_course = sa.table("course", sa.column("id", sa.Integer), sa.column("leaders", sa.JSON))
_BATCH = 1000


def upgrade() -> None:
    leaders = op.create_table(
        "course_leader",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("leader_key", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("course_id", "leader_key"),
    )
    op.create_index("ix_course_leader_key", "course_leader", ["leader_key", "course_id"])
    op.create_index("ix_registration_employer_status", "registration", ["employer_id", "status"])
    if op.get_context().as_sql:
        return  # offline (SQL rendered, not run): there are no courses to read
    bind = op.get_bind()
    rows = [
        {"course_id": course_id, "leader_key": key}
        for course_id, course_leaders in bind.execute(sa.select(_course.c.id, _course.c.leaders))
        for key in sorted(leader_keys(course_leaders or []))
    ]
    for start in range(0, len(rows), _BATCH):
        bind.execute(leaders.insert(), rows[start : start + _BATCH])


def downgrade() -> None:
    op.drop_index("ix_registration_employer_status", table_name="registration")
    op.drop_index("ix_course_leader_key", table_name="course_leader")
    op.drop_table("course_leader")
