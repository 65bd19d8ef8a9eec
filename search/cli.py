"""The command line: ``python -m search import``, ``index``, ``parse``, ``query`` and ``companies``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import time
from pathlib import Path

from search import config
from search.article import Article, iso_published
from search.companies.candidates import MIN_ARTICLES
from search.companies.directory import CompanyDirectory
from search.engines.backend import BACKENDS, open_backend, rewrite_derived_arrays
from search.errors import ArchiveError
from search.index.build import BuildFailed, build_index, request_stop, update_index
from search.index.store import IndexStore
from search.ingest.corpus import GAZETTEER_NAME, CorpusReader, FileResult, Problem
from search.ingest.corpus_settings import CONFIG_NAME
from search.ingest.formats.jsonlines import mapping_lines, parse_mapping
from search.ingest.importer import import_files
from search.request import SORTS, SearchRequest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search", description="Index and search the news archive.")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build the index from the corpus folder")
    index.add_argument("--corpus", type=Path, default=None,
                       help="corpus folder (default: $ARCHIVE_CORPUS_DIR or corpus)")
    index.add_argument("--index", type=Path, default=None, help="index folder (default: $ARCHIVE_INDEX_DIR or index)")
    index.add_argument("--incremental", action="store_true", help="add new and changed files, remove deleted ones")
    index.add_argument("--map", action="append", metavar="THEIRS=OURS",
                       help="field mapping for JSON exports, e.g. text=body,published_date=published")
    index.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: when on a terminal)")
    index.add_argument("--max-problems", type=int, default=50, help="problems to list at the end (default 50)")
    index.add_argument("--backend", choices=BACKENDS, default=None,
                       help="the engine the build is for (default: $ARCHIVE_SEARCH_BACKEND or whoosh); "
                            "solr: straight into SolrCloud ($ARCHIVE_SOLR_URLS), no Whoosh index (docs/solr.md)")
    index.add_argument("--rewrite-derived", action="store_true",
                       help="only write the arrays workers memory-map into the build being served "
                            "(for a build made before they existed); the corpus is not read")

    imports = commands.add_parser(
        "import", help="add an outside collection (JSON Lines export, folder of pages) to a corpus folder",
        description="Link (or copy) FILES into CORPUS/NAME/ and record their source, time zone and field names "
                    "in CORPUS/corpus.toml; then `index --corpus CORPUS` reads them.")
    imports.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imports.add_argument("--corpus", type=Path, default=None,
                         help="corpus folder (default: $ARCHIVE_CORPUS_DIR or corpus)")
    imports.add_argument("--name", required=True, help="folder name inside the corpus, e.g. reuters")
    imports.add_argument("--source", required=True, help="publication the articles come from, e.g. Reuters")
    imports.add_argument("--timezone", default="UTC", help="zone the source writes its dates in (default UTC)")
    imports.add_argument("--map", action="append", metavar="THEIRS=OURS",
                         help="field names of the export, e.g. newid=id,topics=section")
    imports.add_argument("--copy", action="store_true", help="copy the files instead of linking to them")

    parse = commands.add_parser(
        "parse", help="print what the indexer makes of one corpus file: its articles and skipped records",
        description="Read FILE as the index command does (page text, JSON Lines, JSON, HTML or a WARC/ARC crawl), "
                    "with the corpus.toml of the folder it is in (or of --corpus), and print every article with all "
                    "its fields and every skipped record with its reason: to check a new source before indexing it.")
    parse.add_argument("file", type=Path, metavar="FILE")
    parse.add_argument("--corpus", type=Path, default=None,
                       help="corpus folder whose corpus.toml and companies.csv apply "
                            "(default: the nearest folder above the file with a corpus.toml, else the file's)")
    parse.add_argument("--map", action="append", metavar="THEIRS=OURS", help="field mapping, as for index")
    parse.add_argument("--json", action="store_true",
                       help='print JSON Lines: {"article": {...}}, {"skipped": {...}} or {"warning": {...}} a line')

    query = commands.add_parser("query", help="search the index and print the hits")
    query.add_argument("text", nargs="*", help="the query, in the search box's syntax")
    query.add_argument("--index", type=Path, default=None)
    query.add_argument("--company", action="append", default=[])
    query.add_argument("--source", action="append", default=[])
    query.add_argument("--section", action="append", default=[])
    query.add_argument("--year")
    query.add_argument("--month")
    query.add_argument("--from", dest="date_from")
    query.add_argument("--to", dest="date_to")
    query.add_argument("--sort", choices=SORTS)
    query.add_argument("--page")
    query.add_argument("--per-page")
    query.add_argument("--json", action="store_true", help="print the same JSON as /api/search")

    companies = commands.add_parser(
        "companies", help="the gazetteer's companies, or the unknown organisations found in the corpus (--candidates)",
        description="Without options: what the gazetteer holds. With --candidates: the organisations the corpus names "
                    "with a legal suffix ('Foo Inc') or a description ('law firm Foo') that the gazetteer does not "
                    f"know, with how many articles name them and example sentences. Those named in {MIN_ARTICLES} "
                    "or more articles count as companies at the next build; the others are candidates for the admin "
                    "to review.")
    companies.add_argument("--candidates", action="store_true", help="list unknown organisations for review")
    companies.add_argument("--corpus", type=Path, default=None,
                           help="corpus folder (default: $ARCHIVE_CORPUS_DIR or corpus)")
    companies.add_argument("--min", type=int, default=1, metavar="N",
                           help="only names found in at least N articles (default 1)")
    companies.add_argument("--examples", type=int, default=2, metavar="K",
                           help="example sentences per name (default 2)")
    companies.add_argument("--rejected", type=int, default=20, metavar="R",
                           help="also list the R names most often found with evidence but rejected, "
                                "and why (default 20)")

    args = parser.parse_args(argv)
    try:
        if args.command == "index":
            signal.signal(signal.SIGINT, _interrupted)  # stop, clean up, say so, and never publish
            signal.signal(signal.SIGTERM, _interrupted)
            return _index(args)
        if args.command == "import":
            return _import(args)
        if args.command == "companies":
            return _companies(args)
        if args.command == "parse":
            return _parse(args)
        return _query(args)
    except BuildFailed as exc:
        print(f"error: {exc}; the index being served is unchanged", file=sys.stderr)
        return 1
    except (ArchiveError, ValueError) as exc:  # ValueError: argparse-level values the library refuses
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a file too large, a folder not writable
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; the index being served is unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the index being served is unchanged", file=sys.stderr)
        return 130


def _interrupted(signum, frame):
    request_stop()
    raise KeyboardInterrupt


def _index(args) -> int:
    corpus = args.corpus or config.get_path("CORPUS_DIR")
    index_root = args.index or config.get_path("INDEX_DIR")
    if args.rewrite_derived:
        written = rewrite_derived_arrays(index_root)
        print(f"Derived arrays: {written['bytes'] / 1e6:.1f} MB written in {written['seconds']:.1f} s "
              f"into {IndexStore(index_root).current()}")
        return 0
    if not corpus.is_dir():
        print(f"error: corpus folder {corpus} does not exist", file=sys.stderr)
        return 2
    mapping = parse_mapping(args.map)
    backend = args.backend or config.get("SEARCH_BACKEND")
    if backend not in BACKENDS:
        raise ValueError(f"ARCHIVE_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "solr":
        from search.engines.solr.loader import load_corpus
        from search.engines.solr.settings import Settings as SolrSettings

        report = load_corpus(corpus, index_root, SolrSettings.from_config(), mapping=mapping,
                             progress=args.progress, incremental=args.incremental)
        for line in report.lines(max_problems=args.max_problems) + (report.fields.lines() if report.fields else []):
            print(line)
        print(f"Serving from {report.index_path} (Solr alias {report.solr['alias']} -> {report.solr['collection']})")
        return 0
    build = update_index if args.incremental else build_index
    report = build(corpus, index_root, mapping=mapping, progress=args.progress)
    for line in report.lines(max_problems=args.max_problems):
        print(line)
    for line in report.fields.lines() if report.fields else ():  # what each mapped field held, and became
        print(line)
    print(f"Serving from {report.index_path}")
    return 0


def _import(args) -> int:
    mapping = parse_mapping(args.map)
    report = import_files(
        args.files, args.corpus or config.get_path("CORPUS_DIR"), args.name, args.source,
        timezone=args.timezone, mapping=mapping, copy=args.copy,
    )
    for line in report.lines() + mapping_lines(mapping):  # then what becomes of each mapped field
        print(line)
    return 0


def _parse(args) -> int:
    path = args.file
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    corpus = (args.corpus or _corpus_of(path)).resolve()
    try:
        relative = path.resolve().relative_to(corpus).as_posix()
    except ValueError:
        relative = path.name  # outside the corpus folder: its name is all its patterns see
    # Companies from the gazetteer and the bundled lists only: promoting unknown organisations takes the whole corpus.
    reader = CorpusReader(corpus, mapping=parse_mapping(args.map), min_articles=None, each_record=True)
    result = FileResult(relative, "")
    shown = 0
    articles = 0

    def show_problems() -> None:
        nonlocal shown
        for problem in result.problems[shown:]:
            print(_problem_json(problem) if args.json else f"{'skipped: ' if problem.skipped else ''}{problem}")
        shown = len(result.problems)

    for article in reader.iter_file(path, relative, result):
        show_problems()
        articles += 1
        print(json.dumps({"article": _article_json(article)}, ensure_ascii=False) if args.json
              else _article_text(article, articles))
    show_problems()
    if not args.json:
        skipped = sum(p.count for p in result.problems if p.skipped)
        warnings = sum(p.count for p in result.problems if not p.skipped)
        print(f"{relative}: {articles} articles, {skipped} skipped, {warnings} warnings")
    return 0


def _corpus_of(path: Path) -> Path:
    """The corpus folder a file is in: the nearest folder above it with a corpus.toml, else its own folder."""
    folder = path.resolve().parent
    return next((parent for parent in (folder, *folder.parents) if (parent / CONFIG_NAME).is_file()), folder)


def _article_json(article: Article) -> dict:
    fields = dataclasses.asdict(article)
    fields["published"] = iso_published(article.published, article.date_only) or None
    return fields


def _problem_json(problem: Problem) -> str:
    fields = {"path": problem.path, "line": problem.line, "offset": problem.offset, "kind": problem.kind,
              "reason": problem.reason}
    return json.dumps({"skipped" if problem.skipped else "warning": fields}, ensure_ascii=False)


def _article_text(article: Article, number: int) -> str:
    lines = [f"article {number}: {article.title}"]
    for name, value in _article_json(article).items():
        if name in ("title", "body"):
            continue
        if isinstance(value, list):
            value = "; ".join(value)
        if value not in ("", None, 0) or name in ("published", "source"):
            lines.append(f"  {name}: {value if value is not None else 'undated'}")
    paragraphs = article.paragraphs
    lines.append(f"  body: {len(paragraphs)} paragraphs, {len(article.body):,} characters")
    lines.extend(f"    {paragraph}" for paragraph in paragraphs)
    return "\n".join(lines)


def _query(args) -> int:
    archive = open_backend(config.get("SEARCH_BACKEND"), args.index or config.get_path("INDEX_DIR"), facet_limit=12)
    params = {
        "q": [" ".join(args.text)],
        "company": args.company,
        "source": args.source,
        "section": args.section,
        "year": [args.year] if args.year else [],
        "month": [args.month] if args.month else [],
        "from": [args.date_from] if args.date_from else [],
        "to": [args.date_to] if args.date_to else [],
        "sort": [args.sort] if args.sort else [],
        "page": [args.page] if args.page else [],
        "per_page": [args.per_page] if args.per_page else [],
    }
    results = archive.search(SearchRequest.from_params(params))
    if args.json:
        print(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{results.total} articles ({results.took_ms:.1f} ms)")
    if results.suggestion:
        print(f"Did you mean: {results.suggestion}")
    for hit in results.hits:
        for version in [hit, *hit.similar]:  # near-duplicates folded under the hit, indented
            date = f"{version.published:%Y-%m-%d}" if version.published else "undated"
            indent = "      similar: " if version is not hit else ""
            print(f"{version.position:>4}. {indent}{version.title}  [{version.source}, {date}]  /article/{version.id}")
    for name, values in results.facets.items():
        if values:
            shown = ", ".join(f"{v.label or v.value} ({v.count})" for v in values[:8])
            print(f"  {name}: {shown}")
    return 0


def _companies(args) -> int:
    corpus = args.corpus or config.get_path("CORPUS_DIR")
    if not corpus.is_dir():
        print(f"error: corpus folder {corpus} does not exist", file=sys.stderr)
        return 2
    gazetteer = corpus / GAZETTEER_NAME
    if not args.candidates:
        directory = CompanyDirectory.from_file(gazetteer)
        print(f"{len(directory)} companies in {gazetteer}; `python -m search companies --candidates` lists the "
              "organisations the articles name that it does not know.")
        for info in directory:
            details = "; ".join(part for part in (", ".join(info.aliases), ", ".join(info.tickers)) if part)
            print(f"  {info.name}  /company/{info.slug}" + (f"  ({details})" if details else ""))
        return 0
    started = time.perf_counter()
    counter = CorpusReader(corpus).count_candidates()
    seconds = time.perf_counter() - started
    shown = counter.candidates(min_articles=max(1, args.min))
    accepted = sum(1 for c in counter.found.values() if c.articles >= MIN_ARTICLES)
    print(f"Read {counter.articles} articles from {corpus} in {seconds:.1f} s: {len(counter.found)} organisations "
          f"not in {GAZETTEER_NAME} or the bundled lists; each counts where its evidence names it, and the {accepted} "
          f"named so in {MIN_ARTICLES} or more articles are accepted: counted wherever they are named."
          + (f" Showing the {len(shown)} in at least {args.min} articles." if args.min > 1 else ""))
    rejected = counter.rejected_names(max(0, args.rejected))
    if rejected:
        print(f"\nRejected: the {len(rejected)} names most often found with evidence that are still no company, "
              "and why")
        for candidate, reason in rejected:
            print(f"{candidate.articles:>8} {candidate.mentions:>8}  rejected   {candidate.name}  "
                  f"({candidate.form!r}; {reason})")
    if not shown:
        return 0
    print(f"\n{'articles':>8} {'mentions':>8}  {'status':<9}  name (as written; evidence)")
    for candidate in shown:
        status = "accepted" if candidate.articles >= MIN_ARTICLES else "candidate"
        evidence = ", ".join(kind for kind, _ in candidate.evidence.most_common())
        print(f"{candidate.articles:>8} {candidate.mentions:>8}  {status:<9}  {candidate.name}  "
              f"({candidate.form!r}; {evidence})")
        for example in candidate.examples[: max(0, args.examples)]:
            print(f"{'':>30}“{example}”")
    example = shown[0]
    create = "" if gazetteer.exists() else ", creating it with the first line name,aliases,weak_aliases,tickers,exclude"
    print(f"""
To make one a company (or give an accepted one its aliases), add a line to {gazetteer}{create}
(columns name,aliases,weak_aliases,tickers,exclude; several values in a cell are separated by ';'), e.g.
    {_csv_cell(example.name)},{_csv_cell(example.form) if example.form != example.name else ''},,,
To say one is not a company, add the phrase as written to the exclude column of the line
"(not companies)" (create it if needed):
    (not companies),,,,{_csv_cell(example.form)}
Then rebuild the index: `make index` (`python -m search index`).""")
    return 0


def _csv_cell(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(ch in value for ch in ',;"') else value
