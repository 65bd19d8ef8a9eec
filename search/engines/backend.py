"""The boundary between the web layer and the engine that answers: one contract, two engines.

The pages, the JSON API, the feeds and the command line ask a ``SearchBackend`` and never know
which engine answers. ``open_backend`` picks it from ``ARCHIVE_SEARCH_BACKEND``:

* ``whoosh`` (the default, ``whoosh.archive.WhooshArchive``): the index on this machine, in ARCHIVE_INDEX_DIR;
* ``manticore`` (``manticore.archive.ManticoreArchive``): Manticore/Sphinx nodes, for an archive
  that outgrows one machine (docs/scaling-out.md);
* ``solr`` (``solr.archive.SolrArchive``): a SolrCloud collection (shards with replicas), the scale-out
  engine of issue 19 (docs/solr.md).

Both read the same builds: the indexer parses the corpus and writes a build; with
``--backend manticore`` it also loads that build into the nodes before publishing it
(``manticore.loader``). The contract tests (``tests/system/test_backend_contract.py``) run the same
assertions against both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from search.article import Article
from search.request import SearchRequest
from search.results import ArticleView, CompanyProfile, Credit, FacetPage, Hit, SearchResults

if TYPE_CHECKING:
    from search.engines.flow import Archive

BACKENDS = ("whoosh", "manticore", "solr")


class SearchBackend(Protocol):
    """What every engine answers, in the engine-neutral types of ``search/results.py``. Both engines are
    ``engines.flow.Archive``s: the flow is written once, an engine answers its primitives."""

    def search(self, request: SearchRequest, facets: bool = True, snippets: bool = True,
               did_you_mean: bool = True) -> SearchResults:
        """One page of hits (highlighted), the exact total, facet counts (each facet ignoring its own
        selection), a "did you mean" suggestion. ``partial`` is set when part of the archive did not answer."""

    def facet_values(self, request: SearchRequest, facet: str, contains: str = "", offset: int = 0,
                     limit: int = 50) -> FacetPage:
        """Every value of a value facet (company, source, section) for the search, not only its top ones:
        a page (``offset``, ``limit``) of those whose label contains ``contains`` (case ignored), most
        articles first, then by label, with their counts and whether they are selected, counted as the
        facet counts (the query and the other facets' selections narrow them, its own does not).
        NotFound for another facet."""

    def iter_matches(self, request: SearchRequest, sort: str | None = None) -> Iterator[Article]:
        """Every article the request matches, in order (the CSV export)."""

    def article(self, article_id: str, q: str = "", related: int = 5) -> ArticleView:
        """One whole article with the words of ``q`` marked and up to ``related`` related articles;
        NotFound for an unknown id."""

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """More like this: the articles most like this one, leaving out its near-duplicates."""

    def company(self, slug: str, corpus_dir: Path | None = None,
                latest: int = 10) -> tuple[CompanyProfile, SearchResults]:
        """A company's profile and its latest articles."""

    def company_named(self, name: str) -> bool:
        """True when the archive has a company page for ``name`` (some live article names it)."""

    def complete(self, q: str, limit: int = 8) -> list[str]:
        """Completions of what is being typed in the search box: company names, then headlines."""

    def rank(self, q: str, limit: int = 1000, any_words: bool = True) -> list[str]:
        """The ids of the ``limit`` best articles for ``q`` (``make eval``)."""

    def credits(self) -> list[Credit]:
        """The sources of the articles being served, each with the licence they give ("" for none), most
        articles first, recorded in the build's manifest (the page footer credits them)."""

    def stats(self) -> dict:
        """What /healthz reports: documents, build time, the build's name."""

    def close(self) -> None:
        """Let go of the index or the connections (a later call opens them again)."""


def open_backend(name: str, index_root: Path, facet_limit: int, environ: dict | None = None,
                 timeout: float | None = None) -> Archive:
    """Return the engine ``name`` (one of BACKENDS) serving the builds in ``index_root``. The engine's
    modules (Whoosh and numpy, or the SphinxQL client) are imported here, when one is opened."""
    if name == "whoosh":
        from search.engines.whoosh.archive import WhooshArchive
        return WhooshArchive(index_root, facet_limit=facet_limit, timeout=timeout)
    if name == "manticore":
        from search.engines.manticore.archive import ManticoreArchive
        from search.engines.manticore.sphinxql import Settings
        return ManticoreArchive(index_root, Settings.from_config(environ), facet_limit=facet_limit, timeout=timeout)
    if name == "solr":
        from search.engines.solr.archive import SolrArchive
        from search.engines.solr.settings import Settings as SolrSettings
        return SolrArchive(index_root, SolrSettings.from_config(environ), facet_limit=facet_limit, timeout=timeout)
    raise ValueError(f"ARCHIVE_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")


def write_derived_arrays(build_dir: Path) -> dict:
    """Write the arrays the Whoosh engine memory-maps from a finished build (``engines/whoosh/derived.py``),
    next to its Whoosh files: every build does, whatever engine serves it. Return {"seconds", "bytes"}."""
    from search.engines.whoosh.archive import write_derived_arrays as write

    return write(build_dir)


def rewrite_derived_arrays(index_root: Path) -> dict:
    """Write the derived arrays of the build being served, for a build made before they existed (``python -m
    search index --rewrite-derived``), and record their checksums in its manifest. Return {"seconds", "bytes"}."""
    from search.errors import IndexMissing
    from search.index.store import IndexStore

    store = IndexStore(index_root)
    with store.lock():
        build = store.current()
        if build is None:
            raise IndexMissing(f"no build is published in {index_root}")
        written = write_derived_arrays(build)
        store.record_files(build, [path.name for path in build.glob("derived.*")], {"derived": written})
    return written
