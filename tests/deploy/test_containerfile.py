"""deploy/Containerfile, as far as it runs without building an image (no podman or docker
here): its instructions are read, what it copies exists, its dependency step runs against the
lock (`pip install --dry-run`: every pinned file found, with its hash), and its command is one
`courses` takes. Not run here: the base image, `useradd`, and `pip install -e .` (the same
editable install `make` does for every test run)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

from courses.cli import _parser
from tests.deploy.support import DEPLOY

ROOT = DEPLOY.parent


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    joined = (DEPLOY / "Containerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def test_the_image_starts_from_python_3_11_slim_and_runs_as_courses() -> None:
    steps = _instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [rest for word, rest in steps if word == "USER"]
    assert users == ["courses"]
    last_run = max(i for i, (word, _) in enumerate(steps) if word == "RUN")
    assert steps.index(("USER", "courses")) > last_run, "the service must not run as root"


def test_what_it_copies_is_in_the_repository() -> None:
    for word, rest in _instructions():
        if word == "COPY":
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source


def test_its_dependency_step_installs_exactly_the_lock(tmp_path: Path) -> None:
    """The RUN line that installs the lock, run here with --dry-run: each pinned
    distribution must be found with its hash."""
    runs = [rest for word, rest in _instructions() if word == "RUN" and "requirements.lock" in rest]
    assert len(runs) == 1
    pip = next(part for part in runs[0].split("&&") if "pip install" in part)
    args = shlex.split(pip)[2:]  # after `pip install`
    assert {"--require-hashes", "--no-deps"} <= set(args)
    assert args[args.index("-r") + 1] == "requirements.lock"
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", *args),
            *("--dry-run", "--ignore-installed", "--quiet", "--report", str(report)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    installs = json.loads(report.read_text())["install"]
    chosen = {item["metadata"]["name"].lower() for item in installs}
    locked = {
        line.split("==")[0].lower()
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    assert {name.replace("_", "-") for name in chosen} == {n.replace("_", "-") for n in locked}


def test_its_command_is_courses_serve() -> None:
    commands = [rest for word, rest in _instructions() if word == "CMD"]
    assert len(commands) == 1
    argv = json.loads(commands[0])
    assert argv[:2] == ["courses", "serve"]
    assert _parser().parse_args(argv[1:]).command == "serve"
