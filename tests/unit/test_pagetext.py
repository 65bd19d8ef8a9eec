"""The page-text parser, on the model Global Times page."""

from datetime import datetime, timedelta

import pytest

from search.ingest.corpus import CorpusReader
from search.ingest.formats.pagetext import PageTextError, format_section, parse_page_text
from tests.support.paths import CORPUS, SEED_FILE


@pytest.fixture(scope="module")
def seed():
    reader = CorpusReader(CORPUS)
    result = reader.read_file(SEED_FILE, SEED_FILE.relative_to(CORPUS).as_posix())
    assert result.problems == []
    (article,) = result.articles
    return article


def test_seed_headline_section_and_source(seed):
    assert seed.title == "ByteDance denies report of selling AI technology"
    assert seed.sections == ["Source / Companies"]  # one value: " / " does not split it
    assert seed.source == "Global Times"  # from the corpus folder rule in corpus.toml


def test_seed_date_is_beijing_time(seed):
    assert seed.published == datetime.fromisoformat("2021-07-05T17:08:00+08:00")
    assert seed.published.utcoffset() == timedelta(hours=8)


def test_seed_captions_are_deduplicated_and_credited(seed):
    assert seed.captions == [
        "The Beijing office of China's internet giant ByteDance, parent company of TikTok",
        "Photo taken on Aug. 21, 2020 shows a logo of the video-sharing social networking company TikTok's Los "
        "Angeles Office in Culver City, Los Angeles County, the United States. TikTok confirmed Saturday that it "
        "will file a lawsuit against the Trump administration over an executive order banning any U.S. "
        "transactions with its parent company ByteDance.",
    ]
    assert seed.credits == ["VCG", "Xinhua"]


def test_seed_body_has_every_paragraph_and_no_caption(seed):
    paragraphs = seed.paragraphs
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("ByteDance, the Chinese owner of popular video-sharing platform TikTok")
    assert paragraphs[-1].endswith('"handling operations related to the export of technologies."')
    assert "Photo:" not in seed.body and "(Xinhua)" not in seed.body
    assert "Photo taken" not in seed.body


def test_seed_companies(seed):
    assert set(seed.companies) >= {"ByteDance", "TikTok", "BytePlus", "Financial Times", "Goat"}
    assert not {"Photo", "Beijing", "VCG", "Xinhua", "FT"} & set(seed.companies)
    assert seed.companies[0] == "ByteDance"  # in order of first mention


def test_seed_id_is_stable(seed):
    again = CorpusReader(CORPUS).read_file(SEED_FILE, SEED_FILE.relative_to(CORPUS).as_posix()).articles[0]
    assert again.id == seed.id
    assert seed.id.startswith("bytedance-denies-report-of-selling-ai-technology-")


def test_page_without_section_line_and_with_header_lines():
    draft = parse_page_text(
        "Huawei opens a lab\nPublished: Mar 24, 2022 06:46 PM Updated: Mar 25, 2022\nBy Global Times\n"
        "Source: Global Times\nURL: https://www.globaltimes.cn/page/202203/1256.shtml\n\n"
        "Huawei said on Thursday it opened a lab.\nStaff at the lab. Photo: cnsphoto\n"
    )
    assert draft.sections == []
    assert draft.title == "Huawei opens a lab"
    assert draft.published == "Mar 24, 2022 06:46 PM Updated: Mar 25, 2022"
    assert draft.byline == "Global Times"
    assert draft.url == "https://www.globaltimes.cn/page/202203/1256.shtml"
    assert draft.paragraphs == ["Huawei said on Thursday it opened a lab."]
    assert draft.captions == ["Staff at the lab."]
    assert draft.credits == ["cnsphoto"]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("CHINA / POLITICS\nA headline\nNo date here\nBody.", "no 'Published:' line"),
        ("Published: Jul 05, 2021 05:08 PM\nBody", "no headline"),
    ],
)
def test_malformed_pages_are_refused_with_a_reason(text, reason):
    with pytest.raises(PageTextError, match=reason):
        parse_page_text(text)


def test_section_formatting_keeps_short_acronyms():
    assert format_section("OPINION / GT VOICE") == "Opinion / GT Voice"
    assert format_section("SOURCE / COMPANIES") == "Source / Companies"
