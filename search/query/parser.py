"""The query language of the search box, turned into Whoosh queries.

    bytedance tiktok          all the words (AND)
    "video sharing"           a phrase; "interest rates"~3 allows 3 words between
    tiktok OR douyin          either word
    -trump  NOT trump         without the word
    title:bytedance           in a field: title (headline), caption, body, company, source, section, credit
    year:2020                 published that year (the dateline field)
    tik*  te?t                wildcards, limited in how many words they may expand to
    tiktk~1                   fuzzy: within one edit

Text that is not valid syntax is searched as plain words rather than rejected; so is an unknown
field ("foo:bar", "date:2020"), which the parsed query names for the notice that says so. Words
too common to index ("the who") are named too: the query finds nothing, and the notice says why. With
``any_words`` (the "any of the words" mode, and the fallback when all the words find nothing)
the words are OR-ed instead, and the articles with more of them rank first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from whoosh import qparser
from whoosh import query as wq

from search.errors import BadRequest
from search.index.schema import FIELD_BOOSTS, SEARCHED_FIELDS, TEXT_FIELDS
from search.index.vocabulary import Vocabulary
from search.query.expansion import expand, typed_words
from search.text.analysis import STOP_WORDS

# Field names people may type, and the index field each one searches.
FIELD_NAMES = {
    "title": "title", "headline": "title",
    "caption": "captions", "captions": "captions",
    "body": "body", "text": "body",
    "company": "company", "source": "source", "section": "section", "credit": "credit",
    "year": "dateline",  # the dateline holds the year of publication: year:2020 is a year filter
}
# The fields as the unknown-field notice lists them (search.html's tips name the common ones).
FIELD_HELP = ("title: (or headline:)", "caption:", "body:", "company:", "source:", "section:", "credit:", "year:")
WILDCARD_LIMIT = 1_000  # words one wildcard or fuzzy term may expand to
MAX_FUZZY_EDITS = 2  # tiktk~1, tiktko~2
MAX_FUZZY_TERMS = 3
WILDCARD_MIN_PREFIX = 2  # letters before the first * or ?
MAX_CLAUSES = 64
MAX_SLOP = 50  # "a b"~50: words allowed between the words of a phrase
# The query's cost budget, decided before any matching (docs/searching.md "Limits"): the words the whole
# query asks for once its wildcards and fuzzy words are expanded, counted per field searched (a typed
# word is looked for in the headline, captions, body and year: 4), and the words of one phrase.
MAX_QUERY_TERMS = 4_000
# Of those, words in the name fields (company:, source:, section:, credit:), which Whoosh matches and scores
# in Python rather than the numpy scorer: a few hundred cost a second.
MAX_NAME_TERMS = 400
MAX_PHRASE_WORDS = 32
_PHRASE_SLOP = re.compile(r'("[^"]*")~(\d+)')
_NEGATIVE = re.compile(r"(?:^|(?<=\s))-(\S+)")
# "name:value", as a field is typed: a letter first ("12:30" is a time) and not a URL ("http://"); the
# value a word, a phrase or a group. A phrase is matched whole, so that a colon inside one is no field.
_PREFIX = re.compile(r'(?<![\w:])([^\W\d_]\w*):(?=[^\s:/])')
_FIELD_OR_PHRASE = re.compile(r'"[^"]*"|(?<![\w:])(?P<name>[^\W\d_]\w*):'
                              r'(?P<value>"[^"]*"?|\([^)]*\)?|(?![:/])[^\s"()]+)')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


@dataclass
class ParsedQuery:
    """A user's query, parsed."""

    text: str
    query: wq.Query
    plain_words: bool = False  # True when the syntax could not be used and words were searched instead
    unknown_fields: tuple[str, ...] = ()  # "foo:bar" as typed: foo is no field, so both were searched as words
    common_words: tuple[str, ...] = ()  # the query was only words too common (or short) to be indexed: "the who"
    any_words: bool = False  # parsed with the words as alternatives (OR): ranked with feedback (engines/whoosh)

    @property
    def is_everything(self) -> bool:
        return isinstance(self.query, wq.Every)


