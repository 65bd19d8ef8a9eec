"""What a news page says about itself: headline, date, section, byline, address, site name, language, type.

Read from the page's own markup only (JSON-LD, ``<meta>``, ``<link rel=canonical>``, ``<h1>``, ``<time>``,
its URL), never from the clock: a page that gives no date gets none (the crawl or file date would pass for
the publication date). Every value is plain text, and addresses are http(s) only.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from search.ingest.dates import DateError, parse_published

# JSON-LD types that are an article, and those that are a page of other things.
ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenews", "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
    "backgroundnewsarticle", "blogposting", "socialmediaposting", "liveblogposting", "techarticle", "report",
    "scholarlyarticle", "review", "satiricalarticle", "medicalwebpage", "advertisercontentarticle",
}
LISTING_TYPES = {"collectionpage", "searchresultspage", "profilepage", "itemlist", "website"}
MAX_JSON_LD_CHARS = 1_000_000  # a script block larger than this is not read (an article's JSON-LD is a few kB)
MAX_TITLE_CHARS = 400
# Section names some sites put before the headline in <title>/og:title ("Opinion | ..."), not in the <h1>.
SECTION_PREFIXES = {"opinion", "analysis", "editorial", "commentary", "review", "live", "video", "watch",
                    "podcast", "exclusive", "perspective"}
_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|:|·|•|»|/|~)\s+")
_HEADLINE_CLASS = re.compile(r"(?:^|[\s_-])(?:entry|post|article|story|page|td-post)[-_]?(?:title|headline)\b|"
                             r"(?:^|\s)headline(?:\s|$)", re.IGNORECASE)
_SITE_CLASS = re.compile(r"logo|brand|site[-_]?(?:title|name)|masthead", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-]([0-3]?\d)(?:/|[-_.]|$)|"
                       r"[/-]((?:19|20)\d\d)([01]\d)([0-3]\d)(?:/|[-_.]|$)")
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "article.published",
    "published_time", "publishdate", "publish-date", "publish_date", "pubdate", "pub_date", "date",
    "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "parsely-pub-date", "sailthru.date",
    "article_date_original", "og:datepublished", "published", "dc.date.created", "article:published",
)
_SECTION_META = ("article:section", "og:article:section", "section", "parsely-section", "category")
_BYLINE_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl")
_PLAUSIBLE_YEARS = range(1990, 2101)
# Unambiguous zone names news pages print after a time; dateutil reads only UTC/GMT/Z by itself.
_ZONE_OFFSETS = {"EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00",
                 "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00",
                 "HST": "-10:00", "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00",
                 "EEST": "+03:00", "JST": "+09:00", "KST": "+09:00", "AEST": "+10:00", "AEDT": "+11:00"}
_ZONE_NAME = re.compile(r"\s+(" + "|".join(_ZONE_OFFSETS) + r")\s*$", re.IGNORECASE)
_STOPWORDS = {"the", "and", "for", "are", "you", "with", "this", "that", "from", "its", "his", "her", "was",
              "has", "have", "not", "but", "all", "can", "how", "why", "what", "who", "new", "will", "don"}


@dataclass
class PageFacts:
    """The metadata of one page, as read from its markup."""

    title: str = ""
    title_prefix: str = ""  # a section prefix taken off the headline ("Opinion")
    published: str | None = None
    sections: list[str] = field(default_factory=list)
    byline: str = ""
    url: str = ""
    site_name: str = ""
    language: str = ""
    json_ld_types: set[str] = field(default_factory=set)
    og_type: str = ""
    json_ld_body: str = ""


_NAME_SEPARATORS = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+")


def publication_name(site_name: str) -> str:
    """The publication as a facet value: og:site_name's first part when the site packs more into it
    ("The Jerusalem Post | JPost.com" -> "The Jerusalem Post", "Autoracing | F1 | Indy | MotoGP" ->
    "Autoracing"), so that one publication is one facet value."""
    first = _NAME_SEPARATORS.split(site_name.strip(), maxsplit=1)[0].strip()
    return first if len(first) >= 2 else site_name.strip()


def host_name(url: str) -> str:
    """A page's host without ``www.`` ("nytimes.com"): the source of a page that names none, when
    corpus.toml has no rule for it either."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def read_facts(tree: lxml_html.HtmlElement, url: str = "") -> PageFacts:
    """Read a page's metadata from its parsed tree (``url``: where it was fetched from, may be "")."""
    meta = _meta_values(tree)
    objects = list(_json_ld_objects(tree))
    articles = [obj for obj in objects if _types(obj) & ARTICLE_TYPES]
    facts = PageFacts(site_name=publication_name(_first(meta.get("og:site_name"))),
                      og_type=_first(meta.get("og:type")).lower())
    for obj in objects:
        facts.json_ld_types |= _types(obj)
    facts.url = canonical_url(tree, meta, articles, url)
    site_names = _site_names(facts.site_name, articles, meta, facts.url or url)
    facts.title, facts.title_prefix = headline(tree, meta, articles, site_names)
    facts.published = published_date(tree, meta, articles, facts.url or url)
    facts.sections = sections(tree, meta, articles, facts.title)
    facts.byline = byline(meta, articles)
    facts.language = language(tree, meta, articles)
    bodies = [obj.get("articleBody") for obj in articles if isinstance(obj.get("articleBody"), str)]
    facts.json_ld_body = max(bodies, key=len) if bodies else ""
    return facts


