"""Hostile content and hostile queries: every page, fragment and JSON answer keeps article text and
query strings as text. Issue 5.

A corpus of XSS payloads (tests/data/xss-payloads.txt) goes into every field of articles that are
indexed next to a small copy of the bundled corpus; each page the app can show them on is then
parsed and must consist of the app's own elements only (the set its templates give for benign
pages), with a bare <mark> as the only markup inside article text. The payloads also go into every
query parameter. A real Chromium then loads the worst of it with a canary on alert/confirm/prompt.
Finally every route, static file and error answers with the security headers.

``pytest -s tests/test_hostile.py`` prints what was tried and checked.
"""

from __future__ import annotations

import ast
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pytest

from search.ingest.corpus import CorpusReader
from search.index.build import build_index
from search.text.repair import squash
from tests.conftest import copy_small_corpus
from web import create_app
from web.assets import HTMX_FILE
from web.links import FACET_TITLES

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss-payloads.txt"
MARKER = "zqxhostile"
HOSTILE_FILE = "hostile/hostile.jsonl"
# The fields of a JSON Lines record that every payload is put into (corpus/README.md); "id" is the
# record's own id, which becomes part of the article's URL.
FIELDS = ("id", "title", "body", "captions", "credits", "companies", "section", "source", "url", "byline")
# Every parameter of the search pages and the API; "theme" is /embed's.
PARAMETERS = ("q", "company", "source", "section", "year", "month", "from", "to", "sort", "page", "per_page", "theme")
# Parameters that only take numbers, dates or a keyword: a payload there is a 400 that quotes it.
VALIDATED = ("year", "month", "from", "to", "sort", "page", "per_page")
# Words the payload file hides inside markup, so that <mark> lands inside a tag, attribute or URL.
SPLIT_WORDS = ("police", "tiktok", MARKER, "script", "alert", "mark", "img", "onerror", "javascript", "svg", "iframe")
ARTICLE_QUERY = " OR ".join(SPLIT_WORDS)
HX = {"HX-Request": "true"}
SURFACES = (("page", "/", {}), ("htmx", "/", HX), ("embed", "/embed", {}), ("fragment", "/embed/fragment", {}))

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "codebase", "srcset",
                  "ping", "xlink:href", "manifest", "icon", "lowsrc", "dynsrc", "longdesc", "hx-get", "hx-post",
                  "hx-put", "hx-patch", "hx-delete"}
# Elements that run code, load things or change how the page is read: only the app's own, attribute for attribute.
EXACT_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "svg", "math", "base", "meta", "style", "link",
              "template", "form"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# Where article text is shown: inside these only a bare <mark> may appear (and the app's own spans).
MARK_CONTEXTS = {"snippet", "hit-title", "heading", "caption", "paragraph"}


# ---------------------------------------------------------------------------------------------
# Payloads and the hostile corpus


def load_payloads(path: Path = PAYLOAD_FILE) -> list[str]:
    payloads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        payloads.append(ast.literal_eval(line[3:]) if line.startswith("py:") else line)
    return payloads


PAYLOADS = load_payloads()


def hostile_records(payloads: list[str]) -> list[dict]:
    """Three articles per payload, so each field gets it whole, alone, and split by the marker word.

    ``whole``: the payload with the marker beside it in every field; ``bare``: the payload alone in
    each field (the marker only in the body), its URL an http one that carries it; ``split``: the
    marker inserted in the middle of the payload everywhere, so that the <mark> around it cuts the
    payload in two.
    """
    records = []
    for number, payload in enumerate(payloads):
        half = len(payload) // 2
        split = f"{payload[:half]} {MARKER} {payload[half:]}"
        published = f"2022-{number % 12 + 1:02d}-{number % 27 + 1:02d}"
        records += [
            {"id": f"hostile-{number}-whole", "title": f"{payload} {MARKER}", "published": published,
             "body": f"{MARKER} {payload}\n\n{payload} {MARKER} {payload}", "captions": [f"{payload} {MARKER}"],
             "credits": [payload], "companies": [payload], "section": payload, "source": payload, "url": payload,
             "byline": payload},
            {"id": f"hostile-{number}-bare", "title": payload, "published": published,
             "body": f"{payload}\n\n{MARKER}", "captions": [payload], "credits": [payload],
             "companies": [payload, "TikTok"], "section": [payload, "Wire"], "source": f"{payload} {MARKER}",
             "url": "https://evil.example/" + payload, "byline": payload},
            {"id": f"hostile-{number}-split {payload}", "title": split, "published": published,
             "body": f"{split}\n\n{split}", "captions": [split], "credits": [split], "companies": [split],
             "section": split, "source": split, "url": f"http://evil.example/{split}", "byline": split},
        ]
    return records


