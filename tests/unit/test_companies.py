"""Company extraction: the gazetteer (names, weak aliases, tickers, exclusions), unknown organisations
(legal suffixes, descriptions) and their threshold, the directory for company pages. The CLI:
tests/integration/test_companies.py."""

import json
from pathlib import Path

import pytest

from search.companies.candidates import MIN_ARTICLES, CandidateCounter, sentence_around
from search.companies.directory import CompanyDirectory, company_slug
from search.companies.extractor import CompanyExtractor
from search.companies.gazetteer import Company, GazetteerError, load_gazetteer
from search.companies.matcher import is_distinctive, ticker_patterns
from search.companies.organisations import DESCRIBED, LEGAL_SUFFIX
from search.ingest.corpus import CorpusReader
from tests.support.paths import CORPUS, SEED_FILE


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


def test_legal_suffix_names_count_where_named_and_everywhere_once_accepted(extractor):
    text = "British Petroleum Co Plc and BP North America Inc. said Symplicity Corporation and Foo Holdings Ltd agreed."
    assert ([m.name for m in extractor.find_candidates(text)]
            == ["British Petroleum", "BP North America", "Symplicity", "Foo"])
    assert {m.evidence for m in extractor.find_candidates(text)} == {LEGAL_SUFFIX}
    # A name with its evidence counts in that article (issue 13: measured on the dev set, recall 0.67 -> 0.76
    # at precision 0.957 -> 0.953); its bare mentions elsewhere count once the corpus accepts it.
    assert extractor.extract(text) == ["British Petroleum", "BP North America", "Symplicity", "Foo"]
    assert extractor.extract("Zenith Widgets hired staff.") == []
    assert extractor.with_promoted({"Zenith Widgets"}).extract("Zenith Widgets hired staff.") == ["Zenith Widgets"]


def test_legal_suffix_noise_is_not_a_company(extractor):
    text = (
        "The Organisation for Economic Co-operation met. In Photo Co. news, the Group said. "
        "Virginia-based Acme Corp won. John Lydon's Public Image Ltd. played. He left the US Marine Corp in 2006. "
        "Co-lead author Sam Wilson spoke. The Royal Shakespeare Company and Charlie Company. "
        "Ginger Baker played with the rock band Blues Incorporated."
    )
    # "Public Image Ltd" stays a candidate: only the frequency threshold or the admin can tell a band.
    assert [m.name for m in extractor.find_candidates(text)] == ["Acme", "Public Image"]


@pytest.mark.parametrize("text, names", [
    # Reuters style: "and" for "&", "of" inside names, several suffixes (the known junk: "Co", "Telegraph", "Gas")
    ("managed by Janney Montgomery Scott Inc and Woolcott and Co Inc, said", ["Janney Montgomery Scott", "Woolcott"]),
    ("the American Telephone and Telegraph Co <T> 5ESS switch", ["American Telephone and Telegraph"]),
    ("Bryson Oil and Gas Plc, a Belfast oil company, said", ["Bryson Oil and Gas"]),
    ("The Hongkong and Shanghai Banking Corp is likely to", ["Hongkong and Shanghai Banking"]),
    ("lead managers are Bank of Tokyo Ltd and KEB (Asia) Finance Ltd.", ["Bank of Tokyo"]),
    ("Hospital Corp of America <HCA> said", ["Hospital Corp of America"]),
    ("Anglo Ltd and Mining Corp of South Africa Ltd said", ["Anglo", "Mining Corp of South Africa"]),
    ("said Allan Leslie of Discount Corp.", []),  # not "Allan Leslie of Discount"; "Discount" alone is no name
    ("through Bear, Stearns and Co and Dillon, Read and Co Inc.", ["Bear, Stearns", "Dillon, Read"]),
    ("shares of Williams Cos rose", ["Williams"]),
    # a possessive owner is cut off, a possessive name is kept ("Investors Service" was junk)
    ("Moody's Investors Service Inc said it lowered", ["Moody's Investors Service"]),
    ("McDonald's Corp said", ["McDonald's"]),
    ("a company formed by E.F. Hutton LBO Inc and", ["E.F. Hutton LBO"]),
    ("USDA The Commodity Credit Corporation, CCC, has accepted", ["Commodity Credit"]),
    ("State-run Tanzania Railway Corporation said", ["Tanzania Railway"]),
    ("under the aegis of Hungarian National Asset Management, Inc.", ["Hungarian National Asset Management"]),
    ("MORGAN GRENFELL GROUP PLC SAYS", []),  # a headline in capitals
])
def test_legal_suffix_names_in_wire_copy(extractor, text, names):
    assert [m.name for m in extractor.find_candidates(text)] == names


