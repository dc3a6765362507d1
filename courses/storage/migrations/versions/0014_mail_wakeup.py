"""PostgreSQL wakes an idle mail worker: a NOTIFY from the transaction that queues mail

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A row turning `pending` in `outbox_mail` (queued, or put back by an admin) and a new
`sign_in_request` send `NOTIFY courses_mail` with the table's name, but only while a worker
sleeps: an idle worker holds the advisory lock `courses.storage.wakeup.SLEEPING` while it waits
(`LISTEN courses_mail` on a connection of its own), and the trigger's condition asks for the
same lock in shared mode, which fails only then. A NOTIFY on every transaction would cost too
much: PostgreSQL commits notifying transactions one at a time (a global lock held across the
commit's WAL flush); measured here with pgbench, 16 clients inserting one row each, 1,100-1,900
commits/s fell to 200/s. With the lock in the condition the plpgsql function runs only to
notify, and a busy worker is not notified at all.

Nothing on SQLite, which has no NOTIFY: its worker is woken within its own process. Triggers
and a function only, so the previous release keeps working on this schema.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here as they were at this revision (courses.storage.wakeup names the same ones).
_CHANNEL = "courses_mail"
_SLEEPING = 1835100524  # the advisory lock a sleeping worker holds: 'mail' as an integer

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION courses_wake_mail_worker() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{_CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""

_ASLEEP = f"NOT pg_try_advisory_xact_lock_shared({_SLEEPING})"

_TRIGGERS = {
    "outbox_mail_queued": (
        f"AFTER INSERT ON outbox_mail FOR EACH ROW WHEN (NEW.status = 'pending' AND {_ASLEEP})"
    ),
    "outbox_mail_requeued": (
        "AFTER UPDATE OF status ON outbox_mail FOR EACH ROW WHEN "
        f"(NEW.status = 'pending' AND OLD.status <> 'pending' AND {_ASLEEP})"
    ),
    "sign_in_request_queued": f"AFTER INSERT ON sign_in_request FOR EACH ROW WHEN ({_ASLEEP})",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    for name, when in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION courses_wake_mail_worker()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, when in _TRIGGERS.items():
        table = when.split(" ON ", 1)[1].split()[0]
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS courses_wake_mail_worker()")
