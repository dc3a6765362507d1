"""Tables of the staff side: who may sign in, their links and sessions, program tokens,
attendance and the audit log.

No `from __future__ import annotations` here (SQLModel reads the annotations). Secrets are
stored as SHA-256 hashes only; a sign-in link is HMAC(secret key, nonce) like a manage link, so
the mail written later can carry it while the table holds only its hash.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from courses.storage.types import UTCDateTime

__all__ = [
    "ApiToken",
    "Attendance",
    "AuditEntry",
    "OidcLogin",
    "SignInLink",
    "SignInRequest",
    "StaffAccount",
    "StaffSession",
    "api_token_table",
    "attendance_table",
    "audit_table",
    "oidc_login_table",
    "sign_in_request_table",
    "sign_in_table",
    "staff_account_table",
    "staff_session_table",
]


def _utc_column(*, nullable: bool) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


class StaffAccount(SQLModel, table=True):
    """A person with admin rights: of one organizer, or of all (`superadmin`).

    Leaders need no account: a course's schedule entry that lists their address is their right.
    """

    __tablename__ = "staff_account"
    __table_args__ = (UniqueConstraint("email_key", "role", "organizer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, index=True)
    name: str | None = Field(default=None, max_length=200)  # shown on /admin/personal
    role: str = Field(max_length=20)  # "admin" or "superadmin"
    organizer_id: int | None = Field(default=None, foreign_key="organizer.id", ondelete="CASCADE")
    created_at: datetime = _utc_column(nullable=False)


class SignInLink(SQLModel, table=True):
    __tablename__ = "sign_in_link"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    token_nonce: str = Field(max_length=32)
    created_at: datetime = _utc_column(nullable=False)
    expires_at: datetime = _utc_column(nullable=False)
    # Set by the one conditional UPDATE that spends the link: a link signs in once.
    used_at: datetime | None = _utc_column(nullable=True)


class OidcLogin(SQLModel, table=True):
    """One sign-in started at an organizer's OpenID Connect provider, until its callback.

    The `state` sent to the provider is stored as its hash; the callback spends the row by one
    conditional UPDATE (`used_at`), so a replayed state signs no one in. The nonce and the PKCE
    code verifier stay here, never in the browser.
    """

    __tablename__ = "oidc_login"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    organizer_id: int = Field(foreign_key="organizer.id", ondelete="CASCADE")
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    created_at: datetime = _utc_column(nullable=False)
    expires_at: datetime = _utc_column(nullable=False)
    used_at: datetime | None = _utc_column(nullable=True)


class SignInRequest(SQLModel, table=True):
    """An address that asked for a sign-in link, until the mail worker decides (within a
    second or so) whether it gets one. Every request writes this same row, so the answer takes
    as long for an unknown address as for a known one; the row is deleted when decided."""

    __tablename__ = "sign_in_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    created_at: datetime = _utc_column(nullable=False)


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the token and its signature; signing out ends
    the row, so a copied cookie dies with it."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254)
    created_at: datetime = _utc_column(nullable=False)
    expires_at: datetime = _utc_column(nullable=False)
    ended_at: datetime | None = _utc_column(nullable=True)


class ApiToken(SQLModel, table=True):
    """A bearer token for programs; printed once by `courses token create`."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=20)  # "admin", "leader" or "superadmin"
    organizer_id: int | None = Field(default=None, foreign_key="organizer.id", ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=254)  # a leader token's address
    label: str = Field(max_length=200)
    created_at: datetime = _utc_column(nullable=False)
    last_used_at: datetime | None = _utc_column(nullable=True)
    revoked_at: datetime | None = _utc_column(nullable=True)


class Attendance(SQLModel, table=True):
    """Whether a registrant attended one session (by its position, which imports keep)."""

    __tablename__ = "attendance"

    registration_id: int = Field(
        foreign_key="registration.id", ondelete="CASCADE", primary_key=True
    )
    session_position: int = Field(primary_key=True)
    attended: bool
    marked_at: datetime = _utc_column(nullable=False)
    marked_by: str = Field(max_length=300)


class AuditEntry(SQLModel, table=True):
    """One staff action: who, when, what, which course; `details` holds what it changed."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_organizer_at", "organizer_id", "at"),
        # A course's entries: the purge scrubs them batch by batch, a course's log lists them.
        Index("ix_audit_entry_course_slug", "course_slug", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc_column(nullable=False)
    actor: str = Field(max_length=300)
    organizer_id: int | None = Field(default=None, foreign_key="organizer.id", ondelete="SET NULL")
    action: str = Field(max_length=50)
    course_slug: str | None = Field(default=None, max_length=100)
    summary: str
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


staff_account_table = StaffAccount.__table__  # type: ignore[attr-defined]
sign_in_table = SignInLink.__table__  # type: ignore[attr-defined]
sign_in_request_table = SignInRequest.__table__  # type: ignore[attr-defined]
oidc_login_table = OidcLogin.__table__  # type: ignore[attr-defined]
staff_session_table = StaffSession.__table__  # type: ignore[attr-defined]
api_token_table = ApiToken.__table__  # type: ignore[attr-defined]
attendance_table = Attendance.__table__  # type: ignore[attr-defined]
audit_table = AuditEntry.__table__  # type: ignore[attr-defined]
