"""The short commands start fast: they load what their work needs, not the web stack, the mail
sending or Alembic (a database at the newest schema is told by one query)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from courses.cli import main
from courses.cli.database import head_of_files
from courses.storage.migrate import head_revision

_HEAVY = ("litestar", "jinja2", "alembic", "courses.api", "courses.mail", "aiosmtplib")
# What each short command must not load besides: `--help` not even the database or the
# settings; `token list` and `mail-status` neither the services nor (token list) the tables it
# does not read.
_NOT_FOR = {
    "--help": ("sqlalchemy", "asyncio", "courses.settings"),
    "token": ("courses.services", "courses.storage.tables"),
    "mail-status": ("courses.services", "icalendar", "prometheus_client"),
}
_PROBE = """
import json, sys
from courses.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in sys.argv[1].split() if m in sys.modules]}))
"""


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    assert head_of_files() == head_revision()


@pytest.mark.parametrize("command", [["--help"], ["token", "list"], ["mail-status"]])
def test_a_short_command_loads_neither_the_web_stack_nor_the_mail_nor_alembic(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("COURSES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COURSES_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    if command != ["--help"]:
        assert main(["migrate"]) == 0

    unwanted = " ".join(_HEAVY + _NOT_FOR[command[0]])
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, unwanted, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )

    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer == {"code": 0, "loaded": []}
