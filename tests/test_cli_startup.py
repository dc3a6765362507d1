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
_PROBE = f"""
import json, sys
from courses.cli import main
code = main(sys.argv[1:])
print(json.dumps({{"code": code, "loaded": [m for m in {_HEAVY!r} if m in sys.modules]}}))
"""


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    assert head_of_files() == head_revision()


@pytest.mark.parametrize("command", [["token", "list"], ["mail-status"]])
def test_a_short_command_loads_neither_the_web_stack_nor_the_mail_nor_alembic(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("COURSES_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COURSES_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["migrate"]) == 0

    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )

    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer == {"code": 0, "loaded": []}
