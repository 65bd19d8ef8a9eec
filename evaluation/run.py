"""``make eval``: the product's ranking on the classic test collections, beside two BM25 baselines.

    python -m evaluation.run [--root DIR] [--collections cran,cisi] [--engines product,bm25,tantivy]
                             [--backend manticore]

Prints, per collection, MAP, P@10 and nDCG@10 of the product, of rank_bm25 and of tantivy, the
product's ratio to each, and to out-of-the-box Whoosh (the collections' SOURCE.md). The last
line is one JSON object keyed by collection, for other tools.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from .metrics import evaluate
from .product import run_product
from .testsets import COLLECTIONS, HELD_OUT, PUBLISHED_MAP, TRAIN, WHOOSH_MAP, default_root, read_collection

ENGINES = ("product", "bm25", "tantivy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=default_root(), help="folder of the test collections")
    parser.add_argument("--collections", default=",".join(COLLECTIONS), help="comma-separated folder names")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: product, bm25, tantivy")
    parser.add_argument("--backend", choices=("whoosh", "manticore", "solr"), default="whoosh",
                        help="the product's engine (manticore: two local searchd data nodes and a head; "
                             "solr: a local SolrCloud of ZooKeeper and 3 nodes, each collection 2 shards x 2 replicas)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.collections.split(",") if n.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or "product" not in engines:
        parser.error(f"--engines: choose among {', '.join(ENGINES)}, product included")
    if not args.root.is_dir():
        print(f"make eval: skipped: no test collections at {args.root} "
              "(they come with ../shared/corpora; see evaluation/README.md)")
        return 0
    missing = [n for n in names if not (args.root / n / "docs.jsonl.gz").is_file()]
    if missing:
        print(f"make eval: no collection {', '.join(missing)} in {args.root}", file=sys.stderr)
        return 2

    with ExitStack() as stack:
        cluster = None
        if args.backend == "manticore":
            from search.engines.manticore.nodes import LocalCluster
            cluster = LocalCluster(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eval-cluster-"))))
            stack.callback(cluster.stop)
            cluster.start()
        if args.backend == "solr":
            from search.engines.solr.nodes import LocalSolrCluster, ensure_launcher
            ensure_launcher()
            cluster = LocalSolrCluster(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eval-solr-"))))
            stack.callback(cluster.stop)
            cluster.start()
            cluster.upload_configset("news")
        return _evaluate(args, names, engines, cluster)


def _evaluate(args, names: list[str], engines: list[str], cluster) -> int:
    results: dict[str, dict[str, float]] = {}
    print(f"Search quality on {len(names)} test collection(s) in {args.root}, {args.backend} engine")
    print("Tuned on Cranfield, CISI and MED; TIME, CACM, NPL and ADI are held out.\n")
    header = (f"{'collection':<10} {'set':<5} {'docs':>6} {'q':>4} | {'MAP':>6} {'P@10':>6} {'nDCG10':>6} | "
              f"{'bm25':>6} {'tantvy':>6} {'whoosh':>6} | {'×bm25':>5} {'×tant':>5} {'×whsh':>5} | {'ms/q':>5}")
    print(header)
    print("-" * len(header))
    for name in names:
        collection = read_collection(args.root / name)
        with tempfile.TemporaryDirectory(prefix=f"eval-{name}-") as workdir:
            product = run_product(collection, Path(workdir), cluster)
        row = {f"{k}": v for k, v in evaluate(collection, product.run).items()}
        row.update(docs=product.documents, queries=len(collection.queries), skipped=product.skipped,
                   build_s=round(product.build_seconds, 2), query_ms=round(product.query_ms, 2))
        if "bm25" in engines:
            from .baselines import run_rank_bm25
            bm25 = evaluate(collection, run_rank_bm25(collection))
            row.update(bm25_map=bm25["map"], bm25_p10=bm25["p10"], bm25_ndcg10=bm25["ndcg10"])
        if "tantivy" in engines:
            from .baselines import run_tantivy
            tantivy = evaluate(collection, run_tantivy(collection))
            row.update(tantivy_map=tantivy["map"], tantivy_p10=tantivy["p10"], tantivy_ndcg10=tantivy["ndcg10"])
        row["whoosh_map"] = WHOOSH_MAP.get(name)
        if name in PUBLISHED_MAP:
            row["published_bm25_map"] = PUBLISHED_MAP[name]
        results[name] = row
        print(_line(name, row), flush=True)

    print()
    _summary(results)
    print(json.dumps({name: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                      for name, row in results.items()}, sort_keys=True))
    return 0


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:5.2f}" if a is not None and b else f"{'-':>5}"


def _value(v: float | None) -> str:
    return f"{v:6.4f}" if v is not None else f"{'-':>6}"


def _line(name: str, row: dict) -> str:
    kind = "train" if name in TRAIN else "held" if name in HELD_OUT else ""
    return (f"{name:<10} {kind:<5} {row['docs']:>6} {row['queries']:>4} | {_value(row['map'])} {_value(row['p10'])} "
            f"{_value(row['ndcg10'])} | {_value(row.get('bm25_map'))} {_value(row.get('tantivy_map'))} "
            f"{_value(row.get('whoosh_map'))} | {_ratio(row['map'], row.get('bm25_map'))} "
            f"{_ratio(row['map'], row.get('tantivy_map'))} {_ratio(row['map'], row.get('whoosh_map'))} | "
            f"{row['query_ms']:5.1f}")


def _summary(results: dict[str, dict]) -> None:
    """Print the means and the targets: at or above out-of-the-box Whoosh everywhere, NPL at or
    above the published BM25, and the mean ratio to Whoosh at least 1.05."""
    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    product = mean(r["map"] for r in results.values())
    print(f"mean MAP: product {_value(product)}, "
          f"rank_bm25 {_value(mean(r.get('bm25_map') for r in results.values()))}, "
          f"tantivy {_value(mean(r.get('tantivy_map') for r in results.values()))}, "
          f"out-of-the-box Whoosh {_value(mean(r.get('whoosh_map') for r in results.values()))}")
    ratios = [r["map"] / r["whoosh_map"] for r in results.values() if r.get("whoosh_map")]
    if ratios:
        print(f"mean ratio to out-of-the-box Whoosh: {mean(ratios):.3f} (target ≥ 1.05)")
    below = [f"{n} {r['map']:.4f} < {r['whoosh_map']:.4f}" for n, r in results.items()
             if r.get("whoosh_map") and r["map"] < r["whoosh_map"]]
    below += [f"{n} {r['map']:.4f} < published BM25 {r['published_bm25_map']:.4f}" for n, r in results.items()
              if r.get("published_bm25_map") and r["map"] < r["published_bm25_map"]]
    print("targets: " + ("all met" if not below else "not met: " + "; ".join(below)))


if __name__ == "__main__":
    sys.exit(main())
