"""The printed tables, the ratios, result agreement, and the summary JSON."""

from __future__ import annotations

import platform
import statistics

from .engines import (
    DatasetteEngine,
    Fts5Engine,
    ProductHTTP,
    ProductInProcess,
    TantivyEngine,
    product_label,
)

NOTES = {cls.name: cls.notes for cls in (ProductInProcess, ProductHTTP, Fts5Engine, TantivyEngine, DatasetteEngine)}
# The headline mode of each engine: faceted + snippets where the engine can do both in one answer.
HEADLINE = {"product": "snippets", "product-http": "html", "fts5": "snippets", "tantivy": "snippets",
            "datasette": "facets"}
# A query set where every engine must find the same articles: plain words, no punctuation inside tokens.
AGREEMENT_KINDS = ("common", "rare", "and", "phrase", "company", "source+year")
PRODUCT_ENGINES = ("product", "product-http")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _r(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


def render(*, args, docs, synthetic, corpus, builds, parse_seconds, timings, memory, engines, skipped, reused,
           queries, load, year_offsets=None, backend="whoosh", compared=None, cluster="",
           code_at_start="", solr=None):
    """``backend``: the engine behind the product (its rows are labelled with it); with solr, ``solr`` holds
    the Solr build's figures (bench.solr.build_solr), ``compared`` the Whoosh engine's answers over its
    build of the same corpus (bench.backends.compare_backends) and ``cluster`` where the nodes ran.
    ``code_at_start``: the commit when the run started (said with the one at the end when they differ)."""
    by = {(t.engine, t.mode): t for t in timings}

    def label(engine: str) -> str:
        return product_label(engine, backend) if engine in PRODUCT_ENGINES else engine

    width = max([13, *(len(label(t.engine)) for t in timings)])
    build_width = max([10, *(len(name) for name in builds)])
    lines: list[str] = []
    out = lines.append
    title = f"News archive search benchmark: {docs:,} articles"
    if synthetic:
        title += f" (SYNTHETIC: {args.scale} copies of the real corpus, ids renewed, dates moved by whole years)"
    shifts = ", ".join(f"{o:+d}" for o in year_offsets or [])
    out(title)
    out("=" * len(title))
    out(f"corpus: {corpus}")
    if synthetic:
        out(f"SYNTHETIC data: the same real text {args.scale} times; copy k is dated by the k-th of these shifts "
            f"in years: {shifts}")
    code_now = _code_version()
    if code_at_start and code_at_start != code_now:
        out(f"code: at the start {code_at_start}; at the end {code_now}")
    else:
        out(f"code: {code_now}")
    out(f"machine: {platform.machine()}, {_cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(queries)} queries x {args.reps} repetition(s) after one warm-up pass; times in ms")
    out(f"load average (1 min) before / after the queries: {load[0]:.2f} / {load[1]:.2f} "
        "(the benchmark keeps about one core busy; a load well above 1 means something else ran too)")
    if backend == "solr":
        out(f"product backend: solr (search.engines.solr.archive.SolrArchive), on this machine: {cluster}")
    else:
        out("product backend: whoosh (search.engines.whoosh.archive.WhooshArchive)")
    for engine, why in skipped.items():
        out(f"skipped: {engine} ({why})")
    out("")

    # --- index builds ---
    out("Index build" + ("  (reused from the previous run: figures are that run's)" if reused else ""))
    out(f"{'engine':<{build_width}} {'docs':>8} {'build s':>8} {'docs/s':>8} {'wall s':>7} {'CPU s':>7} {'size MB':>8} "
        f"{'RSS MB':>7} {'tree MB':>7}  note")
    for name, build in builds.items():
        out(f"{name:<{build_width}} {build.docs:>8,} {build.seconds:>8.1f} {build.docs_per_s:>8.0f} "
            f"{build.wall_seconds:>7.1f} {build.cpu_seconds:>7.1f} {build.size_mb:>8.1f} {build.peak_rss_mb:>7.0f} "
            f"{build.peak_tree_mb:>7.0f}  {build.note}")
    out("(RSS MB: peak of the largest single process (wait4); tree MB: peak of all the builder's processes at once, "
        "sum of PSS sampled every 0.1 s; CPU s: all its processes)")
    if parse_seconds:
        out(f"(reading the corpus with the product's CorpusReader alone, for the peers: {parse_seconds:.1f} s, "
            f"{docs / parse_seconds:.0f} docs/s; the product's build includes it, the peers' builds do not)")
    if "datasette" in engines:
        out("datasette  serves the fts5 database as it is (no index of its own)")
    if solr:
        out(f"(solr: the corpus loaded straight into collection {solr['collection']} ({solr['shards']} shards x "
            f"{solr['replicas']} replicas: {_placement(solr['placement'])}), no Whoosh build; build s = wall s, the "
            f"indexer process from start to exit; the loader's own time {solr['reported_seconds']:.1f} s, of which "
            f"parse + encode + send {solr['parse_seconds']} s (waiting for Solr {solr['send_wait_seconds']} s), "
            f"commit {solr['commit_seconds']} s; CPU of the JVMs during the load: "
            f"{', '.join(f'{n} {c:.1f} s' for n, c in solr['jvm_cpu_seconds_during_load'].items())})")
        out(f"(ingest end to end, parsing included, wall time of each indexer: solr {solr['docs_per_s']:.0f} "
            f"articles/s ({solr['wall_seconds']:.1f} s), whoosh {solr['whoosh_docs_per_s']:.0f} articles/s "
            f"({solr['whoosh_wall_seconds']:.1f} s): solr/whoosh {solr['speedup']}x (issue 19's target: 3x))")
    out("")

    # --- latency ---
    out("Search latency per query (ms)")
    out(f"{'engine':<{width}} {'mode':<9} {'p50':>8} {'p95':>8} {'mean':>8}  what is measured")
    for t in timings:
        note = NOTES.get(t.engine, {}).get(t.mode, "")
        headline = " *" if HEADLINE.get(t.engine) == t.mode else ""
        out(f"{label(t.engine):<{width}} {t.mode:<9} {t.p50:>8.2f} {t.p95:>8.2f} {t.mean:>8.2f}  {note}{headline}")
    out("* headline mode of the engine (faceted + snippets where it can do both; Datasette: its faceted table JSON, "
        "which has no snippets and no relevance order)")
    if backend == "solr" and ("product-http", "html-hit") in by:
        out(f"(html-hit with {backend}: no cache hit, the response cache is off for an engine whose nodes answer live "
            "(web/responsecache.py): the same searches as html, asked again)")
    out("")

    # --- memory ---
    out("Memory")
    product_build = builds["product"]
    out(f"  indexer (python -m search index) peak RSS: {product_build.peak_rss_mb:.0f} MB in its largest process, "
        f"{product_build.peak_tree_mb:.0f} MB for all its processes at once")
    http = memory.get("product-http", {})
    if http:
        out(f"  gunicorn workers after the run: {http['workers']} workers, VmRSS "
            f"{', '.join(f'{m:.0f}' for m in http['rss_mb'])} MB "
            f"(peak {', '.join(f'{m:.0f}' for m in http['peak_mb'])} MB)")
        if http.get("anon_mb"):
            anon = ", ".join(f"{m:.0f}" for m in http["anon_mb"])
            mapped = ("the code: the Solr engine maps no index files" if backend == "solr"
                      else "the build's derived arrays and the code")
            out(f"    of which each worker's own (RssAnon) {anon} MB, and pages of mapped files (RssFile: "
                f"{mapped}, held once in the page cache for "
                f"every worker) {', '.join(f'{m:.0f}' for m in http['file_mb'])} MB")
    first = http.get("first_requests")
    if first:
        per_worker = first["per_worker_ms"]
        answered = ", ".join(f"worker {w['worker']} {w['ms']:.0f} ms" for w in per_worker) or "not logged"
        out(f"  first request per gunicorn worker after start (the search that opens the index; gunicorn's own "
            f"time): {answered}"
            f" ({len(per_worker)} of {first['workers']} workers); the first searches as the clients saw them, "
            f"{2 * first['workers']} at once per round until each worker had answered one, the workers' boot "
            f"included: {', '.join(f'{t:.0f}' for t in first['client_ms'])} ms")
    if "datasette" in memory:
        out(f"  datasette after the run: VmRSS {memory['datasette']['rss_mb']:.0f} MB "
            f"(peak {memory['datasette']['peak_mb']:.0f} MB)")
    for name in ("fts5", "tantivy"):
        if name in builds:
            out(f"  {name} build peak RSS: {builds[name].peak_rss_mb:.0f} MB")
    solr_memory = memory.get("solr")
    if solr_memory:
        when = "after a restart (--reuse)" if (solr or {}).get("restarted") else "after the load"
        for moment, nodes in ((when, solr_memory["after_load"]), ("after the queries", solr_memory["after_queries"])):
            if nodes:
                rss = ", ".join(f"{n['name']} {n['rss_mb']:.0f}" for n in nodes)
                peaks = ", ".join(f"{n['name']} {n['peak_mb']:.0f}" for n in nodes)
                out(f"  Solr JVM x{len(nodes)} (-Xmx{solr_memory['heap_mb']}m each) {moment}: VmRSS "
                    f"{sum(n['rss_mb'] for n in nodes):.0f} MB in all ({rss}), peak VmHWM {peaks} MB")
        data = solr_memory.get("data_mb") or {}
        if data:
            out(f"  Solr data on disk: {sum(data.values()):.1f} MB "
                f"({', '.join(f'{name} {mb:.1f} MB' for name, mb in data.items())}; every article twice: 2 replicas)")
    out("")

    # --- ratios ---
    ratios: dict[str, float] = {}

    def ratio(key: str, mine: tuple[str, str], theirs: tuple[str, str]) -> None:
        if mine in by and theirs in by and by[theirs].p50 > 0:
            ratios[key] = by[mine].p50 / by[theirs].p50

    for peer in ("fts5", "tantivy"):
        for mode in ("top10", "facets", "snippets"):
            ratio(f"product/{peer} {mode}", ("product", mode), (peer, mode))
    ratio("product-http html/datasette facets", ("product-http", "html"), ("datasette", "facets"))
    ratio("product-http html-hit/datasette facets", ("product-http", "html-hit"), ("datasette", "facets"))
    ratio("product-http json/datasette facets", ("product-http", "json"), ("datasette", "facets"))
    ratio("product-http html/datasette snippets", ("product-http", "html"), ("datasette", "snippets"))
    if ratios:
        out(f"Ratios of medians, product ({backend}) / peer (above 1: the product is slower)")
        for key, value in ratios.items():
            shown = key.replace("product-http", label("product-http"), 1) if key.startswith("product-http") \
                else key.replace("product", label("product"), 1)
            out(f"  {shown:<{max(40, width + 28)}} {value:8.2f}x")
        out("")

    # --- agreement of totals ---
    agreement: dict[str, float] = {}
    mismatches: dict[str, list] = {}
    product_totals = by[("product", "top10")].totals
    api_totals = by.get(("product-http", "json"))
    if api_totals and api_totals.totals != product_totals:
        out("WARNING: /api/search totals differ from the in-process totals")
    backend_agreement = None
    if compared is not None:
        other = compared["backend"]
        whoosh = compared["whoosh_totals"]
        same = [label_ for label_ in whoosh if product_totals.get(label_) == whoosh[label_]]
        differ = [(label_, whoosh[label_], product_totals.get(label_)) for label_ in whoosh
                  if product_totals.get(label_) != whoosh[label_]]
        api_same = sum(1 for label_ in whoosh if api_totals and api_totals.totals.get(label_) == whoosh[label_])
        n = len(whoosh)
        facets_same = n - len(compared["facets_differ"])
        hits_same = n - len(compared["hits_differ"])
        backend_agreement = {"queries": n, "totals": len(same), "api_totals": api_same if api_totals else None,
                             "facets": facets_same, "top10_order": hits_same, "top10_set": compared["same_hit_set"],
                             "totals_differ": differ}
        out("Whoosh and Solr backends over the same corpus (search.engines.whoosh.archive.WhooshArchive on the "
            "harness's Whoosh build, the Solr engine on its own build, untimed)")
        out(f"  identical totals:        {len(same)} of {n} queries ({len(same) / n:.1%}; in process, top10 mode)"
            + (f"; over HTTP (/api/search): {api_same} of {n}" if api_totals else ""))
        if differ:
            out("    differing: " + "; ".join(f"{q}: whoosh {w} vs {other} {m}" for q, w, m in differ[:6]))
        out(f"  identical facet counts:  {facets_same} of {n} queries (company, source, section, date; facets on)")
        ranking = "the product's BM25F in both (Solr: a function query)"
        out(f"  identical first pages (same 10 hits, same order): {hits_same} of {n} ({hits_same / n:.1%}); same "
            f"10 hits in any order: {compared['same_hit_set']} of {n} (ranking: {ranking})")
        if compared["facets_differ"]:
            first_differ = compared["facets_differ"][0]
            out(f"    facets differing, e.g. {first_differ['query']}: {', '.join(first_differ['facets'])}")
        shared = sorted(_shared_hits(compared))
        first = n - sum(1 for h in compared["hits_differ"] if h["whoosh"][:1] != h[other][:1])
        if shared:
            out(f"  hits of the first page in both: median {statistics.median(shared):.0%} of Whoosh's "
                f"(lowest {shared[0]:.0%}); same first hit: {first} of {n}")
        backend_agreement.update(first_hit=first,
                                 shared_hits_median=_r(statistics.median(shared), 3) if shared else None)
        out("")
    for peer in ("fts5", "tantivy", "datasette"):
        if (peer, "top10") not in by:
            continue
        theirs = by[(peer, "top10")].totals
        same = [label for label in product_totals if theirs.get(label) == product_totals[label]]
        agreement[peer] = len(same) / len(product_totals)
        mismatches[peer] = [(label, product_totals[label], theirs.get(label))
                            for label in product_totals if theirs.get(label) != product_totals[label]]
    if agreement:
        out("Exact totals equal to the product's (differences come from tokenising and stemming: Whoosh's English "
            "analyzer with stop words vs Porter/unicode61 vs tantivy's en_stem)")
        for peer, share in agreement.items():
            worst = sorted(mismatches[peer], key=lambda m: -abs((m[2] or 0) - m[1]))[:4]
            shown = "; ".join(f"{label}: {mine} vs {theirs}" for label, mine, theirs in worst)
            out(f"  {peer:<10} {share:6.1%} of {len(product_totals)} queries"
                + (f"  (largest: {shown})" if shown else ""))
        out("")

    slow = by.get(("product", "snippets"))
    if slow:
        per_query = sorted(((statistics.median(v), label) for label, v in slow.per_query.items()), reverse=True)
        out(f"Slowest queries, {label('product')} in process, mode snippets (median ms): "
            + "; ".join(f"{label} {ms:.1f}" for ms, label in per_query[:6]))

    def p(engine: str, mode: str, which: str):
        t = by.get((engine, mode))
        return None if t is None else _r(t.p50 if which == "p50" else t.p95)

    workers = http.get("rss_mb") or []
    summary = {
        "docs": docs,
        "synthetic": synthetic,
        "scale": args.scale,
        "year_offsets": year_offsets,
        "queries": len(queries),
        "reps": args.reps,
        "engines": engines,
        "index_docs_per_s": _r(product_build.docs_per_s, 1),
        "index_seconds": _r(product_build.seconds, 2),
        "index_mb": _r(product_build.size_mb, 1),
        "rss_mb": _r(product_build.peak_rss_mb, 1),
        "index_tree_mb": _r(product_build.peak_tree_mb, 1),
        "worker_rss_mb": max(workers) if workers else None,
        "worker_anon_mb": max(http["anon_mb"]) if http.get("anon_mb") else None,
        "http_p50_ms": p("product-http", "html", "p50"),
        "http_p95_ms": p("product-http", "html", "p95"),
        "http_hit_p50_ms": p("product-http", "html-hit", "p50"),
        "http_hit_p95_ms": p("product-http", "html-hit", "p95"),
        "first_request_ms": [w["ms"] for w in (memory.get("product-http", {}).get("first_requests") or {})
                             .get("per_worker_ms", [])],
        "http_json_p50_ms": p("product-http", "json", "p50"),
        "http_json_p95_ms": p("product-http", "json", "p95"),
        "inproc_p50_ms": {t.mode: _r(t.p50) for t in timings if t.engine == "product"},
        "inproc_p95_ms": {t.mode: _r(t.p95) for t in timings if t.engine == "product"},
        "fts5_p50_ms": p("fts5", "snippets", "p50"),
        "fts5_p95_ms": p("fts5", "snippets", "p95"),
        "tantivy_p50_ms": p("tantivy", "snippets", "p50"),
        "tantivy_p95_ms": p("tantivy", "snippets", "p95"),
        "datasette_p50_ms": p("datasette", "facets", "p50"),
        "datasette_p95_ms": p("datasette", "facets", "p95"),
        "datasette_snippets_p50_ms": p("datasette", "snippets", "p50"),
        "fts5_index_docs_per_s": _r(builds["fts5"].docs_per_s, 1) if "fts5" in builds else None,
        "tantivy_index_docs_per_s": _r(builds["tantivy"].docs_per_s, 1) if "tantivy" in builds else None,
        "fts5_index_mb": _r(builds["fts5"].size_mb, 1) if "fts5" in builds else None,
        "tantivy_index_mb": _r(builds["tantivy"].size_mb, 1) if "tantivy" in builds else None,
        "agreement": {k: _r(v, 3) for k, v in agreement.items()},
        "backend": backend,
        "backend_agreement": ({k: v for k, v in backend_agreement.items() if k != "totals_differ"}
                              if backend_agreement else None),
        "solr": _solr_summary(solr, memory.get("solr")) if solr else None,
        "ratios": {k: _r(v) for k, v in ratios.items()},
        "reused_indexes": reused,
        "load_avg": [round(x, 2) for x in load],
    }
    details = {
        "summary": summary,
        "builds": {k: {**vars(v), "docs_per_s": v.docs_per_s} for k, v in builds.items()},
        "parse_seconds": parse_seconds,
        "memory": memory,
        "timings": [
            {"engine": t.engine, "label": label(t.engine), "mode": t.mode,
             "p50_ms": t.p50, "p95_ms": t.p95, "mean_ms": t.mean,
             "per_query_median_ms": {k: statistics.median(v) for k, v in t.per_query.items()},
             "totals": t.totals}
            for t in timings
        ],
        "mismatches": mismatches,
        "backend": backend,
        "solr": solr,
        "backend_comparison": compared,
        "queries": [{"label": q.label, "kind": q.kind, "product": q.product_params(), "fts5": q.fts5_match(),
                     "tantivy": q.tantivy_text()} for q in queries],
    }
    return "\n".join(lines), summary, details


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def _placement(placement: dict) -> str:
    return "; ".join(f"{shard} on {', '.join(nodes)}" for shard, nodes in placement.items())


def _solr_summary(solr: dict, solr_memory: dict | None) -> dict:
    solr_memory = solr_memory or {}
    after = solr_memory.get("after_queries") or []
    loaded = solr_memory.get("after_load") or []
    return {
        "collection": solr["collection"],
        "load_seconds": _r(solr["wall_seconds"]),
        "load_docs_per_s": _r(solr["docs_per_s"], 1),
        "reported_seconds": _r(solr["reported_seconds"]),
        "parse_seconds": solr.get("parse_seconds"),
        "send_wait_seconds": solr.get("send_wait_seconds"),
        "commit_seconds": solr.get("commit_seconds"),
        "whoosh_wall_seconds": solr.get("whoosh_wall_seconds"),
        "whoosh_docs_per_s": solr.get("whoosh_docs_per_s"),
        "speedup": solr.get("speedup"),
        "indexer_cpu_seconds": solr.get("indexer_cpu_seconds"),
        "jvm_cpu_seconds_during_load": _r(sum(solr["jvm_cpu_seconds_during_load"].values())),
        "heap_mb": solr.get("heap_mb"),
        "data_mb": {**(solr_memory.get("data_mb") or solr["data_mb"])},
        "rss_mb_after_load": {n["name"]: n["rss_mb"] for n in loaded},
        "rss_mb_after_queries": {n["name"]: n["rss_mb"] for n in after},
    }


def _code_version() -> str:
    """The commit the run's code was at, and the files then modified (the tree may change while it runs)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "log", "-1", "--format=%h %ci"], cwd=root, capture_output=True, text=True,
                                timeout=10, check=False).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                 capture_output=True, text=True, timeout=10, check=False).stdout.split("\n")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (git not available)"
    files = [line[3:] for line in changed if line.strip()]
    if not commit:
        return "unknown (not a git checkout)"
    return f"git {commit}" + (f", modified: {', '.join(files)}" if files else "")


def _shared_hits(compared: dict) -> list[float]:
    """Per query, the share of the Whoosh engine's first-page hits that the other engine also shows."""
    other = compared["backend"]
    differ = {h["query"]: h for h in compared["hits_differ"]}
    shares = []
    for label in compared["whoosh_totals"]:
        h = differ.get(label)
        if h is None:
            shares.append(1.0)
        elif h["whoosh"]:
            shares.append(len(set(h["whoosh"]) & set(h[other])) / len(h["whoosh"]))
    return shares
