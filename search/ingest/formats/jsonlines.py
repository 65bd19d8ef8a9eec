"""JSON Lines and JSON exports: one object per article, with the project's field names or mapped ones.

The project's own field names (``corpus/README.md`` documents them): ``id``, ``title``,
``published``, ``body`` (paragraphs separated by blank lines) or ``paragraphs`` (a list),
``captions``, ``credits``, ``section``, ``source``, ``url``, ``byline``, ``companies``, ``license``.
Common names from other exports (``text``, ``date``, ``headline``, ``author`` ...) are understood
too; anything else is mapped with ``--map their_name=our_name`` or a ``[[mapping]]`` in corpus.toml.

A list given for ``section`` (Reuters' ``"topics": ["crude", "ship"]``) is several section values,
one facet value each; a text is one value, commas and all. ``FIELD_EFFECTS`` says in words what
becomes of each field (the import command prints it), and ``FieldTally`` counts, while the corpus
is read, what the mapped fields held (the index command prints that).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from search.article import ArticleDraft
from search.errors import InvalidInput
from search.ingest.captions import dedupe_captions, dedupe_credits, split_lines
from search.text.repair import paragraphs as split_paragraphs
from search.text.repair import squash

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
# What becomes of a value mapped to each of our fields (``python -m search import --map`` says it).
FIELD_EFFECTS = {
    "id": "the article's own id",
    "title": "the headline",
    "published": "the publication date",
    "body": "the text; paragraphs separated by blank lines",
    "paragraphs": "the text; a list becomes one paragraph per item",
    "captions": "photo captions; a list becomes one caption per item",
    "credits": "photo credits; a list becomes one credit per item",
    "section": "a list becomes one section value per item (facet)",
    "source": "the publication (facet)",
    "url": "the original article's address (http/https only)",
    "byline": "the author; a list is joined with ', '",
    "companies": "a list becomes one company per item (facet); a text is one company, not split at commas",
    "license": "the licence the article is shown under",
}
# What the index command says became of the lists and texts it counted in a mapped field (``FieldTally``);
# a list given for a field not in LIST_EFFECTS is refused.
LIST_EFFECTS = {
    "section": "one section value each", "companies": "one company each", "captions": "one caption each",
    "credits": "one credit each", "paragraphs": "one paragraph each", "byline": "joined with ', '",
}
TEXT_EFFECTS = {
    "section": "one section value each", "companies": "one company each, not split at commas",
    "captions": "one caption each", "credits": "one credit each",
}


class RecordError(InvalidInput):
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


def iter_json_lines(text: str, max_bytes: int | None = None, first: int = 1) -> Iterator[tuple[int, object]]:
    """Yield (line number, decoded value) for each non-blank line; bad JSON raises RecordError, and so
    does a line over ``max_bytes`` (not parsed: the article it holds is too large). ``first``: the number
    of ``text``'s first line (a part of a file, parsed apart from the rest)."""
    # Split on newlines only: str.splitlines() also breaks at U+2028, U+2029 and U+0085, which
    # json.dumps(ensure_ascii=False) writes raw inside strings, and would cut such a record in two.
    for number, line in enumerate(text.split("\n"), start=first):
        if not line.strip():
            continue
        if max_bytes is not None and len(line) > max_bytes:  # a character is one byte or more
            yield number, RecordError(f"article too large: its line holds {len(line):,} characters, over the "
                                      f"limit of {max_bytes:,} bytes (ARCHIVE_MAX_ARTICLE_BYTES)")
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
    yield from enumerate(items, start=1)


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
    draft.sections = _values(fields.get("section"))
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


def _values(value: object) -> list[str]:
    """A facet's values: each item of a list (in order, without repeats or empty ones); a text is one value."""
    return list(dict.fromkeys(v for v in (squash(item) for item in _list(value)) if v))


def mapping_lines(mapping: dict[str, str]) -> list[str]:
    """One line per mapped field, saying what becomes of it: ``  topics -> section: a list becomes ...``."""
    return [f"  {theirs} -> {ours}: {FIELD_EFFECTS.get(ours, ours)}" for theirs, ours in mapping.items()]


