from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext


@pytest.fixture
async def api(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app over the seeded database, through Litestar's test client (lifespan included)."""
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client
