"""The Litestar application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from courses.api.admin.editor import CourseEditorController
from courses.api.admin.office import AdminOfficeController
from courses.api.admin.roll_forward import RollForwardController
from courses.api.admin.schedule import AdminScheduleController
from courses.api.admin.schedule_file import schedule_file
from courses.api.http.api_docs import API_DOCS_HANDLERS
from courses.api.http.body import JSON_BODY_LIMIT, check_request
from courses.api.http.dependencies import provide_ctx, provide_metrics
from courses.api.http.methods import install_methods
from courses.api.http.middleware import install_request_context
from courses.api.http.openapi import openapi_config, schema_plugins
from courses.api.http.paths import known_ids, printable_page_paths
from courses.api.http.problems import exception_handlers
from courses.api.http.proxies import install_trusted_proxies
from courses.api.http.ratelimit import STATE_KEY as RATE_LIMITS
from courses.api.http.ratelimit import RateLimits
from courses.api.http.security_headers import security_headers
from courses.api.operations import health, prometheus_metrics
from courses.api.pages import (
    PAGE_HANDLERS,
    csrf_config,
    for_pages,
    page_dependencies,
    static_files,
    template_config,
)
from courses.api.public.courses import CourseController
from courses.api.public.employers import employers
from courses.api.registrant.my_registrations import MyRegistrationsController
from courses.api.registrant.registrations import RegistrationController
from courses.api.staff.attendees import AttendeeController
from courses.api.staff.messages import MessageController
from courses.clock import Clock, SystemClock
from courses.metrics import Metrics
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["BackgroundTask", "create_app"]

BackgroundTask = Callable[[ServiceContext, asyncio.Event], Coroutine[Any, Any, None]]
"""Work that runs beside the requests, on their event loop and database, until the event is
set: the composition root passes the mail worker here when the service sends mail itself."""

_BACKGROUND_STOP_GRACE = 10.0


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    pool_size: int = 10,
    background: Sequence[BackgroundTask] = (),
    metrics: Metrics | None = None,
) -> Litestar:
    """Build the app. The engine is made in the lifespan, on the loop that serves requests.

    `metrics`: this process's counters (the CLI makes one per process; default: a new one).
    """
    clock = clock or SystemClock()
    metrics = metrics or Metrics()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = Database.from_url(settings.database_url, pool_size=pool_size)
        try:
            if migrate:
                await upgrade(db.engine)
            ctx = ServiceContext(db=db, clock=clock, settings=settings)
            app.state.ctx = ctx
            stop = asyncio.Event()
            tasks = [asyncio.create_task(task(ctx, stop)) for task in background]
            try:
                yield
            finally:
                stop.set()
                ctx.mail_signal.notify()
                await _stop(tasks)
        finally:
            await db.dispose()

    app = Litestar(
        route_handlers=[
            CourseController,
            AttendeeController,
            MessageController,
            RegistrationController,
            MyRegistrationsController,
            AdminScheduleController,
            AdminOfficeController,
            CourseEditorController,
            RollForwardController,
            schedule_file,
            employers,
            health,
            prometheus_metrics,
            *API_DOCS_HANDLERS,
            *PAGE_HANDLERS,
            static_files(),
        ],
        dependencies={
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "metrics": Provide(provide_metrics, sync_to_thread=False),
            **page_dependencies(),
        },
        # The API answers problem+json; every other path, a page (courses.api.pages.errors).
        exception_handlers=for_pages(exception_handlers),
        template_config=template_config(settings),
        csrf_config=csrf_config(settings),
        lifespan=[lifespan],
        state=State(
            {
                "base_url": settings.base_url,
                "metrics": metrics,
                RATE_LIMITS: RateLimits(settings, metrics=metrics),
            }
        ),
        openapi_config=openapi_config(),
        # The request's own checks: URL length, media type and strict JSON (courses.api.http.body),
        # a body limit that a route may raise, and security headers on every answer.
        before_request=check_request,
        # A path no row or file can match is a 404 before the database or file system sees it:
        # a control character in a page's path, an id past the id columns (courses.api.http.paths).
        guards=[printable_page_paths, known_ids],
        request_max_body_size=JSON_BODY_LIMIT,
        before_send=[security_headers(settings)],
        plugins=schema_plugins(),
        debug=False,
        # Logging is set up once per process (courses.logs, by the CLI); Litestar's default
        # would put a handler of its own on the root logger each time an app is made.
        logging_config=None,
    )
    install_request_context(install_methods(app), metrics)
    return install_trusted_proxies(app, settings.trusted_proxies)


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Work in flight (a mail batch) gets time to finish; what it leaves is done next start."""
    if not tasks:
        return
    _, late = await asyncio.wait(tasks, timeout=_BACKGROUND_STOP_GRACE)
    for task in late:
        task.cancel()
    for task in late:
        with suppress(asyncio.CancelledError):
            await task
