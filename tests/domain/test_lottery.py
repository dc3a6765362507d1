"""The lottery's draw: properties that hold for any applications, caps and seed."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.domain.lottery import Application, DrawResult, draw

FORMATS = ["digital", "ljungby", "vaxjo"]


@st.composite
def lotteries(draw_: st.DrawFn) -> dict[str, object]:
    count = draw_(st.integers(min_value=0, max_value=40))
    employers = draw_(st.integers(min_value=1, max_value=8))
    applications = [
        Application(
            id=draw_(st.integers(min_value=1, max_value=10_000)) * 100 + index,
            employer=f"e{draw_(st.integers(min_value=0, max_value=employers - 1))}",
            format=draw_(st.sampled_from(FORMATS)),
        )
        for index in range(count)
    ]
    format_seats = {
        key: draw_(st.none() | st.integers(min_value=0, max_value=10)) for key in FORMATS
    }
    return {
        "applications": applications,
        "seed": draw_(st.integers(min_value=0, max_value=2**64)),
        "seats": draw_(st.none() | st.integers(min_value=0, max_value=30)),
        "format_seats": format_seats,
        "per_employer": draw_(st.none() | st.integers(min_value=1, max_value=4)),
    }


def _run(case: dict[str, object], *, fair: bool = False) -> DrawResult:
    return draw(
        case["applications"],  # type: ignore[arg-type]
        seed=case["seed"],  # type: ignore[arg-type]
        seats=case["seats"],  # type: ignore[arg-type]
        format_seats=case["format_seats"],  # type: ignore[arg-type]
        per_employer=case["per_employer"] if fair else None,  # type: ignore[arg-type]
    )


def _fits(application: Application, seated: list[Application], case: dict[str, object]) -> bool:
    """Whether one more seat for `application` would stay within every cap."""
    seats = case["seats"]
    format_seats: dict[str, int | None] = case["format_seats"]  # type: ignore[assignment]
    if seats is not None and len(seated) >= seats:  # type: ignore[operator]
        return False
    cap = format_seats.get(str(application.format))
    return cap is None or sum(a.format == application.format for a in seated) < cap


@settings(max_examples=300)
@given(lotteries())
def test_the_result_is_a_permutation_split_into_seats_and_waitlist(
    case: dict[str, object],
) -> None:
    result = _run(case)
    ids = sorted(a.id for a in case["applications"])  # type: ignore[attr-defined]
    assert sorted(result.order) == ids
    assert sorted(result.seated + result.waitlist) == ids
    assert not set(result.seated) & set(result.waitlist)
    # The waitlist keeps the drawn order.
    rank = {id_: n for n, id_ in enumerate(result.order)}
    assert list(result.waitlist) == sorted(result.waitlist, key=rank.__getitem__)


@settings(max_examples=300)
@given(lotteries())
def test_caps_are_never_exceeded(case: dict[str, object]) -> None:
    result = _run(case, fair=True)
    by_id = {a.id: a for a in case["applications"]}  # type: ignore[attr-defined]
    seated = [by_id[i] for i in result.seated]
    if case["seats"] is not None:
        assert len(seated) <= case["seats"]  # type: ignore[operator]
    per_format = Counter(a.format for a in seated)
    for key, cap in case["format_seats"].items():  # type: ignore[attr-defined]
        if cap is not None:
            assert per_format[key] <= cap
    if case["per_employer"] is not None:
        assert max(Counter(a.employer for a in seated).values(), default=0) <= case["per_employer"]  # type: ignore[operator]


@settings(max_examples=300)
@given(lotteries())
def test_every_seat_is_used_while_someone_left_fits(case: dict[str, object]) -> None:
    result = _run(case)
    by_id = {a.id: a for a in case["applications"]}  # type: ignore[attr-defined]
    seated = [by_id[i] for i in result.seated]
    for waiting in result.waitlist:
        assert not _fits(by_id[waiting], seated, case)


@settings(max_examples=300)
@given(lotteries())
def test_no_employer_gets_a_second_seat_while_another_could_have_its_first(
    case: dict[str, object],
) -> None:
    result = _run(case)
    by_id = {a.id: a for a in case["applications"]}  # type: ignore[attr-defined]
    seated: list[Application] = []
    for id_ in result.seated:
        application = by_id[id_]
        taken = Counter(a.employer for a in seated)
        if taken[application.employer] >= 1:
            # A second (or later) seat: nobody of an employer without a seat may still fit.
            for other in by_id.values():
                if other.id in result.seated or taken[other.employer] > 0:
                    continue
                assert not _fits(other, seated, case), (application, other)
        seated.append(application)


@settings(max_examples=200)
@given(lotteries())
def test_the_same_seed_gives_the_same_draw_whatever_the_input_order(
    case: dict[str, object],
) -> None:
    first = _run(case)
    reversed_case = {**case, "applications": list(reversed(case["applications"]))}  # type: ignore[call-overload]
    assert _run(reversed_case) == first


def test_another_seed_gives_another_order() -> None:
    applications = [Application(i, f"e{i % 5}", "digital") for i in range(1, 51)]
    one = draw(applications, seed=1, seats=10)
    two = draw(applications, seed=2, seats=10)
    assert one.order != two.order


def test_seats_go_round_the_employers_before_anyone_gets_a_second() -> None:
    # Ten of Växjö's and one of Ljungby's: Ljungby's one applicant gets a seat in any draw.
    applications = [Application(i, "vaxjo", "digital") for i in range(1, 11)]
    applications.append(Application(11, "ljungby", "digital"))
    for seed in range(20):
        result = draw(applications, seed=seed, seats=2)
        assert 11 in result.seated


def test_a_full_format_does_not_stop_the_employer_getting_a_seat_in_another() -> None:
    applications = [
        Application(1, "vaxjo", "ljungby"),
        Application(2, "vaxjo", "digital"),
        Application(3, "alvesta", "ljungby"),
    ]
    for seed in range(20):
        result = draw(applications, seed=seed, seats=None, format_seats={"ljungby": 1})
        assert len(result.seated) == 2
        assert 2 in result.seated


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        draw([Application(1, "a", "d"), Application(1, "b", "d")], seed=0, seats=1)


def test_without_caps_everyone_gets_a_seat() -> None:
    applications = [Application(i, f"e{i % 3}", "digital") for i in range(1, 31)]
    result = draw(applications, seed=7, seats=None)
    assert sorted(result.seated) == list(range(1, 31))
    assert result.waitlist == ()


def test_seats_an_employer_holds_already_count_against_its_share() -> None:
    applications = [Application(n, "vaxjo" if n < 4 else "alvesta", "digital") for n in range(1, 6)]

    result = draw(applications, seed=3, seats=4, per_employer=1, held={"vaxjo": 1})

    assert {a.employer for a in applications if a.id in result.seated} == {"alvesta"}
    assert len(result.seated) == 1
    # The control: without what it holds, Växjö gets one.
    again = draw(applications, seed=3, seats=4, per_employer=1)
    assert len(again.seated) == 2
