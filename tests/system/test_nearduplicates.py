"""Near-duplicate groups on real wire stories: Reuters-21578 and BBC News from ../shared/corpora.

The sample is Reuters' first 1,500 stories (26 February to 4 March 1987: repeats, corrections,
updates under new headlines) and BBC News' tech section (the collection holds the same story filed
twice, sometimes updated), imported with the product's own importer. Every claim is
checked against brute force over the articles as the corpus reader reads them, with shingles made
here from the documented definition (5 lowercased words in a row of headline, body and captions):
members of a group share most of their text, and every pair that does but is not grouped is
explained (published more than 3 days apart, or a member of one's group is too different from the
other: groups are complete-linkage). Then folding in results, pages and JSON, and incremental updates.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import datetime, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from search.engines.whoosh.archive import WhooshArchive
from search.index import nearduplicates as nd
from search.index.build import build_index, update_index
from search.index.store import IndexStore
from search.ingest.corpus import CorpusReader
from search.ingest.importer import import_files
from search.request import SearchRequest
from tests.support.paths import CORPUS, SHARED
from web import create_app

REUTERS = SHARED / "corpora" / "reuters21578" / "reuters21578.jsonl.gz"
BBC = SHARED / "corpora" / "bbc-news" / "bbc-news.jsonl.gz"
REUTERS_SAMPLE = 1500
REUTERS_PARTS = (750,)  # the sample's Reuters stories in two files: newid up to 750, and the rest
BBC_SECTIONS = ("tech",)

pytestmark = pytest.mark.skipif(
    not (REUTERS.exists() and BBC.exists()),
    reason=f"Reuters-21578 and BBC News not found under {SHARED / 'corpora'} (set ARCHIVE_SHARED_DIR)",
)

WORD = re.compile(r"\w+")


def shingle_set(article) -> frozenset[str]:
    """The documented shingles, made here independently of search.index.nearduplicates."""
    words = WORD.findall("\n".join([article.title, article.body, *article.captions]).lower())
    k = nd.SHINGLE_WORDS
    if len(words) < k:
        return frozenset([" ".join(words)] if words else [])
    return frozenset(" ".join(words[i:i + k]) for i in range(len(words) - k + 1))


def exact_jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def write_sample(target: Path, reuters_records: int = REUTERS_SAMPLE, parts=REUTERS_PARTS,
                 bbc_sections=BBC_SECTIONS) -> Path:
    """Write the sample as export files (Reuters' first ``reuters_records`` stories, split into files at
    the newids in ``parts``; BBC's ``bbc_sections``) and import them with the product's importer."""
    exports = target / "exports"
    exports.mkdir(parents=True)
    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        records = [line for _, line in zip(range(reuters_records), handle)]
    files = []
    for number, (low, high) in enumerate(zip((0, *parts), (*parts, float("inf"))), start=1):
        part = exports / f"reuters-part{number}.jsonl"
        part.write_text("".join(r for r in records if low < json.loads(r)["newid"] <= high), encoding="utf-8")
        files.append(part)
    corpus = target / "corpus"
    import_files(files, corpus, "reuters", "Reuters", mapping={"newid": "id", "topics": "section"}, copy=True)
    if bbc_sections:
        with gzip.open(BBC, "rt", encoding="utf-8") as handle:
            bbc = [line for line in handle if json.loads(line)["category"] in bbc_sections]
        (exports / "bbc.jsonl").write_text("".join(bbc), encoding="utf-8")
        import_files([exports / "bbc.jsonl"], corpus, "bbc", "BBC News", timezone="Europe/London",
                     mapping={"category": "section"}, copy=True)
    return corpus


def read_articles(corpus: Path) -> dict:
    return {a.id: a for result in CorpusReader(corpus).read_all() for a in result.articles}


def groups_of(index_root: Path) -> list[list[str]]:
    data = json.loads((IndexStore(index_root).current() / nd.GROUPS_NAME).read_text(encoding="utf-8"))
    return [g["ids"] for g in data["groups"]]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample corpus, its index, its articles (read independently) and their shingles."""
    root = tmp_path_factory.mktemp("nearduplicates")
    corpus = write_sample(root)
    index = root / "index"
    report = build_index(corpus, index, progress=False)
    articles = read_articles(corpus)
    assert report.documents == len(articles)
    shingled = {article_id: shingle_set(article) for article_id, article in articles.items()}
    return {"corpus": corpus, "index": index, "articles": articles, "shingles": shingled, "report": report,
            "groups": groups_of(index)}


@pytest.fixture(scope="module")
def sample_archive(sample):
    with WhooshArchive(sample["index"]) as archive:
        yield archive


def brute_force_pairs(shingled: dict[str, frozenset]) -> dict[tuple[str, str], float]:
    """Every pair of articles with Jaccard >= the threshold: all pairs' intersections at once, as a
    sparse matrix product (articles x shingles)."""
    from scipy import sparse

    ids = sorted(shingled)
    column: dict[str, int] = {}
    rows, cols = [], []
    for row, article_id in enumerate(ids):
        for shingle in shingled[article_id]:
            rows.append(row)
            cols.append(column.setdefault(shingle, len(column)))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(ids), len(column)))
    common = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    similarity = common.data / (sizes[common.row] + sizes[common.col] - common.data)
    keep = similarity >= nd.THRESHOLD
    return {(ids[a], ids[b]): float(s) for a, b, s in zip(common.row[keep], common.col[keep], similarity[keep])}


