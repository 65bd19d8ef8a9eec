"""Web archives at scale and hostile (issue 17): reading a crawl takes memory that does not grow with the file
(1,000 and 5,000 pages), at a rate printed here and in docs/corpus.md; hostile pages in an HTML file and in a
WARC give articles whose pages, rendered by the app, hold no markup and no link that is not http(s)."""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest

from search.ingest.corpus import CorpusReader
from tests.support.memory import current_mb, peak_mb, reset_peak
from tests.support.warcs import Crawl, generated_page


def write_generated_crawl(path: Path, pages: int) -> Path:
    crawl = Crawl(path)
    for number in range(pages):
        crawl.response(f"https://news.example/story/{number}", generated_page(number))
        if number % 10 == 0:
            crawl.response(f"https://news.example/img/{number}.jpg", bytes(2000), content_type="image/jpeg")
    return crawl.save()


def read_crawl(path: Path) -> tuple[int, float, int]:
    """Articles read, seconds, and the peak of Python's allocations (tracemalloc) while reading."""
    reader = CorpusReader(path.parent, min_articles=None)
    tracemalloc.start()
    started = time.perf_counter()
    articles = 0
    from search.ingest.corpus import FileResult

    result = FileResult(path.name, "")
    for _ in reader.iter_file(path, path.name, result):  # streamed, as the index command does
        articles += 1
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return articles, seconds, peak


def test_reading_a_crawl_takes_memory_that_does_not_grow_with_it(tmp_path):
    small = write_generated_crawl(tmp_path / "small" / "crawl.warc.gz", 1000)
    large = write_generated_crawl(tmp_path / "large" / "crawl.warc.gz", 5000)
    reset_peak()  # the reading's own peak: ru_maxrss would be the pytest process's lifetime peak
    rss_before = current_mb()
    small_articles, small_seconds, small_peak = read_crawl(small)
    large_articles, large_seconds, large_peak = read_crawl(large)
    rss_growth = peak_mb() - rss_before
    print(f"\n1,000 pages ({small.stat().st_size / 2**20:.1f} MiB): {small_articles / small_seconds:.0f} pages/s, "
          f"peak {small_peak / 2**20:.1f} MiB; 5,000 pages ({large.stat().st_size / 2**20:.1f} MiB): "
          f"{large_articles / large_seconds:.0f} pages/s, peak {large_peak / 2**20:.1f} MiB; "
          f"peak RSS {rss_growth:.0f} MiB above the start")
    assert (small_articles, large_articles) == (1000, 5000)
    # Five times the pages: the peak is the first pass's URL index (a few hundred bytes a page), not the pages.
    assert large_peak < small_peak + 4 * 2**20 and large_peak < 32 * 2**20
    assert rss_growth < 150, rss_growth  # lxml's and the parser's memory too, outside tracemalloc's view


HOSTILE = '<script>alert(1)</script>'
HOSTILE_PAGE = f"""<!doctype html><html><head><title>{HOSTILE}Council zqxhostile budget</title>
<meta property="og:title" content="{HOSTILE}Council zqxhostile budget">
<meta name="author" content="<img src=x onerror=alert(1)>">
<meta property="og:site_name" content="<svg onload=alert(1)>">
<link rel="canonical" href="javascript:alert(1)">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{HOSTILE}Council zqxhostile budget",
"datePublished": "2020-02-03", "url": "javascript:alert(1)", "author": {{"name": "<b onmouseover=alert(1)>x</b>"}}}}
</script></head><body><article><h1>{HOSTILE}Council zqxhostile budget</h1>
<p>The council zqxhostile met on Tuesday to discuss the budget &lt;script&gt;alert(1)&lt;/script&gt; for next year,
and the residents asked many questions about the roads, the schools and the libraries of the town.</p>
<p>The budget zqxhostile was passed by seven votes to two after a long debate about the roads and the parks.</p>
</article></body></html>""".encode()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    from search.index.build import build_index
    from web import create_app

    corpus = tmp_path_factory.mktemp("hostile-html")
    (corpus / "pages").mkdir()
    (corpus / "pages" / "hostile.html").write_bytes(HOSTILE_PAGE)
    crawl = Crawl(corpus / "crawls" / "hostile.warc.gz")
    crawl.response("javascript:alert(1)//news.example/x", HOSTILE_PAGE)  # skipped: not an http(s) URL
    crawl.response("https://news.example/hostile?a=%3Cscript%3E", HOSTILE_PAGE.replace(b"Council", b"Crawled"))
    crawl.save()
    index = tmp_path_factory.mktemp("hostile-index")
    report = build_index(corpus, index, progress=False, procs=1)
    assert report.summary.articles == 2 and report.summary.skipped["not an http(s) URL"] == 1
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    yield app
    app.extensions["archive"].close()


def test_hostile_html_and_warc_pages_reach_the_app_as_text(hostile_app):
    client = hostile_app.test_client()
    found = client.get("/api/search?q=zqxhostile").get_json()
    assert found["total"] == 2
    for hit in found["hits"]:
        assert hit["url"] in ("", "https://news.example/hostile?a=%3Cscript%3E")
    pages = [client.get("/?q=zqxhostile"), client.get("/?q=zqxhostile", headers={"HX-Request": "true"})]
    pages += [client.get(f"/article/{quote(hit['id'])}") for hit in found["hits"]]
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "onerror=alert" not in html and "<svg onload" not in html
        assert "<b onmouseover" not in html
        assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2].get_data(as_text=True)
