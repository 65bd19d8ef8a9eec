"""List fields mapped to a facet (issue 13): Reuters' ``"topics": ["crude", "ship"]`` mapped to section is
two section values, not the one value "crude, ship".

A small Reuters-like export is imported with the product's importer, indexed with its indexer into a
real Whoosh index on disk, and searched through the Archive and the Flask app. The parsing alone:
tests/unit/test_list_fields.py; what the import and index commands say, and both engines on a multi-section
article: tests/system/test_list_fields.py and test_backend_contract.py.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from search.article import Article
from search.engines.solr.documents import solr_document
from search.engines.solr.fields import FACET_FIELDS
from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index
from search.index.schema import article_to_document, document_to_article
from search.ingest.corpus import CorpusReader
from search.ingest.importer import import_files
from search.request import SearchRequest
from tests.support.list_fields import MAPPING, OWN, REUTERS, SECTION_COUNTS, write_jsonl
from tests.support.paths import ROOT
from web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A corpus folder: the Reuters-like export imported with its mapping, and the project's own records."""
    root = tmp_path_factory.mktemp("lists")
    export = write_jsonl(root / "export" / "reuters.jsonl", REUTERS)
    corpus = root / "corpus"
    import_files([export], corpus, "reuters", "Reuters", mapping=MAPPING, copy=True)
    write_jsonl(corpus / "blog" / "posts.jsonl", OWN)
    return corpus


@pytest.fixture(scope="module")
def articles(corpus) -> dict[str, Article]:
    """The corpus's articles by title, parsed independently of the index."""
    return {a.title: a for result in CorpusReader(corpus).read_all() for a in result.articles}


