"""parse_html on the 120 real news pages of the article-extraction benchmark (../shared, never bundled):
body F1 by the benchmark's measure against plain trafilatura, headlines and dates against the hand labels.

The floors are the figures of docs/html-evaluation.md less a small margin, so a change that makes the
product read pages worse fails here.
"""

import pytest

from evaluation.html_eval import load_pages, run, score, split_sets
from tests.support.paths import SHARED

PAGES = SHARED / "corpora" / "html-articles"
MARGIN = 0.01


@pytest.fixture(scope="module")
def figures():
    pages = load_pages(PAGES)
    sets = split_sets(pages)
    product, _ = run(pages, "product")
    trafilatura, _ = run(pages, "trafilatura")
    return ({name: score(pages, product, shas) for name, shas in sets.items()},
            {name: score(pages, trafilatura, shas) for name, shas in sets.items()})


def test_body_f1_beats_plain_trafilatura(figures):
    product, trafilatura = figures
    assert product["all"]["f1"] >= 0.963 - MARGIN
    assert product["dev"]["f1"] >= 0.978 - MARGIN
    for name in ("dev", "test", "all"):
        assert product[name]["f1"] >= trafilatura[name]["f1"], name


def test_no_benchmark_article_is_skipped_but_one(figures):
    assert figures[0]["all"]["skipped"] <= 1


def test_headlines_without_site_names(figures):
    assert figures[0]["all"]["headline_rate"] >= 0.97


def test_dates_found_and_on_the_right_day(figures):
    product = figures[0]["all"]
    assert product["date_found_rate"] >= 0.95
    assert product["date_correct_any_zone_rate"] >= 0.94 - MARGIN
    assert product["date_correct_rate"] >= 0.79 - MARGIN
    assert product["dates_invented"] <= 1
