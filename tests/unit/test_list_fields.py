"""List fields mapped to a facet (issue 13), as the JSON Lines reader parses them: a list is several
values in order, a text stays one value; the mapping lines and the field tallies the commands print.
Imported, indexed and searched: tests/integration/test_list_fields.py."""

from __future__ import annotations

import pytest

from search.ingest.formats.jsonlines import FieldTally, mapping_lines, parse_mapping, record_to_draft
from tests.support.list_fields import MAPPING, REUTERS


def test_a_list_is_several_values_in_order_without_repeats_or_blanks():
    draft = record_to_draft({"title": "T", "topics": ["ship", " crude ", "ship", "", "  "]}, {"topics": "section"})
    assert draft.sections == ["ship", "crude"]
    assert record_to_draft({"title": "T", "topics": ["crude", "ship"]}, MAPPING).sections == ["crude", "ship"]
    assert record_to_draft({"title": "T", "topics": []}, MAPPING).sections == []
    assert record_to_draft({"title": "T"}, MAPPING).sections == []


def test_a_text_stays_one_value_commas_and_all():
    assert record_to_draft({"title": "T", "topics": "crude, ship"}, MAPPING).sections == ["crude, ship"]
    assert record_to_draft({"title": "T", "section": "  Opinion  "}).sections == ["Opinion"]
    assert record_to_draft({"title": "T", "section": ""}).sections == []


@pytest.mark.parametrize("name", ["category", "categories"])
def test_the_synonyms_of_section_take_lists_too(name):
    assert record_to_draft({"title": "T", name: ["Tech", "Markets"]}).sections == ["Tech", "Markets"]
    assert record_to_draft({"title": "T", name: "Tech, Markets"}).sections == ["Tech, Markets"]


def test_companies_given_as_a_list_stay_separate_and_a_text_is_never_split():
    joined = record_to_draft({"title": "T", "companies": "Lee, Wong and Partners; Harbour Trading"})
    assert joined.companies == ["Lee, Wong and Partners; Harbour Trading"]
    listed = record_to_draft({"title": "T", "companies": ["Lee, Wong and Partners", "Harbour Trading"]})
    assert listed.companies == ["Lee, Wong and Partners", "Harbour Trading"]


def test_mapping_lines_say_what_becomes_of_each_field():
    assert mapping_lines(parse_mapping(["newid=id,topics=section"])) == [
        "  newid -> id: the article's own id",
        "  topics -> section: a list becomes one section value per item (facet)",
    ]


def test_the_field_tally_counts_lists_texts_and_records_without():
    tally = FieldTally()
    count = tally.counter(MAPPING, {"newid": "reuters/*", "topics": "reuters/*"})
    for record in REUTERS:
        count(record)
    count("not an object")
    assert tally.lines() == [
        "Field newid -> id (reuters/*): 8 records; numbers; 0 records without it",
        "Field topics -> section (reuters/*): 6 records; 5 lists of 1-3 values (one section value each); "
        "1 texts (one section value each); 2 records without it",
    ]
    other = FieldTally()
    other.counter({"kind": "section"}, {})({"kind": "x"})
    assert other.lines() == ["Field kind -> section (--map): 1 records; texts (one section value each); "
                             "0 records without it"]


def test_a_mapping_of_single_texts_is_counted_too():
    tally = FieldTally()
    count = tally.counter({"desk": "section"}, {"desk": "wire/*"})
    for desk in ("Metals", "Metals", None):
        count({"desk": desk} if desk else {})
    assert tally.lines() == ["Field desk -> section (wire/*): 2 records; texts (one section value each); "
                             "1 records without it"]


def test_an_unused_mapping_prints_nothing():
    tally = FieldTally()
    tally.counter({"topics": "section"}, {})({"title": "no topics here"})
    assert tally.lines() == []