def clean_text(value: object, limit: int = MAX_TITLE_CHARS) -> str:
    """A value as one line of plain text: markup-free (JSON-LD may hold HTML), control characters out."""
    if not isinstance(value, str):
        return ""
    text = value[:100_000]
    if "<" in text and ">" in text:
        try:
            text = element_text(lxml_html.fromstring(f"<div>{text}</div>"), limit)
        except (ValueError, lxml_html.etree.ParserError):
            text = re.sub(r"<[^>]*>", " ", text)
    return plain_line(text, limit)


def plain_line(text: str, limit: int) -> str:
    """Text on one line: control and format characters out, whitespace squashed, at most ``limit`` characters."""
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(text.split())[:limit]


def element_text(element: lxml_html.HtmlElement, limit: int = 10_000_000) -> str:
    """The visible text of an element, on one line, without its scripts and styles."""
    pieces: list[str] = []
    for node in element.iter():
        if node.tag in ("script", "style", "noscript") or not isinstance(node.tag, str):
            if node is not element and node.tail:
                pieces.append(node.tail)
            continue
        if node.text:
            pieces.append(node.text)
        if node is not element and node.tail:
            pieces.append(node.tail)
    return plain_line(" ".join(pieces), limit)


# --- reading the markup --------------------------------------------------------------------------------------