@dataclass
class Hostile:
    app: object
    client: object
    payloads: list[str]
    articles: dict  # id -> Article, as the product reads the hostile file
    urls: set[str]
    benign: "Baseline"
    stats: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def write_benign_versions(corpus: Path) -> None:
    """A benign story sent twice (the second time with one more sentence) and an article quoting a third of
    it, so that benign pages show near-duplicates folded under a hit and related articles: the baseline
    then knows their markup, and hostile text in them is checked like any other."""
    records = [json.loads(line) for line in (corpus / "wikinews" / "wikinews-2019-2021.jsonl").read_text(
        encoding="utf-8").splitlines()]
    story = next(r for r in records if r["title"].startswith("Magnitogorsk"))
    words = story["body"].split()
    versions = [
        {**story, "id": "magnitogorsk-update", "title": story["title"] + " (update)",
         "body": story["body"] + "\n\nRescue work ended on Friday."},
        {"id": "magnitogorsk-look-back", "title": "A look back at Magnitogorsk", "published": story["published"],
         "body": " ".join(words[: len(words) // 3]) + "\n\n" + records[1]["body"]},
    ]
    (corpus / "benign").mkdir()
    (corpus / "benign" / "versions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in versions), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    started = time.perf_counter()
    corpus = copy_small_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    write_benign_versions(corpus)
    records = hostile_records(PAYLOADS)
    (corpus / "hostile").mkdir()
    (corpus / HOSTILE_FILE).write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    root = tmp_path_factory.mktemp("hostile-index")
    report = build_index(corpus, root, progress=False, procs=1)
    articles = {a.id: a for result in CorpusReader(corpus).read_all() for a in result.articles if a.path == HOSTILE_FILE}
    # Every record made it into the index: nothing was dropped as unreadable; the articles are in file order.
    assert len(articles) == len(records), report.lines()
    assert [a.title for a in articles.values()][::3] == [squash(f"{p} {MARKER}") for p in PAYLOADS]
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    try:
        client = app.test_client()
        state = Hostile(app=app, client=client, payloads=PAYLOADS, articles=articles,
                        urls={a.url for a in articles.values() if a.url},
                        benign=Baseline())
        state.benign.learn(client)
        state.stats["setup_ms"] = int((time.perf_counter() - started) * 1000)
        yield state
    finally:
        app.extensions["archive"].close()
    unescaped = len(state.problems)  # markup that got through, or text that did not come back as written
    print(f"\nhostile: {len(PAYLOADS)} payloads x {len(FIELDS)} fields ({len(articles)} articles) and "
          f"x {len(PARAMETERS)} parameters, {state.stats['responses']:,} responses checked "
          f"({state.stats['html']:,} HTML, {state.stats['json']:,} JSON, {state.stats['elements']:,} elements, "
          f"{state.stats['texts']:,} texts compared), {unescaped} unescaped or altered; checks tried on "
          f"{state.stats['mutants']} purpose-broken pages; setup {state.stats['setup_ms']} ms")


# ---------------------------------------------------------------------------------------------
# An HTML tree good enough to know where each element sits


class Element:
    __slots__ = ("tag", "attrs", "parent", "chunks", "start", "end", "label", "attributes", "classes", "signature",
                 "context")

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent: "Element | None", chunks: list[str]):
        self.tag, self.attrs, self.parent, self.label = tag, attrs, parent, ""
        self.chunks, self.start, self.end = chunks, len(chunks), None  # its text: chunks[start:end]
        self.attributes: dict[str, str] = {}
        for name, value in attrs:
            self.attributes.setdefault(name, value or "")
        self.classes = set(self.attributes.get("class", "").split())
        # What kind of element of the templates this is: tag, class and the names of its attributes.
        self.signature = (tag, self.attributes.get("class", ""), tuple(sorted(name for name, _ in attrs)))
        # The kind of article-text container the element is in ('' for none).
        self.context = (container_kind(parent) or parent.context) if parent is not None else ""

    @property
    def exact(self) -> tuple:
        return self.tag, tuple(self.attrs)

    def text(self) -> str:
        return "".join(self.chunks[self.start:self.end])

    def __repr__(self) -> str:
        attrs = "".join(f" {n}" + (f"={v!r}" if v is not None else "") for n, v in self.attrs)
        return f"<{self.tag}{attrs}>"


def container_kind(node: Element) -> str:
    """Name the kind of article-text container ``node`` is ('' when it is none)."""
    classes = node.classes
    if node.tag == "p" and "snippet" in classes:
        return "snippet"
    if node.tag == "h2" and "hit-title" in classes:
        return "hit-title"
    if node.tag == "a" and "version-title" in classes:  # a near-duplicate folded under a hit
        return "hit-title"
    if node.tag == "h1":
        return "heading"
    if node.tag == "figcaption":
        return "caption"
    if node.tag == "p" and node.parent is not None and "article-body" in node.parent.classes:
        return "paragraph"
    return ""


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.chunks: list[str] = []  # all text of the page, in order
        self.last_dt = ""
        self.feed(html)
        self.close()

    def _open(self, tag, attrs, void):
        element = Element(tag, attrs, self.stack[-1] if self.stack else None, self.chunks)
        if tag == "dd":
            element.label = self.last_dt
        self.elements.append(element)
        if void:
            element.end = element.start
        else:
            self.stack.append(element)

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs, tag in VOID)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs, True)

    def handle_endtag(self, tag):
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position].tag == tag:
                closed = self.stack[position]
                for element in self.stack[position:]:
                    element.end = len(self.chunks)
                del self.stack[position:]
                if tag == "dt":
                    self.last_dt = closed.text().strip()
                return

    def handle_data(self, data):
        self.chunks.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]


