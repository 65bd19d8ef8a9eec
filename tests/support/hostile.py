"""The hostile-content checks (issue 5), shared by tests/system/test_hostile.py and test_hostile_feeds.py.

The XSS payloads (tests/data/xss-payloads.txt) and the hostile corpus made of them; ``build_hostile``,
which indexes it next to a small copy of the bundled corpus and opens the app on it (the ``hostile``
fixture of tests/system/conftest.py); an HTML tree good enough to know where each element sits; what
the templates emit for benign pages (``Baseline``); and the checks of a response: its markup against
the baseline (``html_problems``), its security headers (``header_problems``) and its texts against the
articles (``Checker``).

The product is imported inside the functions that use it, so that reading the payloads costs nothing.
"""

from __future__ import annotations

import ast
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from tests.support.paths import DATA_DIR, copy_small_corpus

PAYLOAD_FILE = DATA_DIR / "xss-payloads.txt"
MARKER = "zqxhostile"
HOSTILE_FILE = "hostile/hostile.jsonl"
# Issue 17: the payloads in saved web pages and a crawl, where the markup of the page itself carries them
# (<title>, og: and other <meta> tags, JSON-LD, <h1>, <figcaption>, canonical and WARC URLs).
HOSTILE_CRAWL = "hostile/crawl.warc.gz"
HOSTILE_PAGE = "hostile/page-{number}.html"
WEB_PAGES = 24  # payloads put in web pages: one saved page and one crawled page each
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

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
        "keygen"}
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


def hostile_page(payload: str, number: int) -> bytes:
    """A news page carrying ``payload`` in its markup: as text (escaped, as a page that shows it would have it)
    in the <title>, <h1>, caption and paragraphs; as attribute values in og:title, og:site_name,
    article:section, author and the canonical link; inside JSON-LD (its ``</script>`` broken as a page must);
    and as raw markup after the article."""
    from html import escape

    text = escape(payload)
    attr = escape(payload, quote=True)
    filler = " ".join(f"council budget school road park item{number} vote week" for _ in range(6))
    json_ld = json.dumps({"@type": "NewsArticle", "headline": f"{payload} {MARKER}", "articleSection": payload,
                          "datePublished": f"2022-03-{number % 27 + 1:02d}T10:00:00+01:00",
                          "author": {"@type": "Person", "name": payload}, "url": "javascript:alert(1)",
                          "publisher": {"@type": "Organization", "name": f"Publisher {number}: {payload}"},
                          }).replace("</", "<\\/")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{text} {MARKER} | {text}</title>
