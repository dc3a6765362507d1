"""What a message to a course's people may hold: one-line subject, lengths, the session."""

from __future__ import annotations

import pytest

from courses.domain.messages import (
    SUBJECT_MAX,
    TEXT_MAX,
    MessageDraft,
    MessageGroup,
    draft_errors,
    paragraphs,
)

SESSIONS = frozenset({1, 2})


def _errors(**changes: object) -> dict[str, str]:
    values: dict[str, object] = {"to": MessageGroup.ALL, "subject": "Ämne", "text": "Text"}
    values.update(changes)
    draft = MessageDraft(**values).cleaned()  # type: ignore[arg-type]
    return {e.field: e.message for e in draft_errors(draft, sessions=SESSIONS)}


def test_a_plain_message_and_the_longest_allowed_pass() -> None:
    assert _errors() == {}
    assert _errors(subject="å" * SUBJECT_MAX, text="ä" * TEXT_MAX) == {}
    assert _errors(to=MessageGroup.SESSION, session=2) == {}
    assert _errors(text="Rad ett\r\nrad två\n\n\tindrag") == {}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"subject": "  "}, "subject", "Skriv en ämnesrad."),
        ({"subject": "Hej\r\nBcc: a@b.se"}, "subject", "utan radbrytningar"),
        ({"subject": "Hej\nX"}, "subject", "utan radbrytningar"),
        ({"subject": "Hej\u2028X"}, "subject", "utan radbrytningar"),
        ({"subject": "Hej\x00"}, "subject", "utan radbrytningar"),
        ({"subject": "x" * (SUBJECT_MAX + 1)}, "subject", "högst 150 tecken"),
        ({"text": "\n \n"}, "text", "Skriv meddelandet."),
        ({"text": "y" * (TEXT_MAX + 1)}, "text", "högst 5000 tecken"),
        ({"text": "noll\x00byte"}, "text", "styrtecken"),
        ({"to": MessageGroup.SESSION}, "session", "Välj vilken kursdag"),
        ({"to": MessageGroup.SESSION, "session": 3}, "session", "ingen kursdag 3"),
        ({"to": MessageGroup.ALL, "session": 1}, "session", "bara när"),
    ],
)
def test_a_bad_field_is_named_in_swedish(
    changes: dict[str, object], field: str, words: str
) -> None:
    errors = _errors(**changes)

    assert list(errors) == [field]
    assert words in errors[field]


def test_a_browsers_crlf_counts_once_and_blank_lines_make_paragraphs() -> None:
    text = "Rad ett\r\nrad två\r\n \r\nStycke två" + "x" * (TEXT_MAX - 30)
    draft = MessageDraft(MessageGroup.ALL, "Ämne", text).cleaned()

    assert "\r" not in draft.text
    assert draft_errors(draft, sessions=SESSIONS) == []
    assert paragraphs("Rad ett\r\nrad två\r\n \r\nStycke två\n\n\n") == [
        ["Rad ett", "rad två"],
        ["Stycke två"],
    ]
