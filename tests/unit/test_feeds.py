"""The pure parts of the feeds and suggestions (issue 7): a CSV cell never starts a formula, and the
suggester ranks and folds as documented. Over the app: tests/integration/test_feeds.py."""

import pytest

from search.query.autocomplete import Suggester, fold
from web.feeds import csv_cell


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Plain headline", "Plain headline"), ("", ""), ("a=1", "a=1"),
    ("2021-07-05T17:08:00+08:00", "2021-07-05T17:08:00+08:00"),
])
def test_csv_cell_guards_against_formula_injection(value, expected):
    assert csv_cell(value) == expected


def test_suggestions_rank_companies_by_articles_and_headlines_newest_first():
    suggester = Suggester.from_candidates(["Alpha Police Union", "Police Gazette", "The police report",
                                           "Police Gazette"])
    assert suggester.suggest("pol") == ["Police Gazette", "Alpha Police Union", "The police report"]
    assert suggester.suggest("POLICE gaz") == ["Police Gazette"]
    assert suggester.suggest("gaz pol") == ["Police Gazette"]  # every word, in any order
    assert Suggester.from_candidates(["Société Générale"]).suggest("societe gen") == ["Société Générale"]
    assert fold("  Crème   BRÛLÉE ") == "creme brulee"
    assert suggester.suggest("pol", limit=1) == ["Police Gazette"] and suggester.suggest("!!") == []
