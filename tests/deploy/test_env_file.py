"""deploy/courses.env names every setting the service reads, no more, with its real default."""

from __future__ import annotations

import re

from courses.settings import Settings
from tests.deploy.support import DEPLOY
from tests.test_docs import _settings_read

ENV_FILE = DEPLOY / "courses.env"
_LINE = re.compile(r"^(#\s*)?(COURSES_[A-Z0-9_]+)=(.*)$")
# Read by the tests only, never by the service (docs/operating.md says so).
TEST_ONLY = {"COURSES_TEST_POSTGRES_URL", "COURSES_TEST_CHROMIUM"}


def _entries() -> dict[str, tuple[bool, str]]:
    """Each setting in the file: whether it is commented out (a default), and its value."""
    found: dict[str, tuple[bool, str]] = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            assert match[2] not in found, f"{match[2]} twice in deploy/courses.env"
            found[match[2]] = (match[1] is not None, match[3])
    return found


def test_the_env_file_has_every_setting_the_service_reads() -> None:
    assert set(_entries()) == _settings_read() - TEST_ONLY


def test_the_commented_defaults_are_the_service_s_defaults() -> None:
    defaults = {name: value for name, (commented, value) in _entries().items() if commented}
    assert len(defaults) >= 8
    assert Settings.from_env(defaults) == Settings()


def test_the_values_to_fill_in_are_valid_settings() -> None:
    """As shipped, with its placeholders, the file is one the service accepts (only the
    secret key still has to be made)."""
    values = {name: value for name, (_, value) in _entries().items()}
    settings = Settings.from_env(values)
    assert settings.base_url.startswith("https://")
    assert settings.async_database_url.startswith("postgresql+asyncpg://")
    assert values["COURSES_SECRET_KEY"] == "CHANGE-ME"