@dataclass
class FieldCount:
    """What one mapped field held over the records of the files its mapping applies to."""

    theirs: str
    ours: str
    where: str  # the files its mapping is for ("reuters/*"), or "--map"
    records: int = 0  # JSON objects read from those files
    lists: int = 0  # records giving a list with at least one value
    texts: int = 0  # records giving a text that is not blank
    numbers: int = 0
    others: int = 0  # records giving anything else (an object, true or false)
    shortest: int = 0  # values in the shortest and in the longest list (blank items left out)
    longest: int = 0

    @property
    def given(self) -> int:
        """Records that have it."""
        return self.lists + self.texts + self.numbers + self.others

    @property
    def without(self) -> int:
        """Records without it: absent, null, blank or an empty list."""
        return self.records - self.given

    def add(self, record: dict) -> None:
        self.records += 1
        value = record.get(self.theirs)
        if isinstance(value, list):
            size = sum(1 for item in value if not (item is None or isinstance(item, str) and not item.strip()))
            if size:
                self.shortest = min(self.shortest, size) if self.lists else size
                self.longest = max(self.longest, size)
                self.lists += 1
        elif isinstance(value, str):
            self.texts += bool(value.strip())
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.numbers += 1
        elif value is not None:
            self.others += 1

    def numbers_held(self) -> tuple[int, ...]:
        """The counts alone, to be kept (the parse cache) and added to another count (``merge``)."""
        return (self.records, self.lists, self.texts, self.numbers, self.others, self.shortest, self.longest)

    def merge(self, held: tuple[int, ...]) -> None:
        """Add the counts of more records (``numbers_held`` of another count of the same field)."""
        records, lists, texts, numbers, others, shortest, longest = held
        if lists:
            self.shortest = min(self.shortest, shortest) if self.lists else shortest
            self.longest = max(self.longest, longest)
        self.records += records
        self.lists += lists
        self.texts += texts
        self.numbers += numbers
        self.others += others

    def line(self) -> str:
        """``Field topics -> section (reuters/*): 11,367 records; lists of 1-16 values (one section value
        each); 10,211 records without it``"""
        given, kinds = self.given, []

        def counted(number: int, what: str) -> str:
            return what if number == given else f"{number:,} {what}"

        if self.lists:
            size = f"{self.shortest}-{self.longest}" if self.shortest != self.longest else str(self.longest)
            effect = LIST_EFFECTS.get(self.ours, "refused: the record is skipped")
            kinds.append(counted(self.lists, f"lists of {size} value{'' if size == '1' else 's'} ({effect})"))
        if self.texts:
            effect = TEXT_EFFECTS.get(self.ours)
            kinds.append(counted(self.texts, "texts" + (f" ({effect})" if effect else "")))
        if self.numbers:  # the list fields take texts and lists of them, not a number alone
            refused = " (refused: the record is skipped)" if self.ours in LIST_EFFECTS else ""
            kinds.append(counted(self.numbers, "numbers" + refused))
        if self.others:
            kinds.append(counted(self.others, "other values (refused: the record is skipped)"))
        return (f"Field {self.theirs} -> {self.ours} ({self.where}): {given:,} records; "
                + "".join(f"{kind}; " for kind in kinds) + f"{self.without:,} records without it")


class FieldTally:
    """Per mapped field, what the records held: counted as the corpus is read (``CorpusReader``)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, str], FieldCount] = {}

    def field_counts(self, mapping: dict[str, str], origins: dict[str, str]) -> list[FieldCount]:
        """The counts of a file read with ``mapping``, one per mapped field in its order (``origins``: where
        each mapped name's mapping comes from, by their name)."""
        return [self.counts.setdefault((theirs, ours, origins.get(theirs, "--map")),
                                       FieldCount(theirs, ours, origins.get(theirs, "--map")))
                for theirs, ours in mapping.items()]

    def counter(self, mapping: dict[str, str], origins: dict[str, str]) -> Callable[[object], None]:
        """The function that counts one record of a file read with ``mapping`` (``origins``: where
        each mapped name's mapping comes from, by their name)."""
        counts = self.field_counts(mapping, origins)

        def count(record: object) -> None:
            if isinstance(record, dict):
                for field_count in counts:
                    field_count.add(record)

        return count

    def lines(self) -> list[str]:
        """One line per mapped field found in at least one record, in the order first seen."""
        return [count.line() for count in self.counts.values() if count.given]
