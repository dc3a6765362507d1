"""How long the attendee-list exports take, and how much memory they hold, for a big course.

    .venv/bin/python bench/export.py [-n 10000] [--repeat 5] [--sessions 5] [--profile]

Builds `-n` synthetic registrations with the attendee list's columns (name, email, phone,
employer, workplace, format, status, waitlist position, registered at, and attendance for each
of `--sessions` sessions: 14 columns at the defaults), with Swedish names, the employers of
`seeds/employers.toml` and their mail domains, registration times across a summer. Then, for
`csv_chunks`, `xlsx_chunks` and, for comparison, `xlsx_chunks` in XlsxWriter's
constant_memory mode (which the export does not use), each run drains the builder into a byte
count:

- time: best of `--repeat` runs over the same list of rows, taken in turns, wall clock and
  process CPU (the machine's other load moves both; the best run is the least disturbed);
  target: < 1 s each. For XLSX also how much of the CPU went into `Workbook.close()`, where
  XlsxWriter writes the sheet's XML and zips the package, and how much before it, where each
  cell is handed to XlsxWriter;
- memory: one more run under tracemalloc with the rows coming from a generator, so the peak is
  what the builder itself holds (Python allocations; temporary files are on disk);
- `--profile`: the XLSX run under cProfile, the functions that take the most time.

Prints one line per builder and figure.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import time
import tomllib
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter

from courses.export import Cell, Sheet, _xlsx, csv_chunks, xlsx_chunks

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Stockholm")
TARGET_S = 1.0

# Common Swedish first names and surnames, å, ä, ö and é included.
_FIRST_NAMES = (
    "Anna Eva Maria Karin Sara Lena Kerstin Emma Ingrid Malin Åsa Märta Linnéa Elin Sofia "
    "Lars Mikael Anders Johan Per Erik Karl Peter Jan Thomas Daniel Björn Örjan Måns Jörgen"
)
_SURNAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Lindström Öberg Åberg Sjöberg "
    "Bergström Lundqvist Ekström Håkansson Göransson Mattsson Nyström Holmgren Strömberg"
)
FIRST = tuple(_FIRST_NAMES.split())
LAST = tuple(_SURNAMES.split())
WORKPLACES = (
    "Beroendemottagningen",
    "Socialtjänsten, vuxenenheten",
    "Öppenvården",
    "Boendestödet",
    "Familjeenheten",
    "Kriminalvårdens frivård",
    "Psykiatriska kliniken",
    "Ungdomsmottagningen",
)
FORMATS = ("digitalt", "på plats, Växjö", "på plats, Ljungby")


def employers() -> list[tuple[str, str]]:
    data = tomllib.loads((ROOT / "seeds" / "employers.toml").read_text(encoding="utf-8"))
    return [(employer["name"], employer["domains"][0]) for employer in data["employer"]]


def ascii_local(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöé", "aaoe"))


def rows(count: int, sessions: int, *, seed: int = 2022) -> Iterator[list[Cell]]:
    """Registrations as the service would hand them over: about 85 % confirmed (with their
    attendance marked), 10 % on the waitlist, 5 % cancelled."""
    rng = random.Random(seed)
    places = employers()
    opened = datetime(2022, 5, 2, 8, 0, tzinfo=TZ)
    queue = 0
    for number in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        employer, domain = rng.choice(places)
        draw = rng.random()
        status = "bekräftad" if draw < 0.85 else "reservlista" if draw < 0.95 else "avanmäld"
        if status == "reservlista":
            queue += 1
        attendance: list[Cell] = (
            [rng.random() < 0.9 for _ in range(sessions)]
            if status == "bekräftad"
            else [None] * sessions
        )
        yield [
            f"{first} {last}",
            f"{ascii_local(first)}.{ascii_local(last)}{number}@{domain}",
            f"07{rng.randrange(10)}-{rng.randrange(100, 1000)} {rng.randrange(10, 100)} "
            f"{rng.randrange(10, 100)}",
            employer,
            rng.choice(WORKPLACES),
            rng.choice(FORMATS),
            status,
            queue if status == "reservlista" else None,
            opened + timedelta(minutes=number * 13 + rng.randrange(13), seconds=rng.randrange(60)),
            *attendance,
        ]


def columns(sessions: int) -> list[str]:
    fixed = ["Namn", "E-post", "Telefon", "Arbetsgivare", "Arbetsplats", "Form", "Status"]
    fixed += ["Plats på reservlistan", "Anmäld"]
    return fixed + [f"Närvaro dag {day}" for day in range(1, sessions + 1)]


Builder = Callable[[Sheet], Iterator[bytes]]


@dataclass
class Variant:
    label: str
    builder: Builder
    options: dict[str, object] = field(default_factory=dict)  # XlsxWriter options to override
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    closing: list[float] = field(default_factory=list)  # CPU inside Workbook.close()
    size: int = 0


@contextmanager
def measured_close(spent: list[float]) -> Iterator[None]:
    """Adds the CPU time of each XlsxWriter Workbook.close() (XML of the parts, zip) to spent."""
    original = xlsxwriter.Workbook.close

    def close(workbook: object) -> None:
        started = time.process_time()
        try:
            original(workbook)
        finally:
            spent.append(time.process_time() - started)

    xlsxwriter.Workbook.close = close
    try:
        yield
    finally:
        xlsxwriter.Workbook.close = original


@contextmanager
def xlsx_options(options: dict[str, object]) -> Iterator[None]:
    saved = _xlsx._OPTIONS
    _xlsx._OPTIONS = {**saved, **options}
    try:
        yield
    finally:
        _xlsx._OPTIONS = saved


def drain(builder: Builder, sheet: Sheet) -> int:
    return sum(len(chunk) for chunk in builder(sheet))


def run(variant: Variant, rows: Iterable[Sequence[Cell]], head: list[str]) -> None:
    sheet = Sheet(title="ASI grundutbildning 2022", columns=head, rows=rows)
    closing: list[float] = []
    with xlsx_options(variant.options), measured_close(closing):
        started, started_cpu = time.perf_counter(), time.process_time()
        variant.size = drain(variant.builder, sheet)
        variant.wall.append(time.perf_counter() - started)
        variant.cpu.append(time.process_time() - started_cpu)
    variant.closing.append(sum(closing))


def report_time(variant: Variant) -> None:
    best = min(variant.wall)
    verdict = "meets" if best < TARGET_S else "MISSES"
    print(
        f"{variant.label:30} time   best {best:.3f} s wall, {min(variant.cpu):.3f} s CPU "
        f"(median {statistics.median(variant.wall):.3f} s wall) over {len(variant.wall)} runs; "
        f"{variant.size / 1024:.0f} KiB; {verdict} the {TARGET_S:.0f} s target"
    )
    if variant.builder is xlsx_chunks:
        fastest = variant.cpu.index(min(variant.cpu))
        closing, total = variant.closing[fastest], variant.cpu[fastest]
        print(
            f"{'':30}        of its CPU: {total - closing:.3f} s rows into XlsxWriter's cells, "
            f"{closing:.3f} s in Workbook.close() (sheet XML, shared strings, zip)"
        )


def report_memory(variant: Variant, count: int, sessions: int, head: list[str]) -> None:
    tracemalloc.start()
    try:
        run(variant, rows(count, sessions), head)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"{variant.label:30} memory peak {peak / 1024 / 1024:.2f} MiB (rows from a generator)")


def profile(data: Sequence[list[Cell]], head: list[str]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(drain, xlsx_chunks, Sheet(title="Profil", columns=head, rows=data))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="registrations (rows)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per builder")
    parser.add_argument("--sessions", type=int, default=5, help="attendance columns")
    parser.add_argument("--profile", action="store_true", help="profile the XLSX builder")
    args = parser.parse_args()

    head = columns(args.sessions)
    data = list(rows(args.n, args.sessions))
    variants = [
        Variant("csv_chunks", csv_chunks),
        Variant("xlsx_chunks", xlsx_chunks),
        Variant("xlsx_chunks, constant_memory", xlsx_chunks, {"constant_memory": True}),
    ]
    print(f"{args.n} rows x {len(head)} columns; constant_memory is XlsxWriter's other mode")
    # Round robin, so that a burst of the machine's other load hits every variant alike.
    for _ in range(args.repeat):
        for variant in variants:
            run(variant, data, head)
    for variant in variants:
        report_time(variant)
    for variant in variants:
        report_memory(variant, args.n, args.sessions, head)
    if args.profile:
        profile(data, head)


if __name__ == "__main__":
    main()
