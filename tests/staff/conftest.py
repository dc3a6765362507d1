from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.staff.support import StaffWorld, staff_world


@pytest.fixture
async def world(seeded: ServiceContext) -> StaffWorld:
    return await staff_world(seeded)


@pytest.fixture
async def api(
    seeded: ServiceContext, world: StaffWorld, clock: FixedClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client
