"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from courses import __version__
from courses.api.controllers.courses import CourseController
from courses.api.controllers.employers import employers, health
from courses.api.controllers.registrations import RegistrationController
from courses.api.dependencies import provide_ctx
from courses.api.problems import exception_handlers
from courses.clock import Clock, SystemClock
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    pool_size: int = 10,
) -> Litestar:
    """Build the app. The engine is made in the lifespan, on the loop that serves requests."""
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = Database.from_url(settings.database_url, pool_size=pool_size)
        try:
            if migrate:
                await upgrade(db.engine)
            app.state.ctx = ServiceContext(db=db, clock=clock, settings=settings)
            yield
        finally:
            await db.dispose()

    return Litestar(
        route_handlers=[CourseController, RegistrationController, employers, health],
        dependencies={"ctx": Provide(provide_ctx, sync_to_thread=False)},
        exception_handlers=exception_handlers,
        lifespan=[lifespan],
        state=State({"base_url": settings.base_url}),
        openapi_config=OpenAPIConfig(
            title="Utbildningar inom missbruks- och beroendevård",
            version=__version__,
            description="Anmälan till utbildningar för kommun- och regionanställda.",
            path="/api/schema",
            render_plugins=[SwaggerRenderPlugin(path="/swagger"), JsonRenderPlugin()],
        ),
        debug=False,
    )
