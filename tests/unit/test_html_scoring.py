"""The benchmark's body measure and the headline and date checks, on examples worked out by hand."""

from datetime import datetime

import pytest

from evaluation.html_scoring import PageMatch, body_scores, date_matches, headline_matches, match_page, shingles


def test_shingles_are_four_word_multisets():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d") == {("a", "b", "c", "d"): 2, ("b", "c", "d", "a"): 1,
                                           ("c", "d", "a", "b"): 1, ("d", "a", "b", "c"): 1}
    assert shingles("Hi, there!") == {("Hi", "there"): 1}  # shorter than four words: one shingle
    assert shingles(" ... ") == {}


def test_one_page_by_hand():
    # truth "a b c d e f": abcd bcde cdef; prediction "x a b c d e": xabc abcd bcde -> tp 2, fp 1, fn 1
    assert match_page("a b c d e f", "x a b c d e") == PageMatch(tp=2, fp=1, fn=1)


def test_averages_over_pages_then_f1():
    pages = [PageMatch(2, 1, 1),  # P 2/3, R 2/3
             PageMatch(3, 0, 1),  # P 1, R 3/4
             PageMatch(0, 0, 5)]  # nothing predicted: no precision, recall 0
    scores = body_scores(pages)
    precision, recall = (2 / 3 + 1) / 2, (2 / 3 + 3 / 4 + 0) / 3
    assert scores["precision"] == pytest.approx(precision, abs=1e-4)
    assert scores["recall"] == pytest.approx(recall, abs=1e-4)
    assert scores["f1"] == pytest.approx(2 * precision * recall / (precision + recall), abs=1e-4)


def test_empty_truth_and_empty_prediction_is_left_out():
    assert body_scores([PageMatch(0, 0, 0), PageMatch(1, 1, 0)]) == {"f1": 0.6667, "precision": 0.5, "recall": 1.0}


def test_headline_normalisation():
    assert headline_matches("‘We had some issues,’ exec says", "'We had some issues,' exec says")
    assert headline_matches("Madrid… and  feelings – mixed", "Madrid... and feelings - mixed")
    assert not headline_matches("Opinion | Bridges", "Bridges")
    assert not headline_matches("Bridges - The Gazette", "Bridges")


def test_date_day_strict_and_any_zone():
    evening_in_california = datetime.fromisoformat("2019-11-19T04:58:46+00:00")
    assert not date_matches(evening_in_california, "2019-11-18")
    assert date_matches(evening_in_california, "2019-11-18", any_zone=True)
    assert not date_matches(evening_in_california, "2019-11-17", any_zone=True)
    assert date_matches(datetime.fromisoformat("2019-11-19T23:00:00-05:00"), "2019-11-19")
    assert not date_matches(None, "2019-11-19", any_zone=True)