def days_apart(a, b) -> float | None:
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400


def test_groups_exist_and_their_members_share_most_of_their_text(sample):
    groups, articles, shingled = sample["groups"], sample["articles"], sample["shingles"]
    reuters = [g for g in groups if articles[g[0]].source == "Reuters"]
    bbc = [g for g in groups if articles[g[0]].source == "BBC News"]
    print(f"\nsample: {len(articles)} articles, {len(groups)} groups ({len(reuters)} Reuters, {len(bbc)} BBC), "
          f"{sum(map(len, groups))} articles in them, largest {max(map(len, groups))}")
    assert len(reuters) >= 25 and len(bbc) >= 50
    assert sample["report"].duplicate_groups == len(groups)
    seen: set[str] = set()
    for group in groups:
        assert len(group) >= 2 and not seen & set(group)  # each article in one group at most
        seen |= set(group)
        first = articles[group[0]]
        for a, b in combinations(group, 2):  # every pair, not a sample: all share most of their text
            assert exact_jaccard(shingled[a], shingled[b]) >= nd.THRESHOLD, (a, b)
            apart = days_apart(articles[a], articles[b])
            assert apart is None or apart <= nd.MAX_DAYS, (a, b, apart)
        # the group's id is its first version: the earliest published (undated: the smallest id)
        for other in group[1:]:
            if first.published is not None and articles[other].published is not None:
                assert first.published <= articles[other].published
    # the Manila story of 1 March 1987, sent three times, is one group of three
    manila = [g for g in reuters if articles[g[0]].title == "MANILA SAID TO OFFER DEBT BONDS TO BANKS"]
    assert len(manila) == 1 and len(manila[0]) == 3


