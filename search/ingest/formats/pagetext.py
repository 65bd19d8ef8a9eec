"""The page-text format: an article as it reads on a newspaper's page, copied as plain text.

    SOURCE / COMPANIES                        section line (optional, in capitals)
    ByteDance denies report of selling ...    headline
    Published: Jul 05, 2021 05:08 PM          date line (required)
    By Global Times                           optional header lines: By, Source:, URL:, Updated:
    The Beijing office ... Photo: VCG         paragraphs, one per line; caption lines are recognised
    ByteDance, the Chinese owner of ...       by their credits ("Photo: VCG", "(Xinhua)")
"""

from __future__ import annotations

import re

from search.article import ArticleDraft
from search.errors import InvalidInput
from search.ingest.captions import split_lines
from search.text.repair import repair, squash


class PageTextError(InvalidInput):
    """A page-text file that does not have the parts every article needs."""


_SECTION_LINE = re.compile(r"^[A-Z0-9&'’ .,-]+(?: / [A-Z0-9&'’ .,-]+)*$")
_HEADER = re.compile(r"^(?P<label>Published|Updated|Source|URL|Byline|By)\s*:?\s+(?P<value>.+)$")
MAX_HEADER_LINES = 8


def looks_like_page_text(text: str) -> bool:
    """Return True when ``text`` has a "Published:" line near its top."""
    head = text.lstrip()[:2000].splitlines()[:12]
    return any(line.strip().startswith("Published:") for line in head)


def parse_page_text(text: str) -> ArticleDraft:
    """Read one page-text article."""
    lines = [squash(line) for line in repair(text).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise PageTextError("the file is empty")
    draft = ArticleDraft()
    position = 0
    if _is_section_line(lines[0]) and len(lines) > 1:
        draft.sections = [format_section(lines[0])]  # one value: "Source / Companies"
        position = 1
    draft.title = lines[position]
    if draft.title.startswith("Published:"):
        raise PageTextError("no headline before the 'Published:' line")
    position += 1
    for _ in range(MAX_HEADER_LINES):
        if position >= len(lines):
            break
        match = _HEADER.match(lines[position])
        if not match or (match.group("label") == "By" and len(lines[position]) > 80):
            break
        label, value = match.group("label"), match.group("value").strip()
        if label == "Published":
            draft.published = value
        elif label == "Source":
            draft.source = value
        elif label == "URL":
            draft.url = value
        elif label in ("By", "Byline"):
            draft.byline = value
        position += 1
    if draft.published is None:
        raise PageTextError("no 'Published:' line under the headline")
    split = split_lines(lines[position:])
    draft.paragraphs = split.body
    draft.captions = split.captions
    draft.credits = split.credits
    return draft


def _is_section_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(line) <= 80 and bool(letters) and bool(_SECTION_LINE.match(line))


def format_section(line: str) -> str:
    """Turn "SOURCE / COMPANIES" into "Source / Companies", keeping short acronyms ("GT", "AI")."""
    def word(w: str) -> str:
        return w if len(w) <= 2 else w.capitalize()

    return " / ".join(" ".join(word(w) for w in part.split()) for part in line.split(" / "))
