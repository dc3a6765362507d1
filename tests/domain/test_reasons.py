"""The reason staff write when they cancel: plain text of a few lines, quoted in a mail."""

from __future__ import annotations

import pytest

from courses.domain.errors import InvalidInput
from courses.domain.reasons import MAX_REASON, clean_reason


def test_a_reason_is_trimmed_and_its_line_breaks_made_one_kind() -> None:
    assert clean_reason("  Sjuk.  \r\nNytt datum kommer.\n\n") == "Sjuk.\nNytt datum kommer."


def test_no_reason_is_none_unless_one_is_required() -> None:
    assert clean_reason(None) is None
    assert clean_reason(" \n ") is None
    with pytest.raises(InvalidInput) as refused:
        clean_reason(" \n ", required=True)
    assert [e.field for e in refused.value.errors] == ["reason"]


@pytest.mark.parametrize("text", ["x" * (MAX_REASON + 1), "Sjuk\x00", "Sjuk\x1b[31m"])
def test_a_reason_too_long_or_with_control_characters_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_reason(text)
    assert refused.value.detail.startswith(("Skriv högst", "Anledningen innehåller"))


def test_a_tab_is_kept() -> None:
    assert clean_reason("Dag 1:\tinställd") == "Dag 1:\tinställd"
