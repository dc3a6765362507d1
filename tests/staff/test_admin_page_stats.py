"""/admin's statistics: the registrations waiting for the manager and the lottery applications
have their own columns, a fair-seat course's row gives its cap, and the employer's share counts
the seats held for a manager's answer too."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.approval_support import APPROVAL, APPROVAL_COURSE, approval_form
from tests.fair_support import FAIR, SHARE_LINE, fair_course
from tests.staff.test_admin_page_office import _signed_in_admin

Client = AsyncTestClient[Any]
# The staff world has two organizers: the file names its own.
ORGANIZER = """
[organizer]
key = "kronoberg-beroende"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
"""


async def _add(ctx: ServiceContext, *tomls: str) -> None:
    await import_schedule(ctx, parse_schedule(ORGANIZER + "\n".join(tomls)))


def _row(html: str, slug: str) -> list[str]:
    """The cells of the course's statistics row, tags stripped."""
    section = html.split('id="statistik"', 1)[1].split('id="statistik-arbetsgivare"', 1)[0]
    row = section.split(f'href="/kursledare/{slug}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", "<th>" + row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _header(html: str) -> list[str]:
    section = html.split('id="statistik"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col"[^>]*>(.*?)</th>', section)


async def test_the_course_rows_count_pending_and_applied_and_give_the_cap(
    api: Client, seeded: ServiceContext
) -> None:
    await _add(seeded, APPROVAL_COURSE, fair_course())
    await register(seeded, APPROVAL, approval_form(1))
    await _signed_in_admin(api, seeded)

    page = await api.get("/admin")

    assert page.status_code == 200
    header = _header(page.text)
    assert header[5:8] == ["Väntar på chefen", "Erbjuden plats", "Ansökt"]
    approval = _row(page.text, APPROVAL)
    # seats, free, registered, confirmed, waiting for the manager, offered, applied, waitlist
    assert approval[1:9] == ["2", "1", "1", "0", "1", "0", "0", "0"]
    assert SHARE_LINE in _row(page.text, FAIR)[0]
    assert "per arbetsgivare" not in approval[0]


async def test_the_employer_share_counts_seats_held_for_the_manager(
    api: Client, seeded: ServiceContext
) -> None:
    await _add(seeded, APPROVAL_COURSE)
    await register(seeded, APPROVAL, approval_form(1))
    await _signed_in_admin(api, seeded)

    page = await api.get("/admin")

    employers = page.text.split('id="statistik-arbetsgivare"', 1)[1]
    vaxjo = employers.split("Växjö kommun", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="table__number">(.*?)</td>', vaxjo)
    # registered, confirmed, waiting for the manager, offered, share, applied, waitlist, ...
    assert cells[2] == "1"
    assert cells[4] != "–"  # held seats make a share although none is confirmed
