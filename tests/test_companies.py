"""Company extraction: the gazetteer (names, weak aliases, tickers, exclusions) and legal suffixes."""

from pathlib import Path

import pytest

from search.companies import Company, CompanyExtractor, GazetteerError, load_gazetteer, ticker_patterns

from .conftest import CORPUS, SEED_FILE


@pytest.fixture(scope="module")
def extractor():
    return CompanyExtractor(
        [
            Company("ByteDance"),
            Company("TikTok"),
            Company("Financial Times", weak_aliases=["FT"]),
            Company("Amazon", aliases=["Amazon.com"], exclude=["Amazon rainforest", "Amazon River"]),
            Company("Alibaba", aliases=["Alibaba Group"], tickers=["NYSE:BABA", "HKEX:9988"]),
            Company("Standard Oil", tickers=["NYSE:SRD"]),
        ]
    )


def test_names_in_order_of_first_mention(extractor):
    assert extractor.extract("TikTok, owned by ByteDance, said TikTok ...") == ["TikTok", "ByteDance"]


def test_matching_is_whole_word_and_case_sensitive(extractor):
    assert extractor.extract("ByteDanceX and bytedance and TikToks") == []


def test_possessive_counts(extractor):
    assert extractor.extract("ByteDance's sale of TikTok's US operations") == ["ByteDance", "TikTok"]


def test_weak_alias_needs_the_full_name(extractor):
    assert extractor.extract("The FT report said so.") == []
    assert extractor.extract("A Financial Times (FT) report. The FT said.") == ["Financial Times"]


def test_exclude_phrases_beat_the_name(extractor):
    assert extractor.extract("Fires in the Amazon rainforest and on the Amazon River.") == []
    assert extractor.extract("Amazon rainforest fires hit Amazon.com shares.") == ["Amazon"]


def test_tickers(extractor):
    assert extractor.extract("shares of the e-commerce giant (NYSE: BABA) rose") == ["Alibaba"]
    assert extractor.extract("listed in Hong Kong (HKEX:9988)") == ["Alibaba"]
    assert extractor.extract("STANDARD OIL <SRD> TO FORM FINANCIAL UNIT") == ["Standard Oil"]


def test_longest_alias_wins(extractor):
    assert extractor.extract("Alibaba Group said") == ["Alibaba"]


def test_legal_suffix_names(extractor):
    text = "British Petroleum Co Plc and BP North America Inc. said Symplicity Corporation and Foo Holdings Ltd agreed."
    assert extractor.extract(text) == ["British Petroleum", "BP North America", "Symplicity", "Foo"]


def test_legal_suffix_noise_is_not_a_company(extractor):
    text = (
        "The Organisation for Economic Co-operation met. In Photo Co. news, the Group said. "
        "Virginia-based Acme Corp won. John Lydon's Public Image Ltd. played. He left the US Marine Corp in 2006."
    )
    assert extractor.extract(text) == ["Acme", "Public Image"]


def test_legal_suffix_form_resolves_through_gazetteer(extractor):
    assert extractor.extract("ByteDance Ltd. and Alibaba Group Holding Ltd") == ["ByteDance", "Alibaba"]


def test_one_pattern_cannot_name_two_companies():
    with pytest.raises(GazetteerError, match="names both"):
        CompanyExtractor([Company("Apple"), Company("Apple Records", aliases=["Apple"])])


def test_ticker_patterns():
    assert ticker_patterns("NASDAQ:AAPL") == ["<AAPL>", "NASDAQ: AAPL", "NASDAQ:AAPL", "Nasdaq: AAPL", "Nasdaq:AAPL"]


def test_gazetteer_file_loads_and_is_consistent():
    companies = load_gazetteer(CORPUS / "companies.csv")
    assert len(companies) >= 300
    names = [c.name for c in companies]
    assert len(names) == len(set(names))
    CompanyExtractor(companies)  # raises if a pattern names two companies


def test_gazetteer_rejects_a_file_without_header(tmp_path: Path):
    path = tmp_path / "companies.csv"
    path.write_text("ByteDance,,,,\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="first line"):
        load_gazetteer(path)


def test_bundled_gazetteer_on_the_seed():
    extractor = CompanyExtractor.from_file(CORPUS / "companies.csv")
    found = extractor.extract(SEED_FILE.read_text(encoding="utf-8"))
    assert {"ByteDance", "TikTok", "BytePlus", "Financial Times", "Goat"} <= set(found)
    assert not {"Photo", "Beijing", "China", "VCG", "Xinhua", "FT", "Los Angeles", "Trump"} & set(found)
