"""Issue 13: the cues around a name (tickers, headlines in capitals, company contexts, people and
places), the bundled reference lists merged with the admin's file, and names as they were on the
article's date. Each case below was a wrong or missing value of the company facet on Reuters or BBC.
The company pages of renamed companies, on an index built for real: tests/integration/test_company_cues.py."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest

from search.companies.cues import is_all_caps, is_place, smart_title
from search.companies.extractor import CompanyExtractor
from search.companies.gazetteer import (
    BUNDLED_LISTS,
    NOT_COMPANIES_FILE,
    SUCCESSIONS_FILE,
    Company,
    Succession,
    Successions,
    load_all,
    load_gazetteer,
    merge,
    reference_lists,
)
from tests.support.paths import ROOT

SUCCESSIONS = Successions([
    Succession("Exxon", "ExxonMobil", date(1999, 11, 30)),
    Succession("Mobil", "ExxonMobil", date(1999, 11, 30)),
    Succession("Total", "TotalEnergies", date(2021, 5, 28)),
])


@pytest.fixture(scope="module")
def extractor():
    return CompanyExtractor(
        [
            Company("Societe Generale", aliases=["Société Générale"]),
            Company("Lego", aliases=["Lego Group"]),
            Company("Shell", aliases=["Royal Dutch Shell"], weak_aliases=["Shell"]),
            Company("TotalEnergies", aliases=["TotalEnergies SE"], weak_aliases=["Total"]),
            Company("Exxon", aliases=["Exxon Corp"]),
            Company("Mobil", aliases=["Mobil Corp"]),
            Company("ExxonMobil", aliases=["Exxon Mobil"]),
            Company("Sun Microsystems", weak_aliases=["Sun"]),
        ],
        promoted=["CTS"],
        successions=SUCCESSIONS,
    )


def test_a_name_before_a_ticker_mark_is_a_company_in_one_article(extractor):
    assert extractor.extract("BROWN GROUP INC <BG> 1ST QTR MAY 2 NET",
                             "Shr 56 cts vs 42 cts\nNet 10,030,000") == ["Brown Group"]
    assert extractor.extract("Lukens reports", "Lukens Inc <LUC> said its backlog rose.") == ["Lukens"]


def test_a_headline_name_is_written_as_the_body_writes_it(extractor):
    found = extractor.extract("NEOAX <NOAX> BUYS REXNORD <REX> UNIT",
                              "Neoax Inc said it bought Rexnord Inc's Fairfield Manufacturing Co for 70.5 mln dlrs.")
    assert found[:2] == ["Neoax", "Rexnord"]
    assert (extractor.extract("NEW CENTURY <NUCP> ESTIMATES REVENUES",
                              "New Century Entertainment Corp said it expects revenues to rise.")
            == ["New Century Entertainment"])


def test_a_name_in_angle_brackets_is_a_company(extractor):
    assert extractor.extract("Unit sold",
                             "It sold the unit to <Biosystems Research Inc> for cash.") == ["Biosystems Research"]


def test_one_word_in_a_headline_in_capitals_needs_support(extractor):
    # "CTS" is a company (CTS Corp), and "cents" in Reuters headlines.
    assert extractor.extract("AMERICAN CYANAMID SHR 56 CTS VS 42 CTS", "Shr 56 cts") == []
    assert extractor.extract("CTS <CTS> SETS DIVIDEND", "CTS Corp said it would pay a dividend.") == ["CTS"]


def test_a_gazetteer_name_of_several_words_is_found_in_capitals(extractor):
    assert extractor.extract("SOCIETE GENERALE DUTCH UNIT LAUNCHES CD PROGRAMME",
                             "The unit launched it.") == ["Societe Generale"]


def test_a_person_named_like_a_company_is_no_company(extractor):
    assert extractor.extract("Paul E. Lego, chairman of Westinghouse, spoke.") == []
    assert extractor.extract("Lego said its sales rose.") == ["Lego"]


def test_an_ambiguous_name_counts_in_a_company_context_only(extractor):
    assert extractor.extract("Shell said profits rose.") == ["Shell"]
    assert extractor.extract("Analysts cheered shares in Shell.") == ["Shell"]
    assert extractor.extract("A Shell company was set up in Panama.") == []
    assert extractor.extract("Total sales were 30.1bn rupees.") == []
    assert extractor.extract("China's Wang Chuqin and Sun Yingsha win the title.") == []


def test_places_are_no_companies(extractor):
    found = extractor.extract("Gold Fields of South Africa Ltd said output rose. Mitsui and Co USA Inc bought it.")
    assert "South Africa" not in found and "USA" not in found
    assert is_place("North American") and is_place("South Africa") and not is_place("Anglo American")


def test_names_as_they_were_on_the_article_date(extractor):
    text = "Exxon Corp said it would raise prices."
    assert extractor.extract(text, published=datetime(1987, 3, 2, tzinfo=UTC)) == ["Exxon"]
    assert extractor.extract(text, published=datetime(2004, 1, 5, tzinfo=UTC)) == ["ExxonMobil"]
    assert extractor.extract(text) == ["Exxon"]  # undated: the name as written
    # A rename also works backwards: a 2004 story saying "Total" is about Total, not TotalEnergies.
    assert extractor.extract("Total said it found oil.", published=date(2004, 6, 1)) == ["Total"]
    assert extractor.extract("Total said it found oil.", published=date(2022, 6, 1)) == ["TotalEnergies"]
    assert extractor.canonical("Mobil Corp", date(2001, 1, 1)) == "ExxonMobil"


def test_a_merger_is_not_undone_backwards():
    assert SUCCESSIONS.name_on("ExxonMobil", date(1987, 1, 1)) == "ExxonMobil"


def test_helpers():
    assert is_all_caps("BROWN GROUP INC <BG> 1ST QTR NET") and not is_all_caps("Brown Group Inc said")
    assert smart_title(["WESTERN", "SAVINGS", "AND", "LOAN"]) == "Western Savings and Loan"


def test_the_admins_file_wins_and_lists_only_add(tmp_path):
    admin = [Company("Alibaba", aliases=["Alibaba Group"]), Company("Financial Times", weak_aliases=["FT"])]
    lists = [
        Company("Alibaba", aliases=["Alibaba Group Holding", "Alibaba Group"]),
        Company("Fortune Tech", aliases=["FT"]),  # "FT" is the admin's: left out
        Company("Shell", weak_aliases=["Shell"]),
    ]
    merged = {c.name: c for c in merge(admin, lists)}
    assert merged["Alibaba"].aliases == ["Alibaba Group", "Alibaba Group Holding"]
    assert merged["Fortune Tech"].aliases == []
    assert merged["Shell"].name_is_weak


def test_bundled_lists_say_where_they_come_from_and_do_not_conflict():
    files = sorted(BUNDLED_LISTS.glob("*.csv"))
    assert files, "corpus/company-lists/ holds the bundled lists"
    for path in [*files, BUNDLED_LISTS / NOT_COMPANIES_FILE]:
        head = [line for line in path.read_text(encoding="utf-8").splitlines()[:12] if line.startswith("#")]
        assert any(line.startswith("# source:") for line in head), f"{path.name} must say where it comes from"
    rows = reference_lists()
    owner: dict[str, str] = {}
    conflicts = []
    for row in rows:
        if row.phrases_only:
            continue
        for phrase in (row.name, *row.aliases, *row.weak_aliases):
            if owner.setdefault(phrase, row.name) != row.name:
                conflicts.append((phrase, owner[phrase], row.name))
    assert conflicts == []
    # The whole gazetteer builds (a phrase naming two companies would raise).
    extractor = CompanyExtractor(load_all(ROOT / "corpus" / "companies.csv"))
    assert len(extractor.companies) > 2000


def test_every_succession_names_known_companies():
    names = {row.name for row in reference_lists() if not row.phrases_only}
    names |= {row.name for row in load_gazetteer(ROOT / "corpus" / "companies.csv")}
    with open(BUNDLED_LISTS / SUCCESSIONS_FILE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert rows
    missing = [row["predecessor"] for row in rows if row["predecessor"] not in names]
    assert missing == []
    Successions.from_file(BUNDLED_LISTS / SUCCESSIONS_FILE)  # every date parses


def test_the_bundled_gazetteer_tags_a_1987_exxon_story_exxon():
    extractor = CompanyExtractor.from_file(ROOT / "corpus" / "companies.csv")
    assert extractor.extract("EXXON <XON> RAISES CRUDE PRICES",
                             "Exxon Corp said it raised the price it pays for crude.",
                             published=date(1987, 3, 2)) == ["Exxon"]
    assert "ExxonMobil" in extractor.extract("Exxon Mobil Corp said profits rose.", published=date(2005, 1, 1))


@pytest.mark.parametrize("text, day, expected", [
    ("J.P. Morgan said it would buy the bonds.", date(1987, 4, 1), "J.P. Morgan & Co"),
    ("J.P. Morgan said it would buy the bonds.", date(2010, 4, 1), "JPMorgan Chase"),
    ("Citibank cut its prime rate.", date(1987, 4, 1), "Citicorp"),
    ("Citibank cut its prime rate.", date(2005, 4, 1), "Citigroup"),
    ("Trading on the Chicago Mercantile Exchange was heavy.", date(1987, 4, 1), "Chicago Mercantile Exchange"),
])
def test_short_forms_belong_to_the_company_that_used_them_first(text, day, expected):
    extractor = CompanyExtractor.from_file(ROOT / "corpus" / "companies.csv")
    assert extractor.extract(text, published=day) == [expected]


def test_initials_found_with_evidence_are_not_matched_bare():
    extractor = CompanyExtractor([], promoted=["EC", "CTS", "PG&E", "Sidley Austin"])
    assert (extractor.extract("The EC said the CTS figures were in. PG&E and Sidley Austin agreed.")
            == ["PG&E", "Sidley Austin"])


def test_names_listed_after_a_plural_company_noun(extractor):
    found = extractor.extract("Consumer electronics companies such as Nokia, Sagem, Sonyx and Thomson are ready.")
    assert found == ["Nokia", "Sagem", "Sonyx", "Thomson"]


def test_a_company_name_ending_is_evidence_but_a_list_is_two_names(extractor):
    assert extractor.extract("Ticket sales at Biman Bangladesh Airlines rose.") == ["Biman Bangladesh Airlines"]
    assert extractor.extract("It signed with Big Machine and Dick Clark Productions.") == ["Dick Clark Productions"]


def test_a_country_possessive_is_a_company_context(extractor):
    assert extractor.extract("Investors include France's Total and others.", published=date(2004, 1, 1)) == ["Total"]


def test_legal_prefixes_and_other_cases_of_a_known_name():
    extractor = CompanyExtractor([Company("MTS", aliases=["Mobile TeleSystems"])])
    assert extractor.extract("Russia's OAO Mobile Telesystems said sales rose.") == ["MTS"]
    assert extractor.canonical("OAO Mobile Telesystems") == "MTS"
    assert extractor.extract("The mobile telesystems market grew.") == []  # not written as a name


def test_a_brand_used_before_a_merger_follows_its_company():
    """Esso was Exxon's brand in 1987 and ExxonMobil's after 1999 (a 1987 story is not about ExxonMobil)."""
    extractor = CompanyExtractor.from_file(ROOT / "corpus" / "companies.csv")
    assert extractor.extract("Esso raised pump prices.", published=date(1987, 6, 2)) == ["Exxon"]
    assert extractor.extract("Esso raised pump prices.", published=date(2005, 6, 2)) == ["ExxonMobil"]
    assert extractor.extract("British Petroleum Co Plc and BP both said so.", published=date(1987, 6, 2)) == ["BP"]


def test_a_change_to_the_bundled_lists_makes_the_next_build_full(tmp_path):
    """An upgrade that brings new lists must re-tag every article, as a change to companies.csv does."""
    from search.index.build import settings_checksum

    corpus, lists = tmp_path / "corpus", tmp_path / "lists"
    corpus.mkdir()
    lists.mkdir()
    (lists / "us.csv").write_text("name,aliases,weak_aliases,tickers,exclude\nAcme,,,,\n", encoding="utf-8")
    before = settings_checksum(corpus, lists)
    assert settings_checksum(corpus, lists) == before
    (lists / "us.csv").write_text("name,aliases,weak_aliases,tickers,exclude\nAcme,Acme Corp,,,\n", encoding="utf-8")
    assert settings_checksum(corpus, lists) != before


def test_a_place_is_recognised_as_written_before_the_name_is_cleaned():
    """"U.S.'s sales" is a country's sales: cleaning the name first ("U.S.") would hide the place."""
    assert CompanyExtractor([]).extract("Analysts said the U.S.'s sales fell and shares of the U.S. rose.") == []