def test_pairs_not_grouped_are_below_the_threshold_or_explained(sample):
    articles, shingled = sample["articles"], sample["shingles"]
    group_of = {article_id: number for number, group in enumerate(sample["groups"]) for article_id in group}
    members = {number: group for number, group in enumerate(sample["groups"])}
    pairs = brute_force_pairs(shingled)
    grouped = window = chosen_elsewhere = conflict = 0
    unexplained = []
    for (a, b), similarity in pairs.items():
        if a in group_of and group_of.get(a) == group_of.get(b):
            grouped += 1
            continue
        apart = days_apart(articles[a], articles[b])
        if apart is not None and apart > nd.MAX_DAYS:
            window += 1  # a routine report repeated days later ("FED ADDS RESERVES ..."): not a version
        elif any(exact_jaccard(shingled[m], shingled[other]) < nd.THRESHOLD
                 for one, other in ((a, b), (b, a)) if one in group_of for m in members[group_of[one]]):
            conflict += 1  # a member of one's group is too unlike the other (complete linkage)
        elif a in group_of and b in group_of:
            chosen_elsewhere += 1  # each is in a group of versions it is at least as like
        else:
            unexplained.append((a, b, similarity))
    print(f"\n{len(pairs)} pairs at Jaccard >= {nd.THRESHOLD} (brute force): {grouped} grouped, "
          f"{window} more than {nd.MAX_DAYS:g} days apart, {conflict} complete-linkage conflicts, "
          f"{chosen_elsewhere} in other groups, {len(unexplained)} unexplained")
    assert grouped >= 0.9 * len(pairs)
    assert unexplained == []
    # and nothing below the threshold was grouped (the other direction of the first test, over pairs)
    assert all(tuple(sorted(p)) in pairs for g in sample["groups"] for p in combinations(g, 2))


def test_signatures_estimate_the_jaccard_and_lsh_equals_datasketch(sample):
    from datasketch import MinHash, MinHashLSH

    ids, _published, values = nd.Signatures.load(IndexStore(sample["index"]).current()).arrays()
    assert len(ids) == len(sample["articles"]) and values.shape == (len(ids), nd.NUM_PERM)
    position = {article_id: i for i, article_id in enumerate(ids.tolist())}
    shingled = sample["shingles"]
    errors = [abs((values[position[a]] == values[position[b]]).mean() - exact_jaccard(shingled[a], shingled[b]))
              for g in sample["groups"] for a, b in combinations(g, 2)]
    assert np.mean(errors) < 0.05 and max(errors) < 0.2  # 128 permutations: sd ~0.044 at 0.5
    # the numpy banding finds exactly the candidates of datasketch's own MinHashLSH
    subset = values[:1500]
    lsh = MinHashLSH(num_perm=nd.NUM_PERM, params=(nd.LSH_BANDS, nd.LSH_ROWS))
    permutations = MinHash(num_perm=nd.NUM_PERM, seed=nd.SEED).permutations
    minhashes = [MinHash(hashvalues=row, permutations=permutations, scheme="affine32") for row in subset]
    for number, minhash in enumerate(minhashes):
        lsh.insert(number, minhash, check_duplication=False)
    expected = {(number, other) for number, minhash in enumerate(minhashes) for other in lsh.query(minhash)
                if other > number}
    assert {tuple(pair) for pair in nd.candidate_pairs(subset).tolist()} == expected and expected


def test_results_fold_near_duplicates_under_the_best_ranked_version(sample, sample_archive):
    articles = sample["articles"]
    group = next(g for g in sample["groups"] if articles[g[0]].title == "MANILA SAID TO OFFER DEBT BONDS TO BANKS")
    results = sample_archive.search(SearchRequest(q="manila debt bonds banks"))
    top = [hit.id for hit in results.hits]
    lead = next(hit for hit in results.hits if hit.id in group)
    assert lead.group == group[0] and {h.id for h in lead.similar} == set(group) - {lead.id}
    assert not set(top) & ({h.id for h in lead.similar})
    assert all(h.group == lead.group and h.position > lead.position for h in lead.similar)
    shown = sorted(h.position for hit in results.hits for h in [hit, *hit.similar])
    assert shown == list(range(results.first, results.last + 1))  # "showing 1-N" counts the folded ones
    data = results.to_json()
    lead_json = next(h for h in data["hits"] if h["id"] == lead.id)
    assert lead_json["group"] == group[0] and [h["id"] for h in lead_json["similar"]] == [h.id for h in lead.similar]
    assert all(h["group"] is None or h["id"] == lead.id or h["group"] != group[0] for h in data["hits"])
    # one result a page: each version is a hit of its own, with nothing folded (only the same page folds)
    for hit in [lead, *lead.similar]:
        alone = sample_archive.search(SearchRequest(q="manila debt bonds banks", per_page=1, page=hit.position))
        assert [h.id for h in alone.hits] == [hit.id] and not alone.hits[0].similar
        assert alone.total == results.total and alone.first == alone.last == hit.position


