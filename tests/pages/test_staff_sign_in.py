"""`/logga-in` through the test client: asking for a link, confirming it, signing out.

The page must not tell a known address from an unknown one; opening a link (as a mail scanner
does) must not spend it; a link works once and for 15 minutes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.api.staff_identity import SESSION_COOKIE
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate
from tests.pages.conftest import csrf_token
from tests.pages.staff import (
    LEADER_A,
    add_staff,
    ask_for_link,
    mailed_links,
    press_sign_in,
    sign_in,
)

Client = AsyncTestClient[Any]
UNKNOWN = "ingen.sadan@kronoberg.se"


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


@pytest.fixture
async def client(staff: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(staff.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def test_the_sign_in_page_asks_for_an_address_with_a_visible_label(client: Client) -> None:
    page = await client.get("/logga-in")

    assert page.status_code == 200
    assert '<label class="label" for="email">E-postadress</label>' in page.text
    assert 'name="_csrf_token"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_known_and_an_unknown_address_get_the_same_answer(
    client: Client, staff: ServiceContext
) -> None:
    known = await ask_for_link(client, LEADER_A)
    unknown = await ask_for_link(client, UNKNOWN)

    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(LEADER_A, "X") == unknown.text.replace(UNKNOWN, "X")
    assert "har vi skickat en inloggningslänk. Den gäller i 15 minuter." in known.text
    assert set(known.headers.keys()) == set(unknown.headers.keys())
    # Only the known address got a mail.
    assert len(await mailed_links(staff)) == 1


@pytest.mark.parametrize(
    "path", ["/logga-in/okand", "/kursledare/finns-inte", "/admin/finns-inte", "/logga-ut"]
)
async def test_staff_paths_are_never_stored_nor_sent_on_as_referrer_even_as_errors(
    client: Client, path: str
) -> None:
    response = await client.get(path, follow_redirects=False)

    assert response.status_code >= 300
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_an_empty_or_malformed_address_is_an_error_next_to_its_field(client: Client) -> None:
    empty = await ask_for_link(client, "")
    malformed = await ask_for_link(client, "inte en adress")

    assert empty.status_code == malformed.status_code == 400
    assert "<title>Fel: Logga in" in empty.text
    assert 'href="#email">Ange din e-postadress.' in empty.text
    assert 'id="email-error"' in malformed.text
    assert 'value="inte en adress"' in malformed.text


async def test_opening_the_link_shows_a_button_and_spends_nothing(
    client: Client, staff: ServiceContext
) -> None:
    await ask_for_link(client, LEADER_A)
    (link,) = await mailed_links(staff)

    first = await client.get(link)
    second = await client.get(link)  # a mail scanner, then the person

    assert first.status_code == second.status_code == 200
    assert '<button class="button" type="submit">Logga in</button>' in second.text
    assert SESSION_COOKIE not in client.cookies
    signed_in = await press_sign_in(client, link)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/kursledare"
    assert SESSION_COOKIE in client.cookies


async def test_the_session_cookie_is_http_only_and_same_site(
    client: Client, staff: ServiceContext
) -> None:
    await ask_for_link(client, LEADER_A)
    (link,) = await mailed_links(staff)

    signed_in = await press_sign_in(client, link)

    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_a_used_link_is_refused(client: Client, staff: ServiceContext) -> None:
    await ask_for_link(client, LEADER_A)
    (link,) = await mailed_links(staff)
    await press_sign_in(client, link)
    client.cookies.clear()

    opened = await client.get(link)
    token = await csrf_token(client, "/logga-in")
    pressed = await client.post(link, data={"_csrf_token": token}, follow_redirects=False)

    assert opened.status_code == pressed.status_code == 404
    assert "Länken går inte att använda" in opened.text
    assert "Länken går inte att använda" in pressed.text
    assert SESSION_COOKIE not in client.cookies


async def test_a_link_older_than_15_minutes_is_refused(
    client: Client, staff: ServiceContext, clock: FixedClock
) -> None:
    await ask_for_link(client, LEADER_A)
    (link,) = await mailed_links(staff)
    page = await client.get(link)
    token = await csrf_token(client, link)
    clock.set(clock.now() + timedelta(minutes=15, seconds=1))

    opened = await client.get(link)
    pressed = await client.post(link, data={"_csrf_token": token}, follow_redirects=False)

    assert page.status_code == 200
    assert opened.status_code == pressed.status_code == 404
    assert SESSION_COOKIE not in client.cookies


async def test_pressing_the_button_without_the_forms_csrf_token_is_refused_and_spends_nothing(
    client: Client, staff: ServiceContext
) -> None:
    await ask_for_link(client, LEADER_A)
    (link,) = await mailed_links(staff)
    await client.get(link)

    forged = await client.post(link, data={}, follow_redirects=False)

    assert forged.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    assert (await press_sign_in(client, link)).status_code == 303  # still unspent


async def test_after_signing_in_the_person_returns_to_the_page_they_asked_for(
    client: Client, staff: ServiceContext
) -> None:
    redirected = await client.get("/kursledare/ledarkurs-a?x=1", follow_redirects=False)
    assert redirected.status_code == 303
    assert redirected.headers["location"] == "/logga-in?till=%2Fkursledare%2Fledarkurs-a%3Fx%3D1"
    form = await client.get(redirected.headers["location"])
    assert 'name="till" value="/kursledare/ledarkurs-a?x=1"' in form.text

    await ask_for_link(client, LEADER_A, till="/kursledare/ledarkurs-a?x=1")
    (link,) = await mailed_links(staff)
    signed_in = await press_sign_in(client, link)

    assert signed_in.headers["location"] == "/kursledare/ledarkurs-a?x=1"


@pytest.mark.parametrize(
    "till",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "/logga-in/abc"],
)
async def test_a_return_address_off_this_site_is_ignored(
    client: Client, staff: ServiceContext, till: str
) -> None:
    await ask_for_link(client, LEADER_A, till=till)
    (link,) = await mailed_links(staff)

    signed_in = await press_sign_in(client, link)

    assert signed_in.headers["location"] == "/kursledare"


async def test_signing_out_ends_the_session_for_good(client: Client, staff: ServiceContext) -> None:
    await sign_in(client, staff, LEADER_A)
    cookie = client.cookies[SESSION_COOKIE]
    courses = await client.get("/kursledare")
    assert 'action="/logga-ut"' in courses.text

    token = await csrf_token(client, "/kursledare")
    out = await client.post("/logga-ut", data={"_csrf_token": token}, follow_redirects=False)

    assert out.status_code == 303
    assert out.headers["location"] == "/logga-in?utloggad=ja"
    assert SESSION_COOKIE not in client.cookies
    assert "Du är utloggad." in (await client.get(out.headers["location"])).text
    client.cookies[SESSION_COOKIE] = cookie  # the old cookie, kept by someone
    again = await client.get("/kursledare", follow_redirects=False)
    assert again.status_code == 303


async def test_signing_out_needs_the_forms_csrf_token(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)

    forged = await client.post("/logga-ut", data={}, follow_redirects=False)

    assert forged.status_code == 403
    assert (await client.get("/kursledare")).status_code == 200


async def test_asking_too_often_for_one_address_is_refused_alike_for_known_and_unknown(
    staff: ServiceContext, clock: FixedClock
) -> None:
    settings = staff.settings.__class__(**{**_fields(staff.settings), "sign_in_rate": Rate(2, 900)})
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        answers = {
            email: [(await ask_for_link(client, email)).status_code for _ in range(3)]
            for email in (LEADER_A, UNKNOWN)
        }
        limited = await ask_for_link(client, LEADER_A)

    assert answers == {LEADER_A: [200, 200, 429], UNKNOWN: [200, 200, 429]}
    assert "för många försök" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert len(await mailed_links(staff)) == 2


async def test_asking_for_many_addresses_from_one_client_is_refused_in_the_end(
    staff: ServiceContext, clock: FixedClock
) -> None:
    settings = staff.settings.__class__(
        **{**_fields(staff.settings), "client_sign_in_rate": Rate(3, 900)}
    )
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        answers = [
            (await ask_for_link(client, f"person{n}@kronoberg.se")).status_code for n in range(4)
        ]

    assert answers == [200, 200, 200, 429]


async def test_guessing_links_is_slowed_down_per_client(
    staff: ServiceContext, clock: FixedClock
) -> None:
    settings = staff.settings.__class__(
        **{**_fields(staff.settings), "unknown_token_rate": Rate(3, 600)}
    )
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        answers = [(await client.get(f"/logga-in/gissning{n}")).status_code for n in range(5)]

    assert answers == [404, 404, 404, 429, 429]


async def test_a_fresh_sign_in_link_opens_after_others_guessed_from_the_same_address(
    staff: ServiceContext, clock: FixedClock
) -> None:
    settings = staff.settings.__class__(
        **{**_fields(staff.settings), "unknown_token_rate": Rate(3, 600)}
    )
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        guesses = [(await client.get(f"/logga-in/gissning{n}")).status_code for n in range(4)]
        await ask_for_link(client, LEADER_A)
        (link,) = await mailed_links(staff)
        opened = await client.get(link)

    assert guesses == [404, 404, 404, 429]
    assert opened.status_code == 200


def _fields(settings: Any) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}
