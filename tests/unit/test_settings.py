"""Project hygiene that is easy to break: documented settings (docs/configuration.md), pinned
requirements, README commands."""

import re

from search.config import PREFIX, SETTINGS
from tests.support.paths import ROOT

CONFIGURATION_PAGE = ROOT / "docs" / "configuration.md"


def test_every_setting_is_documented_with_its_default():
    page = CONFIGURATION_PAGE.read_text(encoding="utf-8")
    for setting in SETTINGS:
        default = setting.default or '""'
        row = f"| `{PREFIX}{setting.name}` | `{default}` |"
        assert row in page, f"docs/configuration.md lacks the row {row}"
    documented = set(re.findall(r"`(ARCHIVE_[A-Z_]+)`", page))
    assert documented == {PREFIX + s.name for s in SETTINGS}


def test_the_readme_links_the_configuration_page():
    assert "](docs/configuration.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_requirements_are_pinned():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line]
    assert requirements and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", line)
                                for line in requirements), requirements


def test_readme_keeps_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
