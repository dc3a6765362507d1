"""`courses token` and `courses staff`, and the refusal to start with the development key."""

from __future__ import annotations

import pytest

from courses.settings import Settings, SettingsError
from tests.test_cli import EMPLOYERS, cli_db, run

__all__ = ["cli_db"]  # the fixture, shared with the CLI's own tests


def test_a_token_is_printed_once_listed_without_its_secret_and_revoked(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "seed", EMPLOYERS)

    code, out, err = run(capsys, "token", "create", "--admin", "--name", "export")
    assert (code, err) == (0, "")
    token = out.splitlines()[-1]
    assert token.startswith("crs_")
    assert "administratör för kronoberg-beroende" in out

    code, listed, _ = run(capsys, "token", "list")
    assert code == 0
    assert "1: admin – export (giltig)" in listed
    assert token not in listed

    code, out, _ = run(capsys, "token", "revoke", "1")
    assert (code, out.strip()) == (0, "Token 1 är återkallad.")
    assert "återkallad" in run(capsys, "token", "list")[1]


def test_an_admin_token_for_an_unknown_organizer_is_refused_readably(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "seed", EMPLOYERS)

    code, out, err = run(capsys, "token", "create", "--admin", "--organizer", "finns-inte")

    assert (code, out) == (1, "")
    assert err.strip() == "Det finns ingen arrangör med nyckeln 'finns-inte'."


def test_staff_add_gives_admin_rights_once(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "seed", EMPLOYERS)

    first = run(capsys, "staff", "add", "anna@kronoberg.se", "--admin")
    again = run(capsys, "staff", "add", "anna@kronoberg.se", "--admin")

    assert first[0] == again[0] == 0
    assert "är nu administratör för kronoberg-beroende" in first[1]
    assert "var redan administratör" in again[1]
    assert "anna@kronoberg.se – admin" in run(capsys, "staff", "list")[1]


def test_the_development_key_is_refused_on_postgresql_and_beyond_loopback() -> None:
    dev_sqlite = Settings(database_url="sqlite:///x.db")
    dev_postgres = Settings(database_url="postgresql://db/courses")
    own_key = Settings(database_url="postgresql://db/courses", secret_key="x" * 48)

    dev_sqlite.check_secret_key(host="127.0.0.1")
    dev_sqlite.check_secret_key(host="localhost")
    own_key.check_secret_key(host="0.0.0.0")
    with pytest.raises(SettingsError, match="PostgreSQL"):
        dev_postgres.check_secret_key(host="127.0.0.1")
    with pytest.raises(SettingsError, match=r"0\.0\.0\.0"):
        dev_sqlite.check_secret_key(host="0.0.0.0")


def test_serve_with_the_development_key_on_all_addresses_does_not_start(
    cli_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COURSES_SECRET_KEY")

    code, _, err = run(capsys, "serve", "--host", "0.0.0.0")

    assert code == 2
    assert err.startswith("Tjänsten startar inte: COURSES_SECRET_KEY har utvecklingsvärdet")
