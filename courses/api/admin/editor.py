"""The course editor's API: `POST /api/admin/courses` creates a course from the JSON form of
one schedule entry (the file's own keys; `format` and `session` are lists; dates and times as
ISO strings), as a draft or published; `?dry_run=true` answers what saving it would do.

Admins only, as every `/api/admin` route: a leader gets 403.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from courses.api.http.openapi import problem_responses
from courses.api.public.mapping import course_out
from courses.api.public.schemas import CourseOut
from courses.api.staff_identity import actor_dependency
from courses.domain.permissions import Actor
from courses.schedule.spec import CourseSpec
from courses.services.catalogue.listing import CourseListing
from courses.services.context import ServiceContext
from courses.services.schedule.editor import CourseSaved, save_course
from courses.services.schedule.preview import mail_lines

__all__ = ["CourseEditorController", "CourseSavedOut", "MailCountOut"]


class MailCountOut(msgspec.Struct, kw_only=True):
    kind: str
    """The mail's kind (`course_changed`, `promoted`, ...)."""
    method: str | None
    """The invite's iTIP method (`REQUEST`, `CANCEL`), or null for a mail without one."""
    messages: int
    registrations: int


class CourseSavedOut(msgspec.Struct, kw_only=True):
    slug: str
    created: bool
    dry_run: bool
    changes: list[str]
    """What changes, in Swedish (the import report's lines)."""
    mails: list[MailCountOut]
    """The mails saving writes (a dry run: would write), by kind and invite method."""
    mail_summary: list[str]
    """The same in Swedish: "12 uppdaterade kalenderinbjudningar", ..."""
    course: CourseOut | None = None
    """The course as saved (not in a dry run)."""


class CourseEditorController(Controller):
    path = "/api/admin/courses"
    tags = ("Administration",)
    dependencies = actor_dependency()

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Skapa en kurs av en post i schemafilen (med dry_run=true: bara vad som händer)",
        responses={
            HTTP_200_OK: ResponseSpec(
                data_container=CourseSavedOut,
                description="dry_run=true: vad som skulle sparas, och vilka mejl det skickar",
            ),
            **problem_responses(400, 401, 403, 409, 413, 415),
        },
    )
    async def create_course(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        data: JSONBody[CourseSpec],
        dry_run: FromQuery[bool] = False,
    ) -> Response[CourseSavedOut]:
        saved = await save_course(ctx, actor, data, revision=None, dry_run=dry_run)
        return Response(_out(saved, ctx), status_code=HTTP_200_OK if dry_run else HTTP_201_CREATED)


def _out(saved: CourseSaved, ctx: ServiceContext) -> CourseSavedOut:
    course = None
    if saved.course is not None:
        now = ctx.clock.now()
        listing = CourseListing(saved.course, saved.course.state(now=now, tz=ctx.tz))
        course = course_out(listing, ctx.tz)
    return CourseSavedOut(
        slug=saved.slug,
        created=saved.created,
        dry_run=saved.dry_run,
        changes=saved.changes,
        mails=[
            MailCountOut(
                kind=c.kind.value,
                method=c.method.value if c.method else None,
                messages=c.messages,
                registrations=c.registrations,
            )
            for c in saved.mails.counts
        ],
        mail_summary=mail_lines(saved.mails),
        course=course,
    )