def _meta_values(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = element.get("content")
        if key and content and len(values) < 2000:
            values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host: anything else (javascript:, data:) is never kept."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _first(values: list[str] | None) -> str:
    return clean_text(values[0]) if values else ""


def _json_ld_objects(tree: lxml_html.HtmlElement) -> Iterator[dict]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        text = script.text.strip()
        if len(text) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        yield from _flatten(data, depth=0)


def _flatten(data: object, depth: int) -> Iterator[dict]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _flatten(data[key], depth + 1)


def _types(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.strip().lower() for v in values if isinstance(v, str)}


def _names(value: object) -> list[str]:
    """Names in a JSON-LD person/organisation value (a name, an object, or a list of them)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:20]:
        name = item.get("name") if isinstance(item, dict) else item
        text = clean_text(name, 120)
        if text and not text.lower().startswith(("http://", "https://")):
            names.append(text)
    return names


# --- address -------------------------------------------------------------------------------------------------

def canonical_url(tree: lxml_html.HtmlElement, meta: dict, articles: list[dict], url: str) -> str:
    """The page's own address: <link rel=canonical>, og:url, JSON-LD url, else where it was fetched from."""
    candidates = [link.get("href") for link in tree.iter("link")
                  if "canonical" in (link.get("rel") or "").lower().split()]
    candidates += meta.get("og:url", [])
    for obj in articles:
        entity = obj.get("mainEntityOfPage")
        candidates += [obj.get("url"), entity.get("@id") if isinstance(entity, dict) else entity]
    candidates.append(url)
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        address = urljoin(url, candidate.strip()) if is_web_url(url) else candidate.strip()
        if is_web_url(address) and not any(c.isspace() or ord(c) < 32 for c in address):
            return address[:2000]
    return ""


# --- headline ------------------------------------------------------------------------------------------------

def _site_names(site_name: str, articles: list[dict], meta: dict, url: str) -> list[str]:
    names = [site_name] if site_name else []
    for obj in articles:
        names += _names(obj.get("publisher"))
    names += [clean_text(v) for v in meta.get("application-name", []) + meta.get("twitter:site", [])]
    host = urlsplit(url).hostname or ""
    labels = [label for label in host.split(".") if label not in ("www", "com", "co", "org", "net", "uk", "m")]
    names += labels[-1:] + [host.removeprefix("www.")]
    return [name for name in names if name]


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _is_site_name(segment: str, site_names: list[str]) -> bool:
    key = _squash(segment).removesuffix("com")
    if not key:
        return False
    for name in site_names:
        other = _squash(name.lstrip("@")).removesuffix("com")
        if other and (key == other or (len(other) >= 4 and (key.startswith(other) or other.startswith(key))
                                       and min(len(key), len(other)) >= 0.6 * max(len(key), len(other)))):
            return True
        if other and len(other) >= 5 and other in key and len(segment.split()) <= 3:
            return True
    return False


def strip_site_name(title: str, site_names: list[str]) -> tuple[str, str]:
    """Take the site's name off a <title>/og:title ("... - The New York Times", "Site | ...") and a section
    prefix ("Opinion | ..."); return the headline and the prefix taken ("" if none)."""
    title = clean_text(title)
    prefix = ""
    site_taken = False
    for _ in range(4):  # "Headline | World | News | Express.co.uk": names and sections, from either end
        parts = _SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = _SEPARATORS.findall(title)
        if _is_site_name(parts[-1], site_names) or (
                site_taken and seps[-1].strip() == "|" and len(parts[-1].split()) <= 2):  # "| World | News | Site"
            title = title[: title.rfind(seps[-1])].strip()
            site_taken = True
        elif _is_site_name(parts[0], site_names):
            title = title[title.find(seps[0]) + len(seps[0]):].strip()
        elif parts[0].strip().casefold() in SECTION_PREFIXES and seps[0].strip() in ("|", ":"):
            prefix = parts[0].strip()
            title = title[title.find(seps[0]) + len(seps[0]):].strip()
        else:
            break
    return title, prefix


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if len(w) >= 3 and w not in _STOPWORDS}