class QueryParser:
    """Parse search-box text against one index's schema."""

    def __init__(self, schema, wildcard_limit: int = WILDCARD_LIMIT, vocabulary: Vocabulary | None = None):
        self.schema = schema
        self.wildcard_limit = wildcard_limit
        self.vocabulary = vocabulary  # fuzzy words and wildcards are matched against it (expansion.py)
        self._parsers = {
            (syntax, any_words): self._build(schema, syntax, any_words)
            for syntax in (True, False) for any_words in (False, True)
        }

    @staticmethod
    def _build(schema, syntax_plugins: bool, any_words: bool) -> qparser.QueryParser:
        group = qparser.OrGroup if any_words else qparser.AndGroup
        fields = [name for name in SEARCHED_FIELDS if name in schema]  # an index built before a field was added
        parser = qparser.MultifieldParser(fields, schema, fieldboosts=FIELD_BOOSTS, group=group)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.remove_plugin_class(qparser.RangePlugin)
        if not syntax_plugins:
            for plugin in (qparser.WildcardPlugin, qparser.PhrasePlugin, qparser.GroupPlugin,
                           qparser.OperatorsPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
                parser.remove_plugin_class(plugin)
            return parser
        names = "|".join(sorted(FIELD_NAMES, key=len, reverse=True))
        parser.add_plugin(qparser.FieldsPlugin(expr=rf"(?<![\w:])(?P<text>{names}):(?=\S)"))
        parser.add_plugin(qparser.FieldAliasPlugin({v: [k] for k, v in FIELD_NAMES.items() if k != v}))
        # "-word" excludes, but only at the start of a word: "e-commerce" stays one word.
        parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
        parser.add_plugin(qparser.FuzzyTermPlugin())
        return parser

    def parse(self, text: str, reader=None, any_words: bool = False) -> ParsedQuery:
        """Parse ``text``; check wildcard cost against ``reader`` if given. Empty text matches everything.

        ``any_words``: the words are alternatives (OR) instead of all required (AND)."""
        syntax, plain_parser = self._parsers[True, any_words], self._parsers[False, any_words]
        text = text.strip()
        if not text or text == "*":
            return ParsedQuery(text, wq.Every(), any_words=any_words)
        typed_text, unknown = text, unknown_fields(text)
        if unknown:  # "foo:bar" is the words foo and bar, each looked for wherever words are
            text = _FIELD_OR_PHRASE.sub(
                lambda m: m.group(0).replace(":", " ", 1) if m.group("name") and m.group("name") not in FIELD_NAMES
                else m.group(0), text)
        try:
            raw = syntax.parse(_PHRASE_SLOP.sub(_slop, text), normalize=False)  # normalising drops repeats
            parsed = (_weigh_repeats(raw) if any_words else raw).normalize()
            plain = False
        except Exception:  # noqa: BLE001 - Whoosh raises many kinds on odd syntax; fall back to words
            parsed, plain = None, True
        if parsed is wq.NullQuery and _NEGATIVE.search(text) and not _NEGATIVE.sub(" ", text).strip():
            # Only exclusions ("-trump -biden"): everything except them, as "NOT trump" already does.
            excluded = syntax.parse(" OR ".join(m.group(1) for m in _NEGATIVE.finditer(text)))
            parsed = wq.AndNot(wq.Every(), excluded)
        if parsed is None or parsed is wq.NullQuery and re.search(r"\w", text):
            common = common_words(text)
            if common:  # not a syntax problem: every word is one the index leaves out
                return ParsedQuery(typed_text, wq.NullQuery, unknown_fields=unknown, common_words=common,
                                   any_words=any_words)
            parsed, plain = plain_parser.parse(_words_only(text)), True
        parsed = parsed.normalize()
        typed = typed_words(text)
        self._check_syntax(parsed, typed)
        if self.vocabulary is not None and self.vocabulary.counts:
            parsed = expand(parsed, self.vocabulary, typed, TEXT_FIELDS, self.wildcard_limit,
                            numbers_only=tuple(set(SEARCHED_FIELDS) - set(TEXT_FIELDS)))
        parsed = self._check_cost(parsed, reader, typed)
        return ParsedQuery(typed_text, parsed, plain_words=plain, unknown_fields=unknown, any_words=any_words)

    def _check_syntax(self, parsed: wq.Query, typed: dict[str, str]) -> None:
        """Refuse what would cost too much, quoting the words as typed."""
        clauses = 0
        fuzzy = 0
        for node in _walk(parsed):
            clauses += 1
            if isinstance(node, wq.FuzzyTerm):
                # Whoosh builds a Levenshtein automaton per fuzzy term, whose cost grows steeply with
                # the edits allowed (measured in docs/benchmarks.md).
                if node.maxdist > MAX_FUZZY_EDITS:
                    word = typed.get(node.text, node.text)
                    raise BadRequest(f"'{word}~{node.maxdist}': at most ~{MAX_FUZZY_EDITS} edits")
                if node.prefixlength > len(node.text):  # tiktok~2/9: Whoosh's automaton failed (a 500)
                    node.prefixlength = len(node.text)
                fuzzy += 1
                if fuzzy > MAX_FUZZY_TERMS * len(SEARCHED_FIELDS):
                    raise BadRequest(f"at most {MAX_FUZZY_TERMS} fuzzy words (~) in one query")
            if isinstance(node, (wq.Wildcard, wq.Prefix)):
                prefix = re.split(r"[*?\[]", node.text, maxsplit=1)[0]
                if len(prefix) < WILDCARD_MIN_PREFIX:
                    raise BadRequest(
                        f"'{node.text}': a wildcard needs at least {WILDCARD_MIN_PREFIX} letters before * or ?"
                    )
        if clauses > MAX_CLAUSES * len(SEARCHED_FIELDS) * 2:
            raise BadRequest(f"the query has too many terms; use at most {MAX_CLAUSES}")

    def _check_cost(self, parsed: wq.Query, reader, typed: dict[str, str]) -> wq.Query:
        """Expand what the vocabulary could not (numbers, names in company:, source:, section:, credit:)
        against the index's own words, so that the numpy scorer answers it, and refuse a query over its
        budget: a wildcard that expands to too many words, fuzzy matching of a word that is not letters,
        a phrase too long, or too many words in all (``MAX_QUERY_TERMS``)."""
        if reader is not None:
            parsed = self._expand_in_index(parsed, reader, typed)
        terms = names = 0
        for node in _walk(parsed):
            if isinstance(node, wq.Term) and node.fieldname not in SEARCHED_FIELDS:
                names += 1
            if isinstance(node, wq.Phrase) and len(node.words) > MAX_PHRASE_WORDS:
                raise BadRequest(f"a phrase of {len(node.words)} words: at most {MAX_PHRASE_WORDS} words "
                                 "in quotes; quote the most telling part")
            if isinstance(node, (wq.Term, wq.MultiTerm)):
                terms += 1
            elif isinstance(node, wq.Phrase):
                terms += len(node.words)
        if names > MAX_NAME_TERMS:
            raise BadRequest(f"the query asks for {names:,} names in company:, source:, section: or credit: once "
                             f"its wildcards are expanded (at most {MAX_NAME_TERMS:,}): use fewer wildcards there, "
                             "or more letters before each *, or the filters beside the results")
        if terms > MAX_QUERY_TERMS:
            raise BadRequest(f"the query asks for {terms:,} words once its wildcards and fuzzy words are "
                             f"expanded (at most {MAX_QUERY_TERMS:,}): use fewer wildcards, or more letters "
                             "before each *")
        return parsed

    def _expand_in_index(self, q: wq.Query, reader, typed: dict[str, str]) -> wq.Query:
        if isinstance(q, wq.FuzzyTerm) and not typed.get(q.text, q.text).isalpha():
            raise BadRequest(f"'{typed.get(q.text, q.text)}~{q.maxdist}': fuzzy matching (~) is for words of "
                             "letters; for numbers use a wildcard (198*) or year:1987")
        if isinstance(q, wq.MultiTerm):
            btexts = list(islice(q._btexts(reader), self.wildcard_limit + 1))
            if len(btexts) > self.wildcard_limit:
                raise BadRequest(
                    f"'{typed.get(q.text, q.text)}' matches more than {self.wildcard_limit:,} different words; "
                    "add letters to narrow it"
                )
            if not btexts:
                return wq.NullQuery
            field = reader.schema[q.fieldname]
            words = [field.from_bytes(b) if isinstance(b, bytes) else b for b in btexts]
            return wq.Or([wq.Term(q.fieldname, word) for word in words], boost=q.boost)
        if list(q.children()):
            return q.apply(lambda child: self._expand_in_index(child, reader, typed)).normalize()
        return q


def _slop(match: re.Match) -> str:
    """"a b"~N allows N words between, as documented; Whoosh's slop counts positions (N + 1)."""
    words_between = int(match.group(2))
    if words_between > MAX_SLOP:
        raise BadRequest(f"{match.group(0)[:60]}: at most ~{MAX_SLOP} words between the words of a phrase")
    return f"{match.group(1)}~{words_between + 1}"


def _weigh_repeats(q: wq.Query) -> wq.Query:
    """Count a word given twice twice: in "any of the words" the query's own term frequency is a
    signal (a pasted paragraph repeats what it is about); Whoosh would drop the repeats."""
    if not isinstance(q, wq.Or):
        return q
    counts: dict[wq.Query, int] = {}
    for sub in q.subqueries:
        counts[sub] = counts.get(sub, 0) + 1
    if all(n == 1 for n in counts.values()):
        return q
    weighed = []
    for sub, n in counts.items():
        if n > 1:
            sub = sub.copy()
            sub.boost *= n
        weighed.append(sub)
    return q.__class__(weighed, boost=q.boost)


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)


def unknown_fields(text: str) -> tuple[str, ...]:
    """Each "name:value" of ``text`` (outside quotes) whose name is no field, as typed, once: the parser
    searched the name and the value as words."""
    found = (m.group(0) for m in _FIELD_OR_PHRASE.finditer(text)
             if m.group("name") and m.group("name") not in FIELD_NAMES)
    return tuple(dict.fromkeys(found))


def common_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` when every one of them is too common (a stop word) or too short (one letter)
    to be indexed, so that no article can match them; () when any word can be searched for."""
    words = [w for w in re.findall(r"\w+",
                                   _PREFIX.sub(lambda m: " " if m.group(1) in FIELD_NAMES else m.group(0), text))
             if w not in _OPERATORS]
    if words and all(len(w) < 2 or w.lower() in STOP_WORDS for w in words):
        return tuple(dict.fromkeys(words))
    return ()


def _words_only(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))
