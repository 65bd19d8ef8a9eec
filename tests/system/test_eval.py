"""`make eval` on a tiny test collection made here: the harness runs the product and both baselines,
computes the metrics with ir-measures, counts a query that finds nothing as zero, and skips cleanly
without the shared corpora. The real collections are for `make eval`, not for the tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evaluation import run as eval_run

DOCUMENTS = [
    ("1", "Supersonic wing flutter", "Flutter of a swept wing at supersonic speed was measured in the wind tunnel."),
    ("2", "Boundary layer transition", "Transition of the laminar boundary layer on a flat plate with heat transfer."),
    ("3", "Library catalogue automation", "Automatic indexing of a library catalogue with punched cards."),
    ("4", "Citation indexing", "A citation index links papers that cite each other, for retrieval."),
    ("5", "Renal function in infants", "Kidney function and renal blood flow measured in newborn infants."),
    ("6", "Cholesterol and the heart", "Serum cholesterol levels and coronary heart disease in middle age."),
    ("7", "Shock waves", "Oblique shock waves and their reflection from a flat plate at supersonic speed."),
    ("8", "", "A note with no title about the history of printing presses in Venice."),
]
QUERIES = {
    "1": "WING FLUTTER AT SUPERSONIC SPEED",  # capitals, as TIME and NPL have them: not operators
    "2": "how are citation indexes used for retrieval?",  # '?' is not a wildcard here
    "3": "renal blood flow of newborn infants",
    "4": "zeppelin mooring masts",  # matches nothing: must count as 0, not be skipped
}
QRELS = {"1": ["1"], "2": ["4"], "3": ["5"], "4": ["2"]}


def make_collection(root: Path, name: str = "tiny") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    with gzip.open(folder / "docs.jsonl.gz", "wt", encoding="utf-8") as out:
        for docid, title, text in DOCUMENTS:
            record = {"id": docid, "text": text, **({"title": title} if title else {})}
            out.write(json.dumps(record) + "\n")
    (folder / "queries.tsv").write_text("".join(f"{q}\t{t}\n" for q, t in QUERIES.items()), encoding="utf-8")
    (folder / "qrels.txt").write_text(
        "".join(f"{q} 0 {d} 1\n" for q, docs in QRELS.items() for d in docs), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("collections")
    make_collection(root)
    return root


def test_eval_prints_a_table_and_a_json_last_line(report, capsys):
    assert eval_run.main(["--root", str(report), "--collections", "tiny"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("tiny ") for line in out), out
    result = json.loads(out[-1])["tiny"]
    for key in ("map", "p10", "ndcg10", "bm25_map", "tantivy_map"):
        assert 0.0 <= result[key] <= 1.0, (key, result)
    assert result["docs"] == len(DOCUMENTS) and result["queries"] == len(QUERIES)
    # Three queries find their one relevant document first; the fourth finds nothing and counts 0.
    assert result["map"] == pytest.approx(0.75)
    assert result["p10"] == pytest.approx(0.1 * 3 / 4)  # one relevant document in the first ten
    assert result["ndcg10"] == pytest.approx(0.75)
    # The baselines see the same documents and queries: on this collection they are as right.
    assert result["bm25_map"] == pytest.approx(0.75) and result["tantivy_map"] == pytest.approx(0.75)


def test_eval_runs_the_product_only_when_asked(report, capsys):
    assert eval_run.main(["--root", str(report), "--collections", "tiny", "--engines", "product"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["tiny"]
    assert "bm25_map" not in result and result["map"] == pytest.approx(0.75)


def test_eval_skips_with_a_message_without_the_corpora(tmp_path, capsys):
    assert eval_run.main(["--root", str(tmp_path / "absent")]) == 0
    assert "skipped: no test collections" in capsys.readouterr().out


def test_eval_refuses_an_unknown_collection(report, capsys):
    assert eval_run.main(["--root", str(report), "--collections", "tiny,nope"]) == 2
    assert "no collection nope" in capsys.readouterr().err
