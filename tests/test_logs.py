"""Logs: readable text or one JSON object per line, context fields on every line, no secrets."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from courses.logs import configure_logging, current_context, log_context, redact
from courses.settings import Settings, SettingsError
from tests.log_lines import captured_logs, json_lines

TOKEN = "q1w2e3r4t5y6u7i8o9p0aSdFgHjKlZxCvBnM-_12345"

log = logging.getLogger("courses.test")


# --- what is hidden ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (f"GET /api/registrations/{TOKEN} HTTP/1.1", "GET /api/registrations/q1w2… HTTP/1.1"),
        (f"/api/registrations/{TOKEN}/invite.ics", "/api/registrations/q1w2…/invite.ics"),
        (f"https://kurser.test/anmalan/{TOKEN}?x=1", "https://kurser.test/anmalan/q1w2…?x=1"),
        (f"POST /godkann/{TOKEN}", "POST /godkann/q1w2…"),
        (f"/logga-in/{TOKEN}", "/logga-in/q1w2…"),
    ],
)
def test_a_token_in_a_path_keeps_only_its_first_four_characters(line: str, shown: str) -> None:
    assert redact(line) == shown


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (
            "postgresql+asyncpg://courses:hemligt@db:5432/courses",
            "postgresql+asyncpg://courses:***@db:5432/courses",
        ),
        (
            "smtps://utskick:hemligt@mail.kronoberg.se:465",
            "smtps://utskick:***@mail.kronoberg.se:465",
        ),
        ("Authorization: Bearer hemligt.hemligt", "Authorization: Bearer ***"),
        ("{'authorization': 'Basic aGVtbGlndA=='}", "{'authorization': 'Basic ***'}"),
        ("calling with bearer hemligt.hemligt", "calling with bearer ***"),
        ("password=hemligt user=anna", "password=*** user=anna"),
        ("COURSES_SECRET_KEY=hemligt", "COURSES_SECRET_KEY=***"),
        ("/x?access_token=hemligt&page=2", "/x?access_token=***&page=2"),
    ],
)
def test_credentials_in_urls_headers_and_pairs_are_hidden(line: str, shown: str) -> None:
    assert redact(line) == shown


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/courses/asi-grund-2022 HTTP/1.1",
        "http://127.0.0.1:8000/api/courses",
        "basic information about the course",
        "postgresql://courses@db/courses",
    ],
)
def test_lines_without_secrets_are_left_as_they_are(line: str) -> None:
    assert redact(line) == line


# --- the two formats ---------------------------------------------------------------------------


def test_json_lines_carry_time_level_logger_message_and_the_context_fields() -> None:
    with captured_logs("json") as out, log_context(request_id="abc123", mail=7):
        log.warning("the outbox is %d mails long", 3)

    (line,) = json_lines(out)
    assert line["level"] == "WARNING"
    assert line["logger"] == "courses.test"
    assert line["message"] == "the outbox is 3 mails long"
    assert (line["request_id"], line["mail"]) == ("abc123", 7)
    assert line["time"].endswith("+00:00")


def test_text_lines_are_readable_with_the_fields_after_the_message() -> None:
    with captured_logs("text") as out, log_context(request_id="abc123"):
        log.info("started", extra={"note": "two words"})

    line = out.getvalue().rstrip("\n")
    assert line.endswith(' INFO courses.test: started note="two words" request_id=abc123')


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_stack_trace_is_logged_without_the_secrets_in_it(log_format: str) -> None:
    with captured_logs(log_format) as out:  # type: ignore[arg-type]
        try:
            raise LookupError(f"no registration at /api/registrations/{TOKEN}")
        except LookupError:
            log.exception("lookup failed for postgresql://app:hemligt@db/courses")

    written = out.getvalue()
    assert "LookupError: no registration at /api/registrations/q1w2…" in written.replace(
        "\\n", "\n"
    )
    assert TOKEN not in written
    assert "hemligt" not in written


def test_uvicorns_access_line_in_json_has_its_parts_as_fields_with_the_path_redacted() -> None:
    access = logging.getLogger("uvicorn.access")
    with captured_logs("json") as out:
        access.info(
            '%s - "%s %s HTTP/%s" %d', "10.0.0.9:5123", "GET", f"/anmalan/{TOKEN}", "1.1", 200
        )

    (line,) = json_lines(out)
    assert line["message"] == '10.0.0.9:5123 - "GET /anmalan/q1w2… HTTP/1.1" 200'
    assert (line["method"], line["path"], line["status"]) == ("GET", "/anmalan/q1w2…", 200)


# --- the context -------------------------------------------------------------------------------


def test_contexts_nest_and_end_with_their_block() -> None:
    with log_context(request_id="r1"):
        with log_context(mail=5):
            assert current_context() == {"request_id": "r1", "mail": 5}
        assert current_context() == {"request_id": "r1"}
    assert current_context() == {}


async def test_tasks_started_inside_a_context_keep_its_fields() -> None:
    async def inner() -> object:
        await asyncio.sleep(0)
        return current_context().get("request_id")

    with log_context(request_id="r1"):
        task = asyncio.create_task(inner())
    with log_context(request_id="r2"):
        assert await task == "r1"


def test_a_field_may_not_shadow_a_record_attribute() -> None:
    with pytest.raises(ValueError, match="message"), log_context(message="x"):
        pass


def test_a_field_given_with_extra_wins_over_the_context() -> None:
    with captured_logs("json") as out, log_context(mail=1):
        log.info("resent", extra={"mail": 2})

    assert json_lines(out)[0]["mail"] == 2


# --- set-up ------------------------------------------------------------------------------------


def test_configuring_twice_leaves_one_handler_and_uvicorn_goes_through_it() -> None:
    root = logging.getLogger()
    with captured_logs("text") as first:
        before = len(root.handlers)
        with captured_logs("json") as second:
            logging.getLogger("uvicorn.error").warning("Application startup failed")
            assert len(root.handlers) == before
        assert logging.getLogger("uvicorn.access").propagate

    assert first.getvalue() == ""
    assert json.loads(second.getvalue())["logger"] == "uvicorn.error"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        configure_logging("xml")  # type: ignore[arg-type]


def test_the_log_format_setting_is_text_by_default_and_json_on_request() -> None:
    assert Settings.from_env({}).log_format == "text"
    assert Settings.from_env({"COURSES_LOG_FORMAT": "json"}).log_format == "json"
    assert Settings.from_env({"COURSES_LOG_FORMAT": "JSON"}).log_format == "json"


def test_an_unknown_log_format_setting_is_refused_readably() -> None:
    with pytest.raises(SettingsError, match="COURSES_LOG_FORMAT must be text or json"):
        Settings.from_env({"COURSES_LOG_FORMAT": "xml"})
