"""README.md and docs/ stay true to the tree they describe.

Each check reads the Markdown as text: links must reach files (and headings) that exist, every
repository path named in code or in a table must exist (this keeps the feature map in
docs/architecture.md true when files move), nothing may point outside the repository, every
setting the service reads must be documented for the operator, and every route the app
registers must be in the API reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 160

DOCUMENTS = [README, *sorted(DOCS.glob("*.md"))]

# What may not appear anywhere in the docs or the package: the repository stands on its own.
OUTSIDE = (b"../shared", b"shared/DESIGN", b"DESIGN.md")
# Known offenders outside the docs' part of the tree, each (file, needle), until that file's
# owner rewords it: a comment in courses/logs.py still names the design document. The test
# below fails once an entry is no longer found, so that it is removed and the file checked.
KNOWN_OUTSIDE: set[tuple[str, str]] = set()

# A repository path: one of these top-level folders, then a file of one of these kinds, a
# folder (ending in /), or a glob (`templates/mail/confirmed.*`).
_PATH = re.compile(r"(?<![\w./-])((?:courses|tests|templates|bench|seeds|deploy|static)/[\w./*-]*)")
_PATH_ENDINGS = (".py", ".html", ".txt", ".toml", ".css", ".md", ".png", ".mako", "/")

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _split(text: str) -> tuple[list[str], list[str]]:
    """The document's lines outside fenced code blocks, and those inside them."""
    prose: list[str] = []
    code: list[str] = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        (code if fenced else prose).append(line)
    return prose, code


def _code_spans(text: str) -> list[str]:
    return [match.group(2) for match in _CODE_SPAN.finditer(text)]


def _without_code(text: str) -> str:
    return _CODE_SPAN.sub("", text)


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def _anchors(document: Path) -> set[str]:
    prose, _ = _split(document.read_text(encoding="utf-8"))
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in prose:
        heading = _HEADING.match(line)
        if heading is None:
            continue
        slug = _slug(heading.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _repository_paths(document: Path) -> Iterator[str]:
    """Every repository path the document names in code (spans or blocks) or in a table."""
    prose, code = _split(document.read_text(encoding="utf-8"))
    texts = [*_code_spans("\n".join(prose)), *code]
    texts += [_without_code(line) for line in prose if line.lstrip().startswith("|")]
    for text in texts:
        for match in _PATH.finditer(text):
            path = match.group(1).rstrip(".,;:")
            if "*" in path or path.endswith(_PATH_ENDINGS):
                yield path


@pytest.fixture(params=DOCUMENTS, ids=_name)
def document(request: pytest.FixtureRequest) -> Path:
    path = request.param
    assert isinstance(path, Path)
    return path


def test_the_docs_are_there() -> None:
    for name in ("admins", "leaders", "operating", "api", "architecture", "benchmarks"):
        assert (DOCS / f"{name}.md").is_file(), f"docs/{name}.md is missing"


def test_readme_is_short() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines (at most {MAX_README_LINES}): move the detail to docs/"
    )


def test_relative_links_reach_files_and_headings(document: Path) -> None:
    prose, _ = _split(document.read_text(encoding="utf-8"))
    broken = []
    for target in _LINK.findall(_without_code("\n".join(prose))):
        if _SCHEME.match(target):
            continue  # https:, mailto: and the like are not files of ours
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {_name(linked)}")
    assert not broken, f"{_name(document)} links to what is not there:\n" + "\n".join(broken)


def test_named_repository_paths_exist(document: Path) -> None:
    missing = []
    for path in dict.fromkeys(_repository_paths(document)):
        exists = any(ROOT.glob(path.rstrip("/"))) if "*" in path else (ROOT / path).exists()
        if not exists:
            missing.append(path)
    assert not missing, (
        f"{_name(document)} names paths that are not in the tree (moved or renamed?):\n"
        + "\n".join(missing)
    )


def _checked_for_outside_pointers() -> Iterator[Path]:
    yield README
    for folder in (DOCS, ROOT / "courses"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path


def _outside_pointers() -> list[tuple[str, int, str]]:
    found = []
    for path in _checked_for_outside_pointers():
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            for needle in OUTSIDE:
                if needle in line:
                    found.append((_name(path), number, needle.decode()))
    return found


def test_nothing_points_outside_the_repository() -> None:
    found = [
        f"{name}:{number}: {needle}"
        for name, number, needle in _outside_pointers()
        if (name, needle) not in KNOWN_OUTSIDE
    ]
    assert not found, "these point outside the repository:\n" + "\n".join(found)


def test_known_outside_pointers_are_still_there() -> None:
    present = {(name, needle) for name, _, needle in _outside_pointers()}
    gone = sorted(KNOWN_OUTSIDE - present)
    assert not gone, f"fixed, so remove from KNOWN_OUTSIDE in tests/test_docs.py: {gone}"


class _RecordingEnvironment(dict[str, str]):
    """An empty environment that notes every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


def _settings_read() -> set[str]:
    """The `COURSES_*` variables `Settings.from_env` asks for, and those settings.py names."""
    from courses.settings import Settings

    environment = _RecordingEnvironment()
    Settings.from_env(environment)
    source = (ROOT / "courses" / "settings.py").read_text(encoding="utf-8")
    named = set(re.findall(r"\bCOURSES_[A-Z][A-Z0-9_]*[A-Z0-9]\b", source))
    return {name for name in environment.asked if name.startswith("COURSES_")} | named


def test_every_setting_is_documented_for_the_operator() -> None:
    names = _settings_read()
    assert len(names) >= 10, f"too few settings found to trust the check: {sorted(names)}"
    text = (DOCS / "operating.md").read_text(encoding="utf-8")
    missing = [name for name in sorted(names) if f"| `{name}` |" not in text]
    assert not missing, "docs/operating.md has no settings row for: " + ", ".join(missing)


def _routes() -> dict[str, set[str]]:
    """Every path the app registers, with its methods, as `/kurser/{slug}`."""
    from courses.api import create_app
    from courses.settings import Settings

    app = create_app(Settings(), migrate=False)
    routes: dict[str, set[str]] = {}
    for route in app.routes:
        path = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path)
        routes.setdefault(path, set()).update(route.methods)
    return routes


def _documented_code(*documents: Path) -> set[str]:
    """The code spans of the documents, whole and word by word."""
    found: set[str] = set()
    for path in documents:
        for span in _code_spans(path.read_text(encoding="utf-8")):
            found.add(" ".join(span.split()))
            found.update(span.split())
    return found


def test_every_route_is_in_the_api_reference() -> None:
    routes = _routes()
    assert "/api/courses" in routes, sorted(routes)
    assert "/kurser/{slug}" in routes, sorted(routes)
    documented = _documented_code(DOCS / "api.md", README)
    missing = sorted(path for path in routes if path not in documented)
    assert not missing, "docs/api.md does not list these routes: " + ", ".join(missing)


def test_every_api_method_is_in_the_api_reference() -> None:
    documented = _documented_code(DOCS / "api.md")
    missing = [
        f"{method} {path}"
        for path, methods in sorted(_routes().items())
        if path.startswith("/api/") and not path.startswith("/api/schema")
        for method in sorted(methods - {"OPTIONS", "HEAD"})
        if f"{method} {path}" not in documented
    ]
    assert not missing, "docs/api.md does not list: " + ", ".join(missing)
