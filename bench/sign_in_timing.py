"""Whether the answer to "mail me a sign-in link" takes longer for a staff address.

    .venv/bin/python bench/sign_in_timing.py [-n 30]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

Per database: a fresh database seeded through the CLI (the employers, the real 2022 schedule
and one course whose leader has an address, and a super-admin), then `courses serve` with its
mail worker as deployed (`auto`) on a free port of 127.0.0.1. Then, after a warm-up, `-n`
pairs of POST /logga-in over one keep-alive connection, each pair one known address (the
leader's and the admin's in turn) and one unknown, in alternating order. The rate limits are
raised above what the benchmark sends; they count every address alike anyway.

Prints one JSON line per database: the median answer time in ms of known and unknown
addresses, and in how many pairs the known address was the slower. Equal work shows as
medians within noise and about half the pairs.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import (
    HOST,
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    database_options,
    free_port,
    positive,
    run_databases,
    service_env,
    serving,
)

LEADER = "lena.ledare@kronoberg.se"
ADMIN = "admin@kronoberg.se"
WARM_UP = 10
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')

COURSE = f"""
[[course]]
slug = "matning-inloggning"
title = "Mätning av inloggningen"
deadline = 2030-04-20
leaders = [{{ name = "Lena Ledare", email = "{LEADER}" }}]
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2030-05-10
start = 09:00:00
end = 16:00:00
"""


class Client:
    """One browser: a keep-alive connection, its cookies and the form's CSRF token."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=10)
        self.cookies: dict[str, str] = {}
        page = self._send("GET", "/logga-in")
        found = _CSRF.search(page.decode())
        if found is None:
            raise SystemExit("GET /logga-in has no form")
        self.csrf = found[1]

    def _send(self, method: str, path: str, body: str | None = None) -> bytes:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}")
        return data

    def ask(self, email: str) -> float:
        """POST /logga-in for `email`; the time to the whole answer, in ms."""
        body = urllib.parse.urlencode({"email": email, "_csrf_token": self.csrf})
        started = time.perf_counter()
        self._send("POST", "/logga-in", body)
        return (time.perf_counter() - started) * 1000


def measure(port: int, *, pairs: int) -> dict[str, Any]:
    client = Client(port)
    known: list[float] = []
    unknown: list[float] = []
    slower = 0
    for i in range(WARM_UP + pairs):
        staff = (LEADER, ADMIN)[i % 2]
        stranger = f"okand{i}@kronoberg.se"
        if i % 4 < 2:
            a, b = client.ask(staff), client.ask(stranger)
        else:
            b, a = client.ask(stranger), client.ask(staff)
        if i >= WARM_UP:
            known.append(a)
            unknown.append(b)
            slower += a > b
    client.connection.close()
    return {
        "known_median_ms": round(statistics.median(known), 2),
        "unknown_median_ms": round(statistics.median(unknown), 2),
        "known_slower_pairs": slower,
        "pairs": pairs,
    }


def run(db: Sqlite | Postgres, folder: Path, args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    port = free_port()
    checkout = Checkout(ROOT)
    course = folder / "sign-in-course.toml"
    course.write_text(COURSE, encoding="utf-8")
    unlimited = "1000000/10min"
    with db.database("sign-in") as url:
        env = service_env(
            url, port, folder, rate_limit_sign_in=unlimited, rate_limit_sign_in_client=unlimited
        )
        for seed in (["seeds/employers.toml"], ["seeds/schedule-2022.toml"], [str(course)]):
            checkout.cli(["seed", *seed], env)
        checkout.cli(["staff", "add", ADMIN, "--superadmin"], env)
        log = folder / f"serve-sign-in-{db.name}.log"
        with serving(checkout.serve(port, "auto"), env, log, port):
            yield {"database": db.name, **measure(port, pairs=args.pairs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--pairs", type=positive, default=30)
    database_options(parser)
    args = parser.parse_args()
    return run_databases(args, lambda db, folder: run(db, folder, args))


if __name__ == "__main__":
    sys.exit(main())