def test_totals_stay_exact_and_every_match_is_shown_once_across_pages(sample_archive):
    first = sample_archive.search(SearchRequest(q="debt", per_page=20))
    seen, folded = [], 0
    for page in range(1, first.pages + 1):
        results = sample_archive.search(SearchRequest(q="debt", per_page=20, page=page))
        assert results.total == first.total
        groups = [hit.group for hit in results.hits if hit.group]
        assert len(groups) == len(set(groups))  # no two hits of one group at the top of a page
        for hit in results.hits:
            seen.append(hit.id)
            seen.extend(h.id for h in hit.similar)
            folded += len(hit.similar)
    assert len(seen) == len(set(seen)) == first.total  # the total counts all matches, folded or not
    assert folded > 0


def test_results_page_and_json_api_show_the_folded_versions(sample):
    app = create_app({"INDEX_DIR": str(sample["index"]), "TESTING": True})
    try:
        client = app.test_client()
        html = client.get("/?q=manila+debt+bonds+banks").get_data(as_text=True)
        assert '<details class="similar-versions">' in html and "<summary>2 similar versions</summary>" in html
        group = next(g for g in sample["groups"]
                     if sample["articles"][g[0]].title == "MANILA SAID TO OFFER DEBT BONDS TO BANKS")
        details = html.split('<details class="similar-versions">', 1)[1].split("</details>", 1)[0]
        assert sum(f'href="/article/{article_id}?q=' in details for article_id in group) == 2
        data = client.get("/api/search?q=manila+debt+bonds+banks").get_json()
        assert {h["id"] for hit in data["hits"] for h in [hit, *hit["similar"]]} >= set(group)
        assert sum(1 for hit in data["hits"] if hit["group"] == group[0]) == 1
    finally:
        app.extensions["archive"].close()


def edited_version(record: dict, newid: int) -> dict:
    """A later version of a Reuters story: new id, '(UPDATE)' headline, one more paragraph, 2 hours later."""
    date = datetime.strptime(record["date"].strip().split(".")[0], "%d-%b-%Y %H:%M:%S")
    return {**record, "newid": newid, "title": "UPDATE - " + record["title"],
            "date": (date + timedelta(hours=2)).strftime("%d-%b-%Y %H:%M:%S.00").upper(),
            "body": record["body"].replace(" Reuter", "") + "\n    The report was confirmed later on Sunday.\n Reuter"}


