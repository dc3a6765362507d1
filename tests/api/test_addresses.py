"""Only addresses the mailer can deliver are registered; an internationalised domain is kept as
its A-label; `+tag` variants of one mailbox are one person."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.storage.tables import registration_table
from courses.validation import EMAIL_MESSAGE
from tests.api.support import field_errors, problem_type, token_of
from tests.conftest import registrant as body
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"
LVM = "/api/courses/lvm-forelasning-2022/registrations"  # uncapped
# A municipality whose mail domain is internationalised; the file lists it as its A-label.
IDN_EMPLOYER = """
[[employer]]
key = "vaxjo-idn"
name = "Växjö kommun (IDN)"
kind = "municipality"
domains = ["xn--vxj-qla6g.se"]
"""


async def registrations(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        query = select(func.count()).select_from(registration_table)
        return int((await conn.execute(query)).scalar_one())


@pytest.mark.parametrize(
    "email",
    [
        "åsa.öberg@vaxjo.se",
        "anna\u0001@vaxjo.se",
        "anna\u001b@vaxjo.se",
        "anna..berg@vaxjo.se",
        "anna@vaxjo.se.",
        "anna@xn--zz.vaxjo.se",
        '"anna berg"@vaxjo.se',
    ],
)
async def test_an_address_the_mailer_cannot_send_to_is_refused_in_swedish(
    api: Client, seeded: ServiceContext, email: str
) -> None:
    response = await api.post(ASI, json=body(email=email))

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    assert field_errors(response) == {"email": EMAIL_MESSAGE}
    assert await registrations(seeded) == 0


async def test_an_internationalised_domain_is_registered_as_its_a_label_and_mailed(
    api: Client, seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await import_schedule(seeded, parse_schedule(IDN_EMPLOYER))

    created = await api.post(LVM, json=body(email="Anna.Berg@Växjö.se", employer="vaxjo-idn"))
    await MailWorker(seeded, SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT)).drain()

    assert created.status_code == 201
    mine = (await api.get(f"/api/registrations/{token_of(created.json())}")).json()
    assert mine["email"] == "Anna.Berg@xn--vxj-qla6g.se"
    assert len(smtp.to("Anna.Berg@xn--vxj-qla6g.se")) == 1


async def test_the_unicode_and_the_a_label_spelling_are_one_person(
    api: Client, seeded: ServiceContext
) -> None:
    await import_schedule(seeded, parse_schedule(IDN_EMPLOYER))
    first = await api.post(LVM, json=body(email="anna@växjö.se", employer="vaxjo-idn"))

    again = await api.post(LVM, json=body(email="Anna@XN--VXJ-QLA6G.SE", employer="vaxjo-idn"))

    assert first.status_code == 201
    assert (again.status_code, problem_type(again)) == (409, "already-registered")


@pytest.mark.parametrize(
    "variant", ["kim.berg+asi@vaxjo.se", "Kim.Berg+2@Vaxjo.se", "kim.berg+@vaxjo.se"]
)
async def test_a_plus_tag_variant_of_a_registered_mailbox_is_already_registered(
    api: Client, seeded: ServiceContext, variant: str
) -> None:
    first = await api.post(ASI, json=body(1, email="kim.berg@vaxjo.se"))

    again = await api.post(ASI, json=body(2, email=variant))

    assert first.status_code == 201
    assert (again.status_code, problem_type(again)) == (409, "already-registered")
    assert await registrations(seeded) == 1


async def test_the_same_mailbox_may_register_for_another_course(api: Client) -> None:
    first = await api.post(ASI, json=body(email="kim.berg+asi@vaxjo.se"))

    other = await api.post(LVM, json=body(email="kim.berg+lvm@vaxjo.se"))

    assert (first.status_code, other.status_code) == (201, 201)
