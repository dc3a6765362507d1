"""The Litestar application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from courses.api.body import JSON_BODY_LIMIT, check_request
from courses.api.controllers.courses import CourseController
from courses.api.controllers.employers import employers, health
from courses.api.controllers.registrations import RegistrationController
from courses.api.dependencies import provide_ctx
from courses.api.openapi import openapi_config, schema_plugins
from courses.api.problems import exception_handlers
from courses.api.ratelimit import STATE_KEY as RATE_LIMITS
from courses.api.ratelimit import RateLimits
from courses.api.security import security_headers
from courses.clock import Clock, SystemClock
from courses.mail.transport import Transport, transport_for
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["create_app"]

_WORKER_STOP_GRACE = 10.0


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    pool_size: int = 10,
    mail_worker: bool = False,
    mail_transport: Transport | None = None,
) -> Litestar:
    """Build the app. The engine is made in the lifespan, on the loop that serves requests.

    `mail_worker`: also send the outbox from this process (`courses serve` does; more
    instances can run `courses worker` instead). `mail_transport` defaults to the settings'.
    """
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = Database.from_url(settings.database_url, pool_size=pool_size)
        try:
            if migrate:
                await upgrade(db.engine)
            ctx = ServiceContext(db=db, clock=clock, settings=settings)
            app.state.ctx = ctx
            if not mail_worker:
                yield
                return
            stop = asyncio.Event()
            worker = MailWorker(ctx, mail_transport or transport_for(settings))
            task = asyncio.create_task(worker.run(stop), name="mail-worker")
            try:
                yield
            finally:
                stop.set()
                ctx.mail_signal.notify()
                # A batch in flight gets time to finish; what it leaves is sent on the next start.
                done, _ = await asyncio.wait([task], timeout=_WORKER_STOP_GRACE)
                if not done:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
        finally:
            await db.dispose()

    return Litestar(
        route_handlers=[CourseController, RegistrationController, employers, health],
        dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False)},
        exception_handlers=exception_handlers,
        lifespan=[lifespan],
        state=State({"base_url": settings.base_url, RATE_LIMITS: RateLimits(settings)}),
        openapi_config=openapi_config(),
        # The request's own checks: URL length, media type and strict JSON (courses.api.body),
        # a body limit that a route may raise, and security headers on every answer.
        before_request=check_request,
        request_max_body_size=JSON_BODY_LIMIT,
        before_send=[security_headers(settings)],
        plugins=schema_plugins(),
        debug=False,
    )
