"""`/anmalan/{token}/erbjudande` and the manage page's offer states, through the test client:
a GET shows and changes nothing, the buttons POST with the CSRF token, an answer that comes
too late is a 409 page that says what happened and the place in the queue now."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from tests.offer_support import OfferCourse, add_offer_course
from tests.pages.conftest import csrf_token

Client = AsyncTestClient[Any]


@pytest.fixture
async def course(seeded: ServiceContext, clock: FixedClock) -> OfferCourse:
    return await add_offer_course(seeded, clock)


@pytest.fixture
async def client(
    seeded: ServiceContext, clock: FixedClock, course: OfferCourse
) -> AsyncIterator[Client]:
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def _status(client: Client, token: str) -> str:
    return str((await client.get(f"/api/registrations/{token}")).json()["status"])


async def _answer(client: Client, token: str, svar: str) -> Any:
    path = f"/anmalan/{token}/erbjudande"
    form = {"svar": svar, "_csrf_token": await csrf_token(client, path)}
    return await client.post(path, data=form, follow_redirects=False)


def _text(response: Any) -> str:
    return html.unescape(response.text)


async def test_the_offer_page_shows_until_when_and_changes_nothing(
    client: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()

    page = await client.get(f"/anmalan/{waiting}/erbjudande")
    manage = await client.get(f"/anmalan/{waiting}")

    assert page.status_code == 200
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    text = _text(page)
    assert "En plats är reserverad åt dig" in text
    assert "Svara senast torsdag 3 mars 2022 kl. 10.00." in text  # 48 hours after Tuesday
    assert 'value="ja"' in page.text
    assert 'value="nej"' in page.text
    assert "Tackar du nej tas du bort från reservlistan" in text
    assert "Svara på erbjudandet" in manage.text
    assert f'href="/anmalan/{waiting}/erbjudande"' in manage.text
    assert await _status(client, waiting) == "offered"


async def test_accepting_sends_back_to_the_page_which_says_the_seat_is_taken(
    client: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()

    answer = await _answer(client, waiting, "ja")
    after = await client.get(answer.headers["location"])

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/anmalan/{waiting}/erbjudande"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "Platsen är din" in _text(after)
    assert 'value="ja"' not in after.text
    assert await _status(client, waiting) == "confirmed"


async def test_declining_leaves_the_queue_and_the_manage_page_says_so(
    client: Client, course: OfferCourse
) -> None:
    _, (first, second) = await course.held(waiting=2)

    await _answer(client, first, "nej")
    manage = _text(await client.get(f"/anmalan/{first}"))

    assert "Du har tackat nej" in manage
    assert "står inte längre på reservlistan" in manage
    assert await _status(client, second) == "offered"


async def test_a_late_acceptance_is_a_409_page_with_the_place_in_the_queue(
    client: Client, course: OfferCourse
) -> None:
    first, too_late = await course.opened()
    path = f"/anmalan/{too_late}/erbjudande"
    form = {"svar": "ja", "_csrf_token": await csrf_token(client, path)}  # the page still open
    await answer_offer(course.ctx, first, accept=True)

    answer = await client.post(path, data=form)

    assert answer.status_code == 409
    text = _text(answer)
    assert "<title>Fel:" in answer.text
    assert "Svaret kunde inte tas emot" in text
    assert "Platsen gick till någon som hann svara före dig" in text
    assert "Du står kvar på reservlistan, plats 1." in text
    assert 'value="ja"' not in answer.text
    assert await _status(client, too_late) == "waitlisted"


async def test_a_lapsed_offer_says_the_time_ran_out_and_the_place(
    client: Client, course: OfferCourse
) -> None:
    first, _ = await course.lapsed()

    page = _text(await client.get(f"/anmalan/{first}/erbjudande"))
    manage = _text(await client.get(f"/anmalan/{first}"))

    assert "Tiden gick ut" in page
    assert "Du står på reservlistan, plats 1." in page
    assert "Du svarade inte på erbjudandet om en plats före" in manage
    assert f'href="/anmalan/{first}/erbjudande"' in manage


async def test_once_the_course_has_begun_the_offer_no_longer_holds(
    client: Client, course: OfferCourse
) -> None:
    first, _ = await course.opened()
    path = f"/anmalan/{first}/erbjudande"
    form = {"svar": "ja", "_csrf_token": await csrf_token(client, path)}
    course.clock.set(course.starts_at + timedelta(minutes=5))

    page = _text(await client.get(path))
    answer = await client.post(path, data=form)

    assert "Kursen har börjat" in page
    assert answer.status_code == 409
    assert "Kursen har redan börjat" in _text(answer)
    assert await _status(client, first) == "waitlisted"


async def test_cancelling_an_offered_seat_says_it_goes_to_the_next(
    client: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()

    confirm = _text(await client.get(f"/anmalan/{waiting}/avanmal"))

    assert "Platsen som är reserverad åt dig går till nästa på reservlistan" in confirm


async def test_an_answer_without_yes_or_no_changes_nothing(
    client: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()

    answer = await _answer(client, waiting, "kanske")

    assert answer.status_code == 400
    assert "Välj Tacka ja eller Tacka nej." in _text(answer)
    assert await _status(client, waiting) == "offered"


async def test_an_answer_without_the_forms_token_is_refused(
    client: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()
    path = f"/anmalan/{waiting}/erbjudande"
    await client.get(path)

    answer = await client.post(path, data={"svar": "ja"}, follow_redirects=False)

    assert answer.status_code == 403
    assert await _status(client, waiting) == "offered"


async def test_without_an_offer_the_page_says_so_and_offers_no_buttons(
    client: Client, course: OfferCourse
) -> None:
    token = await course.register(1)

    page = await client.get(f"/anmalan/{token}/erbjudande")

    assert page.status_code == 200
    assert "Du har inget erbjudande att svara på" in _text(page)
    assert 'value="ja"' not in page.text


async def test_an_unknown_link_is_the_not_found_page(client: Client) -> None:
    page = await client.get("/anmalan/nope/erbjudande")

    assert page.status_code == 404
    assert "Vi hittar ingen anmälan med den här länken" in _text(page)