@pytest.mark.parametrize("text, names", [
    ("Ford started its investigation by hiring law firm Sidley Austin, according to", ["Sidley Austin"]),
    ("According to a report by UpGuard, a cybersecurity firm, two databases", ["UpGuard"]),
    ("Chris Fallows of Apex Shark Expeditions, a company that conducts cage diving", ["Apex Shark Expeditions"]),
    ("Tseng runs a firm called eTranslate, which helps", ["eTranslate"]),
    ("his co-authors have started a company, spotLESS Materials, to transform", ["spotLESS Materials"]),
    ("At his town hall, which newspaper The Hill described as combative", ["The Hill"]),
    ("Greek daily Kathimerini said", ["Kathimerini"]),
    # not names: a person, a time, an adverb, a person's title, a clause
    ("John Smith, a company spokesman, said.", []),
    ("Trump has been given zinc, vitamin D and a daily Aspirin.", []),
    ("by launching company founder Elon Musk's car", []),
    ("the firm Wednesday said", []),
    ("According to the party's website, Jephcott is a veterinarian", []),
])
def test_names_described_as_companies(extractor, text, names):
    found = extractor.find_candidates(text)
    assert [m.name for m in found] == names
    assert {m.evidence for m in found} <= {DESCRIBED}


def test_an_accepted_ordinary_word_counts_only_with_its_evidence(extractor):
    accepted = extractor.with_promoted({"Wrestling", "Sidley Austin"})
    assert accepted.extract("According to Wrestling Inc, she was criticised.") == ["Wrestling"]
    assert accepted.extract("Wrestling is a sport.") == []  # "Wrestling" is no name on its own
    assert accepted.extract("Lawyers at Sidley Austin said.") == ["Sidley Austin"]  # several words: matched anywhere
    assert is_distinctive("eTranslate") and is_distinctive("PG&E") and is_distinctive("3M")
    assert not is_distinctive("Wrestling") and not is_distinctive("Patrick")


def test_a_gazetteer_match_decides_over_a_legal_suffix():
    extractor = CompanyExtractor([Company("Wrestling Inc"), Company("HDT", aliases=["HDT Limited"])])
    assert extractor.extract("According to Wrestling Inc, and HDT Limited said") == ["Wrestling Inc", "HDT"]
    assert extractor.find_candidates("According to Wrestling Inc, and HDT Limited said") == []


def test_phrases_that_name_no_company():
    extractor = CompanyExtractor([Company("(not companies)", exclude=["Public Image Ltd", "Notts Co"]),
                                  Company("Acme")])
    text = "John Lydon's Public Image Ltd played. Notts Co v Everton. Zenith Widgets Ltd grew."
    assert [m.name for m in extractor.find_candidates(text)] == ["Zenith Widgets"]
    assert "(not companies)" not in extractor.companies
    assert CompanyDirectory([Company("(not companies)", exclude=["Notts Co"]),
                             Company("Acme")]).get("(not companies)") is None


def test_weak_alias_counts_with_the_article_as_context(extractor):
    assert extractor.extract("As a new division, BytePlus was quietly launched, the FT report said.") == []
    assert extractor.extract("the FT report said.", context=["Financial Times", "ByteDance"]) == ["Financial Times"]


def test_an_exclusion_hides_the_names_it_contains_not_a_longer_one():
    extractor = CompanyExtractor([Company("Amazon", aliases=["Amazon S3"],
                                          exclude=["the Amazon", "Amazon rainforest"])])
    assert extractor.extract("fires in the Amazon and the Amazon rainforest") == []
    assert extractor.extract("the Amazon S3 buckets were secured") == ["Amazon"]


def test_candidates_are_counted_per_article():
    extractor = CompanyExtractor([Company("ByteDance")])
    counter = CandidateCounter(extractor)
    counter.add("Zenith Widgets Ltd said. Zenith Widgets Ltd again.", "A caption: Quux Gadgets Inc.")
    counter.add("Zenith Widgets Ltd grew. ByteDance Ltd. did not.")
    counter.add("Nothing here.")
    assert counter.articles == 3
    zenith = counter.found["Zenith Widgets"]
    assert (zenith.articles, zenith.mentions, zenith.form) == (2, 3, "Zenith Widgets Ltd")
    assert zenith.examples == ["Zenith Widgets Ltd said.", "Zenith Widgets Ltd grew."]
    assert counter.promoted(2) == {"Zenith Widgets"} and counter.promoted(1) == {"Zenith Widgets", "Quux Gadgets"}
    assert [c.name for c in counter.candidates()] == ["Zenith Widgets", "Quux Gadgets"]
    assert [c.name for c in counter.candidates(max_articles=1)] == ["Quux Gadgets"]
    assert MIN_ARTICLES == 2


