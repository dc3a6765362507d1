"""SQLModel tables.

No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.
Counters on `course` and `course_format` (`confirmed_count`) are the seat guard: where a cap is
set they equal the confirmed registrations, changed only by the conditional UPDATEs of
`courses.storage.seats.counters` in the same transaction as the registration row they account
for (and recounted by an import that changes a course).
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from courses.storage.types import UTCDateTime

__all__ = [
    "Course",
    "CourseFormat",
    "CourseLeader",
    "CourseSession",
    "Employer",
    "Organizer",
    "OutboxMail",
    "Registration",
    "course_leader_table",
    "course_table",
    "employer_table",
    "format_table",
    "metadata",
    "organizer_table",
    "outbox_table",
    "registration_table",
    "session_table",
]

metadata = SQLModel.metadata


def _utc_column(*, nullable: bool) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class Organizer(SQLModel, table=True):
    """Who arranges courses (a county's clinic): its employers, courses, admins, mail sender.

    `mail_from` None: the deployment's COURSES_MAIL_FROM. The key `default` marks the organizer
    the migration (or a first file without `[organizer]`) made; the first file that names an
    organizer adopts it (courses.services.schedule.organizers).
    """

    __tablename__ = "organizer"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    mail_from: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc_column(nullable=False)
    # Staff sign-in with the organizer's OpenID Connect provider (`[organizer.oidc]`): issuer,
    # client_id, name, scopes and domains as the schedule file gives them (None: no provider);
    # `sign_in` "oidc" turns the mailed link off for the provider's domains ("link_and_oidc":
    # both ways, the default).
    oidc: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    sign_in: str = Field(
        default="link_and_oidc", max_length=20, sa_column_kwargs={"server_default": "link_and_oidc"}
    )


class Employer(SQLModel, table=True):
    __tablename__ = "employer"

    id: int | None = Field(default=None, primary_key=True)
    # Keys stay unique across organizers (a Swedish municipality's name is unique), so links
    # and the API keep naming an employer by its key alone.
    key: str = Field(max_length=64, unique=True)
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Set when an admin retires the employer: no new registrations; its registrations and
    # statistics stay. None: the employer's staff may register.
    retired_at: datetime | None = _utc_column(nullable=True)


class Course(SQLModel, table=True):
    __tablename__ = "course"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True)
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    title: str = Field(max_length=200)
    description: str | None = None
    leaders: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    deadline: date
    opens: date | None = None
    seats: int | None = None
    waitlist: bool = True
    info_url: str | None = Field(default=None, max_length=500)
    status: str = Field(default="published", max_length=20)
    # Fair seats (courses.domain.fair_seats): at most `per_employer` held seats per employer until
    # the end of `share_until` (None: the deadline). `share_released_for` is the last day of the
    # share whose end the worker has handled (its free seats went to the waitlist).
    per_employer: int | None = None
    share_until: date | None = None
    share_released_for: date | None = None
    confirmed_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Hands out waitlist order; bumping it is also the first write of every registration,
    # which takes the course row's lock on PostgreSQL before anything else is touched.
    queue_counter: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Set by the UPDATE that hands out a queue number: whether that registration got a course
    # seat. RETURNING sees only new values (SQLite, PostgreSQL < 18), so the statement records
    # its own decision here; see courses.storage.seats.counters.take_place.
    last_claim_granted: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )
    # Bumped by every import that changes the course (fields, formats, sessions); services
    # cache a course's definition and check this in the write transaction.
    revision: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    # SEQUENCE of every calendar event of the course (RFC 5545): bumped by a change of a
    # session's date, time or place, a format's place or meeting link, or a cancellation,
    # never by a text-only change.
    calendar_sequence: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Manager approval (`approval = "manager"` in the schedule): the days a manager has to
    # answer; None: registrations need no approval.
    approval_days: int | None = None
    # Waitlist offers (courses.domain.offers): hours a freed seat is held for the first person
    # waiting (0: promoted at once), and the last window before the first session, in which a
    # freed seat is offered to everyone waiting at once.
    offer_hours: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    offer_until_hours: int = Field(default=24, sa_column_kwargs={"server_default": text("24")})
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    # `first_come` or `lottery`. A lottery's draw is due at the start of `draw_on` (local);
    # `drawn_at` and `draw_seed` are set once, by the UPDATE that claims the draw.
    allocation: str = Field(
        default="first_come", max_length=20, sa_column_kwargs={"server_default": "first_come"}
    )
    draw_on: date | None = None
    drawn_at: datetime | None = _utc_column(nullable=True)
    draw_seed: int | None = Field(default=None, sa_type=BigInteger)
    draw_applications: int | None = None
    draw_seated: int | None = None


class CourseLeader(SQLModel, table=True):
    """One leader of one course by the leader's normalised address (`leader_keys` of the
    course's `leaders`): sign-in and a leader's courses find them by key without reading every
    course. Written with `leaders` by the one function that changes a course row
    (courses.storage.course_leaders.set_course_leaders)."""

    __tablename__ = "course_leader"
    __table_args__ = (Index("ix_course_leader_key", "leader_key", "course_id"),)

    course_id: int = Field(foreign_key="course.id", ondelete="CASCADE", primary_key=True)
    leader_key: str = Field(max_length=254, primary_key=True)


class CourseFormat(SQLModel, table=True):
    __tablename__ = "course_format"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    position: int
    key: str = Field(max_length=64)
    kind: str = Field(max_length=20)
    place: str | None = Field(default=None, max_length=200)
    seats: int | None = None
    meeting_url: str | None = Field(default=None, max_length=500)
    confirmed_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class CourseSession(SQLModel, table=True):
    __tablename__ = "course_session"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    position: int
    day: date
    start_time: time | None = None
    end_time: time | None = None
    place: str | None = Field(default=None, max_length=200)


# The active statuses (`courses.domain.rules.ACTIVE_STATUSES`), spelled out for the index.
_ACTIVE_WHERE = "status IN ('confirmed', 'waitlisted', 'applied', 'pending_approval', 'offered')"


class Registration(SQLModel, table=True):
    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per person and course, guarded by the database.
        Index(
            "uq_registration_active_person",
            "course_id",
            "email_key",
            unique=True,
            sqlite_where=text(_ACTIVE_WHERE),
            postgresql_where=text(_ACTIVE_WHERE),
        ),
        Index("ix_registration_queue", "course_id", "status", "queue_no"),
        # Counting an employer's held seats under the course lock
        # (courses.storage.seats.fair_seats).
        Index("ix_registration_employer", "course_id", "employer_id", "status"),
        # An employer's counts in the admins' statistics (courses.storage.statistics), which
        # then read only that employer's registrations, not every organizer's; with the id,
        # from the index alone (PostgreSQL otherwise reads the whole table rather than one
        # employer's rows scattered over it).
        Index("ix_registration_employer_counts", "employer_id", "status", "id"),
        # A mailbox's registrations across every course (Mina anmälningar).
        Index("ix_registration_email_key", "email_key"),
        # The worker's look for offers that ran out (courses.services.offers).
        Index("ix_registration_offer_due", "status", "offer_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", ondelete="CASCADE")
    # SET NULL: a format that only cancelled registrations point at can be removed by an import.
    format_id: int | None = Field(default=None, foreign_key="course_format.id", ondelete="SET NULL")
    employer_id: int = Field(foreign_key="employer.id")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254)
    workplace: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    message: str | None = None
    status: str = Field(max_length=20)
    queue_no: int
    token_hash: str = Field(max_length=64, unique=True)
    # The manage token is HMAC(secret key, nonce): only its hash and the nonce are stored, yet
    # a mail written later (a promotion, a course change) can carry the link again.
    token_nonce: str | None = Field(default=None, max_length=32)
    # Set by the conditional UPDATE that allows one "already registered" resend per hour.
    resent_at: datetime | None = _utc_column(nullable=True)
    # Set once, by the UPDATE that queues the reminder before the first session.
    reminded_at: datetime | None = _utc_column(nullable=True)
    created_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)
    confirmed_at: datetime | None = _utc_column(nullable=True)
    cancelled_at: datetime | None = _utc_column(nullable=True)
    # Set by the purge (gallring) that blanked the personal data; the row stays for statistics.
    purged_at: datetime | None = _utc_column(nullable=True)
    # Manager approval (courses.services.approval.answers): the manager's work address, and,
    # once the registration holds a seat and the manager was asked, the approval link's hash and
    # nonce (the link is HMAC(secret key, nonce), like the manage link), when it was asked, until
    # when it may be answered, and when the one reminder was queued.
    manager_email: str | None = Field(default=None, max_length=254)
    approval_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    approval_nonce: str | None = Field(default=None, max_length=32)
    approval_asked_at: datetime | None = _utc_column(nullable=True)
    approval_due_at: datetime | None = _utc_column(nullable=True)
    approval_reminded_at: datetime | None = _utc_column(nullable=True)
    # A seat offered from the waitlist (courses.domain.offers): when, until when it may be
    # answered, and how the offer ended (None while it is open).
    offered_at: datetime | None = _utc_column(nullable=True)
    offer_due_at: datetime | None = _utc_column(nullable=True)
    offer_outcome: str | None = Field(default=None, max_length=20)
    # The registration whose seat this one took over (handed on by a colleague, whose status
    # became `transferred`).
    replaces_id: int | None = Field(default=None, foreign_key="registration.id")


class OutboxMail(SQLModel, table=True):
    """One mail message to send, written in the transaction of the change it tells about.

    `part` is the course session (by position) whose calendar event the message carries, with
    `method` REQUEST or CANCEL; a message without an invite has neither. The message is built
    when it is sent, from `kind`, `payload` and the data then stored; `message_id` is fixed
    here so a retry or a repeat after a crash carries the same Message-ID.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # A registrant's mail names its registration; a staff member's sign-in link its link row.
    registration_id: int | None = Field(
        default=None, foreign_key="registration.id", ondelete="CASCADE", index=True
    )
    sign_in_id: int | None = Field(
        default=None, foreign_key="sign_in_link.id", ondelete="CASCADE", index=True
    )
    kind: str = Field(max_length=30)
    part: int | None = None
    method: str | None = Field(default=None, max_length=10)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    message_id: str = Field(max_length=200, unique=True)
    status: str = Field(max_length=10)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    available_at: datetime = _utc_column(nullable=False)
    lease_until: datetime | None = _utc_column(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    last_error: str | None = None
    created_at: datetime = _utc_column(nullable=False)
    sent_at: datetime | None = _utc_column(nullable=True)


# Core handles for the services, which speak SQL expressions rather than ORM sessions: the hot
# paths are a few statements each, and conditional UPDATEs are what guard the invariants.
organizer_table = Organizer.__table__  # type: ignore[attr-defined]
employer_table = Employer.__table__  # type: ignore[attr-defined]
course_table = Course.__table__  # type: ignore[attr-defined]
course_leader_table = CourseLeader.__table__  # type: ignore[attr-defined]
format_table = CourseFormat.__table__  # type: ignore[attr-defined]
session_table = CourseSession.__table__  # type: ignore[attr-defined]
registration_table = Registration.__table__  # type: ignore[attr-defined]
outbox_table = OutboxMail.__table__  # type: ignore[attr-defined]

# The staff side's tables share this metadata (the outbox points at sign-in links).
from courses.storage import retention_tables as _retention_tables  # noqa: E402, F401
from courses.storage import staff_tables as _staff_tables  # noqa: E402, F401
