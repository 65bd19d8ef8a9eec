"""JSON Lines and JSON exports: one object per article, with the project's field names or mapped ones.

The project's own field names (``corpus/README.md`` documents them): ``id``, ``title``,
``published``, ``body`` (paragraphs separated by blank lines) or ``paragraphs`` (a list),
``captions``, ``credits``, ``section``, ``source``, ``url``, ``byline``, ``companies``, ``license``.
Common names from other exports (``text``, ``date``, ``headline``, ``author`` ...) are understood
too; anything else is mapped with ``--map their_name=our_name`` or a ``[[mapping]]`` in corpus.toml.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .article import ArticleDraft
from .captions import dedupe_captions, dedupe_credits, split_lines
from .textclean import paragraphs as split_paragraphs, squash

FIELDS = (
    "id", "title", "published", "body", "paragraphs", "captions", "credits", "section",
    "source", "url", "byline", "companies", "license",
)
# Names other exports use for our fields. An explicit mapping always wins over these.
SYNONYMS = {
    "headline": "title",
    "date": "published", "published_date": "published", "published_at": "published",
    "pubdate": "published", "publication_date": "published", "datetime": "published",
    "text": "body", "content": "body", "article": "body", "fulltext": "body",
    "author": "byline", "authors": "byline",
    "category": "section", "categories": "section",
    "link": "url", "permalink": "url",
    "caption": "captions", "organisations": "companies", "organizations": "companies",
}


class RecordError(ValueError):
    """A record that cannot become an article."""


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """Parse ``["text=body", "published_date=published"]`` (or comma-joined) into a dict."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        for item in pair.split(","):
            if not item.strip():
                continue
            theirs, sep, ours = item.partition("=")
            theirs, ours = theirs.strip(), ours.strip()
            if not sep or not theirs or not ours:
                raise ValueError(f"field mapping {item!r} must look like their_name=our_name")
            if ours not in FIELDS:
                raise ValueError(f"field mapping {item!r}: {ours!r} is not one of {', '.join(FIELDS)}")
            mapping[theirs] = ours
    return mapping


def iter_json_lines(text: str) -> Iterator[tuple[int, object]]:
    """Yield (line number, decoded value) for each non-blank line; bad JSON raises RecordError."""
    # Split on newlines only: str.splitlines() also breaks at U+2028, U+2029 and U+0085, which
    # json.dumps(ensure_ascii=False) writes raw inside strings, and would cut such a record in two.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})")


def iter_json_document(text: str) -> Iterator[tuple[int, object]]:
    """Yield the articles of a JSON document: a list, one object, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        yield number, item


def record_to_draft(record: object, mapping: dict[str, str] | None = None, line: int = 0) -> ArticleDraft:
    """Turn one decoded JSON object into an ArticleDraft, renaming fields by ``mapping``."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    # An explicit mapping beats our own field name, which beats a common synonym.
    ranked: dict[str, tuple[int, object]] = {}
    explicit = mapping or {}
    for name, value in record.items():
        for ours, rank in ((explicit.get(name), 3), (name if name in FIELDS else None, 2), (SYNONYMS.get(name), 1)):
            if ours and rank > ranked.get(ours, (0, None))[0]:
                ranked[ours] = (rank, value)
                break
    fields = {ours: value for ours, (_, value) in ranked.items()}
    draft = ArticleDraft(line=line)
    draft.key = _text(fields.get("id"))
    draft.title = squash(_text(fields.get("title")))
    draft.published = fields.get("published")
    draft.section = squash(_joined(fields.get("section")))
    draft.source = squash(_text(fields.get("source")))
    draft.url = _text(fields.get("url")).strip()
    draft.byline = squash(_joined(fields.get("byline")))
    draft.license = squash(_text(fields.get("license")))
    draft.companies = [squash(c) for c in _list(fields.get("companies"))]
    given_captions = [squash(c) for c in _list(fields.get("captions"))]
    given_credits = [squash(c) for c in _list(fields.get("credits"))]

    if "paragraphs" in fields:
        paragraphs = [squash(p) for p in _list(fields["paragraphs"])]
    else:
        paragraphs = split_paragraphs(_text(fields.get("body")))
    paragraphs = [p for p in paragraphs if p]
    # Caption lines, and captions glued into the text ("... Lukashenko Photo: VCG More European ...").
    split = split_lines(paragraphs)
    draft.paragraphs = split.body
    draft.captions = dedupe_captions(given_captions + split.captions)
    draft.credits = dedupe_credits(given_credits + split.credits)
    return draft


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)
    raise RecordError(f"expected text, got {type(value).__name__}")


def _list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise RecordError(f"expected a list of texts, got {type(value).__name__}")


def _joined(value: object) -> str:
    return ", ".join(_list(value))