def test_counts_merged_file_by_file_equal_counts_made_in_one_go():
    """The parse cache keeps each file's counts and adds them up (CandidateCounter.merge): the same
    candidates, rejected names, counts, written forms, examples and their order as one counter fed every article."""
    extractor = CompanyExtractor.from_file(CORPUS / "companies.csv")
    articles = [(a.title, a.body, *a.captions) for r in CorpusReader(CORPUS, min_articles=None).read_all()
                for a in r.articles]
    whole = CandidateCounter(extractor)
    for texts in articles:
        whole.add(*texts)
    merged = CandidateCounter(extractor)
    for start in range(0, len(articles), 37):  # "files" of 37 articles
        part = CandidateCounter(extractor)
        for texts in articles[start:start + 37]:
            part.add(*texts)
        merged.merge(part.state())
    assert merged.state() == whole.state() and merged.found and merged.rejected
    for mine, theirs in ((merged.found, whole.found), (merged.rejected, whole.rejected)):
        assert list(mine) == list(theirs)
        assert all(list(mine[n].forms) == list(theirs[n].forms) for n in mine)
    assert merged.promoted() == whole.promoted()
    assert merged.candidates() == whole.candidates() and merged.rejected_names() == whole.rejected_names()


def test_sentence_around():
    text = "First one. Then Zenith Widgets Ltd said so! Last."
    start = text.index("Zenith")
    assert sentence_around(text, start, start + 18) == "Then Zenith Widgets Ltd said so!"


def test_corpus_reader_accepts_organisations_above_the_threshold(tmp_path: Path):
    records = [
        {"title": "Zenith Widgets Ltd opens a plant", "published": "2021-01-01", "body": "The plant is big."},
        {"title": "Results", "published": "2021-02-01", "body": "Zenith Widgets Ltd and Quux Gadgets Inc reported."},
        {"title": "Later", "published": "2021-03-01", "body": "Zenith Widgets hired staff; ByteDance did not."},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    (tmp_path / "companies.csv").write_text("name,aliases,weak_aliases,tickers,exclude\nByteDance,,,,\n",
                                            encoding="utf-8")
    reader = CorpusReader(tmp_path)
    articles = [a for result in reader.read_all() for a in result.articles]
    # Quux Gadgets (one article) counts where its suffix names it; Zenith Widgets (two) also bare.
    assert [a.companies for a in articles] == [["Zenith Widgets"], ["Zenith Widgets", "Quux Gadgets"],
                                               ["Zenith Widgets", "ByteDance"]]
    assert reader.candidates.found["Quux Gadgets"].articles == 1  # below the threshold: a candidate
    strict = CorpusReader(tmp_path, min_articles=None)  # nothing accepted: evidence only
    assert [a.companies for result in strict.read_all() for a in result.articles] == [
        ["Zenith Widgets"], ["Zenith Widgets", "Quux Gadgets"], ["ByteDance"]]


def test_company_directory():
    directory = CompanyDirectory(
        [Company("Alibaba", aliases=["Alibaba Group"], tickers=["NYSE:BABA"]),
         Company("Financial Times", weak_aliases=["FT"]), Company("AT&T"), Company("AT-T")],
        extra=["Zenith Widgets", "Alibaba"],
    )
    alibaba = directory.get("Alibaba Group")
    assert alibaba == directory.get("NYSE:BABA") == directory.by_slug("alibaba")
    assert (alibaba.name, alibaba.aliases, alibaba.tickers) == ("Alibaba", ("Alibaba Group",), ("NYSE:BABA",))
    assert directory.get("FT").name == "Financial Times" and directory.slug("FT") == "financial-times"
    assert directory.by_slug("at-t").name == "AT&T" and directory.by_slug("at-t-2").name == "AT-T"
    assert directory.by_slug("zenith-widgets").aliases == ()
    assert directory.get("Unknown Co") is None and directory.slug("Société Générale") == "société-générale"
    assert "FT" in directory and len(directory) == 5 and company_slug("!!!") == "company"


def test_company_directory_on_the_gazetteer():
    directory = CompanyDirectory.from_file(CORPUS / "companies.csv")
    infos = list(directory)
    admin = [c.name for c in load_gazetteer(CORPUS / "companies.csv") if not c.phrases_only]
    assert all(name in directory for name in admin)  # the admin's file, and the bundled lists beside it
    assert len(infos) > len(admin) + 2000
    assert len({info.slug for info in infos}) == len(infos)
    assert all(directory.by_slug(info.slug) is info for info in infos)
    assert directory.get("NYSE:BABA").name == "Alibaba" and directory.by_slug("financial-times").aliases == ("FT",)


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
