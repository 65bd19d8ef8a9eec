"""The benchmark's own requirements (requirements-bench.txt) are pinned. The harness itself, run end to
end: tests/system/test_bench.py."""

import re

from tests.support.paths import ROOT


def test_bench_requirements_are_pinned():
    lines = [line for line in (ROOT / "requirements-bench.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert {"tantivy", "datasette", "ir-measures", "rank-bm25"} <= {line.split("==")[0] for line in lines}
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.+-]*", line) for line in lines), lines
