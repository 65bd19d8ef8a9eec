"""The companies command (`python -m search companies`), run as a user runs it: candidates with their
counts and the CSV lines to paste, and the directory of the bundled corpus. The extraction itself:
tests/unit/test_companies.py."""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import CORPUS, ROOT


def test_companies_command_lists_candidates(tmp_path: Path):
    records = [
        {"title": "Zenith Widgets Ltd opens a plant", "published": "2021-01-01",
         "body": "Law firm Brindle Oakhurst advised."},
        {"title": "Results", "published": "2021-02-01", "body": "Zenith Widgets Ltd reported."},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "search", "companies", "--candidates", "--corpus", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert ("Read 2 articles" in out and "2 organisations not in companies.csv or the bundled lists" in out
            and "the 1 named so in 2 or more articles are accepted" in out)
    assert re.search(r"\s2\s+2\s+accepted\s+Zenith Widgets\s+\('Zenith Widgets Ltd'; legal suffix\)", out)
    assert re.search(r"\s1\s+1\s+candidate\s+Brindle Oakhurst", out)
    assert "“Zenith Widgets Ltd opens a plant”" in out
    assert "Zenith Widgets,Zenith Widgets Ltd,,," in out and "(not companies),,,,Zenith Widgets Ltd" in out
    only = subprocess.run([sys.executable, "-m", "search", "companies", "--candidates", "--min", "2",
                           "--corpus", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False).stdout
    assert "Zenith Widgets" in only and "Brindle Oakhurst" not in only
    listed = subprocess.run([sys.executable, "-m", "search", "companies", "--corpus", str(CORPUS)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False).stdout
    assert "Financial Times  /company/financial-times  (FT)" in listed