def test_incremental_updates_keep_the_groups_right(tmp_path):
    """Add a new version of a story, change a file, delete one: after each incremental update the groups
    are those of a full build of the same corpus, and the new version joins its story's group."""
    # Reuters' first 400 stories in three files: the Manila story's versions (newids 230, 240, 347) in each
    corpus = write_sample(tmp_path / "a", reuters_records=400, parts=(235, 300), bbc_sections=())
    root = tmp_path / "index"
    build_index(corpus, root, progress=False)

    def check_against_full_build(label: str) -> list[list[str]]:
        fresh = tmp_path / f"full-{label}"
        build_index(corpus, fresh, progress=False)
        incremental = groups_of(root)
        assert sorted(map(sorted, incremental)) == sorted(map(sorted, groups_of(fresh))), label
        return incremental

    part1, part2 = corpus / "reuters" / "reuters-part1.jsonl", corpus / "reuters" / "reuters-part2.jsonl"
    records = [json.loads(line) for line in part1.read_text(encoding="utf-8").splitlines()]
    manila = next(r for r in records if r["title"] == "MANILA SAID TO OFFER DEBT BONDS TO BANKS")
    articles = read_articles(corpus)
    manila_ids = {i for i, a in articles.items() if a.title == manila["title"]}
    assert len(manila_ids) == 3
    # 1. a new file with a new version of the Manila story
    (corpus / "reuters" / "reuters-update.jsonl").write_text(json.dumps(edited_version(manila, 99001)) + "\n",
                                                             encoding="utf-8")
    report = update_index(corpus, root, progress=False)
    assert report.mode == "incremental" and report.files_added == 1
    groups = check_against_full_build("added")
    new_id = next(i for i, a in read_articles(corpus).items() if a.title == "UPDATE - " + manila["title"])
    assert manila_ids | {new_id} in [set(g) for g in groups]
    # 2. a changed file: part 2 loses the second Manila version (newid 240)
    kept = [line for line in part2.read_text(encoding="utf-8").splitlines() if json.loads(line)["newid"] != 240]
    part2.write_text("\n".join(kept) + "\n", encoding="utf-8")
    report = update_index(corpus, root, progress=False)
    assert report.files_changed == 1
    groups = check_against_full_build("changed")
    first = next(i for i in manila_ids if i.startswith("230-"))
    third = next(i for i in manila_ids if i.startswith("347-"))  # in part 3
    assert {first, third, new_id} in [set(g) for g in groups]
    # 3. a deleted file and a changed one: the new version goes, and part 3 loses the third version (only it:
    # every organisation it names is named elsewhere, so the companies stay and the update stays incremental);
    # the first version is left alone, in no group
    (corpus / "reuters" / "reuters-update.jsonl").unlink()
    part3 = corpus / "reuters" / "reuters-part3.jsonl"
    kept = [line for line in part3.read_text(encoding="utf-8").splitlines() if json.loads(line)["newid"] != 347]
    part3.write_text("\n".join(kept) + "\n", encoding="utf-8")
    report = update_index(corpus, root, progress=False)
    assert (report.files_removed, report.files_changed) == (1, 1) or (
        report.mode == "full" and "companies changed" in report.note)  # as test 3 was (commit 62dc5cc)
    groups = check_against_full_build("removed")
    assert not any(first in g for g in groups) and groups
    # 4. the whole part 3 deleted (a full rebuild if organisations it alone named stop being companies)
    part3.unlink()
    report = update_index(corpus, root, progress=False)
    assert report.files_removed == 1 or (report.mode == "full" and "companies changed" in report.note)
    check_against_full_build("deleted")
    shutil.rmtree(tmp_path / "a")


def test_versions_days_apart_and_chains_of_edits_are_not_grouped(corpus_copy, tmp_path):
    """Made-up versions of one text: B overlaps A, C overlaps B but not A (an edit of an edit), D is A
    word for word 19 days later (a routine report sent again). Groups: {A, B} only."""
    bundled = CORPUS / "wikinews" / "wikinews-2019-2021.jsonl"
    records = [json.loads(line) for line in bundled.read_text(encoding="utf-8").splitlines()[100:140]]
    words = " ".join(r["body"] for r in records).split()  # articles that are not in corpus_copy (its first 40)
    assert len(words) >= 440
    texts = {"a": words[0:300], "b": words[50:350], "c": words[140:440], "d": words[0:300]}
    dates = {"a": "2022-02-01", "b": "2022-02-02", "c": "2022-02-03", "d": "2022-02-20"}
    lines = [json.dumps({"id": f"version-{k}", "title": f"Version {k}", "published": dates[k], "body": " ".join(v)})
             for k, v in texts.items()]
    (corpus_copy / "extra").mkdir()
    (corpus_copy / "extra" / "versions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles = read_articles(corpus_copy)
    ids = {k: next(i for i, a in articles.items() if a.title == f"Version {k}") for k in texts}
    similarity = {(x, y): exact_jaccard(shingle_set(articles[ids[x]]), shingle_set(articles[ids[y]]))
                  for x, y in combinations("abcd", 2)}
    assert similarity[("a", "b")] >= 0.5 and similarity[("b", "c")] >= 0.5 and similarity[("a", "c")] < 0.5
    assert similarity[("a", "d")] > 0.95  # the same text (the headlines differ by a letter)
    build_index(corpus_copy, tmp_path / "index", progress=False)
    assert [sorted(g) for g in groups_of(tmp_path / "index")] == [sorted([ids["a"], ids["b"]])]
