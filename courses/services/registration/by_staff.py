"""A leader or an admin registers someone who phoned: the same form, rules and mails as
registering oneself (`register.register`), with an audit entry naming who did it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import course_missing
from courses.services.registration.register import (
    RegistrationForm,
    RegistrationReceipt,
    register,
)
from courses.storage.courses import load_course

__all__ = ["register_on_behalf"]


async def register_on_behalf(
    ctx: ServiceContext, actor: Actor, slug: str, form: RegistrationForm
) -> RegistrationReceipt:
    """Register the person in `form` for the course `slug` on their behalf.

    The course's own leaders and its organizer's admins may; anyone else gets CourseNotFound,
    as for a course that does not exist. The rules are the registrant's own (deadline,
    eligibility, one registration per person), and so are the mails: the manage link goes to
    the person's address only. Raises what `register` raises.
    """
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None or not actor.may_see_course(
        organizer_id=course.organizer_id, leaders=course.leaders
    ):
        raise course_missing(slug)

    async def witness(
        conn: AsyncConnection, registration_id: int, *, status: RegistrationStatus
    ) -> None:
        await record(
            conn,
            actor,
            "registration.on_behalf",
            at=ctx.clock.now(),
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=f"Anmälde {form.name.strip()} ({form.email.strip()}) till {course.title}.",
            details={"registration_id": registration_id, "status": status.value},
        )

    return await register(ctx, slug, form, witness=witness)