def _in_page_chrome(element: lxml_html.HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("nav", "footer", "aside") or _SITE_CLASS.search(ancestor.get("class") or ""):
            return True
    return bool(_SITE_CLASS.search(element.get("class") or ""))


def headline(tree: lxml_html.HtmlElement, meta: dict, articles: list[dict], site_names: list[str]) -> tuple[str, str]:
    """The headline as the article shows it: the article's <h1> when the page's metadata agrees it is the
    headline (or its markup says so), else og:title / JSON-LD headline / <title> without the site's name."""
    head_title = next((element_text(t) for t in tree.iter("title")
                       if not any(a.tag in ("svg", "body") for a in t.iterancestors())), "")
    declared = [_first(meta.get("og:title")), _first(meta.get("twitter:title"))]
    declared += [clean_text(obj.get("headline")) for obj in articles] + [head_title]
    stripped = [strip_site_name(title, site_names) for title in declared if title]
    prefix = next((p for _, p in stripped if p), "")
    meta_titles = [title for title, _ in stripped if title]
    meta_words = [_content_words(title) for title in meta_titles]
    best = ""
    for element in tree.iter("h1", "h2"):
        text = element_text(element)
        if not text or len(text) > MAX_TITLE_CHARS or _in_page_chrome(element) or _is_site_name(text, site_names):
            continue
        marked = bool(_HEADLINE_CLASS.search(element.get("class") or "")) or element.get("itemprop") == "headline"
        if element.tag == "h2" and not marked:
            continue
        words = _content_words(text)
        agrees = any(len(words & other) >= 2 or (words and words <= other) or (other and other <= words)
                     for other in meta_words)
        if marked or agrees:
            best = text
            break
    if not best and meta_titles:
        best = meta_titles[0]
    return best, prefix


# --- date ----------------------------------------------------------------------------------------------------

def _plausible(value: str) -> bool:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", value)
    return bool(re.search(r"\d", value)) and (match is None or int(match.group(1)) in _PLAUSIBLE_YEARS)


def published_date(tree: lxml_html.HtmlElement, meta: dict, articles: list[dict], url: str) -> str | None:
    """The publication date as the page writes it (offset kept): JSON-LD datePublished, a date <meta>,
    <time datetime> marked as the publication's, the date in the URL. None when the page gives none.

    A date in the URL (``/2019/11/18/``) is the day the newsroom's system filed the story under, in the
    newsroom's own zone. When the markup's date falls on another day (a UTC time of the evening before in
    the US, "2019-11-19T04:58:46Z" for a story of the 18th, or a date the markup got wrong), the URL's day
    is taken, without a time: the page's day as its readers saw it matters more in an archive than the hour.
    """
    url_day = _url_day(url)
    candidates: list[str] = []
    candidates += [obj.get("datePublished") for obj in articles if isinstance(obj.get("datePublished"), str)]
    for key in _DATE_META:
        candidates += meta.get(key, [])
    candidates += [obj.get("datePublished") for obj in _json_ld_objects(tree)
                   if isinstance(obj.get("datePublished"), str)]
    candidates += _time_elements(tree)
    for candidate in candidates:
        value = _numeric_zone(clean_text(candidate, 80))
        if value and _plausible(value) and _readable(value):
            return url_day if url_day and _day_of(value) != url_day else value
    found = _htmldate(tree)
    if found:
        return url_day if url_day and found[:10] != url_day else found
    return url_day


def _url_day(url: str) -> str | None:
    match = _URL_DATE.search(urlsplit(url).path)
    if match:
        year, month, day = [int(g) for g in match.groups() if g is not None]
        if year in _PLAUSIBLE_YEARS and 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _day_of(value: str) -> str:
    """The day a readable date falls on, in its own offset (as written when it has none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_published(value).date().isoformat()


def _time_elements(tree: lxml_html.HtmlElement) -> list[str]:
    """<time datetime> values marked as the publication's, then the first one beside the headline (in the
    <article> or <header> that holds the <h1>); a related story's time elsewhere on the page is not taken."""
    marked, beside_headline = [], []
    for element in tree.iter("time"):
        value = element.get("datetime")
        if not value:
            continue
        marker = " ".join([element.get("itemprop") or "", element.get("class") or "",
                           "pubdate" if element.get("pubdate") is not None else ""]).lower()
        if any(word in marker for word in ("datepublished", "pubdate", "publish", "posted", "entry-date")):
            marked.append(value)
        elif "modif" not in marker and "updat" not in marker and not beside_headline:
            holder = next((a for a in element.iterancestors() if a.tag in ("article", "header")), None)
            if holder is not None and holder.find(".//h1") is not None:
                beside_headline.append(value)
    return marked + beside_headline


def _numeric_zone(value: str) -> str:
    """"Nov 19, 2019, 07:47 PM EST" -> "... -05:00": a zone name dateutil does not know becomes its offset,
    so the date keeps the page's zone instead of taking the publication's default."""
    match = _ZONE_NAME.search(value)
    return f"{value[: match.start()]} {_ZONE_OFFSETS[match.group(1).upper()]}" if match else value


def _htmldate(tree: lxml_html.HtmlElement) -> str | None:
    """htmldate on the markup alone (``extensive_search=False``: no guessing from the text, and no
    fallback to today), for date markup the rules above do not know."""
    from htmldate import find_date

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
        except (ValueError, TypeError, LookupError):
            return None
    return found if found and _plausible(found) else None


