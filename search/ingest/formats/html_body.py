"""The body of a news page: trafilatura's main text, then what news pages need on top of it.

trafilatura finds the article's text block; news pages still leave lines in it that are not the article:
the headline repeated, a byline or date line, "Read more: ..." and "Related: ..." links, newsletter and
follow-us lines, "Advertisement", cookie notices, and photo captions. Those are taken out here by rules that
hold on any site (tuned on the dev half of the benchmark pages, docs/html-evaluation.md); captions and their
credits are read from the page's ``<figure>``/``<figcaption>`` and caption markup and kept apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import html as lxml_html

from search.ingest.captions import dedupe_captions, dedupe_credits, split_caption_line
from search.ingest.formats.html_metadata import clean_text, element_text

MAX_CAPTIONS = 60
MAX_CAPTION_CHARS = 1000
MAX_BOILERPLATE_WORDS = 40  # a longer paragraph is never dropped as boilerplate
# trafilatura's settings, chosen on the dev pages: favouring precision beat the default (body F1 0.971
# against 0.956); comments are never the article.
TRAFILATURA_OPTIONS = {"favor_precision": True, "include_comments": False, "include_tables": True,
                       "include_images": False, "include_links": False, "with_metadata": False}

_BOILERPLATE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|story continues below(?: advertisement)?"
    r"|continue reading(?: below| the main story)?|scroll (?:down )?to continue.*|skip (?:to )?(?:ad|advert).*"
    r"|(?:share|tweet|email|print|comments?|save)(?: (?:this|story|article))?)\W*$"
    r"|^(?:read more|related(?: articles?| stories| coverage| content)?|see also|also read|read also|more from \w+"
    r"|recommended(?: for you)?|watch|listen|leia também|veja também|lesen sie auch|ver también|à lire aussi)"
    r"\s*[:›»|–—-]"
    r"|^also on [\w.-]+\.[a-z]{2,}\b"
    r"|^(?:like this (?:story|article)\?|share (?:this|it)(?: story| article)? with a friend)"
    r"|^have a (?:news )?tip\?"
    r"|^(?:follow|like) (?:us|him|her|them|@\w+|[A-Z][\w.]+(?: [A-Z][\w.]+)?) on (?:twitter|facebook|instagram)",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(
    r"(?:sign up|subscribe|register)\b.{0,100}\bnewsletters?\b|\bnewsletters?\b.{0,100}\b(?:sign up|subscribe|inbox)"
    r"|get (?:the latest|our|the best) .{0,60}\b(?:in|to) your inbox|\bwe use cookies\b|\bcookie (?:policy|settings)\b"
    r"|\baccept (?:all )?cookies\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b.*\b(?:follow|twitter|reached|contact|facebook)\b"
                      r"|\b(?:follow|reached|contact|email)\b.*\b[\w.+-]+@[\w-]+\.[\w.]+\b", re.IGNORECASE)
_DATELINE = re.compile(r"\b(?:published|updated|posted|publicado|publié|veröffentlicht|by|por|von)\b\s*:?",
                       re.IGNORECASE)
_DATE_IN_LINE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b(?:19|20)\d\d-\d\d-\d\d\b"
                           r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? (?:19|20)\d\d\b",
                           re.IGNORECASE)
_CAPTION_CLASS = re.compile(r"caption|wp-caption-text|image-desc|photo-desc|media-desc|img-desc", re.IGNORECASE)
_CREDIT_CLASS = re.compile(r"credit|copyright|byline|photographer|source|attribution", re.IGNORECASE)
_CREDIT_LABEL = re.compile(
    r"\s*[(\[]?\s*\b(?:credits?|photo(?:graph)?s?|image|pictures?|illustration|source|foto|bild)\s*(?:credit)?\s*[:©]"
    r"\s*(?P<credit>[^()\[\]]{1,100}?)\s*[)\]]?\s*$|\s*©\s*(?P<copyright>[^©]{1,100}?)\s*$",
    re.IGNORECASE,
)

_AGENCY_END = re.compile(r"\s*\(\s*(?P<credit>[A-Z][\w.&'/ -]{1,40}?)\s*\)\s*$")


@dataclass
class Captions:
    """The photo captions and credits of a page."""

    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)


def read_captions(tree: lxml_html.HtmlElement) -> Captions:
    """Captions and credits from <figure>/<figcaption> and caption markup ("wp-caption-text", "caption")."""
    found = Captions()
    seen: set[int] = set()
    elements = list(tree.iter("figcaption"))
    elements += [e for e in tree.iter("div", "p", "span") if _CAPTION_CLASS.search(e.get("class") or "")]
    for element in elements[: MAX_CAPTIONS * 4]:
        if any(id(a) in seen for a in element.iterancestors()) or _in_chrome(element):
            continue
        seen.add(id(element))
        caption, credit = split_caption(element)
        if caption and len(caption) <= MAX_CAPTION_CHARS:
            found.captions.append(caption)
        if credit:
            found.credits.append(credit)
        if len(found.captions) >= MAX_CAPTIONS:
            break
    found.captions = dedupe_captions(found.captions)
    found.credits = dedupe_credits(found.credits)
    return found


def _in_chrome(element: lxml_html.HtmlElement) -> bool:
    return any(a.tag in ("nav", "footer", "header", "aside") for a in element.iterancestors())


def split_caption(element: lxml_html.HtmlElement) -> tuple[str, str]:
    """A caption element's text and its credit: from the credit's own markup, else from its wording
    ("Photo: VCG", "(Xinhua)", "Credit: Getty Images", "© AFP")."""
    credit_elements = [e for e in element.iterdescendants() if isinstance(e.tag, str)
                       and _CREDIT_CLASS.search(e.get("class") or "")]
    credit = " ".join(element_text(e) for e in credit_elements[:2]).strip()
    text = element_text(element)
    if credit and text.endswith(credit):
        text = text[: -len(credit)].strip()
    elif credit and credit in text:
        text = text.replace(credit, " ").strip()
    if not credit:
        text, credit = split_credit(text)
    credit = re.sub(r"^(?:credits?|photo(?:graph)?|image|source)\s*:\s*", "", credit, flags=re.IGNORECASE)
    return clean_text(text, MAX_CAPTION_CHARS), clean_text(credit.strip(" ()[]|"), 120)


def split_credit(text: str) -> tuple[str, str]:
    """Take the credit off the end of a caption's text, if it has one."""
    match = _CREDIT_LABEL.search(text)
    if match:
        return text[: match.start()].strip(), (match.group("credit") or match.group("copyright") or "").strip()
    found = split_caption_line(text)
    if found:
        return found
    match = _AGENCY_END.search(text)  # in caption markup, "(Xinhua)", "(AP Photo/Evan Vucci)" is the credit
    if match:
        return text[: match.start()].strip(), match.group("credit")
    return text, ""


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def clean_paragraphs(paragraphs: list[str], title: str, byline: str, captions: Captions) -> tuple[list[str], Captions]:
    """Drop what is not the article from trafilatura's paragraphs; captions found in them move to ``captions``."""
    caption_keys = {_key(c) for c in captions.captions if len(c.split()) >= 4}
    title_key = _key(title)
    byline_key = _key(byline)
    kept: list[str] = []
    moved = Captions(list(captions.captions), list(captions.credits))
    for position, paragraph in enumerate(paragraphs):
        key = _key(paragraph)
        words = len(paragraph.split())
        if not key:
            continue
        if key == title_key and position < 3:
            continue
        if caption_keys and (key in caption_keys or any(key.startswith(c) for c in caption_keys)):
            continue
        if words <= MAX_BOILERPLATE_WORDS and (_BOILERPLATE.search(paragraph) or _NEWSLETTER.search(paragraph)
                                                or _CONTACT.search(paragraph)):
            continue
        if position < 3 and not kept and words <= 20 and _is_dateline(paragraph, byline_key):
            continue
        if words <= 60:
            found = split_caption_line(paragraph)
            if found and found[1] and _looks_like_caption(paragraph):
                if found[0]:
                    moved.captions.append(found[0])
                moved.credits.append(found[1])
                continue
        kept.append(paragraph)
    moved.captions = dedupe_captions(moved.captions)
    moved.credits = dedupe_credits(moved.credits)
    return kept, moved


def _is_dateline(paragraph: str, byline_key: str) -> bool:
    """A byline or date line at the top: "05/10/2018 - Publicado por: ...", "By Jane Doe | Nov 18, 2019"."""
    if byline_key and _key(paragraph) in (byline_key, f"by {byline_key}"):
        return True
    return bool(_DATE_IN_LINE.search(paragraph) and _DATELINE.search(paragraph))


def _looks_like_caption(paragraph: str) -> bool:
    """A paragraph ending in a credit is a caption when it says so ("Photo: ...") rather than wire copy."""
    return bool(re.search(r"\b(?:photos?|image|credit|illustration)\s*:", paragraph, re.IGNORECASE))
