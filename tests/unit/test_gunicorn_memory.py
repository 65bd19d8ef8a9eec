"""gunicorn.conf.py's memory hook (issue 16, item 6): memory a request took from malloc and freed is handed back
to the system after that request (glibc's malloc_trim), so a worker's RSS does not stay at its peak."""

from __future__ import annotations

import runpy
import sys
import threading
from types import SimpleNamespace

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim, /proc")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.fixture(scope="module")
def conf():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


SURVIVORS: list[bytes] = []  # what a request leaves behind (caches): here and there among what it freed


def expensive_request(conf, megabytes: int) -> None:
    """Run pre_request, take ``megabytes`` in objects of 2 kB (malloc's heap, not mmap), keep one in 64 and
    free the rest, then post_request. The survivors pin the heap: glibc gives nothing back by itself."""
    worker = SimpleNamespace(log=SimpleNamespace(info=print, error=print, debug=print), pid=0)
    request = SimpleNamespace(method="GET", uri="/search.csv")
    conf["pre_request"](worker, request)
    blocks = [bytes(2048) for _ in range(megabytes * 512)]
    SURVIVORS.extend(blocks[::64])
    del blocks
    conf["post_request"](worker, request, {}, None)


def test_a_request_that_grew_the_worker_gives_the_memory_back(conf):
    results = {}

    def run():  # in a thread of its own, as gthread runs requests (its own malloc arena)
        results["before"] = rss_mb()
        expensive_request(conf, 200)
        results["after"] = rss_mb()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    # It keeps about 3 MB (one block in 64); without the trim the process would keep nearly all 200 MB.
    assert results["after"] - results["before"] < 50, results


def test_a_cheap_request_does_not_trim(conf, monkeypatch):
    calls = []
    monkeypatch.setitem(conf["post_request"].__globals__, "_trim", lambda: calls.append(1))
    expensive_request(conf, 1)
    assert calls == []
