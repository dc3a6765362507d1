"""From the admin services' results to the admins' response Structs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from courses.api.admin.schemas import (
    AuditEntryOut,
    CourseStatsOut,
    CourseUpdateOut,
    DrawOut,
    EmployerAdminOut,
    EmployerStatsOut,
    ImportItemOut,
    ImportReportOut,
    MailOut,
    RegistrationActionOut,
    StatsOut,
)
from courses.api.public.mapping import course_out
from courses.domain.employers import EmployerRecord
from courses.services.audit import AuditRecord
from courses.services.catalogue.listing import CourseListing
from courses.services.outbox.mail_admin import MailRow
from courses.services.registration.on_behalf import RegistrationOutcome
from courses.services.schedule.course_edits import CourseUpdate
from courses.services.schedule.importing import ImportReport
from courses.services.statistics import Counts, DrawRecord, Statistics

__all__ = [
    "audit_out",
    "course_update_out",
    "employer_out",
    "import_report_out",
    "mail_out",
    "registration_action_out",
    "stats_out",
]


def course_update_out(update: CourseUpdate, *, now: datetime, tz: ZoneInfo) -> CourseUpdateOut:
    listing = CourseListing(update.course, update.course.state(now=now, tz=tz))
    return CourseUpdateOut(
        course=course_out(listing, tz),
        changes=update.changes,
        notified=update.notified,
        promoted=update.promoted,
    )


def import_report_out(report: ImportReport) -> ImportReportOut:
    return ImportReportOut(
        items=[
            ImportItemOut(
                kind=item.kind,  # type: ignore[arg-type]
                key=item.key,
                action=item.action.value,
                changes=item.changes,
            )
            for item in report.items
        ],
        promoted=report.promoted,
        notified=report.notified,
        dry_run=report.dry_run,
        changed=report.changed,
    )


def registration_action_out(outcome: RegistrationOutcome) -> RegistrationActionOut:
    return RegistrationActionOut(
        id=outcome.registration_id,
        course=outcome.course_slug,
        status=outcome.status.value,
        promoted=outcome.promoted,
    )


def employer_out(employer: EmployerRecord) -> EmployerAdminOut:
    return EmployerAdminOut(
        key=employer.key,
        name=employer.name,
        kind=employer.kind,
        domains=employer.domains,
        retired=employer.retired,
    )


def mail_out(mail: MailRow, tz: ZoneInfo) -> MailOut:
    return MailOut(
        id=mail.id,
        kind=mail.kind,
        recipient=mail.recipient,
        status=mail.status.value,
        attempts=mail.attempts,
        last_error=mail.last_error,
        created_at=mail.created_at.astimezone(tz),
        available_at=mail.available_at.astimezone(tz),
        course=mail.course_slug,
    )


def draw_out(draw: DrawRecord | None) -> DrawOut | None:
    if draw is None:
        return None
    return DrawOut(
        drawn_at=draw.drawn_at,
        seed=draw.seed,
        applications=draw.applications,
        seated=draw.seated,
        waitlisted=draw.waitlisted,
    )


def _counts(counts: Counts) -> dict[str, int]:
    return {
        "registered": counts.registered,
        "confirmed": counts.confirmed,
        "pending_approval": counts.pending_approval,
        "applied": counts.applied,
        "held": counts.held,
        "offered": counts.offered,
        "waitlisted": counts.waitlisted,
        "cancelled": counts.cancelled,
        "transferred": counts.transferred,
        "attended": counts.attended,
    }


def stats_out(stats: Statistics) -> StatsOut:
    return StatsOut(
        courses=[
            CourseStatsOut(
                slug=c.slug,
                title=c.title,
                status=c.status,
                seats=c.seats,
                seats_left=Statistics.seats_left(c),
                **_counts(c),
                per_employer=share.per_employer if share else None,
                share_until=share.last_day if share else None,
                draw=draw_out(stats.draws.get(c.slug)),
            )
            for c in stats.courses
            for share in (Statistics.share(c),)
        ],
        employers=[
            EmployerStatsOut(
                key=e.key,
                name=e.name,
                kind=e.kind,
                **_counts(e),
            )
            for e in stats.employers
        ],
    )


def audit_out(entry: AuditRecord, tz: ZoneInfo) -> AuditEntryOut:
    return AuditEntryOut(
        id=entry.id,
        at=entry.at.astimezone(tz),
        actor=entry.actor,
        action=entry.action,
        course=entry.course_slug,
        summary=entry.summary,
        details=entry.details,
    )
