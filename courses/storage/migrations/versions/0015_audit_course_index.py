"""an index on the audit log's course: the purge finds a course's entries without reading all

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

The retention purge replaces the purged people's names in the audit entries of the course it
purges (`courses.storage.retention.scrub_audit`), once per batch, and a course's log
(`audit_log(course_slug=...)`) lists that course's entries. Both read every entry of the
deployment without an index on `course_slug`: with a national audit log (attendance marks
carry every mark in their details) that was a few milliseconds of each purge batch's write
transaction, a cost that grows with the whole deployment. `(course_slug, id)` also gives the
newest-first order of a course's log.

Expand only: a new index, which the previous release does not need.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_entry_course_slug", "audit_entry", ["course_slug", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_course_slug", table_name="audit_entry")
