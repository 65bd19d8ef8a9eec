"""What a Solr build folder holds besides the manifest, for the web hosts: computed by the loader from the
articles it streams, never from a Whoosh index (a Solr build has none).

* ``vocabulary.tsv`` (``index/vocabulary.py``), ``signatures.npz`` and ``duplicates.json``
  (``index/nearduplicates.py``, groups keyed by ``docnum_l``): the same files as a Whoosh build's;
* ``solr.json``: every facet value with its number of articles (company, source, section, and the
  years and months), and ``doc_count_all`` (the document numbers run below it: the size of the
  near-duplicate groups' arrays);
* ``completions.json``: the search box's completion candidates in rank order, as
  ``WhooshArchive.completion_candidates`` lists them: company names by article count (then by name),
  then headlines newest first (undated last, then by document number).

The manifest's ``solr`` entry (``loader.py``) says which collection holds the articles and the per-field
statistics of BM25F: ``doc_count`` and ``avg_length`` (total terms of each scored field / documents,
as Whoosh's ``searcher.avg_field_length``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from search.article import Article
from search.engines.solr.documents import published_us

NAMES_FILE = "solr.json"
COMPLETIONS_FILE = "completions.json"
FACETS = ("company", "source", "section", "years", "months")


class FacetCounts:
    """Articles per facet value, counted as articles stream past (each value once per article)."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}

    def add(self, article: Article, sign: int = 1) -> None:
        dated = article.published
        values = {
            "company": set(article.companies),
            "section": set(article.sections),
            "source": {article.source},
            "years": {str(dated.year)} if dated else set(),
            "months": {str(dated.year * 100 + dated.month)} if dated else set(),
        }
        for facet, names in values.items():
            counts = self.counts[facet]
            for name in names:
                if name:
                    counts[name] = counts.get(name, 0) + sign
                    if counts[name] <= 0:
                        del counts[name]


class Headlines:
    """The headlines of a build with what orders them for completion: (undated, -published, docnum, title)."""

    def __init__(self) -> None:
        self.rows: list[tuple[bool, int, int, str]] = []

    def add(self, article: Article, docnum: int) -> None:
        if article.title:
            self.rows.append((article.published is None, -published_us(article), docnum, article.title))


def completion_candidates(counts: FacetCounts, headlines: Headlines) -> list[str]:
    companies = counts.counts["company"]
    return (sorted(companies, key=lambda name: (-companies[name], name))
            + [title for *_, title in sorted(headlines.rows)])


def _write(path: Path, data) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def save(folder: Path, counts: FacetCounts, headlines: Headlines, doc_count_all: int) -> None:
    """Write ``solr.json`` and ``completions.json`` into a build folder."""
    _write(Path(folder) / NAMES_FILE, {
        "doc_count_all": doc_count_all,
        "facets": {facet: sorted(values.items()) for facet, values in counts.counts.items()},
    })
    _write(Path(folder) / COMPLETIONS_FILE, completion_candidates(counts, headlines))


def load_names(folder: Path) -> tuple[dict[str, dict[str, int]], int]:
    """({facet: {value: articles}}, doc_count_all) of a Solr build."""
    data = json.loads((Path(folder) / NAMES_FILE).read_text(encoding="utf-8"))
    return {facet: dict(pairs) for facet, pairs in data["facets"].items()}, int(data["doc_count_all"])


def load_completions(folder: Path) -> list[str]:
    """The completion candidates of a Solr build, best first (``autocomplete.Suggester.from_candidates``)."""
    return json.loads((Path(folder) / COMPLETIONS_FILE).read_text(encoding="utf-8"))