@pytest.fixture(scope="module")
def index_root(corpus, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lists-index")
    build_index(corpus, root, progress=False)
    return root


@pytest.fixture(scope="module")
def archive(index_root):
    with WhooshArchive(index_root) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(index_root):
    app = create_app({"INDEX_DIR": str(index_root), "TESTING": True})
    yield app.test_client()
    app.extensions["archive"].close()


class Spans(HTMLParser):
    """The texts of <span class="section"> elements, grouped by the hit (<li class="hit">) or page they are in."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.groups: list[list[str]] = [[]]
        self.in_span = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "li" and "hit" in classes:
            self.groups.append([])
        if tag == "span" and "section" in classes:
            self.in_span = True
            self.groups[-1].append("")

    def handle_endtag(self, tag):
        if tag == "span":
            self.in_span = False

    def handle_data(self, data):
        if self.in_span:
            self.groups[-1][-1] += data


# --- parsing (the rest of it: tests/unit/test_list_fields.py) -------------------------------------

def test_the_corpus_reader_gives_articles_their_sections(articles):
    assert articles["TANKER RATES FIRM ON CRUDE LIFTINGS"].sections == ["crude", "ship"]
    assert articles["GULF SHIPPING SEES MORE CRUDE CARGOES"].sections == ["ship", "crude"]
    assert articles["CRUDE PRICES EASE"].sections == ["crude"]
    assert articles["BANK RATES UNCHANGED"].sections == articles["STOCKS CLOSE HIGHER"].sections == []
    assert articles["DOLLAR FIRMS IN EUROPE"].sections == ["money-fx, dlr"]
    assert articles["Chip makers expand plants"].sections == ["Tech", "Markets"]
    # Companies given in the data: a text is one company (names hold commas), a list one company per item.
    assert "Lee, Wong and Partners; Harbour Trading" in articles["Chip makers expand plants"].companies
    assert "Harbour Trading" not in articles["Chip makers expand plants"].companies
    assert {"Lee, Wong and Partners", "Harbour Trading"} <= set(articles["Harbour fees rise"].companies)


def test_sections_survive_the_index_document_round_trip(articles):
    article = articles["GRAIN EXPORTS RISE"]
    document = article_to_document(article)
    assert document["section_facet"] == "grain\nwheat\ncorn"
    assert document_to_article({**document, "published_local": article.published.isoformat()}).sections == [
        "grain", "wheat", "corn"]


# --- the index: facets, filters, field queries ---------------------------------------------------

def test_each_list_item_is_one_facet_value_with_exact_counts(archive):
    facet = {v.value: v.count for v in archive.search(SearchRequest()).facets["section"]}
    assert facet == SECTION_COUNTS
    assert not any(", " in value and value != "money-fx, dlr" for value in facet)  # no joined lists


def test_both_orders_count_towards_the_same_values(archive, articles):
    ship = archive.search(SearchRequest(sections=("ship",), per_page=50))
    assert {h.title for h in ship.hits} == {"TANKER RATES FIRM ON CRUDE LIFTINGS",
                                            "GULF SHIPPING SEES MORE CRUDE CARGOES", "Harbour fees rise"}
    crude = archive.search(SearchRequest(sections=("crude",), per_page=50))
    assert {h.title for h in crude.hits} == {t for t, a in articles.items() if "crude" in a.sections}
    assert crude.total == 4


def test_filtering_by_one_value_finds_the_articles_holding_it_among_others(archive):
    wheat = archive.search(SearchRequest(sections=("wheat",)))
    assert [(h.title, h.sections) for h in wheat.hits] == [("GRAIN EXPORTS RISE", ["grain", "wheat", "corn"])]
    # Disjunctive: the section facet ignores its own selection; the others are narrowed.
    assert {v.value: v.count for v in wheat.facets["section"]} == SECTION_COUNTS
    assert [v.value for v in wheat.facets["section"] if v.selected] == ["wheat"]
    assert {v.value: v.count for v in wheat.facets["source"]} == {"Reuters": 1}
    either = archive.search(SearchRequest(sections=("wheat", "ship")))
    assert either.total == 4
    assert archive.search(SearchRequest(q="section:wheat")).total == 1
    assert archive.search(SearchRequest(q="section:ship")).total == 3


# --- the app: pages, API, feeds --------------------------------------------------------------------

def test_the_article_page_shows_every_section(client, archive):
    hit = archive.search(SearchRequest(sections=("wheat",))).hits[0]
    page = client.get(f"/article/{hit.id}").get_data(as_text=True)
    assert Spans(page).groups[0] == ["grain", "wheat", "corn"]
    assert '<p class="article-section"><span class="section">grain</span> · <span class="section">wheat</span>' in page


def test_a_result_shows_every_section(client):
    page = client.get("/?section=ship&sort=oldest").get_data(as_text=True)
    hits = Spans(page).groups[1:]
    assert hits == [["crude", "ship"], ["ship", "crude"], ["Markets", "ship"]]
    fragment = client.get("/?section=wheat", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert Spans(fragment).groups[1:] == [["grain", "wheat", "corn"]]


def test_the_json_api_has_sections_and_the_joined_section(client):
    data = client.get("/api/search?section=ship&sort=oldest").get_json()
    assert [hit["sections"] for hit in data["hits"]] == [["crude", "ship"], ["ship", "crude"], ["Markets", "ship"]]
    assert [hit["section"] for hit in data["hits"]] == ["crude, ship", "ship, crude", "Markets, ship"]
    assert {v["value"]: v["count"] for v in data["facets"]["section"]} == SECTION_COUNTS
    none = client.get("/api/search?q=stocks").get_json()["hits"][0]
    assert (none["section"], none["sections"]) == ("", [])


def test_the_csv_and_the_feed_carry_every_section(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv?section=wheat").get_data(as_text=True))))
    assert [row["sections"] for row in rows] == ["grain; wheat; corn"]
    feed = ET.fromstring(client.get("/search.atom?section=wheat").data)
    [entry] = feed.findall(f"{ATOM}entry")
    sections = [c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("scheme").endswith(":section")]
    assert sections == ["grain", "wheat", "corn"]


# --- the Solr documents (a real cluster: test_backend_contract.py) ----------------------------------

def test_a_solr_document_holds_every_section_as_a_multi_valued_field(articles):
    field = FACET_FIELDS["section"]
    document, _ = solr_document(articles["GRAIN EXPORTS RISE"])
    assert document[field] == ["grain", "wheat", "corn"]
    schema = (ROOT / "deploy" / "solr" / "configset" / "schema.xml").read_text()
    assert field.endswith("_ss") and ('<dynamicField name="*_ss" type="string" indexed="true" stored="true" '
                                      'docValues="true" multiValued="true"/>') in schema
    empty, _ = solr_document(articles["STOCKS CLOSE HIGHER"])
    assert field not in empty