<meta property="og:title" content="{attr} {MARKER}"><meta property="og:site_name" content="Site {number}: {attr}">
<meta property="article:section" content="{attr}"><meta name="author" content="{attr}">
<meta property="og:type" content="article"><link rel="canonical" href="javascript:alert('{attr}')">
<script type="application/ld+json">{json_ld}</script></head>
<body><article><h1>{text} {MARKER}</h1>
<p>{MARKER} {text} {filler}.</p><p>{filler} {text}.</p>
<figure><img src="photo.jpg" alt="{attr}" onerror="alert(1)"><figcaption>{text} {MARKER} Photo: {text}</figcaption>
</figure><p>{filler}.</p></article><div class="raw">{payload}</div></body></html>""".encode()


def write_hostile_web_pages(folder: Path, payloads: list[str]) -> None:
    """The first WEB_PAGES payloads as saved pages (``page-N.html``) and as the pages of one crawl, each at a
    URL that carries the payload."""
    from urllib.parse import quote

    from tests.support.warcs import Crawl

    crawl = Crawl(folder / Path(HOSTILE_CRAWL).name)
    for number, payload in enumerate(payloads[:WEB_PAGES]):
        (folder / Path(HOSTILE_PAGE.format(number=number)).name).write_bytes(hostile_page(payload, number))
        crawl.response(f"https://evil.example/crawl/{number}/{quote(payload, safe='')}",
                       hostile_page(payload, number + 100))
    crawl.save()


@dataclass
class Hostile:
    app: object
    client: object
    payloads: list[str]
    articles: dict  # id -> Article, as the product reads the hostile file
    web_articles: dict  # id -> Article, as the product reads the hostile web pages and crawl
    urls: set[str]
    benign: Baseline
    stats: Counter = field(default_factory=Counter)

    @property
    def every_article(self) -> dict:
        """The hostile records' articles and the web pages' ones."""
        return {**self.articles, **self.web_articles}
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


def build_hostile(tmp_path_factory) -> Iterator[Hostile]:
    """Index the hostile corpus next to a small copy of the bundled corpus, open the app on it and learn
    the benign baseline; yield the state the checks share, then print what was tried and checked."""
    from search.index.build import build_index
    from search.ingest.corpus import CorpusReader
    from search.text.repair import squash
    from web import create_app

    started = time.perf_counter()
    corpus = copy_small_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    write_benign_versions(corpus)
    records = hostile_records(PAYLOADS)
    (corpus / "hostile").mkdir()
    (corpus / HOSTILE_FILE).write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    write_hostile_web_pages(corpus / "hostile", PAYLOADS)
    root = tmp_path_factory.mktemp("hostile-index")
    report = build_index(corpus, root, progress=False, procs=1)
    read = [a for result in CorpusReader(corpus).read_all() for a in result.articles]
    articles = {a.id: a for a in read if a.path == HOSTILE_FILE}
    web_articles = {a.id: a for a in read if a.path.startswith("hostile/") and a.path != HOSTILE_FILE}
    # Every hostile page, saved or crawled, made an article: payloads in the markup make no page unreadable.
    assert len(web_articles) == 2 * WEB_PAGES, (len(web_articles), report.lines())
    # Every record made it into the index: nothing was dropped as unreadable; the articles are in file order.
    assert len(articles) == len(records), report.lines()
    assert [a.title for a in articles.values()][::3] == [squash(f"{p} {MARKER}") for p in PAYLOADS]
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    try:
        client = app.test_client()
        state = Hostile(app=app, client=client, payloads=PAYLOADS, articles=articles, web_articles=web_articles,
                        urls={a.url for a in [*articles.values(), *web_articles.values()] if a.url},
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

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]], parent: Element | None, chunks: list[str]):
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
        ("/?q=ByteDance", {}), ("/?q=government", {}), ("/?q=government&page=2", {}),
        ("/?q=government&per_page=1&page=5", {}),
        ("/?q=government&company=Twitter&year=2020&source=Wikinews", {}),
        ("/?q=government&year=2020&month=5&sort=newest", {}),
        ("/?q=goverment", {}), ('/?q=title:("governmen', {}), ("/?q=nothingmatcheshere", {}),
        # "did you mean" in a fragment swaps it in place (on the page it loads the page)
        ("/embed/fragment?q=goverment", {}),
        ("/?q=government&from=2019-01-01&to=2022-12-31&per_page=20", {}), ("/?q=ByteDance", HX), ("/?q=government", HX),
        ("/embed?q=ByteDance&theme=dark", {}), ("/embed?q=government", {}), ("/embed/fragment?q=ByteDance", {}),
        ("/embed/fragment?q=government&company=Twitter", {}), ("/?page=0", {}), ("/?page=0", HX),
        ("/embed?theme=x", {}),
        ("/article/no-such-article", {}), ("/no/such/page", {}), ("/?q=ByteDance&company=ByteDance", {}),
        ("/?q=ByteDance&company=ByteDance", HX), ("/?q=government&per_page=20&year=2020&month=3", HX),
        ("/embed/fragment?q=government&per_page=20&year=2020&month=3", {}),
        ("/embed?q=government&per_page=20&year=2020", {}),
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
            hit = client.get("/api/search?" + urlencode(
                {"source": source, "per_page": 1, "q": "government OR bytedance"})).get_json()["hits"][0]
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
        if kind and not (kind == "hit-title"
                         and (element.tag == "a" or element.signature == ("span", "visually-hidden", ("class",)))):
            problems.append(f"{where}: {element!r} inside article text ({kind})")
        if element.signature not in benign.signatures:
            problems.append(f"{where}: {element!r} is not an element of the app's templates")
        elif (element.parent.signature if element.parent else None, element.signature) not in benign.pairs:
            problems.append(f"{where}: {element!r} inside {element.parent!r}, which the templates never do")
        if strict and element.tag in EXACT_TAGS and element.exact not in benign.exact:
            problems.append(f"{where}: {element!r} differs from the app's own <{element.tag}>")
        if element.tag == "script" and not attributes.get("src", "").startswith("/static/"):
            problems.append(f"{where}: script not from /static/: {element!r}")
        if (element.tag == "meta"
                and attributes.get("http-equiv", "").lower() in ("refresh", "content-security-policy", "set-cookie")):
            problems.append(f"{where}: {element!r}")
        for name in name_list:
            if (name.startswith("on") or name.startswith("hx-on")
                    or name in ("style", "srcdoc", "formaction", "xlink:href")):
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
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin",
                                              "strict-origin-when-cross-origin"):
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
            if MARKER in hit["title"].lower() or hit["id"] in self.state.every_article:
                article = self.state.every_article.get(hit["id"])
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
            self.compare([li.text() for li in tree.find("li")
                          if li.parent and "article-companies" in li.parent.classes],
                         article.companies, where, "companies")
        if article.url:
            self.compare(meta.get("Original"), article.url, where, "url")
        else:
            self.compare("Original" in meta, False, where, "url")
        if article.sections:
            self.compare([s.text() for s in tree.find("span", "section")
                          if s.parent and "article-section" in s.parent.classes],
                         article.sections, where, "sections")
        titles = [t.text() for t in tree.find("title")]
        self.compare(len(titles) == 1 and titles[0].startswith(article.title), True, where, "<title>")
        for link in [a for a in tree.find("a")
                     if a.parent and a.parent.parent and "related-list" in a.parent.parent.classes]:
            related = self.state.every_article.get(unquote(urlsplit(link.attributes["href"]).path.rsplit("/", 1)[-1]))
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
            article = self.state.every_article.get(article_id)
            if article is None:
                continue
            self.compare(links[0].text().removesuffix(" (opens in a new tab)"), article.title, where, "hit title")
            sections = [e.text() for e in tree.find("span", "section") if e.parent and e.parent.parent is hit]
            self.compare(sections, article.sections, where, "hit sections")
            self.snippet(snippets[0].text(), article, where)
        for link in tree.find("a", "version-title"):  # near-duplicates folded under a hit: title and snippet
            article = self.state.every_article.get(unquote(urlsplit(link.attributes["href"]).path.rsplit("/", 1)[-1]))
            if article is None:
                continue
            self.compare(link.text().removesuffix(" (opens in a new tab)"), article.title, where, "version title")
            for snippet in [e for e in tree.elements
                            if e.tag == "p" and "snippet" in e.classes and e.parent is link.parent]:
                self.snippet(snippet.text(), article, where)


def assert_clean(state: Hostile, before: int) -> None:
    new = state.problems[before:]
    assert not new, f"{len(new)} problems, the first ones:\n" + "\n".join(new[:25])
