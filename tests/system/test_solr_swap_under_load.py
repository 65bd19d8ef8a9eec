"""A rebuild published under load on the Solr engine (issue 19): wrk (Debian's ``wrk``, installed by .ci/run) drives a
mix of searches, facets, fragments and JSON at gunicorn serving ``ARCHIVE_SEARCH_BACKEND=solr`` while a full build
loads a new collection and swaps the alias (``python -m search index --backend solr``). Not one request may fail
(no status but 200, no socket error), the new build must answer once it is published, and the collection served
before stays as the standby (docs/solr.md "Loading")."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from bench.load import PATHS, WRK_SCRIPT
from search.engines.solr.cluster import SolrCluster
from search.index.store import IndexStore
from tests.support.paths import CORPUS, ROOT
from tests.support.serving import Service, fetch, free_port
from tests.support.solr import load_into

ALIAS = "swaptest"
MARKER = "zqxsolrswapmarker"
BEFORE, AFTER = 5, 5  # seconds of load before the rebuild starts and after it is published
LONGEST = 600  # wrk's own limit: it is stopped once the rebuild is published


class Wrk:
    """wrk running until told to stop (SIGINT: it stops and reports, as at the end of its duration)."""

    def __init__(self, port: int, folder):
        if shutil.which("wrk") is None:
            pytest.fail("wrk is not installed: `apt-get install wrk` (.ci/run does)")
        script = folder / "mix.lua"
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(path) for path in PATHS), encoding="utf-8")
        self.process = subprocess.Popen(["wrk", "-t", "2", "-c", "8", "-d", f"{LONGEST}s", "--timeout", "10s", "-s",
                                         str(script), f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=60)
        line = next((text for text in out.splitlines() if text.startswith("WRK_JSON ")), None)
        assert line is not None, f"wrk failed: {out}"
        return json.loads(line[len("WRK_JSON "):])


def test_an_alias_swap_under_load_fails_no_request(solr_cluster, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    root = tmp_path / "index"
    load_into(solr_cluster, corpus, root, alias=ALIAS)
    first = IndexStore(root).manifest()["solr"]["collection"]
    first_documents = IndexStore(root).manifest()["documents"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "GUNICORN_", "FORWARDED_ALLOW"))}
    env.update(ARCHIVE_SEARCH_BACKEND="solr", ARCHIVE_INDEX_DIR=str(root), ARCHIVE_CORPUS_DIR=str(corpus),
               ARCHIVE_SOLR_URLS=",".join(solr_cluster.urls), ARCHIVE_SOLR_ALIAS=ALIAS,
               ARCHIVE_HOST="127.0.0.1", ARCHIVE_PORT=str(port), ARCHIVE_WORKERS="2", ARCHIVE_THREADS="4")
    gunicorn = Service("gunicorn", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "web:create_app()"],
                       tmp_path, cwd=ROOT, env=env)
    try:
        gunicorn.wait_until(lambda: fetch(port, "/healthz", timeout=5)[0] == 200, "/healthz", timeout=60)
        assert json.loads(fetch(port, f"/api/search?q={MARKER}")[2])["total"] == 0
        (corpus / "swap.jsonl").write_text(json.dumps({
            "id": "swap-1", "title": f"The {MARKER} story", "body": f"A {MARKER} was published under load.",
            "published": "2024-03-01", "source": "Swap Wire"}) + "\n", encoding="utf-8")
        load = Wrk(port, tmp_path)
        try:
            time.sleep(BEFORE)
            report = load_into(solr_cluster, corpus, root, alias=ALIAS)  # the new collection, the alias swapped
            time.sleep(AFTER)
        finally:
            result = load.stop()
        assert report.documents == first_documents + 1
        statuses = {int(code): count for code, count in result["statuses"].items()}
        assert result["errors"] == 0 and set(statuses) == {200}, (result, gunicorn.logs())
        assert result["requests"] > 100, result
        assert json.loads(fetch(port, f"/api/search?q={MARKER}")[2])["total"] == 1
        solr = SolrCluster(solr_cluster.urls)
        served = IndexStore(root).manifest()["solr"]
        assert served["collection"] != first and solr.aliases()[ALIAS] == served["collection"]
        assert first in solr.collections()  # kept as the standby
    finally:
        gunicorn.stop()
