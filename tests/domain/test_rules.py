"""Who may register for what, and when: the rules on plain values and an explicit `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from courses.domain.errors import InvalidInput, NotEligible, NotYetOpen, RegistrationClosed
from courses.domain.rules import (
    CourseStatus,
    CourseTiming,
    RegistrationState,
    check_can_cancel,
    check_eligible,
    check_registration_open,
    choose_format,
    domain_allowed,
    email_domain,
    normalize_email,
    registration_state,
    seats_left,
)
from courses.domain.timing import SessionTime

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def asi_grund(
    *,
    status: CourseStatus = CourseStatus.PUBLISHED,
    opens: date | None = None,
) -> CourseTiming:
    """ASI grundutbildning as the source gives it: four all-day sessions, deadline 1 Sept."""
    return CourseTiming(
        status=status,
        deadline=date(2022, 9, 1),
        opens=opens,
        sessions=[
            SessionTime(date(2022, 9, 14)),
            SessionTime(date(2022, 9, 15)),
            SessionTime(date(2022, 11, 10)),
            SessionTime(date(2023, 5, 4)),
        ],
    )


def same_day_course() -> CourseTiming:
    """A course whose deadline is the day of its only session, 09:00-12:00."""
    return CourseTiming(
        status=CourseStatus.PUBLISHED,
        deadline=date(2022, 5, 18),
        opens=None,
        sessions=[SessionTime(date(2022, 5, 18), time(9), time(12))],
    )


def state(
    timing: CourseTiming, now: datetime, *, has_room: bool = True, waitlist: bool = True
) -> RegistrationState:
    return registration_state(timing, has_room=has_room, waitlist=waitlist, now=now, tz=STOCKHOLM)


# --- check_registration_open -----------------------------------------------------------------


def test_registration_before_the_deadline_is_allowed() -> None:
    check_registration_open(asi_grund(), now=local(2022, 8, 15, 12, 0), tz=STOCKHOLM)


def test_registration_on_the_last_second_of_the_deadline_day_is_allowed() -> None:
    check_registration_open(asi_grund(), now=local(2022, 9, 1, 23, 59, 59), tz=STOCKHOLM)


def test_registration_after_deadline_is_refused() -> None:
    with pytest.raises(RegistrationClosed) as refused:
        check_registration_open(asi_grund(), now=local(2022, 9, 2, 0, 0, 0), tz=STOCKHOLM)

    assert refused.value.code == "registration-closed"
    assert "Sista anmälningsdag var 1 september 2022" in refused.value.detail


def test_registration_deadline_holds_when_now_is_given_in_utc() -> None:
    last_second = datetime(2022, 9, 1, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    check_registration_open(asi_grund(), now=last_second, tz=STOCKHOLM)

    with pytest.raises(RegistrationClosed):
        check_registration_open(
            asi_grund(), now=datetime(2022, 9, 1, 22, 0, 0, tzinfo=UTC), tz=STOCKHOLM
        )


def test_registration_before_the_opening_day_is_refused() -> None:
    timing = asi_grund(opens=date(2022, 6, 1))

    with pytest.raises(NotYetOpen) as refused:
        check_registration_open(timing, now=local(2022, 5, 31, 23, 59, 59), tz=STOCKHOLM)

    assert refused.value.code == "not-yet-open"
    assert "1 juni 2022" in refused.value.detail


def test_registration_from_the_first_second_of_the_opening_day_is_allowed() -> None:
    timing = asi_grund(opens=date(2022, 6, 1))

    check_registration_open(timing, now=local(2022, 6, 1, 0, 0, 0), tz=STOCKHOLM)


def test_registration_for_a_cancelled_course_is_refused() -> None:
    timing = asi_grund(status=CourseStatus.CANCELLED)

    with pytest.raises(RegistrationClosed) as refused:
        check_registration_open(timing, now=local(2022, 8, 1, 12, 0), tz=STOCKHOLM)

    assert "inställd" in refused.value.detail


def test_registration_for_a_draft_is_refused_and_listed_as_closed() -> None:
    timing = asi_grund(status=CourseStatus.DRAFT)

    with pytest.raises(RegistrationClosed) as refused:
        check_registration_open(timing, now=local(2022, 8, 1, 12, 0), tz=STOCKHOLM)

    assert "inte publicerad" in refused.value.detail
    assert state(timing, local(2022, 8, 1, 12, 0)) is RegistrationState.CLOSED


def test_registration_closes_when_the_first_session_begins_even_before_the_deadline() -> None:
    timing = same_day_course()

    check_registration_open(timing, now=local(2022, 5, 18, 8, 59, 59), tz=STOCKHOLM)
    with pytest.raises(RegistrationClosed) as refused:
        check_registration_open(timing, now=local(2022, 5, 18, 9, 0, 0), tz=STOCKHOLM)

    assert "redan börjat" in refused.value.detail


def test_an_all_day_first_session_closes_registration_at_its_local_midnight() -> None:
    timing = CourseTiming(
        status=CourseStatus.PUBLISHED,
        deadline=date(2022, 10, 30),
        opens=None,
        sessions=[SessionTime(date(2022, 11, 2)), SessionTime(date(2022, 10, 30))],
    )

    check_registration_open(timing, now=local(2022, 10, 29, 23, 59, 59), tz=STOCKHOLM)
    with pytest.raises(RegistrationClosed):
        check_registration_open(timing, now=local(2022, 10, 30, 0, 0, 0), tz=STOCKHOLM)


# --- registration_state ----------------------------------------------------------------------


def test_state_is_open_while_there_is_room() -> None:
    assert state(asi_grund(), local(2022, 8, 1, 12, 0)) is RegistrationState.OPEN


def test_state_is_waitlist_when_full_with_a_waitlist() -> None:
    now = local(2022, 8, 1, 12, 0)

    assert state(asi_grund(), now, has_room=False, waitlist=True) is RegistrationState.WAITLIST


def test_state_is_closed_when_full_without_a_waitlist() -> None:
    now = local(2022, 8, 1, 12, 0)

    assert state(asi_grund(), now, has_room=False, waitlist=False) is RegistrationState.CLOSED


def test_state_is_open_with_room_even_when_the_waitlist_is_off() -> None:
    now = local(2022, 8, 1, 12, 0)

    assert state(asi_grund(), now, has_room=True, waitlist=False) is RegistrationState.OPEN


def test_state_is_closed_after_the_deadline() -> None:
    assert state(asi_grund(), local(2022, 9, 2, 0, 0)) is RegistrationState.CLOSED
    assert state(asi_grund(), local(2022, 9, 1, 23, 59, 59)) is RegistrationState.OPEN


def test_state_is_closed_after_the_deadline_even_with_a_waitlist() -> None:
    now = local(2022, 9, 2, 0, 0)

    assert state(asi_grund(), now, has_room=False, waitlist=True) is RegistrationState.CLOSED


def test_state_is_not_yet_open_before_the_opening_day() -> None:
    timing = asi_grund(opens=date(2022, 6, 1))

    assert state(timing, local(2022, 5, 31, 23, 59, 59)) is RegistrationState.NOT_YET_OPEN
    assert state(timing, local(2022, 6, 1, 0, 0, 0)) is RegistrationState.OPEN


def test_state_is_cancelled_for_a_cancelled_course_whatever_the_date() -> None:
    timing = asi_grund(status=CourseStatus.CANCELLED, opens=date(2022, 6, 1))

    for now in (local(2022, 5, 1, 12, 0), local(2022, 8, 1, 12, 0), local(2022, 12, 1, 12, 0)):
        assert state(timing, now) is RegistrationState.CANCELLED


def test_state_is_closed_once_the_first_session_began_before_the_deadline_passed() -> None:
    timing = same_day_course()

    assert state(timing, local(2022, 5, 18, 8, 59, 59)) is RegistrationState.OPEN
    assert state(timing, local(2022, 5, 18, 9, 0, 0)) is RegistrationState.CLOSED


def test_state_values_are_the_public_contract() -> None:
    assert {s.value for s in RegistrationState} == {
        "open",
        "waitlist",
        "closed",
        "not_yet_open",
        "cancelled",
    }


# --- check_can_cancel -------------------------------------------------------------------------


def test_cancelling_is_allowed_after_the_deadline_until_the_first_session_begins() -> None:
    check_can_cancel(asi_grund(), now=local(2022, 9, 13, 23, 59, 59), tz=STOCKHOLM)


def test_cancelling_once_the_first_session_began_is_refused() -> None:
    with pytest.raises(RegistrationClosed) as refused:
        check_can_cancel(asi_grund(), now=local(2022, 9, 14, 0, 0, 0), tz=STOCKHOLM)

    assert "Kontakta kursledaren" in refused.value.detail


def test_cancelling_a_timed_course_is_refused_from_its_start_time() -> None:
    timing = same_day_course()

    check_can_cancel(timing, now=local(2022, 5, 18, 8, 59, 59), tz=STOCKHOLM)
    with pytest.raises(RegistrationClosed):
        check_can_cancel(timing, now=local(2022, 5, 18, 9, 0, 0), tz=STOCKHOLM)


# --- eligibility ------------------------------------------------------------------------------


def test_exact_employer_domain_is_allowed() -> None:
    assert domain_allowed("vaxjo.se", ["vaxjo.se"])


def test_subdomain_of_an_employer_domain_is_allowed() -> None:
    assert domain_allowed("soc.vaxjo.se", ["vaxjo.se"])
    assert domain_allowed("it.soc.vaxjo.se", ["vaxjo.se"])


def test_domain_comparison_ignores_case() -> None:
    assert domain_allowed("VAXJO.SE", ["vaxjo.se"])
    assert domain_allowed("vaxjo.se", ["Vaxjo.SE"])


def test_any_of_several_employer_domains_is_allowed() -> None:
    assert domain_allowed("kronoberg.se", ["rkl.se", "kronoberg.se"])


@pytest.mark.parametrize(
    "lookalike",
    ["evilvaxjo.se", "vaxjo.se.evil.com", "vaxjo.see", "axjo.se", "se", "", "gmail.com"],
)
def test_lookalike_domain_is_refused(lookalike: str) -> None:
    assert not domain_allowed(lookalike, ["vaxjo.se"])


def test_no_listed_domains_allows_nobody() -> None:
    assert not domain_allowed("vaxjo.se", [])


def test_normalize_email_trims_and_lowercases() -> None:
    assert normalize_email("  Anna.Svensson@VAXJO.se \n") == "anna.svensson@vaxjo.se"


def test_email_domain_is_the_part_after_the_last_at_sign() -> None:
    assert email_domain("Anna@Soc.Vaxjo.SE") == "soc.vaxjo.se"


def test_employee_with_a_work_address_is_eligible() -> None:
    check_eligible(
        email="Anna.Svensson@Vaxjo.se",
        employer_name="Växjö kommun",
        employer_domains=["vaxjo.se"],
        works_in_field=True,
    )


def test_employee_on_a_subdomain_of_the_employer_is_eligible() -> None:
    check_eligible(
        email="kim@soc.kronoberg.se",
        employer_name="Region Kronoberg",
        employer_domains=["kronoberg.se"],
        works_in_field=True,
    )


def test_address_outside_the_employers_domains_is_not_eligible() -> None:
    with pytest.raises(NotEligible) as refused:
        check_eligible(
            email="anna@gmail.com",
            employer_name="Växjö kommun",
            employer_domains=["vaxjo.se"],
            works_in_field=True,
        )

    assert refused.value.code == "not-eligible"
    assert "Växjö kommun" in refused.value.detail
    assert "vaxjo.se" in refused.value.detail


def test_address_of_another_employer_in_the_county_is_not_eligible() -> None:
    with pytest.raises(NotEligible):
        check_eligible(
            email="anna@ljungby.se",
            employer_name="Växjö kommun",
            employer_domains=["vaxjo.se"],
            works_in_field=True,
        )


def test_lookalike_address_is_not_eligible() -> None:
    with pytest.raises(NotEligible):
        check_eligible(
            email="anna@evilvaxjo.se",
            employer_name="Växjö kommun",
            employer_domains=["vaxjo.se"],
            works_in_field=True,
        )


def test_registrant_who_does_not_work_in_the_field_is_not_eligible() -> None:
    with pytest.raises(NotEligible) as refused:
        check_eligible(
            email="anna@vaxjo.se",
            employer_name="Växjö kommun",
            employer_domains=["vaxjo.se"],
            works_in_field=False,
        )

    assert "missbruks- och beroendevård" in refused.value.detail


# --- formats ----------------------------------------------------------------------------------


def test_the_only_format_may_be_left_out() -> None:
    assert choose_format(["digital"], None) == "digital"


def test_the_only_format_may_also_be_named() -> None:
    assert choose_format(["digital"], "digital") == "digital"


def test_a_chosen_format_among_two_is_taken() -> None:
    assert choose_format(["ljungby", "digital"], "ljungby") == "ljungby"
    assert choose_format(["ljungby", "digital"], "digital") == "digital"


def test_two_formats_need_a_choice() -> None:
    with pytest.raises(InvalidInput) as refused:
        choose_format(["ljungby", "digital"], None)

    assert refused.value.code == "validation-error"
    [error] = refused.value.errors
    assert error.field == "format"
    assert "ljungby" in error.message
    assert "digital" in error.message


def test_unknown_format_is_refused_with_a_field_error() -> None:
    with pytest.raises(InvalidInput) as refused:
        choose_format(["ljungby", "digital"], "vaxjo")

    [error] = refused.value.errors
    assert error.field == "format"
    assert "'vaxjo'" in error.message
    assert "ljungby, digital" in error.message


def test_format_keys_are_case_sensitive() -> None:
    with pytest.raises(InvalidInput):
        choose_format(["digital"], "Digital")


# --- seats ------------------------------------------------------------------------------------


def test_uncapped_course_has_no_seat_count() -> None:
    assert seats_left(None, 0) is None
    assert seats_left(None, 500) is None


def test_seats_left_is_the_cap_minus_the_taken_seats() -> None:
    assert seats_left(4, 0) == 4
    assert seats_left(4, 3) == 1
    assert seats_left(4, 4) == 0


def test_seats_left_is_never_negative_when_a_cap_shrinks() -> None:
    assert seats_left(4, 6) == 0
