"""What the harness's backends other than the local Whoosh index share: the CPU time and memory of server
processes that are not the bench's children (read from /proc), stopping them on signals, and
``compare_backends``: do two engines of the product answer the fixed query set alike?"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (/proc/<pid>/stat), 0 if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _clock_ticks()  # utime, stime (fields 14, 15 of stat)


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class NodeMemory:
    name: str
    pid: int
    rss_mb: float  # VmRSS now, summed over the node's process tree
    pss_mb: float  # PSS now, summed over the tree (bench.run.tree_memory_mb)
    peak_mb: float  # VmHWM of the node's main process: its peak resident size since it started


@contextmanager
def stopped_on_signals():
    """Turn SIGTERM and SIGHUP into SystemExit while the cluster runs, so that ``finally`` stops it
    (Ctrl-C already raises KeyboardInterrupt; the Solr nodes and ZooKeeper run in their own sessions and
    would otherwise outlive the bench)."""
    def leave(signum, frame):
        raise SystemExit(128 + signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, leave)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def environment(values: dict[str, str]):
    """``os.environ`` with ``values`` set, for code that reads its settings from the environment
    (``web.create_app`` in the --profile pass)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- do both engines answer alike? ----------------------------------------------------------------

def _facet_counts(results) -> dict[str, list[tuple[str, int]]]:
    return {name: [(v.value, v.count) for v in values] for name, values in results.facets.items()}


def _ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def compare_backends(index_root: Path, other, queries, name: str = "solr") -> dict:
    """Ask the Whoosh engine over the build in ``index_root`` (``search.engines.whoosh.archive.WhooshArchive``)
    and the engine ``other`` (called ``name``: solr, over its own build of the same corpus) every query,
    untimed: totals, facet counts (facets on, snippets off) and the ids of the 10 hits shown. Returns both
    engines' totals (``whoosh_totals``, ``<name>_totals``) and the queries where the answers differ (each
    with ``whoosh`` and ``<name>``: the facets' counts, the first page's ids)."""
    from search.engines.whoosh.archive import WhooshArchive
    from search.request import SearchRequest

    whoosh = WhooshArchive(index_root)
    compared = {"backend": name, "whoosh_totals": {}, f"{name}_totals": {}, "facets_differ": [], "hits_differ": [],
                "same_hit_set": 0}
    try:
        for query in queries:
            request = SearchRequest.from_params(query.product_params())
            mine = whoosh.search(request, facets=True, snippets=False, did_you_mean=False)
            theirs = other.search(request, facets=True, snippets=False, did_you_mean=False)
            compared["whoosh_totals"][query.label] = mine.total
            compared[f"{name}_totals"][query.label] = theirs.total
            mine_facets, their_facets = _facet_counts(mine), _facet_counts(theirs)
            if mine_facets != their_facets:
                differ = {facet: {"whoosh": counts, name: their_facets.get(facet)}
                          for facet, counts in mine_facets.items() if their_facets.get(facet) != counts}
                differ.update({facet: {"whoosh": None, name: counts}
                               for facet, counts in their_facets.items() if facet not in mine_facets})
                compared["facets_differ"].append({"query": query.label, "facets": differ})
            if _ids(mine) != _ids(theirs):
                compared["hits_differ"].append({"query": query.label, "whoosh": _ids(mine), name: _ids(theirs)})
            if set(_ids(mine)) == set(_ids(theirs)):
                compared["same_hit_set"] += 1
    finally:
        whoosh.close()
    return compared
