"""The list-field tests' data (issue 13): a small Reuters-like export whose topics are lists, texts or
missing, and records in the project's own field names. Read by tests/unit/test_list_fields.py (parsing,
tallies) and tests/integration/test_list_fields.py (import, index, search)."""

from __future__ import annotations

import json
from pathlib import Path

MAPPING = {"newid": "id", "topics": "section"}
# A Reuters-like export: topics as lists in both orders, one topic, three, none (an empty list and no key),
# a repeat and an empty item, and a text with a comma (one value).
REUTERS = [
    {"newid": 1, "date": "26-FEB-1987 15:01:01.79", "title": "TANKER RATES FIRM ON CRUDE LIFTINGS",
     "topics": ["crude", "ship"], "body": "Tanker rates firmed as crude liftings from the Gulf rose, brokers said."},
    {"newid": 2, "date": "27-FEB-1987 09:30:00.00", "title": "GULF SHIPPING SEES MORE CRUDE CARGOES",
     "topics": ["ship", "crude"], "body": "More crude cargoes were booked for Gulf shipping this week."},
    {"newid": 3, "date": "02-MAR-1987 11:00:00.00", "title": "OPEC OUTPUT STEADY", "topics": ["crude"],
     "body": "Opec output held steady in February, a survey found."},
    {"newid": 4, "date": "03-MAR-1987 12:00:00.00", "title": "GRAIN EXPORTS RISE", "topics": ["grain", "wheat", "corn"],
     "body": "Grain exports rose, with wheat and corn leading."},
    {"newid": 5, "date": "04-MAR-1987 13:00:00.00", "title": "BANK RATES UNCHANGED", "topics": [],
     "body": "The central bank left its rates unchanged."},
    {"newid": 6, "date": "05-MAR-1987 14:00:00.00", "title": "CRUDE PRICES EASE", "topics": ["crude", "crude", ""],
     "body": "Crude prices eased in thin trading."},
    {"newid": 7, "date": "06-MAR-1987 15:00:00.00", "title": "STOCKS CLOSE HIGHER",
     "body": "Stocks closed higher on the day."},
    {"newid": 8, "date": "09-MAR-1987 16:00:00.00", "title": "DOLLAR FIRMS IN EUROPE", "topics": "money-fx, dlr",
     "body": "The dollar firmed in Europe."},
]
# Articles in the project's own field names, one with the "categories" synonym, and companies given in the data.
OWN = [
    {"id": "blog-1", "title": "Chip makers expand plants", "published": "2021-04-01", "categories": ["Tech", "Markets"],
     "body": "Chip makers said they would expand their plants.",
     "companies": "Lee, Wong and Partners; Harbour Trading"},
    {"id": "blog-2", "title": "Harbour fees rise", "published": "2021-04-02", "section": ["Markets", "ship"],
     "body": "Harbour fees rose again.", "companies": ["Lee, Wong and Partners", "Harbour Trading"]},
]
SECTION_COUNTS = {"crude": 4, "ship": 3, "grain": 1, "wheat": 1, "corn": 1, "money-fx, dlr": 1, "Tech": 1, "Markets": 2}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
