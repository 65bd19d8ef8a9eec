"""Build a peer's index from the articles the product indexed (``articles.jsonl``).

Run as a child process, ``python -m bench.build fts5|tantivy ARTICLES OUT``, so that its time and
peak memory are its own; it prints one JSON line: {"docs": N, "seconds": S}.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from .corpus import iter_peer_articles

FTS5_TABLE = "articles_fts"
# BM25 column weights of the FTS5 table (title, body, captions), as the product weighs them.
FTS5_WEIGHTS = (3.0, 1.0, 1.5)
TANTIVY_TEXT_FIELDS = ("title", "body", "captions")
TANTIVY_BOOSTS = {"title": 3.0, "captions": 1.5}

FTS5_SCHEMA = f"""
CREATE TABLE articles (
    doc INTEGER PRIMARY KEY,        -- the rowid, shared with the FTS table
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    captions TEXT NOT NULL,         -- one per line
    source TEXT NOT NULL,
    sections TEXT NOT NULL,         -- JSON array
    published TEXT,                 -- ISO 8601 with offset, NULL when undated
    year INTEGER,
    month INTEGER,
    companies TEXT NOT NULL         -- JSON array, for Datasette's _facet_array and arraycontains
);
CREATE TABLE article_companies (
    article INTEGER NOT NULL REFERENCES articles(doc),
    company TEXT NOT NULL
);
-- Datasette finds the FTS table of `articles` by this content="articles" option.
CREATE VIRTUAL TABLE {FTS5_TABLE} USING fts5(
    title, body, captions, content="articles", content_rowid="doc", tokenize='porter unicode61'
);
"""
FTS5_INDEXES = """
CREATE INDEX articles_source ON articles(source);
CREATE INDEX articles_year ON articles(year, month);
CREATE INDEX article_companies_company ON article_companies(company, article);
CREATE INDEX article_companies_article ON article_companies(article, company);
"""


def build_fts5(articles: Path, out: Path) -> int:
    if out.exists():
        out.unlink()
    conn = sqlite3.connect(out)
    try:
        conn.executescript(FTS5_SCHEMA)
        docs = 0
        with conn:
            for doc, a in enumerate(iter_peer_articles(articles), start=1):
                conn.execute(
                    "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (doc, a["id"], a["title"], a["body"], "\n".join(a["captions"]), a["source"],
                     json.dumps(a["sections"], ensure_ascii=False),
                     a["published"], a["year"], a["month"], json.dumps(a["companies"], ensure_ascii=False)),
                )
                conn.executemany("INSERT INTO article_companies VALUES (?, ?)", [(doc, c) for c in a["companies"]])
                docs = doc
            conn.execute(f"INSERT INTO {FTS5_TABLE}({FTS5_TABLE}) VALUES ('rebuild')")
            conn.executescript(FTS5_INDEXES)
        conn.execute(f"INSERT INTO {FTS5_TABLE}({FTS5_TABLE}) VALUES ('optimize')")
        conn.commit()
        conn.execute("ANALYZE")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return docs


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TANTIVY_TEXT_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    for name in ("source", "sections", "companies"):  # exact values, fast fields for facet counts
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field("published", stored=True, tokenizer_name="raw")
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    builder.add_integer_field("month", stored=True, indexed=True, fast=True)  # 198702 for February 1987
    return builder.build()


def build_tantivy(articles: Path, out: Path) -> int:
    import tantivy

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    index = tantivy.Index(tantivy_schema(), path=str(out))
    writer = index.writer(heap_size=256_000_000)  # threads: tantivy's choice (one per core)
    docs = 0
    for a in iter_peer_articles(articles):
        doc = tantivy.Document()
        doc.add_text("id", a["id"])
        doc.add_text("title", a["title"])
        doc.add_text("body", a["body"])
        for caption in a["captions"]:
            doc.add_text("captions", caption)
        doc.add_text("source", a["source"])
        for section in a["sections"]:
            doc.add_text("sections", section)
        for company in a["companies"]:
            doc.add_text("companies", company)
        if a["published"]:
            doc.add_text("published", a["published"])
            doc.add_integer("year", a["year"])
            doc.add_integer("month", a["year"] * 100 + a["month"])
        writer.add_document(doc)
        docs += 1
    writer.commit()
    writer.wait_merging_threads()
    return docs


BUILDERS = {"fts5": build_fts5, "tantivy": build_tantivy}


def main(argv: list[str]) -> int:
    engine, articles, out = argv
    started = time.perf_counter()
    docs = BUILDERS[engine](Path(articles), Path(out))
    print(json.dumps({"docs": docs, "seconds": time.perf_counter() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
