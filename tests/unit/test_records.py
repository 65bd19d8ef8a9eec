"""JSON Lines / JSON records: the project's format, other exports' field names, and the Global Times samples."""

import json
from pathlib import Path

import pytest

from search.ingest.corpus import CorpusReader
from search.ingest.formats.jsonlines import RecordError, parse_mapping, record_to_draft
from tests.support.paths import CORPUS, GLOBAL_TIMES_SAMPLES, needs_shared


@pytest.fixture(scope="module")
def samples():
    """The 7 real Global Times articles, read through the product's own corpus reader."""
    reader = CorpusReader(CORPUS)  # the bundled gazetteer and corpus.toml
    result = reader.read_file(GLOBAL_TIMES_SAMPLES, "global-times-2023-articles.jsonl")
    assert result.problems == []
    return {a.url.rsplit("/", 1)[-1]: a for a in result.articles}


@needs_shared
def test_all_seven_samples_are_read(samples):
    assert len(samples) == 7
    assert all(a.source == "Global Times" for a in samples.values())
    # The samples have no time of day: midnight in Beijing, where the paper dates its articles.
    assert samples["1286233.shtml"].published.isoformat() == "2023-02-26T00:00:00+08:00"


@needs_shared
def test_caption_glued_to_the_first_sentence(samples):
    article = samples["1286233.shtml"]
    assert article.captions == ["Belarusian President Alexander Lukashenko"]
    assert article.credits == ["VCG"]
    assert article.body.startswith("More European leaders are planning to visit China")
    assert "Photo: VCG" not in article.body


@needs_shared
def test_gallery_captions_each_found_once(samples):
    article = samples["1284903.shtml"]
    assert len(article.captions) == 3
    assert article.captions[0].startswith("A mechanical fish is seen at a port of Elefsina")
    assert article.credits == ["Xinhua"]
    assert "Photo: Xinhua" not in article.body


@needs_shared
def test_repeated_photo_caption_kept_once(samples):
    article = samples["1283606.shtml"]
    assert article.captions == [
        "A flock of European starlings fly above Oroklini Lake at sunset near Larnaca, Cyprus, on Jan. 10, 2023."
    ]
    assert article.credits == ["Xinhua"]


@needs_shared
def test_illustration_credits(samples):
    assert samples["1284552.shtml"].credits == ["Chen Xian/Global Times"]
    assert samples["1283975.shtml"].credits == ["Liu Rui/GT"]
    assert samples["1283975.shtml"].body.startswith("The European Union and NATO signed")


@needs_shared
def test_article_without_captions(samples):
    article = samples["1286263.shtml"]
    assert article.captions == [] and article.credits == []
    assert article.byline == "Agencies"


@needs_shared
def test_mojibake_titles_are_repaired(samples):
    assert samples["1283135.shtml"].title.startswith("European politicians should be wary of Rasmussen’s visit")
    assert samples["1283975.shtml"].title == "European countries seek to avoid falling into NATO’s China trap"
    assert not any("â€" in a.title for a in samples.values())


def test_field_mapping_renames_fields():
    record = {"headline_text": "Huawei profit rises", "when": "2022-03-31", "story": "Huawei said profit rose."}
    draft = record_to_draft(record, parse_mapping(["headline_text=title,when=published", "story=body"]))
    assert ((draft.title, draft.published, draft.paragraphs)
            == ("Huawei profit rises", "2022-03-31", ["Huawei said profit rose."]))


def test_explicit_mapping_beats_own_name_and_synonym():
    record = {"title": "wrong", "headline": "also wrong", "real_title": "Right", "date": "2020-01-01"}
    draft = record_to_draft(record, {"real_title": "title"})
    assert draft.title == "Right"


def test_common_synonyms_are_understood():
    draft = record_to_draft({"headline": "H", "date": "2020-01-01", "text": "A.\n\nB.", "author": "X", "link": "https://e.com/a"})
    assert (draft.title, draft.published, draft.paragraphs, draft.byline, draft.url) == (
        "H", "2020-01-01", ["A.", "B."], "X", "https://e.com/a"
    )


@pytest.mark.parametrize("bad", ["text", "text=", "=body", "text=nonsense"])
def test_bad_mapping_is_refused(bad):
    with pytest.raises(ValueError):
        parse_mapping([bad])


def test_non_object_record_is_refused():
    with pytest.raises(RecordError, match="expected a JSON object"):
        record_to_draft(["not", "an", "object"])


def test_json_document_with_articles_list(tmp_path: Path):
    (tmp_path / "export.json").write_text(
        json.dumps({"articles": [
            {"title": "One", "published": "2021-01-01", "body": "First."},
            {"title": "Two", "published": "2021-01-02", "body": "Second."},
        ]}),
        encoding="utf-8",
    )
    result = CorpusReader(tmp_path).read_file(tmp_path / "export.json", "export.json")
    assert [a.title for a in result.articles] == ["One", "Two"]
    assert [a.line for a in result.articles] == [1, 2]
