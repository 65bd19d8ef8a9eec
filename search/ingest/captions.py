"""Photo captions and credits: find them in page text and in running text, and de-duplicate them.

Newspaper pages mark a caption by its credit: "... parent company of TikTok Photo: VCG",
"... the United States. (Xinhua)", "Illustration: Chen Xian/Global Times". Scraped article text
often glues the caption to the first sentence of the body, so credits are also found inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Picture agencies and desks that appear as credits. Longest first so "Global Times" beats "Global".
KNOWN_CREDITS = sorted(
    [
        "VCG", "Xinhua", "AFP", "AP", "Reuters", "EPA", "IC", "CFP", "CNS", "cnsphoto",
        "Getty Images", "Global Times", "GT", "China Daily", "CGTN", "People's Daily",
        "Imaginechina", "Visual China Group", "Bloomberg", "Sputnik", "TASS", "Kyodo", "Yonhap",
        "Anadolu Agency", "Wikimedia Commons", "Wikinews", "Flickr", "NASA", "Shutterstock",
    ],
    key=len,
    reverse=True,
)

_LABEL = r"(?:Photos?|Illustrations?|Graphics?|Infographic|Cartoon)"
_NAME = r"[A-Z][\w'.&-]*(?: [A-Z][\w'.&-]*){0,3}"
# "Chen Xian/Global Times", "Xinhua/Li Xin", "Liu Rui/GT"
_KNOWN = "|".join(re.escape(c) for c in KNOWN_CREDITS)
_PERSON = r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*)?"
_SLASHED = rf"(?:{_PERSON}|{_KNOWN})/(?:(?:{_KNOWN})(?![\w])|{_PERSON})"
_COURTESY = r"(?:[Cc]ourtesy of )" + _NAME

# A credit at the very end of a line: everything after the label is the credit.
_LINE_END_CREDIT = re.compile(
    rf"\s*\(?\s*\b{_LABEL}\s*:\s*(?P<credit>[^():]{{1,80}}?)\s*\)?\s*$"
)
# A parenthesised agency credit at the end of a line: "... the United States. (Xinhua)".
_LINE_END_AGENCY = re.compile(rf"\s*\(\s*(?P<credit>(?:{_KNOWN})(?:/[^()]{{1,40}})?)\s*\)\s*$")
# Openings that make a paragraph ending in "(Xinhua)" a caption rather than wire copy.
_CAPTION_OPENING = re.compile(
    r"^(?:(?:An?|The|This|File|Aerial|Undated) )?(?:photo|file photo|screenshot|picture|image)\b"
    r"|^Photo taken\b|\b(?:shows?|is seen|are seen|poses?|pose for)\b",
    re.IGNORECASE,
)
# A credit inside running text: label, then a known agency, a slashed credit, "courtesy of X" or a name.
_INLINE_CREDIT = re.compile(
    rf"\(?\s*\b{_LABEL}\s*:\s*(?P<credit>{_SLASHED}|(?:{_KNOWN})(?![\w/])|{_COURTESY}|[A-Z][A-Za-z.&-]+)\s*\)?"
)
_SENTENCE_END = re.compile(r"(?<=[.!?\"'”’])\s+(?=[A-Z\"“])")
MAX_INLINE_CAPTION_WORDS = 60


@dataclass
class CaptionSplit:
    """Text with its captions and credits taken out."""

    body: list[str] = field(default_factory=list)  # paragraphs
    captions: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)


def split_caption_line(line: str) -> tuple[str, str] | None:
    """Return (caption, credit) when a whole line is a photo caption, else None."""
    match = _LINE_END_CREDIT.search(line)
    if match:
        return line[: match.start()].strip(), match.group("credit").strip()
    match = _LINE_END_AGENCY.search(line)
    if match and _CAPTION_OPENING.search(line[: match.start()]):
        return line[: match.start()].strip(), match.group("credit").strip()
    if line.startswith("Photo taken"):
        return line.strip(), ""
    return None


def split_lines(paragraphs: list[str]) -> CaptionSplit:
    """Sort paragraphs of a page into body paragraphs and caption lines with their credits."""
    result = CaptionSplit()
    for paragraph in paragraphs:
        # A long paragraph, or one with several credits, is running text with captions glued in.
        running_text = (len(paragraph.split()) > 2 * MAX_INLINE_CAPTION_WORDS
                        or len(_INLINE_CREDIT.findall(paragraph)) > 1)
        found = None if running_text else split_caption_line(paragraph)
        if found is None:
            # A body paragraph may still open with a glued caption ("... Photo: VCG Text").
            inline = split_inline(paragraph)
            result.body.extend(inline.body)
            result.captions.extend(inline.captions)
            result.credits.extend(inline.credits)
            continue
        caption, credit = found
        if caption:
            result.captions.append(caption)
        if credit:
            result.credits.append(credit)
    result.captions = dedupe_captions(result.captions)
    result.credits = dedupe_credits(result.credits)
    return result


def split_inline(text: str) -> CaptionSplit:
    """Take captions and credits out of running text where they are glued to the body."""
    result = CaptionSplit()
    body_parts: list[str] = []
    position = 0
    for match in _INLINE_CREDIT.finditer(text):
        before = text[position : match.start()].strip()
        caption, rest = _caption_tail(before)
        if rest:
            body_parts.append(rest)
        if caption:
            result.captions.append(caption)
        result.credits.append(match.group("credit").strip())
        position = match.end()
    tail = text[position:].strip()
    if tail:
        body_parts.append(tail)
    result.body = [" ".join(body_parts)] if body_parts else []
    result.captions = dedupe_captions(result.captions)
    result.credits = dedupe_credits(result.credits)
    return result


def _caption_tail(segment: str) -> tuple[str, str]:
    """Split the text before a credit into (caption, preceding body text).

    A short segment is all caption; in a long one only the last sentence is.
    """
    if not segment:
        return "", ""
    if len(segment.split()) <= MAX_INLINE_CAPTION_WORDS:
        return segment, ""
    sentences = _SENTENCE_END.split(segment)
    return sentences[-1].strip(), " ".join(sentences[:-1]).strip()


def _caption_key(caption: str) -> str:
    return re.sub(r"\W+", " ", caption).strip().casefold()


def dedupe_captions(captions: list[str]) -> list[str]:
    """Drop repeated captions, including shorter copies contained in a longer one, keeping order."""
    cleaned = [re.sub(r"\s+", " ", c).strip() for c in captions if c and c.strip()]
    keys = [_caption_key(c) for c in cleaned]
    kept: list[str] = []
    for index, (caption, key) in enumerate(zip(cleaned, keys)):
        if not key:
            continue
        duplicate_of_earlier = any(key == other for other in keys[:index])
        contained_in_other = any(
            key != other and key in other for other in keys
        )
        if not duplicate_of_earlier and not contained_in_other:
            kept.append(caption)
    return kept


def dedupe_credits(credits: list[str]) -> list[str]:
    """Return credits without repeats (case-insensitive), keeping the first spelling and order."""
    seen: set[str] = set()
    result = []
    for credit in credits:
        credit = credit.strip().rstrip(".")
        key = credit.casefold()
        if credit and key not in seen:
            seen.add(key)
            result.append(credit)
    return result
