"""No request can hold a worker: every expensive request of issue 16's table (and its digit, fuzzy and phrase
variants) against the 23,357 articles of Reuters-21578 + BBC News + Wikinews (``real_index``,
tests/system/conftest.py) is answered within 2 s of CPU and 200 MB more memory, with a 200 or a readable
400/503. Measured before the cost budget: 8 to 84 s each.

Each request runs in a child process of its own (``tests/support/costly.py``), so that its CPU time and its
memory growth are its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.costly import COSTLY
from tests.support.paths import ROOT, needs_shared

MAX_CPU_SECONDS = 2.0
MAX_GROWTH_MB = 200


@needs_shared
@pytest.mark.parametrize("name", sorted(COSTLY))
def test_an_expensive_request_is_bounded(real_index, name):
    run = subprocess.run([sys.executable, "-m", "tests.support.costly", str(real_index), name], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    answer = json.loads(run.stdout.strip().splitlines()[-1])
    assert answer["status"] in (200, 400, 503), answer
    if answer["status"] != 200:  # a readable reason, not a stack trace
        assert answer["readable"] and not answer["traceback"], answer["body"]
    assert answer["cpu"] <= MAX_CPU_SECONDS, f"{name}: {answer['cpu']:.2f} s of CPU"
    assert answer["rss_after_mb"] - answer["rss_before_mb"] <= MAX_GROWTH_MB, answer
