"""A parsed query (the product's Whoosh query tree) as Solr queries: what matches, and how it is scored.

The product's parser (``query/parser.py``) has already analysed the words, expanded fuzzy words and
wildcards against the vocabulary, and applied the "all words" or "any word" mode; Solr holds the same
analysed terms at the same positions (``fields.py``). So each node of the tree becomes the same operator of
Solr's JSON Query DSL, with every term passed as a value, never spliced into query syntax (no escaping):

    Term("body", "compani")                 {"term": {"f": "body_t", "query": "compani"}}
    Or of several terms of one field        {"terms": {"f": "body_t", "query": "a b", "separator": " "}}
    And / Or / Require                      {"bool": {"must": [...]}} / {"bool": {"should": [...]}}
    AndNot(a, x), Not(x)                    {"bool": {"must": [a], "must_not": [x]}}, with "*:*" for Not
    AndMaybe(a, b)                          a (b only changes the score)
    Phrase(f, [a, b]) (adjacent)            {"field": {"f": "body_t", "query": "a b"}}  (a PhraseQuery)
    Phrase(f, [a, b, c], slop=N)            {"xmlparser": ...}: SpanNear(SpanNear(a, b), c), in order, slop N-1

A term holds no space (Solr splits its text fields on whitespace only), so a term with one cannot be in
the index and matches nothing. Whoosh's slop N puts each word 1..N positions after the one before it; an
ordered SpanNear with slop N-1 per pair is exactly that for two words. For three words or more the
nested spans take, for each start, the earliest next word that fits, so a rare text where only a later
occurrence of a middle word leads on to the next one is missed (docs/solr.md "The engine").

Scores (``scoring``): the product's BM25F (``whoosh/scoring.py``) as a function of Solr's ``termfreq`` and
the stored field lengths. A leaf's weight is its boost times every boost above it; AndNot, Not and Require
score their first part only; a phrase's words count only in the documents that have the phrase (a
``query()`` condition). Wildcards and fuzzy words the parser could not expand are refused with a 400, as
the Manticore engine does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from whoosh import query as wq

from search.engines.solr.fields import SCORED_FIELDS, TEXT_FIELDS, text_field
from search.errors import BadRequest

EVERYTHING = "*:*"
NOTHING = "-*:*"


@dataclass(frozen=True)
class Leaf:
    """One (field, term) a score adds up: ``weight`` = the product of the boosts above and on it;
    ``condition``: the name of the param holding a query the document must match (a phrase), or ""."""

    field: str
    term: str
    weight: float
    condition: str = ""


@dataclass
class Scoring:
    """What the score of a query is made of: its leaves, the condition queries (param name -> local-params
    query), the params those refer to, and whether the tree is one the Whoosh engine scores with its numpy
    BM25F (words, phrases of words, And, Or, AndNot) — the others it scores with Whoosh's own matchers."""

    leaves: list[Leaf] = field(default_factory=list)
    conditions: dict[str, str] = field(default_factory=dict)
    # (condition, weight): ``weight`` added to the documents that do NOT match the condition (a Not, which
    # Whoosh's InverseMatcher scores 1 where it matches)
    negations: list[tuple[str, float]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    numpy_scored: bool = True

    def words(self) -> set[str]:
        """The different words of the leaves Whoosh's numpy scorer records (feedback.applies counts them)."""
        return {leaf.term for leaf in self.leaves}


def to_filter(query: wq.Query):
    """The JSON Query DSL of what ``query`` matches, or None when it matches every article."""
    if isinstance(query, wq.Every):
        return None
    return _node(query)


def _node(q: wq.Query):
    if isinstance(q, wq.Every):
        return EVERYTHING
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return NOTHING
    if isinstance(q, (wq.FuzzyTerm, wq.Wildcard, wq.Prefix, wq.Regex)):
        raise BadRequest(f"'{q.text}': with the Solr backend, wildcards and fuzzy matching work on the words the "
                         "archive's vocabulary has (words of letters); this one could not be expanded")
    if isinstance(q, wq.Term):
        return _term(q.fieldname, q.text)
    if isinstance(q, wq.Phrase):
        return _phrase(q)
    if isinstance(q, wq.Or):
        return _or(q.subqueries)
    if isinstance(q, wq.AndMaybe):  # "+a b": b only changes the score
        return _node(q.a)
    if isinstance(q, wq.AndNot):
        return {"bool": {"must": [_node(q.a)], "must_not": [_node(q.b)]}}
    if isinstance(q, wq.Not):
        return {"bool": {"must": [EVERYTHING], "must_not": [_node(q.query)]}}
    if isinstance(q, (wq.And, wq.Require)):
        parts = q.subqueries if isinstance(q, wq.And) else (q.a, q.b)
        return {"bool": {"must": [_node(part) for part in parts]}}
    raise BadRequest(f"this query cannot be sent to the Solr backend ({type(q).__name__})")


def solr_field(name: str) -> str:
    if name not in TEXT_FIELDS:
        raise BadRequest(f"the field {name!r} cannot be searched with the Solr backend")
    return text_field(name)


def _term(name: str, text) -> object:
    text = str(text)
    if not text or any(c.isspace() for c in text):
        return NOTHING  # Solr's text fields hold no term with a space in it
    return {"term": {"f": solr_field(name), "query": text}}


def _phrase(q: wq.Phrase):
    words = [str(w) for w in q.words]
    if any(not w or any(c.isspace() for c in w) for w in words):
        return NOTHING
    name = solr_field(q.fieldname)
    if len(words) == 1:
        return _term(q.fieldname, words[0])
    if q.slop <= 1:
        return {"field": {"f": name, "query": " ".join(words)}}
    return {"xmlparser": {"query": span_xml(name, words, q.slop)}}


def span_xml(name: str, words: list[str], slop: int) -> str:
    """Whoosh's phrase with up to ``slop`` - 1 words between each pair, in order, as nested SpanNear XML."""
    attr = escape(name, {'"': "&quot;"})
    spans = f'<SpanTerm fieldName="{attr}">{escape(words[0])}</SpanTerm>'
    for word in words[1:]:
        spans = (f'<SpanNear slop="{slop - 1}" inOrder="true">{spans}'
                 f'<SpanTerm fieldName="{attr}">{escape(word)}</SpanTerm></SpanNear>')
    return spans


def _or(parts):
    """An OR; the plain terms of one field become one ``terms`` query (no boolean clause limit)."""
    by_field: dict[str, list[str]] = {}
    others = []
    for part in parts:
        if isinstance(part, wq.Term) and str(part.text) and not any(c.isspace() for c in str(part.text)):
            by_field.setdefault(solr_field(part.fieldname), []).append(str(part.text))
        else:
            others.append(_node(part))
    clauses = []
    for name, texts in by_field.items():
        texts = list(dict.fromkeys(texts))
        if len(texts) == 1:
            clauses.append({"term": {"f": name, "query": texts[0]}})
        else:
            clauses.append({"terms": {"f": name, "query": " ".join(texts), "separator": " "}})
    clauses += others
    if not clauses:
        return NOTHING
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses}}


