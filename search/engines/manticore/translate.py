"""A parsed query (the product's Whoosh query tree) as a SphinxQL ``MATCH()`` expression.

The product's parser (``query.py``) has already analysed the words, expanded fuzzy words and
wildcards against the vocabulary, and applied the "all words" or "any word" mode, so what is
left is a tree of terms and phrases per field under AND, OR and NOT. Each node becomes the same
operator of Sphinx's extended syntax, over the terms as ``tokens.py`` indexed them:

    Term("body", "compani")                 (@body compani)
    Or of one term in several fields        (@(title,captions,body) compani)
    And / Or                                (a b) / (a | b)
    Not(x), AndNot(a, x)                    (@live _all -x), (a -x)
    Phrase(f, [a, b])                       (@f "a b");  with words between: (@f "a b"~N)

Scores are the engine's own: boosts are not carried over. Two forms differ from Whoosh and are
said in the README: a phrase with words between is unordered in Sphinx (``"a b"~N`` also finds
"b ... a"), and a wildcard the vocabulary could not expand (numbers, names: ``20*``,
``company:hua*``) is refused with a 400 instead of being matched.
"""

from __future__ import annotations

from whoosh import query as wq

from search.engines.manticore.tokens import EVERYTHING, encode
from search.errors import BadRequest

NOTHING = "_none"  # a word no document has: the query matches nothing ("n", "o" are not hex digits)
ALL = f"(@live {EVERYTHING})"


def to_match(query: wq.Query) -> str | None:
    """Return the MATCH() text of ``query``, or None when it matches every article."""
    if isinstance(query, wq.Every):
        return None
    return _node(query)


def _node(q: wq.Query) -> str:
    if isinstance(q, wq.Every):
        return ALL
    if isinstance(q, type(wq.NullQuery)):
        return NOTHING
    if isinstance(q, wq.Term):
        return f"(@{q.fieldname} {encode(q.text)})"
    if isinstance(q, wq.Phrase):
        words = " ".join(encode(word) for word in q.words)
        near = f"~{q.slop}" if q.slop > 1 else ""  # Whoosh's slop counts positions: N words between is N+1
        return f'(@{q.fieldname} "{words}"{near})'
    if isinstance(q, wq.Or):
        return _or(q.subqueries)
    if isinstance(q, wq.AndMaybe):  # "+a b": b only changes the score
        return _node(q.a)
    if isinstance(q, wq.AndNot):
        return f"({_node(q.a)} -{_node(q.b)})"
    if isinstance(q, wq.Not):
        return f"({ALL} -{_node(q.query)})"
    if isinstance(q, (wq.And, wq.Require)):
        parts = q.subqueries if isinstance(q, wq.And) else (q.a, q.b)
        return "(" + " ".join(_node(part) for part in parts) + ")"
    if isinstance(q, (wq.FuzzyTerm, wq.Wildcard, wq.Prefix)):
        raise BadRequest(f"'{q.text}': with the Manticore backend, wildcards and fuzzy matching work on words "
                         "of letters in the text only")
    raise BadRequest(f"this query cannot be sent to the Manticore backend ({type(q).__name__})")


def _or(parts) -> str:
    """An OR; one term looked for in several fields becomes one field list."""
    fields_of: dict[str, list[str]] = {}
    others = []
    for part in parts:
        if isinstance(part, wq.Term):
            fields_of.setdefault(encode(part.text), []).append(part.fieldname)
        else:
            others.append(_node(part))
    terms = [f"(@({','.join(dict.fromkeys(fields))}) {word})" for word, fields in fields_of.items()]
    items = terms + others
    return items[0] if len(items) == 1 else "(" + " | ".join(items) + ")"