def scheme_of(url: str) -> str:
    """The scheme a browser would see: control characters and spaces are dropped first, case ignored."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) + ":" if match else ""


class Baseline:
    """What the app's templates emit for benign pages: element kinds, parent-child pairs, exact risky tags."""

    URLS = [
        ("/?q=ByteDance", {}), ("/?q=government", {}), ("/?q=government&page=2", {}), ("/?q=government&per_page=1&page=5", {}),
        ("/?q=government&company=Twitter&year=2020&source=Wikinews", {}), ("/?q=government&year=2020&month=5&sort=newest", {}),
        ("/?q=goverment", {}), ('/?q=title:("governmen', {}), ("/?q=nothingmatcheshere", {}),
        ("/embed/fragment?q=goverment", {}),  # "did you mean" in a fragment swaps it in place (on the page it loads the page)
        ("/?q=government&from=2019-01-01&to=2022-12-31&per_page=20", {}), ("/?q=ByteDance", HX), ("/?q=government", HX),
        ("/embed?q=ByteDance&theme=dark", {}), ("/embed?q=government", {}), ("/embed/fragment?q=ByteDance", {}),
        ("/embed/fragment?q=government&company=Twitter", {}), ("/?page=0", {}), ("/?page=0", HX), ("/embed?theme=x", {}),
        ("/article/no-such-article", {}), ("/no/such/page", {}), ("/?q=ByteDance&company=ByteDance", {}),
        ("/?q=ByteDance&company=ByteDance", HX), ("/?q=government&per_page=20&year=2020&month=3", HX),
        ("/embed/fragment?q=government&per_page=20&year=2020&month=3", {}), ("/embed?q=government&per_page=20&year=2020", {}),
        ("/?q=bytedance+byteplus", {}), ("/?q=bytedance+byteplus&match=any", {}), ("/?q=bytedance+byteplus", HX),
        ("/?q=bytedance+byteplus&match=any", HX), ("/embed?q=bytedance+byteplus&match=any", {}),
        ("/embed/fragment?q=bytedance+byteplus", {}), ("/embed/fragment?q=bytedance+byteplus&match=any", {}),
        ("/embed/fragment?q=ByteDance&company=ByteDance", {}), ("/embed?q=ByteDance&company=ByteDance", {}),
        ("/company/bytedance", {}), ("/company/byteplus", {}),
        ("/?q=bytedance+zebras", {}), ("/?q=bytedance+zebras", HX), ("/embed?q=bytedance+zebras&theme=dark", {}),
        ("/embed/fragment?q=bytedance+zebras", {}),
        # a story sent twice, folded under its first version (write_benign_versions); its pages list related ones
        ("/?q=Magnitogorsk", {}), ("/?q=Magnitogorsk", HX), ("/embed?q=Magnitogorsk&theme=dark", {}),
        ("/embed/fragment?q=Magnitogorsk", {}),
        # a facet's full list (issue 14, item 8): filtered, paged, ticked, past its end, refused, framed, swapped
        ("/facet/company?q=government", {}), ("/facet/company?q=government&facet_q=tw", {}),
        ("/facet/company?q=government&facet_q=tw", HX), ("/facet/source?q=government&company=Twitter&year=2020", {}),
        ("/facet/company?q=government&company=Twitter&facet_limit=3&facet_offset=3", {}),
        ("/facet/company?facet_q=nothingmatcheshere", {}), ("/facet/company?facet_offset=9999", {}),
        ("/facet/company?facet_limit=0", {}), ("/facet/company?facet_limit=0", HX), ("/facet/nosuchfacet", {}),
        ("/embed/facet/company?q=government&theme=dark&facet_limit=3&facet_offset=3", {}),
        ("/embed/facet/section?company=Twitter", {}), ("/facet/company?q=government&company=Twitter", {}),
        ("/embed/facet/company?q=government&company=Twitter", {}), ("/facet/section?q=government", {}),
        ("/embed/facet/source?q=government&theme=light", {}),
    ]

    def __init__(self):
        self.signatures: set[tuple] = set()
        self.pairs: set[tuple] = set()
        self.exact: set[tuple] = set()
        self.tags: set[str] = set()

    def learn(self, client) -> None:
        urls = list(self.URLS)
        for source in ("Global Times", "Wikinews"):
            hit = client.get("/api/search?" + urlencode({"source": source, "per_page": 1, "q": "government OR bytedance"})).get_json()["hits"][0]
            urls += [(f"/article/{hit['id']}", {}), (f"/article/{hit['id']}?q=government+OR+bytedance", {}),
                     (f"/embed/article/{hit['id']}?theme=light", {})]
        for hit in client.get("/api/search?q=Magnitogorsk").get_json()["hits"]:
            urls += [(f"/article/{hit['id']}", {}), (f"/embed/article/{hit['id']}?theme=light", {})]
        for url, headers in urls:
            html = client.get(url, headers=headers).get_data(as_text=True)
            assert MARKER not in html.lower(), f"benign page {url} shows hostile articles"
            for element in Tree(html).elements:
                self.tags.add(element.tag)
                self.signatures.add(element.signature)
                self.pairs.add((element.parent.signature if element.parent else None, element.signature))
                if element.tag in EXACT_TAGS:
                    self.exact.add(element.exact)
        assert {"script", "form", "mark", "a"} <= self.tags, self.tags


def html_problems(html: str, benign: Baseline, stats: Counter, where: str, strict: bool = True,
                  article_urls: frozenset | set = frozenset()) -> tuple[list[str], Tree]:
    """Return what in ``html`` is not the app's own markup (empty when the page is clean)."""
    tree = Tree(html)
    problems = []
    for element in tree.elements:
        stats["elements"] += 1
        attributes = element.attributes
        name_list = [name for name, _ in element.attrs]
        kind = element.context
        if element.tag == "mark":
            if element.attrs or kind not in MARK_CONTEXTS:
                problems.append(f"{where}: {element!r} in context {kind or 'none'}")
            continue
        if kind and not (kind == "hit-title" and (element.tag == "a" or element.signature == ("span", "visually-hidden", ("class",)))):
            problems.append(f"{where}: {element!r} inside article text ({kind})")
        if element.signature not in benign.signatures:
            problems.append(f"{where}: {element!r} is not an element of the app's templates")
        elif (element.parent.signature if element.parent else None, element.signature) not in benign.pairs:
            problems.append(f"{where}: {element!r} inside {element.parent!r}, which the templates never do")
        if strict and element.tag in EXACT_TAGS and element.exact not in benign.exact:
            problems.append(f"{where}: {element!r} differs from the app's own <{element.tag}>")
        if element.tag == "script" and not attributes.get("src", "").startswith("/static/"):
            problems.append(f"{where}: script not from /static/: {element!r}")
        if element.tag == "meta" and attributes.get("http-equiv", "").lower() in ("refresh", "content-security-policy", "set-cookie"):
            problems.append(f"{where}: {element!r}")
        for name in name_list:
            if name.startswith("on") or name.startswith("hx-on") or name in ("style", "srcdoc", "formaction", "xlink:href"):
                problems.append(f"{where}: attribute {name} on {element!r}")
        for name, value in element.attrs:
            if name in URL_ATTRIBUTES and value:
                scheme = scheme_of(value)
                if scheme in BAD_SCHEMES and not (element.tag == "link" and value == "data:,"):
                    problems.append(f"{where}: {name}={value!r} on {element!r}")
                if name.startswith("hx-") and not (value.startswith("/") and not value.startswith("//")
                                                   or value.startswith("http://localhost/")):
                    problems.append(f"{where}: htmx URL {value!r} leaves the app")
        if element.tag == "a" and "href" in attributes:
            href = attributes["href"]
            own = href.startswith(("/", "#", "http://localhost/", "https://en.wikinews.org/", "https://creativecommons.org/"))
            if not (own and not href.startswith("//") or href in article_urls):
                problems.append(f"{where}: link to {href!r} that is neither the app's nor an article's")
    return problems, tree


# ---------------------------------------------------------------------------------------------
# Checking responses


REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control")


def header_problems(response, where: str) -> list[str]:
    headers = response.headers
    problems = [f"{where}: no {name}" for name in REQUIRED_HEADERS if not headers.get(name)]
    csp = headers.get("Content-Security-Policy", "")
    if "unsafe-inline" in csp or "unsafe-eval" in csp or "script-src 'self'" not in csp:
        problems.append(f"{where}: weak CSP {csp!r}")
    if "object-src 'none'" not in csp or "base-uri 'none'" not in csp:
        problems.append(f"{where}: CSP lets plugins or <base> in: {csp!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options {headers.get('X-Content-Type-Options')!r}")
    if headers.get("X-Frame-Options", "").upper() not in ("DENY", "SAMEORIGIN") and "frame-ancestors" not in csp:
        problems.append(f"{where}: framable by anyone")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"):
        problems.append(f"{where}: Referrer-Policy {headers.get('Referrer-Policy')!r}")
    return problems


