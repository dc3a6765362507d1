"""`/kurser/{slug}` through the test client: the course, its form, and what a POST answers."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import registrant
from tests.pages.conftest import csrf_token

Client = AsyncTestClient[Any]
ASI = "/kurser/asi-grund-2022"


def form(n: int | str = 1, **overrides: Any) -> dict[str, str]:
    """The registration form as a browser sends it (a checked box sends "ja")."""
    values = registrant(n, **overrides)
    fields = {k: str(v) for k, v in values.items() if k != "works_in_field"}
    if values["works_in_field"]:
        fields["works_in_field"] = "ja"
    return fields


def field_errors(page: str) -> dict[str, str]:
    found = re.findall(
        r'<p class="error-message" id="([\w]+)-error"><span class="visually-hidden">Fel: </span>'
        r"([^<]+)</p>",
        page,
    )
    return {name: html.unescape(text) for name, text in found}


async def post(client: Client, path: str, fields: dict[str, str]) -> Any:
    token = await csrf_token(client, path)
    return await client.post(path, data={**fields, "_csrf_token": token}, follow_redirects=False)


async def test_the_course_page_lists_every_session_with_weekday_time_and_place(
    client: Client,
) -> None:
    page = (await client.get("/kurser/aterfallsprevention-2022")).text
    lvm = (await client.get("/kurser/lvm-forelasning-2022")).text

    assert page.count('<li class="session">') == 2
    assert "tisdag 5 april 2022" in page
    assert "onsdag 6 april 2022" in page
    assert "kl. 09.00–16.00" in page
    assert "Ljungby eller digitalt" in page
    assert "Sophie Andersson" in page
    assert "20 mars 2022" in page
    assert 'name="format"' in page  # two formats: the registrant chooses
    assert "heldag" in lvm
    assert 'name="format"' not in lvm  # one format: nothing to choose


async def test_a_registration_is_answered_with_a_303_to_its_own_page(client: Client) -> None:
    response = await post(client, ASI, form())

    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/anmalan/[A-Za-z0-9_-]{20,}", location)
    receipt = await client.get(location)
    assert receipt.status_code == 200
    assert "Du är anmäld" in receipt.text
    assert receipt.headers["referrer-policy"] == "no-referrer"
    assert receipt.headers["cache-control"] == "no-store"


async def test_every_missing_field_is_reported_at_once_with_the_api_wording(
    client: Client,
) -> None:
    empty = {"name": "", "email": "", "employer": "", "workplace": ""}

    response = await post(client, ASI, empty)
    api = await client.post(
        "/api/courses/asi-grund-2022/registrations",
        json={**empty, "works_in_field": False},
    )

    assert response.status_code == 400
    assert "<title>Fel: ASI grundutbildning" in response.text
    api_errors = {e["field"]: e["message"] for e in api.json()["errors"]}
    assert field_errors(response.text) == api_errors
    assert set(api_errors) == {"name", "email", "employer", "workplace"}
    for name in api_errors:
        assert f'<a href="#{name}">' in response.text  # the summary links to the field


async def test_a_malformed_address_gets_the_same_message_as_from_the_api(client: Client) -> None:
    response = await post(client, ASI, form(email="anna.vaxjo.se"))
    api = await client.post(
        "/api/courses/asi-grund-2022/registrations", json=registrant(email="anna.vaxjo.se")
    )

    assert field_errors(response.text) == {"email": api.json()["errors"][0]["message"]}
    assert 'value="anna.vaxjo.se"' in response.text


async def test_refusals_of_the_service_are_shown_next_to_their_field(client: Client) -> None:
    unconfirmed = {k: v for k, v in form().items() if k != "works_in_field"}

    not_in_field = await post(client, ASI, unconfirmed)
    wrong_domain = await post(client, ASI, form(email="anna@gmail.com"))
    await post(client, ASI, form(7))
    again = await post(client, ASI, form(7))
    no_choice = await post(client, "/kurser/hap-2022", form())

    assert not_in_field.status_code == 422
    assert (
        "arbetar med missbruks- och beroendevård"
        in field_errors(not_in_field.text)["works_in_field"]
    )
    assert wrong_domain.status_code == 422
    assert field_errors(wrong_domain.text)["email"].startswith(
        "E-postadressen hör inte till Växjö kommun."
    )
    assert again.status_code == 409
    assert field_errors(again.text)["email"].startswith("Du är redan anmäld")
    assert no_choice.status_code == 400
    assert field_errors(no_choice.text) == {"format": "Välj hur du vill delta."}


async def test_a_typed_value_comes_back_escaped(client: Client) -> None:
    response = await post(client, ASI, form(name='<script>"x"</script>', email="fel"))

    assert "&lt;script&gt;&#34;x&#34;&lt;/script&gt;" in response.text
    assert "<script>" not in response.text


async def test_a_post_without_the_csrf_token_is_refused_with_a_page_and_saves_nothing(
    client: Client,
) -> None:
    await client.get(ASI)  # the cookie alone is not enough

    response = await client.post(ASI, data=form(), follow_redirects=False)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Formuläret kunde inte skickas" in response.text
    course = (await client.get("/api/courses/asi-grund-2022")).json()
    assert course["seats_left"] == 4


async def test_the_json_api_is_not_behind_the_form_token(client: Client) -> None:
    response = await client.post("/api/courses/asi-grund-2022/registrations", json=registrant())

    assert response.status_code == 201


async def test_an_unknown_course_is_a_swedish_page_and_the_api_keeps_problem_json(
    client: Client,
) -> None:
    page = await client.get("/kurser/finns-inte")
    api = await client.get("/api/courses/finns-inte")
    nowhere = await client.get("/ingenstans")

    assert page.status_code == 404
    assert "Kursen finns inte" in page.text
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert nowhere.status_code == 404
    assert "Sidan finns inte" in nowhere.text


async def test_too_many_attempts_with_one_address_keep_the_form_and_say_when_to_retry(
    client: Client,
) -> None:
    path = "/kurser/asi-grund-2022"
    # The same mailbox, though each attempt is refused (the other employer's domain): the
    # limit counts attempts per course and mailbox, 5 in 10 minutes by default.
    wrong = form(1, employer="ljungby")
    for _ in range(5):
        assert (await post(client, path, wrong)).status_code == 422

    limited = await post(client, path, form(1))

    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "för många anmälningsförsök" in limited.text
    assert 'value="deltagare1@vaxjo.se"' in limited.text
    api = await client.post("/api/courses/asi-grund-2022/registrations", json=registrant("1+kurs"))
    assert api.status_code == 429
