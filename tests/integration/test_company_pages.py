"""Company pages (/company/<slug>) on the real bundled index, every figure checked by brute force
over the articles themselves; and a company with a hostile name, rendered as text."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html import unescape
from urllib.parse import urlencode

import pytest

from search.companies.directory import company_slug as slugify
from search.index.build import build_index
from tests.support.paths import ROOT
from web import create_app


def named(articles, company):
    return [a for a in articles if company in a.companies]


def most_named(articles, n=5):
    return [name for name, _ in Counter(c for a in articles for c in a.companies).most_common(n)]


def api_total(client, **params) -> int:
    return client.get("/api/search?" + urlencode(params, doseq=True)).get_json()["total"]


def hrefs(html: str, pattern: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html) if re.search(pattern, unescape(h))]


@pytest.mark.parametrize("rank", range(5))
def test_company_page_counts_are_the_corpus_counts(client, bundled_articles, rank):
    company = most_named(bundled_articles)[rank]
    articles = named(bundled_articles, company)
    response = client.get(f"/company/{slugify(company)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{company}</h1>" in unescape(html)
    count = len(articles)
    assert re.search(rf">{count:,} articles? names? {re.escape(company)}<", unescape(html))
    # Mentions per year: one bar per year from the first to the last, each the count of that year.
    years = Counter(a.published.year for a in articles if a.published)
    bars = dict((int(y), int(n)) for y, n in re.findall(r'aria-label="(\d{4}): (\d+) articles?"', html))
    assert bars == {y: n for y, n in years.items() if n}
    for year, expected in list(years.items())[:2]:
        assert api_total(client, company=company, year=year) == expected
    # Companies named in the same articles, with counts; the link is the search for both.
    together = Counter(c for a in articles for c in a.companies if c != company)
    shown = re.findall(r'<li><a href="(/\?q=company[^"]+)">([^<]+)</a> <span class="count">(\d+)</span>', html)
    assert shown, "no co-mentioned companies"
    for url, other, n in shown[:4]:
        other = unescape(other)
        assert int(n) == together[other]
        both = {a.id for a in articles if other in a.companies}
        results = client.get("/api/search?" + unescape(url).split("?", 1)[1]).get_json()
        assert results["total"] == len(both), (company, other)
    assert [int(n) for _, _, n in shown] == sorted((int(n) for _, _, n in shown), reverse=True)
    # Sources, with counts.
    sources = Counter(a.source for a in articles)
    for source, n in re.findall(r'source=[^"]+">([^<]+)</a> <span class="count">(\d+)</span>', html):
        assert sources[unescape(source)] == int(n)
    # Latest articles: newest first, each naming the company.
    latest = re.findall(r'<li><a href="/article/([^"?]+)">', html.split('id="latest-title"', 1)[1])
    by_id = {a.id: a for a in articles}
    assert latest and all(i in by_id for i in latest)
    dates = [by_id[i].published for i in latest if by_id[i].published]
    assert dates == sorted(dates, reverse=True)
    assert len(latest) == min(10, count)


def test_gazetteer_names_aliases_and_tickers(client):
    html = unescape(client.get("/company/bytedance").get_data(as_text=True))
    assert "Also written" in html and "ByteDance Ltd" in html
    with open(ROOT / "corpus" / "companies.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with_ticker = next(row["name"] for row in rows
                       if row["tickers"] and client.get(f"/company/{slugify(row['name'])}").status_code == 200)
    page = unescape(client.get(f"/company/{slugify(with_ticker)}").get_data(as_text=True))
    assert "Tickers" in page


def test_unknown_company_is_a_404_page(client):
    response = client.get("/company/no-such-company-zzz")
    assert response.status_code == 404
    assert "No company" in response.get_data(as_text=True)


def test_company_names_link_to_company_pages(client, bundled_articles, seed_id):
    results = client.get("/?q=bytedance").get_data(as_text=True)
    assert "/company/bytedance" in results and "/company/tiktok" in results
    article = client.get(f"/article/{seed_id}").get_data(as_text=True)
    for company in next(a for a in bundled_articles if a.id == seed_id).companies:
        assert f'href="/company/{slugify(company)}"' in article
    # Embedded, the names filter the search instead (company pages are not framed).
    embedded = client.get("/embed?q=bytedance").get_data(as_text=True)
    assert "/company/" not in embedded


HOSTILE = ['<script>alert(1)</script> Corp', 'Acme "Quote" & <b>Bold</b> Ltd']


def test_hostile_company_names_are_text(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "feed").mkdir(parents=True)
    records = [{"id": f"h{i}", "title": f"Hostile names {i}", "published": f"2020-0{i + 1}-01T10:00:00Z",
                "body": "A story about two firms.", "companies": HOSTILE, "source": "Test <i>Wire</i>"}
               for i in range(3)]
    (corpus / "feed" / "hostile.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    build_index(corpus, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(corpus), "TESTING": True})
    client = app.test_client()
    names = [v["value"] for v in client.get("/api/search?q=hostile").get_json()["facets"]["company"]]
    assert len(names) == 2 and all("<" in n for n in names), names  # as indexed (legal suffixes cut)
    for name in names:
        response = client.get(f"/company/{slugify(name)}")
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<b>Bold" not in html and "<i>Wire" not in html
        assert ("&lt;script&gt;alert(1)&lt;/script&gt; Corp" in html
                or "Acme &#34;Quote&#34; &amp; &lt;b&gt;Bold" in html)
    app.extensions["archive"].close()