def _readable(value: str) -> bool:
    with warnings.catch_warnings():  # dateutil warns of zone names it ignores ("EST"); the date still reads
        warnings.simplefilter("ignore")
        try:
            return parse_published(value).year in _PLAUSIBLE_YEARS
        except (DateError, ValueError, OverflowError):
            return False


# --- section, byline, language -------------------------------------------------------------------------------

def sections(tree: lxml_html.HtmlElement, meta: dict, articles: list[dict], title: str) -> list[str]:
    """The article's section: article:section / JSON-LD articleSection, else its breadcrumb trail's last step."""
    values: list[str] = []
    for obj in articles:
        section = obj.get("articleSection")
        values += [clean_text(s, 80) for s in (section if isinstance(section, list) else [section])[:5]]
    for key in _SECTION_META:
        values += [clean_text(v, 80) for v in meta.get(key, [])[:3]]
    if not any(values):
        values += _breadcrumb(tree, title)
    seen: list[str] = []
    for part in (part for value in values if value for part in _section_parts(value)):
        if part.casefold() not in {s.casefold() for s in seen}:
            seen.append(part)
    return seen[:3]


# Section names that say nothing of the article: a site's navigation, not a section (facet noise).
_EMPTY_SECTIONS = {"home", "homepage", "home page", "front page", "frontpage", "all", "articles", "article",
                   "latest", "latest news", "top stories", "main", "index", "uncategorized", "uncategorised",
                   "default", "general", "popular"}
MAX_SECTION_CHARS = 40  # longer is a headline or a list the site put there, not a section name


def _section_parts(value: str) -> list[str]:
    """One section value as facet values: a list packed into one string ("Commercial Real Estate,Home Page")
    split at its commas; an entity the site escaped twice ("&#163;") decoded; "news" and "NEWS" written
    "News", so they meet; navigation names ("Home Page", "All") and headline-long values dropped."""
    parts = []
    for part in html.unescape(value).split(","):
        part = part.strip()
        if (part.islower() or (part.isupper() and len(part) > 3)) and part.isascii():
            part = part.capitalize()
        if (part and len(part) <= MAX_SECTION_CHARS and part.casefold() not in _EMPTY_SECTIONS
                and not is_web_url(part) and not re.search(r"\.(com|org|net)$", part, re.IGNORECASE)):
            parts.append(part)
    return parts


def _breadcrumb(tree: lxml_html.HtmlElement, title: str) -> list[str]:
    for obj in _json_ld_objects(tree):
        if "breadcrumblist" in _types(obj):
            items = obj.get("itemListElement") or []
            names = []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    inner = item.get("item")
                    names.append(clean_text(item.get("name") or (inner.get("name") if isinstance(inner, dict)
                                                                   else ""), 80))
            steps = [n for n in names if n and n.casefold() not in ("home", "startseite") and n != title]
            if steps:
                return steps[-1:]
    return []


def byline(meta: dict, articles: list[dict]) -> str:
    """The author(s): JSON-LD author names, else an author <meta>."""
    names: list[str] = []
    for obj in articles:
        names += _names(obj.get("author"))
    if not names:
        for key in _BYLINE_META:
            names += [clean_text(v, 120) for v in meta.get(key, [])[:3]
                      if not v.strip().lower().startswith(("http://", "https://"))]
            if names:
                break
    unique = list(dict.fromkeys(n for n in names if n))
    return ", ".join(unique[:6])


def language(tree: lxml_html.HtmlElement, meta: dict, articles: list[dict]) -> str:
    """The page's language as a BCP 47 tag ("en", "pt-BR"): <html lang>, content-language, og:locale, JSON-LD."""
    candidates = [tree.get("lang"), tree.get("xml:lang")] + meta.get("content-language", [])
    candidates += meta.get("og:locale", []) + [obj.get("inLanguage") for obj in articles]
    for candidate in candidates:
        if isinstance(candidate, str):
            match = re.fullmatch(r"\s*([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?\s*", candidate)
            if match:
                primary, region = match.group(1).lower(), match.group(2)
                return f"{primary}-{region.upper()}" if region else primary
    return ""
