"""`[organizer.oidc]` and `sign_in` in the schedule file: a valid block parses, a misconfigured
one is refused with the field named, in Swedish, and the file written back reads the same."""

from __future__ import annotations

import pytest

from courses.domain.oidc import DEFAULT_SCOPES, OidcSettings, redirect_path, secret_variable
from courses.schedule import Schedule, ScheduleError, parse_schedule
from courses.schedule.dump import dump_schedule
from courses.schedule.oidc import oidc_settings, oidc_spec
from courses.schedule.spec import OrganizerSpec

HEAD = '[organizer]\nkey = "region-kronoberg"\nname = "Region Kronoberg"\n'


def organizer(extra: str = "", oidc: str | None = None) -> str:
    text = HEAD + extra
    if oidc is not None:
        text += "\n[organizer.oidc]\n" + oidc
    return text


GOOD = (
    'issuer = "https://login.example.se/kronoberg"\nclient_id = "courses"\n'
    'domains = ["kronoberg.se"]\n'
)


def problems(text: str) -> list[str]:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    return [str(p) for p in caught.value.problems]


def test_a_provider_parses_with_its_defaults() -> None:
    spec = parse_schedule(organizer(oidc=GOOD)).organizer
    assert spec is not None
    assert spec.oidc is not None
    assert spec.sign_in == "link_and_oidc"
    assert oidc_settings(spec.oidc) == OidcSettings(
        issuer="https://login.example.se/kronoberg",
        client_id="courses",
        name="login.example.se",
        scopes=DEFAULT_SCOPES,
        domains=("kronoberg.se",),
    )


def test_every_field_and_the_link_turned_off() -> None:
    text = organizer(
        'sign_in = "oidc"\n',
        GOOD + 'name = "Region Kronoberg"\nscopes = ["openid", "email"]\n',
    )
    spec = parse_schedule(text).organizer
    assert spec is not None
    assert spec.oidc is not None
    assert spec.sign_in == "oidc"
    settings = oidc_settings(spec.oidc)
    assert (settings.name, settings.scopes) == ("Region Kronoberg", ("openid", "email"))


@pytest.mark.parametrize(
    "issuer",
    ["http://127.0.0.1:8765", "http://localhost:9000/op", "http://[::1]:9000", "https://a.se/x/"],
)
def test_an_https_issuer_or_a_loopback_one_over_http(issuer: str) -> None:
    text = organizer(oidc=GOOD.replace("https://login.example.se/kronoberg", issuer))
    spec = parse_schedule(text).organizer
    assert spec is not None
    assert spec.oidc is not None
    assert spec.oidc.issuer == issuer


@pytest.mark.parametrize(
    ("issuer", "says"),
    [
        ("http://login.example.se", "måste vara en https-adress"),
        ("ftp://login.example.se", "issuer"),
        ("https://login.example.se/?tenant=1", "frågedel"),
        ("https://login.example.se/#x", "fragment"),
        ("https://user:pw@login.example.se", "användarnamn"),
        ("https://login.example.se:port", "giltig webbadress"),
        ("inte en adress", "issuer"),
    ],
)
def test_a_bad_issuer_is_refused_with_its_field(issuer: str, says: str) -> None:
    text = organizer(oidc=GOOD.replace("https://login.example.se/kronoberg", issuer))
    (found,) = problems(text)
    assert found.startswith("organizer.oidc.issuer: ")
    assert says in found


@pytest.mark.parametrize(
    ("oidc", "place"),
    [
        ('issuer = "https://a.se"\ndomains = ["a.se"]\n', "organizer.oidc.client_id"),
        (
            'issuer = "https://a.se"\nclient_id = ""\ndomains = ["a.se"]\n',
            "organizer.oidc.client_id",
        ),
        (
            'issuer = "https://a.se"\nclient_id = "a\\nb"\ndomains = ["a.se"]\n',
            "organizer.oidc.client_id",
        ),
        ('issuer = "https://a.se"\nclient_id = "c"\ndomains = []\n', "organizer.oidc.domains"),
        ('issuer = "https://a.se"\nclient_id = "c"\n', "organizer.oidc.domains"),
        (
            'issuer = "https://a.se"\nclient_id = "c"\ndomains = ["a se"]\n',
            "organizer.oidc.domains[1]",
        ),
        (GOOD + 'scopes = ["openid", "profile"]\n', "organizer.oidc.scopes"),
        (GOOD + 'scopes = ["email"]\n', "organizer.oidc.scopes"),
        (GOOD + 'scopes = ["openid email"]\n', "organizer.oidc.scopes[1]"),
        (GOOD + 'name = ""\n', "organizer.oidc.name"),
        (GOOD + 'secret = "hemligt"\n', "organizer.oidc.secret"),
    ],
)
def test_a_misconfigured_block_is_refused_with_the_field_named(oidc: str, place: str) -> None:
    (found,) = problems(organizer(oidc=oidc))
    assert found.split(": ", 1)[0] == place, found


def test_the_missing_scopes_are_named() -> None:
    (found,) = problems(organizer(oidc=GOOD + 'scopes = ["openid", "profile"]\n'))
    assert found == 'organizer.oidc.scopes: scopes måste innehålla "email".'


def test_the_link_cannot_be_turned_off_without_a_provider() -> None:
    (found,) = problems(organizer('sign_in = "oidc"\n'))
    assert found.startswith("organizer.sign_in: ")
    assert "[organizer.oidc]" in found
    (other,) = problems(organizer('sign_in = "bara-lank"\n'))
    assert other.startswith("organizer.sign_in: ")


@pytest.mark.parametrize(
    "settings",
    [
        OidcSettings("https://a.se", "c", "a.se", DEFAULT_SCOPES, ("a.se",)),
        OidcSettings("http://127.0.0.1:9", "c", "Region", ("openid", "email"), ("a.se", "b.se")),
    ],
)
def test_the_written_block_reads_back_as_the_same_settings(settings: OidcSettings) -> None:
    spec = oidc_spec(settings)
    assert oidc_settings(spec) == settings
    written = dump_schedule(
        Schedule(organizer=OrganizerSpec(key="k", name="K", oidc=spec, sign_in="oidc"))
    )
    parsed = parse_schedule(written).organizer
    assert parsed is not None
    assert parsed.oidc == spec
    assert parsed.sign_in == "oidc"


def test_the_redirect_path_and_the_secret_variable() -> None:
    assert redirect_path("region-kronoberg") == "/logga-in/oidc/region-kronoberg"
    assert secret_variable("region-kronoberg") == "COURSES_OIDC_SECRET_REGION_KRONOBERG"
