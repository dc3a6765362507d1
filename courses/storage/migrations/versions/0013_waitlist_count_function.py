"""a waitlist count that sees every commit before the course lock (PostgreSQL only)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

`courses_waiting_before(course, queue_no)` counts the course's waitlisted registrations ahead
of a queue number. It is VOLATILE, so PostgreSQL runs its query on a fresh snapshot: called
after the enrolling statement's course UPDATE (which waits for the course row's lock), it sees
every registration committed before the lock was granted, which the statement's own snapshot
(taken before the wait) does not. That lets the enrolment, its mail and its waitlist position
be one statement (`courses.storage.seats.enrolment`). A new function only: the previous
release keeps working on this schema. SQLite needs none (its writers are serialised).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION courses_waiting_before(course integer, queue integer)
        RETURNS bigint LANGUAGE sql VOLATILE AS $$
            SELECT count(*) FROM registration
            WHERE course_id = course AND status = 'waitlisted' AND queue_no < queue
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS courses_waiting_before(integer, integer)")