class Checker:
    """Fetch URLs from the hostile app and check each answer, collecting (not stopping at) problems."""

    def __init__(self, state: Hostile):
        self.state = state
        self.stats = state.stats
        self.problems = state.problems

    def get(self, url: str, headers: dict | None = None, statuses=(200,), method: str = "GET"):
        response = self.state.client.open(url, method=method, headers=headers or {})
        where = f"{method} {url[:160]}" + (" (htmx)" if headers else "")
        self.stats["responses"] += 1
        self.problems += header_problems(response, where)
        if response.status_code not in statuses:
            self.problems.append(f"{where}: status {response.status_code}, expected {statuses}")
        if response.mimetype == "application/json":
            self.stats["json"] += 1
            self.check_json(response.get_json(), where)
            return response, None
        assert response.mimetype == "text/html", (where, response.mimetype)
        self.stats["html"] += 1
        problems, tree = html_problems(response.get_data(as_text=True), self.state.benign, self.stats, where,
                                       article_urls=self.state.urls)
        self.problems += problems
        return response, tree

    def check_json(self, data: dict, where: str) -> None:
        for hit in [h for lead in data.get("hits", []) for h in [lead, *lead.get("similar", [])]]:
            for name in ("snippet", "title_html"):
                if name not in hit:
                    continue
                tree = Tree(hit[name])
                bad = [e for e in tree.elements if e.tag != "mark" or e.attrs]
                self.problems += [f"{where}: {name} of {hit['id']} holds {e!r}" for e in bad]
            title_html = hit.get("title_html")
            if title_html is not None:
                self.compare(Tree(f"<p>{title_html}</p>").elements[0].text(), hit["title"], where, "title_html")
            if MARKER in hit["title"].lower() or hit["id"] in self.state.articles:
                article = self.state.articles.get(hit["id"])
                if article is None:
                    self.problems.append(f"{where}: unknown hostile hit {hit['id']}")
                    continue
                self.compare(hit["title"], article.title, where, "title")
                self.compare(hit["source"], article.source, where, "source")
                self.compare(hit["section"], ", ".join(article.sections), where, "section")
                self.compare(hit["sections"], article.sections, where, "sections")
                self.compare(hit["companies"], article.companies, where, "companies")
                self.compare(hit["url"], article.url, where, "url")
                self.snippet(Tree(f"<p>{hit['snippet']}</p>").elements[0].text(), article, where)
            if hit["url"] and scheme_of(hit["url"]) not in ("http:", "https:"):
                self.problems.append(f"{where}: url {hit['url']!r}")
        for facet in [*data.get("facets", {}).values(), data.get("values", [])]:  # /api/search, /api/facet/<name>
            for value in facet:
                if not isinstance(value["value"], str):
                    self.problems.append(f"{where}: facet value {value!r}")

    def compare(self, shown, expected, where: str, what: str) -> None:
        self.stats["texts"] += 1
        if shown != expected:
            self.problems.append(f"{where}: {what} shows {shown!r}, the article has {expected!r}")

    def article_texts(self, tree: Tree, article, where: str) -> None:
        """The article page shows every field of the article as text, character for character."""
        heading = [h for h in tree.find("h1") if "visually-hidden" not in h.classes]
        self.compare([h.text() for h in heading], [article.title], where, "headline")
        self.compare([c.text() for c in tree.find("figcaption")], article.captions, where, "captions")
        body = [p for p in tree.find("p") if p.parent is not None and "article-body" in p.parent.classes]
        self.compare([p.text() for p in body], article.paragraphs, where, "paragraphs")
        meta = {dd.label: dd.text() for dd in tree.find("dd")}
        self.compare(meta.get("Source"), article.source, where, "source")
        if article.credits:
            self.compare(meta.get("Photo credits"), ", ".join(article.credits), where, "credits")
        if article.byline:
            self.compare(meta.get("By"), article.byline, where, "byline")
        if article.companies:
            self.compare([li.text() for li in tree.find("li") if li.parent and "article-companies" in li.parent.classes],
                         article.companies, where, "companies")
        if article.url:
            self.compare(meta.get("Original"), article.url, where, "url")
        else:
            self.compare("Original" in meta, False, where, "url")
        if article.sections:
            self.compare([s.text() for s in tree.find("span", "section") if s.parent and "article-section" in s.parent.classes],
                         article.sections, where, "sections")
        titles = [t.text() for t in tree.find("title")]
        self.compare(len(titles) == 1 and titles[0].startswith(article.title), True, where, "<title>")
        for link in [a for a in tree.find("a") if a.parent and a.parent.parent and "related-list" in a.parent.parent.classes]:
            related = self.state.articles.get(unquote(urlsplit(link.attributes["href"]).path.rsplit("/", 1)[-1]))
            if related is not None:  # a related article that is hostile too: its title as text
                self.compare(link.text().removesuffix(" (opens in a new tab)"), related.title, where, "related title")

    def snippet(self, text: str, article, where: str) -> None:
        """A snippet is pieces of the article's own text (body or captions, the latter labelled
        "Caption: "), nothing put together."""
        whole = " ".join(" ".join([article.body, *article.captions]).split())
        pieces = [" ".join(piece.split()).removesuffix("…").removeprefix("Caption: ") for piece in text.split(" … ")]
        self.compare([piece for piece in pieces if piece not in whole], [], where, f"snippet of {article.id}")

    def hit_texts(self, tree: Tree, where: str) -> None:
        """Each hostile hit's headline reads as the article's title, its snippet as pieces of its text."""
        for hit in tree.find("li", "hit"):
            links = [e for e in tree.elements if e.tag == "a" and e.parent and "hit-title" in e.parent.classes
                     and e.parent.parent is hit]
            snippets = [e for e in tree.elements if e.tag == "p" and "snippet" in e.classes and e.parent is hit]
            article_id = unquote(urlsplit(links[0].attributes["href"]).path.rsplit("/", 1)[-1])
            article = self.state.articles.get(article_id)
            if article is None:
                continue
            self.compare(links[0].text().removesuffix(" (opens in a new tab)"), article.title, where, "hit title")
            sections = [e.text() for e in tree.find("span", "section") if e.parent and e.parent.parent is hit]
            self.compare(sections, article.sections, where, "hit sections")
            self.snippet(snippets[0].text(), article, where)
        for link in tree.find("a", "version-title"):  # near-duplicates folded under a hit: title and snippet
            article = self.state.articles.get(unquote(urlsplit(link.attributes["href"]).path.rsplit("/", 1)[-1]))
            if article is None:
                continue
            self.compare(link.text().removesuffix(" (opens in a new tab)"), article.title, where, "version title")
            for snippet in [e for e in tree.elements if e.tag == "p" and "snippet" in e.classes and e.parent is link.parent]:
                self.snippet(snippet.text(), article, where)