# --- scores ---------------------------------------------------------------------------------------------

def scoring(query: wq.Query) -> Scoring:
    """The leaves the product's BM25F adds up for ``query`` (see the module's docstring)."""
    found = Scoring()
    _score(query, 1.0, found, "")
    return found


def _score(q: wq.Query, weight: float, found: Scoring, condition: str) -> None:
    boost = float(getattr(q, "boost", 1.0) or 1.0)
    if isinstance(q, wq.Term):
        if q.fieldname not in SCORED_FIELDS:
            found.numpy_scored = False  # Whoosh's own BM25F scores it, over that field's lengths
            return
        found.leaves.append(Leaf(q.fieldname, str(q.text), weight * boost, condition))
        return
    if isinstance(q, wq.Phrase):
        if q.fieldname not in SCORED_FIELDS or len(q.words) < 2:
            found.numpy_scored = False
            if len(q.words) == 1 and q.fieldname in SCORED_FIELDS:
                found.leaves.append(Leaf(q.fieldname, str(q.words[0]), weight * boost, condition))
            return
        name = f"c{len(found.conditions)}"
        text = f"p{len(found.conditions)}"
        words = [str(w) for w in q.words]
        if q.slop <= 1:
            found.params[text] = " ".join(words)
            found.conditions[name] = f"{{!field f={text_field(q.fieldname)} v=${text}}}"
        else:
            found.params[text] = span_xml(text_field(q.fieldname), words, q.slop)
            found.conditions[name] = f"{{!xmlparser v=${text}}}"
        for word in words:  # a repeated word counts each time (whoosh/scoring.py _phrase)
            found.leaves.append(Leaf(q.fieldname, word, weight * boost, name))
        return
    if isinstance(q, wq.Or):
        if q.scale is not None:
            found.numpy_scored = False
        for part in q.subqueries:
            _score(part, weight * boost, found, condition)
        return
    if isinstance(q, wq.And):
        for part in q.subqueries:
            _score(part, weight * boost, found, condition)
        return
    if isinstance(q, wq.AndNot):
        _score(q.a, weight * boost, found, condition)
        return
    if isinstance(q, wq.AndMaybe):
        found.numpy_scored = False
        _score(q.a, weight * boost, found, condition)
        _score(q.b, weight * boost, found, condition)
        return
    if isinstance(q, wq.Require):
        found.numpy_scored = False
        _score(q.a, weight * boost, found, condition)
        return
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return
    found.numpy_scored = False  # Not, Every: Whoosh's matchers give them a constant
    if isinstance(q, wq.Not):
        name = f"n{len(found.negations)}"
        found.conditions[name] = local_params(_node(q.query), found.params, name)
        found.negations.append((name, weight))


def local_params(node, params: dict[str, str], prefix: str) -> str:
    """The JSON DSL ``node`` as one local-params query string, every value and sub-query a parameter of
    ``params`` (named from ``prefix``): for a ``query()`` in a function, which takes no JSON."""
    def param(value: str) -> str:
        name = f"{prefix}_{len([k for k in params if k.startswith(prefix + '_')])}"
        params[name] = value
        return f"${name}"

    if isinstance(node, str):
        return f"{{!lucene v={param(node)}}}"
    (kind, spec), = node.items()
    if kind == "bool":
        clauses = " ".join(f"{occur}={param(local_params(part, params, prefix))}"
                           for occur, parts in spec.items() for part in parts)
        return f"{{!bool {clauses}}}"
    if kind == "xmlparser":
        return f"{{!xmlparser v={param(spec['query'])}}}"
    if kind == "terms":
        return f"{{!terms f={spec['f']} separator=' ' v={param(spec['query'])}}}"
    return f"{{!{kind} f={spec['f']} v={param(spec['query'])}}}"  # term, field
