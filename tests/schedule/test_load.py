"""Reading a schedule file: valid files become a Schedule, broken ones list every problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from pathlib import Path

import pytest

from courses.schedule import ScheduleError, load_schedule, parse_schedule

EMPLOYER = """
[[employer]]
key = "vaxjo"
name = "Växjö kommun"
kind = "municipality"
domains = ["vaxjo.se"]
"""

COURSE = """
[[course]]
slug = "hap-2022"
title = "HAP"
leaders = [{ name = "Sophie Andersson", email = "sophie.andersson@kronoberg.se" }]
deadline = 2022-10-23
opens = 2022-09-01
seats = 20
waitlist = false
info_url = "https://example.se/hap"

[[course.format]]
key = "ljungby"
kind = "on_site"
place = "Ljungby"
seats = 12

[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://meet.example.se/hap"

[[course.session]]
date = 2022-11-08
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2022-11-09
"""


def course(
    slug: str = "kurs",
    *,
    deadline: str = "2022-03-20",
    extra: str = "",
    formats: str = '[[course.format]]\nkey = "digital"\nkind = "digital"\n',
    sessions: str = "[[course.session]]\ndate = 2022-03-29\n",
) -> str:
    """A minimal valid course, with pieces to replace or add."""
    return (
        f'[[course]]\nslug = "{slug}"\ntitle = "Kurs {slug}"\ndeadline = {deadline}\n{extra}\n'
        f"{formats}\n{sessions}\n"
    )


def problems_of(text: str | bytes) -> list[str]:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text, source="schema.toml")
    return [str(problem) for problem in refused.value.problems]


def only_problem(text: str | bytes) -> str:
    [problem] = problems_of(text)
    return problem


# --- valid files -----------------------------------------------------------------------------


def test_valid_file_becomes_a_schedule_with_every_field() -> None:
    schedule = parse_schedule(EMPLOYER + COURSE)

    [employer] = schedule.employer
    assert (employer.key, employer.name, employer.kind) == ("vaxjo", "Växjö kommun", "municipality")
    assert employer.domains == ["vaxjo.se"]
    [hap] = schedule.course
    assert (hap.slug, hap.title) == ("hap-2022", "HAP")
    assert [(leader.name, leader.email) for leader in hap.leaders] == [
        ("Sophie Andersson", "sophie.andersson@kronoberg.se")
    ]
    assert (hap.deadline, hap.opens, hap.seats, hap.waitlist) == (
        date(2022, 10, 23),
        date(2022, 9, 1),
        20,
        False,
    )
    assert hap.info_url == "https://example.se/hap"
    assert [(f.key, f.kind, f.place, f.seats) for f in hap.format] == [
        ("ljungby", "on_site", "Ljungby", 12),
        ("digital", "digital", None, None),
    ]
    assert hap.format[1].meeting_url == "https://meet.example.se/hap"
    assert [(s.date, s.start, s.end) for s in hap.session] == [
        (date(2022, 11, 8), time(9), time(16)),
        (date(2022, 11, 9), None, None),
    ]


def test_optional_course_fields_have_their_defaults() -> None:
    [minimal] = parse_schedule(course()).course

    assert minimal.description is None
    assert minimal.leaders == []
    assert minimal.opens is None
    assert minimal.seats is None
    assert minimal.waitlist is True
    assert minimal.status == "published"


def test_a_file_may_hold_only_employers_or_only_courses() -> None:
    assert len(parse_schedule(EMPLOYER).employer) == 1
    assert parse_schedule(EMPLOYER).course == []
    assert parse_schedule(COURSE).employer == []


def test_an_empty_file_is_an_empty_schedule() -> None:
    schedule = parse_schedule("")

    assert (schedule.employer, schedule.course) == ([], [])


def test_deadline_on_the_first_session_day_is_accepted() -> None:
    [same_day] = parse_schedule(course(deadline="2022-03-29")).course

    assert same_day.deadline == date(2022, 3, 29)


def test_load_schedule_reads_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.write_text(EMPLOYER + COURSE, encoding="utf-8")

    schedule = load_schedule(path)

    assert schedule.employer[0].name == "Växjö kommun"


# --- every problem at once, with its place ---------------------------------------------------


def test_every_error_is_reported_at_once_with_its_place() -> None:
    broken_employer = EMPLOYER.replace('kind = "municipality"', 'kind = "kommun"')
    first_ok = course("forsta")
    broken_deadline = course("andra", deadline='"20 mars"')
    broken_times = course(
        "tredje", sessions="[[course.session]]\ndate = 2022-03-29\nstart = 09:00:00\n"
    )

    found = problems_of(broken_employer + first_ok + broken_deadline + broken_times)

    assert len(found) == 3
    assert found[0].startswith("employer[1] (vaxjo).kind: ")
    assert found[1].startswith("course[2] (andra).deadline: ")
    assert found[2].startswith("course[3] (tredje).session[1]: ")


def test_the_error_message_names_the_source_and_counts_the_problems() -> None:
    text = course("a", deadline='"20 mars"') + course("b", deadline='"1 maj"')

    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text, source="seeds/schema.toml")

    message = str(refused.value)
    assert message.startswith("seeds/schema.toml: 2 fel, inget importerades:")
    assert "course[1] (a).deadline" in message
    assert "course[2] (b).deadline" in message


def test_a_course_with_several_rule_problems_reports_each_of_them() -> None:
    text = course(
        "trasig",
        deadline="2022-04-01",
        extra="opens = 2022-05-01",
        formats='[[course.format]]\nkey = "ljungby"\nkind = "on_site"\n',
        sessions="[[course.session]]\ndate = 2022-03-29\nstart = 16:00:00\nend = 09:00:00\n",
    )

    found = problems_of(text)

    assert sorted(p.split(":")[0] for p in found) == [
        "course[1] (trasig).deadline",
        "course[1] (trasig).format[1].place",
        "course[1] (trasig).opens",
        "course[1] (trasig).session[1].end",
    ]


def test_toml_syntax_error_is_readable_with_its_line() -> None:
    problem = only_problem('[[course]]\nslug = "a"\ntitle = "A\n')

    assert problem.startswith("Ogiltig TOML: ")
    assert "line 3" in problem


def test_toml_syntax_error_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "trasig.toml"
    path.write_text("[[course]\n", encoding="utf-8")

    with pytest.raises(ScheduleError) as refused:
        load_schedule(path)

    assert str(refused.value).startswith(f"{path}: 1 fel, inget importerades:")
    assert "Ogiltig TOML" in str(refused.value)


def test_missing_file_is_a_schedule_error_not_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "finns-inte.toml"

    with pytest.raises(ScheduleError) as refused:
        load_schedule(path)

    assert str(path) in str(refused.value)
    assert "Kan inte läsa filen" in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused_readably() -> None:
    latin1 = course("vaxjo").replace("Kurs vaxjo", "Växjö").encode("latin-1")

    assert only_problem(latin1) == "Filen är inte UTF-8."


# --- unknown keys ----------------------------------------------------------------------------


def test_unknown_table_is_refused() -> None:
    problem = only_problem(course() + '\n[kurs]\nslug = "x"\n')

    assert problem == (
        "kurs: Okänd tabell; en schemafil har [organizer], [[employer]] och [[course]]."
    )


def test_course_written_as_a_single_table_is_refused() -> None:
    problem = only_problem('[course]\nslug = "x"\n')

    assert problem == "course: Skriv [[course]] för varje post."


def test_unknown_course_field_is_refused() -> None:
    problem = only_problem(course("lvm", extra="sista_anmalningsdag = 2022-03-20"))

    assert problem == "course[1] (lvm).sista_anmalningsdag: Okänt fält."


def test_unknown_employer_field_is_refused() -> None:
    problem = only_problem(
        EMPLOYER.replace('kind = "municipality"', 'kind = "municipality"\nx = 1')
    )

    assert problem == "employer[1] (vaxjo).x: Okänt fält."


def test_unknown_session_field_is_refused() -> None:
    problem = only_problem(
        course("lvm", sessions="[[course.session]]\ndate = 2022-03-29\nrum = 3\n")
    )

    assert problem.startswith("course[1] (lvm).session[")
    assert problem.endswith(".rum: Okänt fält.")


def test_missing_required_field_is_named() -> None:
    problem = only_problem(course("lvm").replace('title = "Kurs lvm"\n', ""))

    assert problem == "course[1] (lvm).title: Fältet måste anges."


def test_course_without_sessions_is_refused() -> None:
    problem = only_problem(course("lvm", sessions=""))

    assert problem.startswith("course[1] (lvm).session: ")


# --- formats ---------------------------------------------------------------------------------


def test_on_site_format_without_place_is_refused() -> None:
    text = course("hap", formats='[[course.format]]\nkey = "ljungby"\nkind = "on_site"\n')

    assert only_problem(text) == (
        "course[1] (hap).format[1].place: Ett format på plats måste ange orten (place)."
    )


def test_digital_format_with_a_place_is_refused() -> None:
    text = course(
        "hap", formats='[[course.format]]\nkey = "digital"\nkind = "digital"\nplace = "Växjö"\n'
    )

    assert (
        only_problem(text) == "course[1] (hap).format[1].place: Ett digitalt format har ingen ort."
    )


def test_on_site_format_with_a_meeting_link_is_refused() -> None:
    text = course(
        "hap",
        formats='[[course.format]]\nkey = "ljungby"\nkind = "on_site"\nplace = "Ljungby"\n'
        'meeting_url = "https://meet.example.se/x"\n',
    )

    assert only_problem(text) == (
        "course[1] (hap).format[1].meeting_url: Möteslänk hör bara till digitala format."
    )


def test_unknown_format_kind_is_refused() -> None:
    text = course("hap", formats='[[course.format]]\nkey = "digital"\nkind = "digitalt"\n')

    problem = only_problem(text)

    assert problem.startswith("course[1] (hap).format[")
    assert problem.endswith(".kind: Ogiltigt värde 'digitalt'.")


def test_format_places_are_numbered_from_one_whatever_the_error() -> None:
    text = course("hap", formats='[[course.format]]\nkey = "digital"\nkind = "digitalt"\n')

    assert only_problem(text).startswith("course[1] (hap).format[1].kind: ")


def test_duplicate_format_keys_in_a_course_are_refused() -> None:
    formats = (
        '[[course.format]]\nkey = "ljungby"\nkind = "on_site"\nplace = "Ljungby"\n'
        '[[course.format]]\nkey = "ljungby"\nkind = "digital"\n'
    )

    found = problems_of(course("hap", formats=formats))

    assert found == [
        "course[1] (hap).format[1].key: Formatet 'ljungby' finns mer än en gång i kursen.",
        "course[1] (hap).format[2].key: Formatet 'ljungby' finns mer än en gång i kursen.",
    ]


def test_the_same_format_key_in_two_courses_is_fine() -> None:
    schedule = parse_schedule(course("a") + course("b"))

    assert [c.format[0].key for c in schedule.course] == ["digital", "digital"]


# --- sessions and dates ----------------------------------------------------------------------


def test_session_with_start_but_no_end_is_refused() -> None:
    text = course("hap", sessions="[[course.session]]\ndate = 2022-03-29\nstart = 09:00:00\n")

    assert only_problem(text) == (
        "course[1] (hap).session[1]: Ange både start och end, eller ingen av dem (heldag)."
    )


def test_session_with_end_but_no_start_is_refused() -> None:
    text = course("hap", sessions="[[course.session]]\ndate = 2022-03-29\nend = 16:00:00\n")

    assert only_problem(text).startswith("course[1] (hap).session[1]: Ange både start och end")


@pytest.mark.parametrize("end", ["08:00:00", "09:00:00"])
def test_session_ending_before_or_at_its_start_is_refused(end: str) -> None:
    sessions = (
        "[[course.session]]\ndate = 2022-03-29\n"
        f"[[course.session]]\ndate = 2022-03-30\nstart = 09:00:00\nend = {end}\n"
    )

    assert only_problem(course("hap", sessions=sessions)) == (
        "course[1] (hap).session[2].end: Sluttiden måste vara efter starttiden."
    )


def test_deadline_after_the_first_session_is_refused() -> None:
    sessions = "[[course.session]]\ndate = 2022-04-06\n[[course.session]]\ndate = 2022-04-05\n"

    problem = only_problem(course("ap", deadline="2022-04-06", sessions=sessions))

    assert problem == (
        "course[1] (ap).deadline: Sista anmälningsdag 2022-04-06 ligger efter första "
        "kursdagen 2022-04-05."
    )


def test_opening_after_the_deadline_is_refused() -> None:
    problem = only_problem(course("ap", extra="opens = 2022-03-21"))

    assert problem == "course[1] (ap).opens: Anmälan kan inte öppna efter sista anmälningsdag."


def test_opening_on_the_deadline_day_is_accepted() -> None:
    [same_day] = parse_schedule(course("ap", extra="opens = 2022-03-20")).course

    assert same_day.opens == same_day.deadline


def test_date_written_as_text_is_refused_in_swedish() -> None:
    problem = only_problem(course("ap", deadline='"20 mars"'))

    assert problem == "course[1] (ap).deadline: Ogiltigt datum (skriv ÅÅÅÅ-MM-DD)."


# --- duplicates ------------------------------------------------------------------------------


def test_duplicate_course_slugs_are_refused() -> None:
    found = problems_of(course("lvm") + course("ap") + course("lvm"))

    assert [p.split(":")[0] for p in found] == ["course[1] (lvm).slug", "course[3] (lvm).slug"]
    assert all("'lvm' förekommer mer än en gång i filen." in p for p in found)


def test_duplicate_employer_keys_are_refused() -> None:
    found = problems_of(EMPLOYER + EMPLOYER.replace("Växjö kommun", "Växjö igen"))

    assert found == [
        "employer[1] (vaxjo).key: 'vaxjo' förekommer mer än en gång i filen.",
        "employer[2] (vaxjo).key: 'vaxjo' förekommer mer än en gång i filen.",
    ]


def test_duplicate_slug_problems_name_the_course_like_other_problems() -> None:
    found = problems_of(course("lvm") + course("lvm"))

    assert [p.split(":")[0] for p in found] == ["course[1] (lvm).slug", "course[2] (lvm).slug"]


# --- field values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "place", "message"),
    [
        ("seats = 0", "seats", "Måste vara minst 1."),
        ('seats = "4"', "seats", "Väntade ett heltal eller inget värde, fick text."),
        ('status = "inställd"', "status", "Ogiltigt värde 'inställd'."),
        ('info_url = "ftp://x"', "info_url", "Har fel form."),
    ],
)
def test_invalid_course_values_are_refused_in_swedish(extra: str, place: str, message: str) -> None:
    assert only_problem(course("ap", extra=extra)) == f"course[1] (ap).{place}: {message}"


def test_invalid_slug_is_refused() -> None:
    problem = only_problem(course("Återfall 2022"))

    assert problem == "course[1] (Återfall 2022).slug: Har fel form."


def test_employer_needs_at_least_one_well_formed_domain() -> None:
    no_domains = EMPLOYER.replace('["vaxjo.se"]', "[]")
    bad_domain = EMPLOYER.replace('["vaxjo.se"]', '["@vaxjo.se"]')

    assert only_problem(no_domains).startswith("employer[1] (vaxjo).domains: ")
    assert only_problem(bad_domain).startswith("employer[1] (vaxjo).domains")


@pytest.mark.parametrize("depth", [17, 400, 800, 100_000])
@pytest.mark.parametrize(
    "nest",
    [
        lambda n: "x = " + "[" * n + "]" * n,
        lambda n: "x = " + "{a = " * n + "1" + "}" * n,
        lambda n: "[" + ".".join(["a"] * n) + "]\n",
        lambda n: f"[[course]]\nslug = {'[' * n}{']' * n}\n",
    ],
    ids=["arrays", "inline-tables", "dotted-table", "in-a-course"],
)
def test_nesting_of_any_depth_is_one_problem_not_a_recursion_error(
    nest: Callable[[int], str], depth: int
) -> None:
    assert only_problem(nest(depth)) == (
        "Filen har listor eller tabeller i fler än 16 nivåer; en schemafil behöver bara några få."
    )