def assert_clean(state: Hostile, before: int) -> None:
    new = state.problems[before:]
    assert not new, f"{len(new)} problems, the first ones:\n" + "\n".join(new[:25])


# ---------------------------------------------------------------------------------------------
# The tests


def test_payload_file_is_big_and_varied():
    text = "\n".join(PAYLOADS).lower()
    assert len(PAYLOADS) >= 100 and len(set(PAYLOADS)) == len(PAYLOADS)
    for needle in ("<script", "onerror", "onload", "onfocus", "autofocus", "onmouseover", "javascript:", "data:",
                   "vbscript:", "<svg", "<animate", "&lt;script&gt;", "&#x3c;", "\\u003c", "+adw-", "\x00", "%c0%bc",
                   '" onmouseover="', "'><img", "{{7*7}}", "{%", "<style", "expression(", "<iframe", "<object",
                   "<embed", "<base", "http-equiv=\"refresh\"", "<form action", "](javascript:", "scrpoliceipt",
                   "onetiktokrror", "javapolicescript"):
        assert needle in text, needle


def test_the_checks_catch_markup_that_gets_through(hostile):
    """The checks themselves, on purpose-broken pages: each payload that holds markup, put back unescaped into
    its article's page (as a template with ``|safe`` in the wrong place would), must be caught."""
    check = Checker(hostile)
    articles = list(hostile.articles.values())
    tried, missed = 0, []
    for number, payload in enumerate(hostile.payloads):
        article = articles[3 * number]  # the "whole" variant: the payload with the marker beside it
        escaped = html_escape(payload, quote=False)
        if not re.search(r"<[a-zA-Z!/]", payload) or not article.title.startswith(payload):
            continue
        html = hostile.client.get(f"/article/{quote(article.id)}").get_data(as_text=True)
        assert escaped in html, payload
        tried += 1
        check.problems = []
        broken = html.replace(escaped, payload)
        problems, tree = html_problems(broken, hostile.benign, Counter(), "broken", article_urls=hostile.urls)
        check.article_texts(tree, article, "broken")
        if not problems and not check.problems:
            missed.append(payload)
    hostile.stats["mutants"] = tried
    assert tried >= 80 and missed == [], (tried, missed)


