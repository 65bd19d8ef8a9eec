"""Describe the near-duplicate groups of a built index, for checking them by hand.

    python -m search.index.duplicates_report --index DIR [--samples 5] [--seed 7] [--borderline 3]

prints how many articles and groups the build has, the group sizes, the largest group, a few
groups picked at random and (``--borderline``) the groups whose members are least alike, each with
its articles' dates, ids and headlines and the Jaccard similarity of their shingles (see
``nearduplicates``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from whoosh import index as whoosh_index

from search.index.build import INDEX_NAME
from search.index.nearduplicates import GROUPS_NAME, jaccard, shingle_hashes
from search.index.store import IndexStore


def report(index_root: Path, samples: int = 5, seed: int = 7, borderline: int = 0) -> list[str]:
    """Return lines describing the groups of the index in ``index_root``: how many, the largest,
    ``samples`` groups picked at random and the ``borderline`` least alike, with headlines and dates."""
    build = IndexStore(index_root).current()
    if build is None:
        raise SystemExit(f"no index in {index_root}")
    data = json.loads((build / GROUPS_NAME).read_text(encoding="utf-8"))
    groups = data["groups"]
    sizes = sorted((len(g["ids"]) for g in groups), reverse=True)
    summary = (f"{build}: {data['articles']} articles, {len(groups)} groups of 2 or more near-duplicates "
               f"({sum(sizes)} articles in them), largest {sizes[0] if sizes else 0}; "
               f"{data['candidates']} LSH candidate pairs, {data['verified']} compared on their text, "
               f"{data['pairs']} near-duplicate pairs (Jaccard >= {data['threshold']}, "
               f"at most {data['max_days']:g} days apart).")
    lines = [summary,
             "Group sizes (size: groups): " + ", ".join(f"{size}: {sizes.count(size)}" for size in sorted(set(sizes)))]
    ix = whoosh_index.open_dir(str(build), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        def describe(chosen: dict) -> tuple[float, list[str]]:
            """The group's lowest Jaccard between two members, and a line per member."""
            texts, members = [], []
            for docnum in chosen["docnums"]:
                stored = searcher.stored_fields(docnum)
                captions = [c for c in (stored.get("captions") or "").split("\n") if c]
                texts.append(shingle_hashes(stored.get("title", ""), stored.get("body", ""), captions))
                members.append(f"  {stored.get('published_local') or 'undated':26} {stored['id']:30.30} "
                               f"{stored.get('title', '')}")
            similarities = [jaccard(texts[i], texts[j]) for i in range(len(texts)) for j in range(i + 1, len(texts))]
            return min(similarities), members + [
                f"  Jaccard between members: {min(similarities):.2f} to {max(similarities):.2f}"]

        largest = max(groups, key=lambda g: len(g["ids"]), default=None)
        picked = random.Random(seed).sample(groups, min(samples, len(groups)))
        chosen = [("largest", largest)] + [("sample", g) for g in picked] if largest else []
        if borderline:  # the groups whose members are least alike: where a wrong grouping would be
            described = sorted(((describe(g)[0], g["group"], g) for g in groups), key=lambda x: x[:2])
            chosen += [("least alike", g) for _, _, g in described[:borderline]]
        for label, group in chosen:
            lines.append(f"{label} group {group['group']} ({len(group['ids'])} articles):")
            lines += describe(group)[1]
    ix.close()
    return lines


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Describe the near-duplicate groups of a built index.")
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--borderline", type=int, default=0, help="also list this many of the least alike groups")
    arguments = parser.parse_args()
    print("\n".join(report(arguments.index, arguments.samples, arguments.seed, arguments.borderline)))
