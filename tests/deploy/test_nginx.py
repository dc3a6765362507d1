"""deploy/nginx/courses.conf in front of two instances, as docs/operating.md sets them up:
pages and registrations work over https, the rate limits see the real client (and count it
across both instances, in Redis), and what an untrusted peer claims is ignored."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import registrant
from tests.deploy.support import Site, running_site

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

ASI = "demo-asi-grund-2022"
COURSE_PAGE = f"/kurser/{ASI}"
REGISTER = f"/api/courses/{ASI}/registrations"
BASE_URL = "http://kurser.example.se"
PER_CLIENT = 3  # registrations one client address may make (COURSES_RATE_LIMIT_CLIENT)
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def site(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # COURSES_BASE_URL says http here, so that only nginx's X-Forwarded-Proto can turn on HSTS
    # and Secure cookies.
    folder = tmp_path_factory.mktemp("nginx")
    with running_site(
        seeded_url,
        folder,
        redis_db=11,
        rate_limit_client=f"{PER_CLIENT}/10min",
        base_url=BASE_URL,
    ) as site:
        yield site


async def test_http_redirects_to_https_but_answers_certbot(site: Site) -> None:
    challenge = site.folder / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True)
    (challenge / "t0ken").write_text("t0ken.thumbprint")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{site.http}") as http:
        answer = await http.get("/kurser?x=1")
        certbot = await http.get("/.well-known/acme-challenge/t0ken")
    assert answer.status_code == 301
    assert answer.headers["location"] == "https://127.0.0.1/kurser?x=1"
    assert (certbot.status_code, certbot.text) == (200, "t0ken.thumbprint")


async def test_pages_and_a_registration_by_form_work_over_https(site: Site) -> None:
    async with site.client() as http:
        catalogue = await http.get("/")
        page = await http.get(COURSE_PAGE)
        token = _CSRF.search(page.text)
        assert token, page.text[:500]
        sent = await http.post(
            COURSE_PAGE,
            data={
                "name": "Anna Andersson",
                "email": "anna.andersson@vaxjo.se",
                "employer": "vaxjo",
                "workplace": "Beroendemottagningen",
                "works_in_field": "ja",
                "_csrf_token": token[1],
            },
        )
        receipt = await http.get(sent.headers["location"])
        stylesheet = await http.get(re.findall(r'href="(/static/[^"]+)"', page.text)[0])
        metrics = await http.get("/metrics")

    assert catalogue.status_code == 200
    assert "DEMO" in catalogue.text
    # nginx passes the browser's https on: the service sends HSTS and a Secure CSRF cookie.
    assert catalogue.headers["strict-transport-security"].startswith("max-age=")
    cookie = catalogue.headers.get("set-cookie") or page.headers["set-cookie"]
    assert "; secure" in cookie.lower()
    assert sent.status_code == 303, sent.text[:500]
    assert receipt.status_code == 200
    assert "Du är anmäld" in receipt.text
    # nginx's $request_id reaches the service, which answers with it (and logs it).
    assert re.fullmatch(r"[0-9a-f]{32}", receipt.headers["x-request-id"])
    assert "server" not in receipt.headers or "nginx/" not in receipt.headers["server"]
    assert stylesheet.status_code == 200
    assert "max-age=2592000" in stylesheet.headers["cache-control"]
    assert metrics.status_code == 404  # Prometheus scrapes the instances, not the public site


async def test_a_registration_through_the_api_gets_links_to_the_public_address(
    site: Site,
) -> None:
    async with site.client() as http:
        created = await http.post(REGISTER, json=registrant(1))
        mine = await http.get(created.json()["manage_url"].removeprefix(BASE_URL))
    assert created.status_code == 201, created.text
    assert created.json()["manage_url"].startswith(f"{BASE_URL}/anmalan/")
    assert mine.status_code == 200


async def _register(http: httpx.AsyncClient, url: str, people: range, **headers: str) -> list[int]:
    return [(await http.post(url, json=registrant(n), headers=headers)).status_code for n in people]


async def test_the_rate_limit_sees_each_client_through_nginx_across_both_instances(
    site: Site,
) -> None:
    """nginx round-robins, so each instance alone saw only about half of the requests."""
    async with site.client("127.0.0.2") as first, site.client("127.0.0.3") as second:
        from_first = await _register(first, REGISTER, range(10, 10 + PER_CLIENT + 1))
        from_second = await _register(second, REGISTER, range(20, 22))
    assert from_first == [201] * PER_CLIENT + [429]
    assert from_second == [201, 201]


async def test_forged_forwarded_headers_are_not_believed(site: Site) -> None:
    """Through nginx a forged address stays in front of the real one; directly, from a peer
    not in COURSES_TRUSTED_PROXIES, X-Forwarded-For and X-Forwarded-Proto count for nothing."""
    async with site.client("127.0.0.4") as via_nginx:
        forged = [
            (
                await via_nginx.post(
                    REGISTER, json=registrant(30 + n), headers={"x-forwarded-for": f"10.1.1.{n}"}
                )
            ).status_code
            for n in range(PER_CLIENT + 1)
        ]
    direct = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address="127.0.0.5"))
    async with direct:
        instance = site.instances[0].url
        page = await direct.get(f"{instance}{COURSE_PAGE}", headers={"x-forwarded-proto": "https"})
        spoofed = [
            (
                await direct.post(
                    f"{instance}{REGISTER}",
                    json=registrant(40 + n),
                    headers={"x-forwarded-for": f"10.2.2.{n}", "x-forwarded-proto": "https"},
                )
            ).status_code
            for n in range(PER_CLIENT + 1)
        ]
    assert forged == [201] * PER_CLIENT + [429]
    assert spoofed == [201] * PER_CLIENT + [429]
    assert "strict-transport-security" not in page.headers
    assert "secure" not in page.headers["set-cookie"].lower()


async def test_nginx_refuses_a_body_over_the_service_s_largest(site: Site) -> None:
    async with site.client() as http:
        answer = await http.post(
            "/api/admin/schedule",
            content=b"x" * (2 * 1024 * 1024 + 1),
            headers={"content-type": "application/toml"},
        )
    assert answer.status_code == 413
