"""Web archives and HTML pages in a corpus folder (issue 17): a WARC written with warcio's WARCWriter from real pages
of the shared HTML corpus, beside everything else a crawl holds and damaged records, is read into exactly the
articles and the skips per reason it should give, and indexed and searched; damage is bounded in time and memory.

The plain first version of ``parse_html`` keeps a page of links as an article, the improved one does not: the
expected counts follow what ``parse_html`` says of the section front page, and nothing else here depends on
how well a page's text is extracted.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections import Counter
from pathlib import Path

import pytest

from search.engines.whoosh.archive import WhooshArchive
from search.index.build import build_index
from search.ingest.corpus import CorpusReader
from search.ingest.formats.html import NotArticle, parse_html
from search.request import SearchRequest
from tests.support.paths import needs_shared
from tests.support.warcs import Crawl, generated_page, shared_files, shared_pages, shared_urls, wrong_length_record

pytestmark = needs_shared

FRONT_PAGE = ("<!doctype html><html><head><title>World news</title></head><body><nav><ul>"
              + "".join(f'<li><a href="/world/story-{i}.html">Story number {i} headline</a></li>' for i in range(60))
              + "</ul></nav></body></html>").encode()
EMPTY_PAGE = b"<!doctype html><html><head><title>Loading</title></head><body></body></html>"
OLD, NEW = "2019-11-19T08:00:00Z", "2019-11-22T08:00:00Z"


def front_page_is_article() -> bool:
    return not isinstance(parse_html(FRONT_PAGE, "https://news.example/world/"), NotArticle)


def version_page(word: str) -> bytes:
    """A page whose text says which version of it this is."""
    return generated_page(7).replace(b"The council met", f"The {word} council met".encode())


def write_crawl(path: Path) -> None:
    """The test crawl: 4 real articles (of 6 real pages: 2 are damaged), the same URL twice, an undated page,
    and records that are no article; the crawl's requests and its warcinfo record, as wget writes them."""
    pages, urls = shared_pages(8), shared_urls(8)
    crawl = Crawl(path)
    crawl.warcinfo()
    for page, url in zip(pages[:3], urls[:3], strict=True):
        crawl.response(url, page)
    crawl.response("https://news.example/old-address", b"", status="301 Moved Permanently",
                   extra=[("Location", urls[0])])
    crawl.response("https://news.example/robots.txt", b"User-agent: *\nDisallow:\n", content_type="text/plain")
    crawl.response("https://news.example/logo.jpg", b"\xff\xd8\xff\xe0" + bytes(300), content_type="image/jpeg")
    crawl.response("https://news.example/app.js", b"alert(1)", content_type="application/javascript")
    crawl.response("https://news.example/world/", FRONT_PAGE)
    crawl.response("https://news.example/loading", EMPTY_PAGE)
    crawl.response("https://news.example/gone", b"<html><body><p>Not found</p></body></html>", status="404 Not Found")
    crawl.revisit(urls[0], "2019-11-20T10:00:00Z")
    # The same URL twice: the newer capture (by WARC-Date) is first in the file, and it is the one kept.
    crawl.response("https://news.example/council", version_page("zebracrossing"), date=NEW)
    crawl.response("https://news.example/council", version_page("quokkagarden"), date=OLD)
    crawl.response("https://news.example/undated", generated_page(9).replace(
        b'<meta property="article:published_time" content="2020-01-10T08:00:00Z">', b""), date="2019-11-23T06:30:00Z")
    crawl.raw(wrong_length_record(urls[5], pages[5], gzipped=True))
    crawl.response(urls[6], pages[6])
    cut = crawl.record_bytes(urls[7], pages[7])
    crawl.raw(cut[: len(cut) // 2])
    crawl.save()


def expected_skips() -> Counter:
    skips = Counter({"redirect": 1, "robots.txt": 1, "not HTML": 2, "not an article": 1, "HTTP status not 200": 1,
                     "revisit": 1, "older capture": 1, "wrong Content-Length": 1, "record cut short": 1})
    if not front_page_is_article():
        skips["not an article"] += 1
    return skips


def expected_articles() -> int:
    return 6 + front_page_is_article()  # 4 real pages, the council page, the undated page (+ the front page)


@pytest.fixture(scope="module")
def crawl_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("warc-corpus")
    write_crawl(corpus / "crawls" / "news.warc.gz")
    return corpus


def test_a_crawl_gives_its_articles_and_counts_each_skip(crawl_corpus):
    result = CorpusReader(crawl_corpus).read_file(crawl_corpus / "crawls" / "news.warc.gz", "crawls/news.warc.gz")
    assert len(result.articles) == expected_articles()
    skipped = Counter()
    for problem in result.problems:
        if problem.skipped:
            skipped[problem.kind] += problem.count
    assert skipped == expected_skips()
    urls = shared_urls(8)
    by_url = {article.url: article for article in result.articles}
    # The real pages keep the URL they were fetched from: the record's; the damaged two are not read.
    assert [url for url in urls if url in by_url] == [urls[0], urls[1], urls[2], urls[6]]
    # The newest capture of the council page, not the one later in the file.
    council = by_url["https://news.example/council"]
    assert "zebracrossing" in council.body and "quokkagarden" not in council.body
    # The page gives no date: the crawl's, with a warning that says so.
    undated = by_url["https://news.example/undated"]
    assert undated.published.isoformat() == "2019-11-23T06:30:00+00:00"
    warnings = [p for p in result.problems if not p.skipped]
    assert [p.reason for p in warnings] == (["date from the crawl record (WARC-Date); the page gives none"]
                                            * (1 + front_page_is_article()))  # a page of links gives no date
    assert warnings[0].offset is not None and str(warnings[0]).startswith("crawls/news.warc.gz (record at byte ")
    # Damage names its record and says where reading resumed; the record after it is read.
    damaged = [p for p in result.problems if p.kind in ("wrong Content-Length", "record cut short")]
    assert all(p.offset and f"(record at byte {p.offset})" in str(p) for p in damaged)
    assert "reading resumes at byte" in damaged[0].reason


def test_each_record_lists_every_skip_by_its_offset(crawl_corpus):
    reader = CorpusReader(crawl_corpus, each_record=True)
    result = reader.read_file(crawl_corpus / "crawls" / "news.warc.gz", "crawls/news.warc.gz")
    skipped = [p for p in result.problems if p.skipped]
    assert len(skipped) == sum(expected_skips().values())
    assert all(p.count == 1 and p.offset for p in skipped)
    assert len({p.offset for p in skipped}) == len(skipped)


def test_a_corpus_holding_a_crawl_and_html_pages_is_indexed_and_searched(crawl_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "crawls").mkdir(parents=True)
    (corpus / "crawls" / "news.warc.gz").write_bytes((crawl_corpus / "crawls" / "news.warc.gz").read_bytes())
    pages = shared_files(13)
    (corpus / "pages").mkdir()
    (corpus / "pages" / "first.html.gz").write_bytes(pages[10].read_bytes())
    (corpus / "pages" / "second.htm").write_bytes(gzip.decompress(pages[11].read_bytes()))
    (corpus / "pages" / "sniffed.page").write_bytes(gzip.decompress(pages[12].read_bytes()))
    (corpus / "pages" / "loading.html").write_bytes(EMPTY_PAGE)
    report = build_index(corpus, tmp_path / "index", progress=False, procs=1)
    assert report.summary.articles == expected_articles() + 3
    skips = expected_skips()
    skips["not an article"] += 1
    assert report.summary.skipped == skips
    assert report.summary.warnings == Counter({"date from the crawl record":
                                              1 + front_page_is_article()})
    with WhooshArchive(tmp_path / "index") as archive:
        found = archive.search(SearchRequest(q="zebracrossing"))
        assert [hit.url for hit in found.hits] == ["https://news.example/council"]
        assert archive.search(SearchRequest(q="quokkagarden")).total == 0
        assert archive.search(SearchRequest()).total == expected_articles() + 3


def gzip_member(data_chunks, total: int) -> bytes:
    """One gzip member of ``total`` zero bytes after the given header bytes, compressed as it is made."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [packer.compress(data_chunks)]
    block = bytes(1 << 20)
    for _ in range(total >> 20):
        out.append(packer.compress(block))
    out.append(packer.flush())
    return b"".join(out)


def test_damage_is_reported_and_bounded_in_time_and_memory(tmp_path):
    """A corrupt gzip member, two decompression bombs (a WARC record of 256 MiB of zeros, once with its true
    Content-Length and once with a false one) and a page gzipped by HTTP to 64 MiB of zeros: each reported with
    its record, read in constant memory, and the pages after them indexed."""
    pages = shared_pages(3)
    crawl = Crawl(tmp_path / "corpus" / "damaged.warc.gz")
    crawl.response("https://news.example/one", pages[0])
    corrupt = bytearray(crawl.record_bytes("https://news.example/corrupt", pages[1]))
    for i in range(400, 440):
        corrupt[i] ^= 0x5A
    crawl.raw(bytes(corrupt))
    for claimed, url in ((256 << 20, "https://news.example/bomb"), (100, "https://news.example/liar")):
        head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2019-11-20T10:00:00Z\r\n"
                f"Content-Type: application/http; msgtype=response\r\nContent-Length: {claimed}\r\n\r\n").encode()
        crawl.raw(gzip_member(head, 256 << 20))
    crawl.response("https://news.example/zipped", gzip.compress(bytes(64 << 20), 9),
                   extra=[("Content-Encoding", "gzip")])
    crawl.response("https://news.example/two", pages[2])
    path = crawl.save()
    assert path.stat().st_size < 4 << 20
    reader = CorpusReader(path.parent, max_article_bytes=1 << 20)  # pages of 4 MiB at most
    tracemalloc.start()
    started = time.perf_counter()
    result = reader.read_file(path, path.name)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [a.url for a in result.articles] == ["https://news.example/one", "https://news.example/two"]
    reasons = [p.reason.split(";")[0] for p in result.problems]
    assert reasons == [
        "corrupt gzip member: it does not decompress to a record",
        "record headers too long: over 1,048,576 bytes",
        "wrong Content-Length: bytes follow the record's end",
        "page too large: over 4,194,304 bytes of HTML (4 × ARCHIVE_MAX_ARTICLE_BYTES)",
    ], result.problems
    assert all(p.offset for p in result.problems)
    print(f"damaged crawl read in {seconds:.2f} s, peak {peak / 2**20:.1f} MiB traced")
    # warcio decompresses 16 KiB of the file at a time: 16 MiB of zeros, held in a few buffers at once.
    assert seconds < 20 and peak < 96 << 20


def arc_record(url: str, body: bytes, when: str = "20191120100000", content_type: str = "text/html",
               status: str = "200 OK") -> bytes:
    """One ARC v1 record (the Internet Archive's format before WARC): a header line, then the HTTP response."""
    response = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    return f"{url} 192.0.2.1 {when} {content_type} {len(response)}\n".encode() + response + b"\n"


def write_arc(path: Path, records: list[bytes]) -> Path:
    """An ``.arc.gz`` as crawlers wrote them: the file header record, then each record its own gzip member."""
    fields = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    header = f"filedesc://{path.name} 0.0.0.0 20191120100000 text/plain {len(fields)}\n".encode() + fields + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(gzip.compress(part) for part in [header, *records]))
    return path


def test_an_arc_file_is_read_like_a_warc(tmp_path):
    pages = shared_pages(2)
    urls = shared_urls(2)
    arc = write_arc(tmp_path / "corpus" / "crawl-2019.arc.gz", [
        arc_record(urls[0], pages[0]),
        arc_record("https://news.example/logo.png", bytes(64), content_type="image/png"),
        arc_record("https://news.example/gone", b"<html>gone</html>", status="404 Not Found"),
        arc_record(urls[1], pages[1]),
    ])
    result = CorpusReader(arc.parent, min_articles=None).read_file(arc, arc.name)
    assert [a.url for a in result.articles] == urls
    assert all(a.title and a.body for a in result.articles)
    skips = Counter()
    for problem in result.problems:
        if problem.skipped:
            skips[problem.reason.split(":")[0]] += problem.count
    assert skips == Counter({"not HTML (image/png)": 1, "HTTP status not 200 (404)": 1}), result.problems


def test_a_page_that_names_no_publication_gets_its_host_unless_corpus_toml_has_a_rule(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "gazette").mkdir(parents=True)
    plain = generated_page(1)  # no og:site_name
    (corpus / "gazette" / "story.html").write_bytes(plain.replace(b"</head>", b'<link rel="canonical" '
                                                                  b'href="https://www.gazette.example/a"></head>'))
    (corpus / "other.html").write_bytes(plain.replace(b"</head>", b'<link rel="canonical" '
                                                      b'href="https://news.example/b"></head>'))
    reader = CorpusReader(corpus, min_articles=None)
    sources = {a.path: a.source for result in reader.read_all() for a in result.articles}
    assert sources == {"gazette/story.html": "gazette.example", "other.html": "news.example"}
    (corpus / "corpus.toml").write_text('[[source]]\nname = "The Gazette"\ndomains = ["gazette.example"]\n')
    reader = CorpusReader(corpus, min_articles=None)
    sources = {a.path: a.source for result in reader.read_all() for a in result.articles}
    assert sources == {"gazette/story.html": "The Gazette", "other.html": "news.example"}