def test_search_results_keep_hostile_text_as_text(hostile):
    """The marker finds every hostile article; all pages of it, on every surface, are the app's markup only."""
    check, before = Checker(hostile), len(hostile.problems)
    total = hostile.client.get(f"/api/search?q={MARKER}&per_page=1").get_json()["total"]
    assert total == len(hostile.articles)
    pages = -(-total // 100)
    for number in range(1, pages + 1):
        query = urlencode({"q": MARKER, "per_page": 100, "page": number})
        for name, path, headers in SURFACES:
            _, tree = check.get(f"{path}?{query}", headers)
            check.hit_texts(tree, f"{name} {query}")
        check.get(f"/api/search?{query}")
    for sort in ("newest", "oldest"):
        check.get(f"/?q={MARKER}&per_page=100&sort={sort}")
    # Words hidden inside the payloads' markup, fields and wildcards: <mark> lands inside tags and URLs.
    for query in [*SPLIT_WORDS, "scrpoliceipt", "onetiktokrror", "javapolicescript", f"title:{MARKER}",
                  f"caption:{MARKER}", f"body:{MARKER}", f"credit:{MARKER}", "zqx*", "polic*", "alert~1",
                  f'"{MARKER} script"', f"{MARKER} -police"]:
        qs = urlencode({"q": query, "per_page": 30})
        _, tree = check.get(f"/?{qs}")
        check.hit_texts(tree, f"/?{qs}")
        check.get(f"/api/search?{qs}")
    # Facet values that are payloads, selected: a chip, a ticked box and the hits (every 4th payload, all 3 variants).
    articles = list(hostile.articles.values())
    for number, article in enumerate(articles):
        if number // 3 % 4:
            continue
        for name, value in (("company", article.companies[0]), ("source", article.source), ("section", article.sections[0])):
            qs = urlencode({"q": MARKER, name: value})
            where = f"/?{qs}"
            _, tree = check.get(where, HX if number % 2 else {})
            chips = [" ".join(a.text().split()) for a in tree.find("a") if a.parent and a.parent.parent
                     and "chips" in a.parent.parent.classes and "clear-all" not in a.parent.classes]
            check.compare(chips, [f"{FACET_TITLES[name]}: {value} ×"], where, f"chip for {name}")
            boxes = [e.attributes["value"] for e in tree.find("input", "facet-input")
                     if e.attributes.get("name") == name and "checked" in e.attributes]
            check.compare(boxes, [value], where, f"ticked {name} box")
            check.compare(bool(tree.find("li", "hit")), True, where, f"hits for {name}")
            if number % 9 == 0:
                check.get(f"/embed/fragment?{qs}")
    assert_clean(hostile, before)


def test_article_pages_keep_hostile_text_as_text(hostile):
    """Every hostile article, on /article and /embed/article, with and without words marked."""
    check, before = Checker(hostile), len(hostile.problems)
    words = quote(ARTICLE_QUERY)
    for article_id, article in hostile.articles.items():
        _, tree = check.get(f"/article/{quote(article_id)}")
        check.article_texts(tree, article, f"/article/{article_id}")
        _, tree = check.get(f"/embed/article/{quote(article_id)}?q={words}&theme=dark")
        heading = [h for h in tree.find("h1")]
        check.compare([h.text() for h in heading], [article.title], f"/embed/article/{article_id}", "marked headline")
        check.compare([c.text() for c in tree.find("figcaption")], article.captions, f"/embed/article/{article_id}",
                      "marked captions")
    assert_clean(hostile, before)


def test_company_pages_keep_hostile_names_as_text(hostile):
    """The page of every company the hostile articles name (payloads in company names), and its h1."""
    from search.companies.profile import slugify

    check, before = Checker(hostile), len(hostile.problems)
    names = {c for article in hostile.articles.values() for c in article.companies}
    assert len(names) >= 50
    for name in sorted(names):
        _, tree = check.get(f"/company/{quote(slugify(name), safe='')}")
        headings = [h.text() for h in tree.find("h1")]
        if headings != [name]:  # two names with one slug show the one with more articles
            assert slugify(headings[0]) == slugify(name), (name, headings)
    assert_clean(hostile, before)


def test_facet_lists_keep_hostile_values_as_text(hostile):
    """Issue 14, item 8: every hostile company, source and section in a facet's full list (page, htmx list,
    /embed, JSON), each value's label as written and its link the search with that value ticked; and filtered
    by a piece of each payload."""
    check, before = Checker(hostile), len(hostile.problems)
    articles = list(hostile.articles.values())
    expected = {"company": {c for a in articles for c in a.companies}, "source": {a.source for a in articles},
                "section": {s for a in articles for s in a.sections}}
    for facet, names in expected.items():
        seen, offset = set(), 0
        while True:
            qs = urlencode({"q": MARKER, "facet_limit": 200, "facet_offset": offset})
            for url, headers in ((f"/facet/{facet}?{qs}", {}), (f"/facet/{facet}?{qs}", HX),
                                 (f"/embed/facet/{facet}?{qs}&theme=dark", {})):
                _, tree = check.get(url, headers)
                for link in [a for a in tree.find("a") if a.parent and a.parent.parent
                             and "facet-values" in a.parent.parent.classes]:
                    label = link.text().removesuffix(" (ticked: removes this filter)")
                    ticked = parse_qs(urlsplit(link.attributes["href"]).query).get(facet, [])
                    check.compare(ticked, [label], url, f"{facet} link of {label!r}")
                    seen.add(label)
            body = check.get(f"/api/facet/{facet}?{qs}")[0].get_json()
            if not body["has_more"]:
                break
            offset += 200
        check.compare(names - seen, set(), f"/facet/{facet}?q={MARKER}", f"{facet} values listed")
    for number, payload in enumerate(hostile.payloads[::5]):
        piece = payload[len(payload) // 3: len(payload) // 3 + 6]
        qs = urlencode({"q": MARKER, "facet_q": piece, "company": payload})
        check.get(f"/facet/{('company', 'source', 'section')[number % 3]}?{qs}", HX if number % 2 else {}, statuses=(200, 400))
        check.get(f"/api/facet/company?{qs}", statuses=(200, 400))
    assert_clean(hostile, before)


def test_hostile_query_strings(hostile):
    """Each payload in each text parameter of the page (q alone; company, source and section together; theme on
    /embed), every other one in the numbers, dates and sort, which refuse it; in q on the API and, in turn, on
    the htmx fragment, /embed and the embed fragment; in an article's q and id. Every 8th payload in every
    parameter of every surface."""
    check, before = Checker(hostile), len(hostile.problems)
    some_article = quote(next(iter(hostile.articles)))
    statuses = (200, 400)
    for number, payload in enumerate(hostile.payloads):
        everywhere = number % 8 == 0
        facets = {"company": payload, "source": payload, "section": payload}
        requests = [{"q": payload}, facets]
        requests += [{name: payload} for position, name in enumerate(VALIDATED)
                     if everywhere or (number + position) % 2 == 0]  # a 400 that quotes it: half the payloads each
        for params in requests:
            qs = urlencode(params)
            response, tree = check.get(f"/?{qs}", statuses=statuses)
            if params is facets and response.status_code == 200:
                # The values come back as text: in the chips that remove them (and in the ticked boxes).
                chips = [" ".join(a.text().split()) for a in tree.find("a") if a.parent and a.parent.parent
                         and "chips" in a.parent.parent.classes and "clear-all" not in a.parent.classes]
                value = " ".join(payload.split())
                check.compare(chips, [f"{FACET_TITLES[name]}: {value} ×" for name in facets], f"/?{qs}", "chips")
            if "q" in params or everywhere:
                check.get(f"/api/search?{qs}", statuses=statuses)
                others = [(f"/?{qs}", HX), (f"/embed?{qs}&theme=dark", {}), (f"/embed/fragment?{qs}", {})]
                for url, headers in (others if everywhere else others[number % 3: number % 3 + 1]):
                    check.get(url, headers, statuses=statuses)
                # a facet's full list carries the search and takes a filter text of its own
                check.get(f"/facet/company?{qs}&{urlencode({'facet_q': payload})}", statuses=statuses)
                if everywhere:
                    check.get(f"/embed/facet/source?{qs}&theme=dark", statuses=statuses)
                    check.get(f"/api/facet/section?{qs}", statuses=statuses)
        theme = urlencode({"theme": payload})
        check.get(f"/embed?{theme}", statuses=statuses)
        check.get(f"/embed/facet/company?{theme}", statuses=statuses)
        if everywhere:
            check.get(f"/facet/{quote(payload, safe='')}", statuses=(404,))
        if everywhere:
            check.get(f"/embed/article/{some_article}?{theme}", statuses=statuses)
        # The query kept on an article page's "Back to results" link.
        check.get(f"/article/{some_article}?{urlencode({'q': payload})}", statuses=statuses)
        # Unknown article ids and paths echo the payload in a 404 page.
        check.get(f"/article/{quote(payload, safe='')}", statuses=(404,))
        if everywhere:
            check.get(f"/embed/article/{quote(payload, safe='')}?q={quote(payload)}", statuses=(404,))
            check.get(f"/{quote(payload, safe='')}", statuses=(404,))
    # Bytes no text file holds, percent-encoded straight into the query string.
    for raw in ("%C0%BCscript%C0%BEalert(1)", "%3Cscript%3Ealert(1)%3C/script%3E", "%FF%FE%3Csvg%20onload=alert(1)%3E",
                "%E0%80%BCimg%20src=x%20onerror=alert(1)%E0%80%BE", "%u003cscript%u003e", "%2B%2BADw-script%2BAD4-",
                "%0D%0ASet-Cookie:%20x=1", "%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E"):
        for name in PARAMETERS:
            check.get(f"{'/embed' if name == 'theme' else '/'}?{name}={raw}", statuses=statuses)
            check.get(f"/api/search?{name}={raw}", statuses=statuses)
    assert_clean(hostile, before)


def test_a_405_and_a_hostile_host_header(hostile):
    check, before = Checker(hostile), len(hostile.problems)
    for path in ("/", "/embed", "/article/x", "/api/search"):
        check.get(path, method="POST", statuses=(405,))
    # The embed fragment's links are absolute: a forged Host header must not break out of them either.
    response = hostile.client.get(f"/embed/fragment?q={MARKER}", headers={"Host": 'evil.example"><script>alert(1)</script>'})
    hostile.stats["responses"] += 1
    if response.status_code == 200:
        problems, _ = html_problems(response.get_data(as_text=True), hostile.benign, hostile.stats, "forged Host", strict=False)
        hostile.problems += [p for p in problems if "link to" not in p and "htmx URL" not in p]
    assert_clean(hostile, before)


def test_embed_links_in_a_new_tab_keep_hostile_text_as_text(hostile):
    """ARCHIVE_EMBED_LINKS=new-tab changes the hits' links (target, a hidden "opens in a new tab"): same checks."""
    app = create_app({"INDEX_DIR": hostile.app.config["INDEX_DIR"], "TESTING": True, "EMBED_LINKS": "new-tab"})
    try:
        check, before = Checker(hostile), len(hostile.problems)
        check.state = Hostile(**{**hostile.__dict__, "client": app.test_client()})
        for page in (1, 2):
            _, tree = check.get(f"/embed?q={MARKER}&per_page=100&page={page}&theme=light")
            check.hit_texts(tree, "/embed new-tab")
            assert any(e.attributes.get("target") == "_blank" for e in tree.find("a"))
        assert_clean(hostile, before)
    finally:
        app.extensions["archive"].close()


def company_slug(app) -> str:
    """The slug of a company the index names (its page is /company/<slug>)."""
    from search.companies.profile import slugify

    companies = app.test_client().get("/api/search").get_json()["facets"]["company"]
    return slugify(companies[0]["value"])


def sample_urls(app, article_id: str) -> list[tuple[str, str, tuple]]:
    """One URL per GET rule of the app (with sample arguments), static files and errors: (method, url, statuses)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint == "static":
            continue
        sample = {"slug": company_slug(app), "name": "company"}  # name: a facet (/facet/<name>)
        args = {name: sample.get(name, article_id) for name in rule.arguments}
        path = rule.rule
        for name, value in args.items():
            path = path.replace(f"<{name}>", quote(value))
        urls.append(("GET", path, (200,)))
        urls.append(("GET", f"{path}?q={MARKER}", (200,)))
    with app.test_request_context():
        from web.assets import static_url
        urls += [("GET", static_url("style.css"), (200,)), ("GET", "/static/style.css", (200,)),
                 ("GET", static_url(HTMX_FILE), (200,))]
    urls += [("GET", "/no/such/page", (404,)), ("GET", "/article/no-such-article", (404,)),
             ("GET", "/?page=0", (400,)), ("GET", "/api/search?page=0", (400,)), ("GET", "/embed?theme=x", (400,)),
             ("GET", "/embed/article/x?theme=x", (400,)), ("POST", "/", (405,)), ("POST", "/api/search", (405,)),
             ("HEAD", "/", (200,)), ("OPTIONS", "/embed/fragment", (200, 204)), ("OPTIONS", "/api/search", (200, 204)),
             ("GET", "/facet/nosuchfacet", (404,)), ("GET", "/api/facet/company?facet_limit=0", (400,)),
             ("GET", "/facet/source?facet_offset=x", (400,)), ("GET", "/embed/facet/company?theme=x", (400,))]
    return urls


FRAMEABLE = {"views.search", "views.embed", "views.embed_article", "views.facet", "views.embed_facet"}


def endpoint_of(app, method: str, url: str) -> str | None:
    """The endpoint a URL is routed to (None for a 404 or 405)."""
    from werkzeug.exceptions import HTTPException

    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET" if method == "HEAD" else method)[0]
    except HTTPException:
        return None


@pytest.mark.parametrize("allowed", ["", "https://intranet.example"])
def test_security_headers_on_every_route(hostile, allowed):
    """Every URL rule, static files, 400, 404 and 405: CSP without unsafe-*, nosniff, referrer, framing, caching."""
    app = hostile.app
    if allowed:
        app = create_app({"INDEX_DIR": hostile.app.config["INDEX_DIR"], "TESTING": True, "EMBED_ALLOWED_ORIGINS": allowed})
    try:
        client = app.test_client()
        article_id = next(iter(hostile.articles))
        urls = sample_urls(app, article_id)
        rules = {rule.rule for rule in app.url_map.iter_rules()}
        assert len(urls) >= 2 * (len(rules) - 1) + 10
        problems = []
        for method, url, statuses in urls:
            response = client.open(url, method=method, headers={"Origin": allowed} if allowed else {})
            response.close()
            hostile.stats["responses"] += 1
            where = f"{method} {url}"
            if response.status_code not in statuses:
                problems.append(f"{where}: status {response.status_code}")
            problems += header_problems(response, where)
            csp = response.headers.get("Content-Security-Policy", "")
            frameable = allowed and endpoint_of(app, method, url) in FRAMEABLE
            if "frame-ancestors 'self'" not in csp:
                problems.append(f"{where}: no frame-ancestors 'self'")
            elif allowed and (allowed in csp) != bool(frameable):
                problems.append(f"{where}: {allowed} {'may' if allowed in csp else 'may not'} frame it: {csp}")
            if response.headers.get("X-Frame-Options") != (None if frameable else "SAMEORIGIN"):
                problems.append(f"{where}: X-Frame-Options {response.headers.get('X-Frame-Options')!r}")
            if url.startswith("/static/") and "?v=" in url and "immutable" not in response.headers.get("Cache-Control", ""):
                problems.append(f"{where}: versioned static file not cached for good")
            if not url.startswith("/static/") and response.headers.get("Cache-Control") != "no-cache":
                problems.append(f"{where}: Cache-Control {response.headers.get('Cache-Control')!r}")
        assert problems == [], "\n".join(problems[:25])
    finally:
        if allowed:
            app.extensions["archive"].close()


def test_a_missing_static_file_has_the_headers_too(hostile):
    response = hostile.client.get("/static/no-such-file.js")
    response.close()
    assert response.status_code == 404
    assert header_problems(response, "GET /static/no-such-file.js") == []


# ---------------------------------------------------------------------------------------------
# In a real browser


CANARY = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (...args) { window.__xss.push(name + '(' + args.join(',') + ')'); };
}
"""
# After load: elements and attributes that would mean a payload became markup, as the browser built the DOM.
DOM_AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name.startsWith('hx-on') || attr.name === 'style' || attr.name === 'srcdoc'
          || (/^(href|src|action|formaction|data|xlink:href)$/.test(attr.name) && /^(javascript|vbscript|data):/.test(value)
              && value !== 'data:,'))
        bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
    }
  }
  // The results' timeline (web/timeline.py), the one <svg> of these pages: exactly its own attributes,
  // where the template puts it, holding only the elements it draws with.
  const chart = {'class': 'timeline-chart', 'viewBox': '0 0 640 150', 'role': 'group', 'font-size': '11',
                 'fill': 'currentColor', 'aria-labelledby': 'timeline-title', 'aria-describedby': 'timeline-desc'};
  const own = el => el.matches('div.timeline > svg.timeline-chart') && el.attributes.length === 7
                    && [...el.attributes].every(a => chart[a.name] === a.value);
  for (const el of document.querySelectorAll('iframe, object, embed, svg, math, base, style, template, img, video, audio, meta[http-equiv]'))
    if (!own(el)) bad.push(el.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('svg.timeline-chart *'))
    if (!['title', 'desc', 'g', 'line', 'a', 'rect', 'text'].includes(el.localName)) bad.push(el.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('mark'))
    if (el.attributes.length || el.children.length) bad.push(el.outerHTML.slice(0, 120));
  const scripts = [...document.scripts].map(s => s.getAttribute('src') || 'inline');
  return {bad, scripts, title: document.title};
}"""


@pytest.fixture(scope="module")
def hostile_server(hostile):
    from tests.test_browser import serve

    url, stop = serve(hostile.app)
    yield url
    stop()


def test_hostile_pages_in_chromium(hostile, hostile_server):
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, watch

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    server = hostile_server
    ids = list(hostile.articles)
    worst = [i for i, p in enumerate(hostile.payloads)
             if any(s in p for s in ("onerror", "<svg onload", "autofocus", "http-equiv=\"refresh\"", "<base", "POLICE"))]
    article_urls = [f"/article/{quote(ids[3 * i + (i % 3)])}?q={quote(ARTICLE_QUERY)}" for i in worst[::5]][:3]
    urls = [f"/?q={MARKER}&per_page=100&page={n}" for n in range(1, -(-len(ids) // 100) + 1)]
    urls += [f"/embed?q={MARKER}&per_page=100&theme=dark", f"/embed/article/{quote(ids[1])}?q={MARKER}", *article_urls,
             "/?" + urlencode({"q": "<script>alert(1)</script>", "company": hostile.articles[ids[0]].companies[0]}),
             "/?" + urlencode({"q": '"><img src=x onerror=alert(1)>', "page": "<svg onload=alert(1)>"}),
             "/embed?" + urlencode({"theme": '"><svg onload=alert(1)>'}),
             f"/article/{quote('<img src=x onerror=alert(1)>', safe='')}"]
    expected_errors = {urls[-3], urls[-2], urls[-1]}  # a 400, a 400 and a 404: Chromium logs the status
    dialogs, outside, failures = [], [], []
    csp_reports = status_errors = 0

    def open_page(context):
        page = context.new_page()
        watch(page)
        page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            context.add_init_script(CANARY)
            context.on("request", lambda request: None if request.url.startswith((server, "data:")) else outside.append(request.url))
            # A tab per URL, all loading at once; then each is left until the network is idle (so that any
            # onerror/onload would have fired) and audited.
            for batch in (urls[:8], urls[8:]):
                tabs = []
                for url in batch:
                    tab = open_page(context)
                    tab.goto(server + url, wait_until="commit")
                    tabs.append((url, tab))
                for url, tab in tabs:
                    tab.wait_for_load_state("networkidle")
                    audit = tab.evaluate(DOM_AUDIT)
                    canary = tab.evaluate("window.__xss")
                    if audit["bad"] or canary or urlsplit(tab.url).path != urlsplit(server + url).path:
                        failures.append((url, audit["bad"][:5], canary, tab.url))
                    if [s for s in audit["scripts"] if not s.startswith("/static/")]:
                        failures.append((url, "scripts", audit["scripts"]))
                    csp = [p for p in tab.problems if "CSP" in p or "Content Security Policy" in p]
                    statuses = [p for p in tab.problems if url in expected_errors and re.search(r"status of 40[04]", p)]
                    csp_reports, status_errors = csp_reports + len(csp), status_errors + len(statuses)
                    other = [p for p in tab.problems if p not in csp and p not in statuses]
                    if other:
                        failures.append((url, "console", other))
                    tab.close()
            page = open_page(context)
            # Live search: results swapped in by htmx (innerHTML) are as inert as a full page.
            page.goto(server + "/")
            page.fill("#q", MARKER)
            expect(page.locator("#result-count")).to_contain_text(f"for {MARKER}")
            page.wait_for_load_state("networkidle")
            page.locator(".hit-title a").first.hover()
            page.locator(".hit-title a").first.focus()
            audit, canary = page.evaluate(DOM_AUDIT), page.evaluate("window.__xss")
            if audit["bad"] or canary or page.problems:
                failures.append(("live search", audit["bad"][:5], canary, list(page.problems)))
            checked = len(urls) + 1
            # Controls: the canary sees a call, and a handler planted in the DOM is seen by the audit and
            # blocked by the CSP (reported through watch()'s securitypolicyviolation listener).
            page.problems.clear()
            page.evaluate("alert('probe')")
            with page.expect_console_message(lambda message: "CSP violation" in message.text):
                page.evaluate("""document.querySelector('.snippet').insertAdjacentHTML('beforeend',
                    '<img alt="" src="data:," onerror="alert(2)">')""")
            control_audit, control_canary = page.evaluate(DOM_AUDIT)["bad"], page.evaluate("window.__xss")
            control_blocked = len([p for p in page.problems if "CSP violation" in p])
        finally:
            browser.close()
    print(f"\nhostile in Chromium: {checked} pages, {len(dialogs)} dialogs, {len(outside)} requests off the app, "
          f"{csp_reports} CSP reports of blocked content, {status_errors} expected 400/404 logs; control: a planted "
          f"onerror handler was seen and blocked by the CSP ({control_blocked} report)")
    assert failures == [] and dialogs == [] and outside == [], (failures, dialogs, outside)
    assert control_canary == ["alert(probe)"] and any("onerror" in bad for bad in control_audit), (control_canary, control_audit)
