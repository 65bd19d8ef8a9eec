"""Read a corpus folder: find the article files, detect each file's format, parse, and enrich.

Everything that can go wrong with one file or one record becomes a ``Problem`` with the file,
the line (or a web archive's record offset) and the reason; the rest of the corpus is read as usual.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from search import config
from search.article import Article, ArticleDraft, make_article_id
from search.companies.candidates import MIN_ARTICLES, CandidateCounter
from search.companies.extractor import CompanyExtractor
from search.companies.gazetteer import BUNDLED_LISTS
from search.companies.organisations import names_with_evidence
from search.index.store import file_sha256
from search.ingest.corpus_settings import CONFIG_NAME, CorpusConfig
from search.ingest.dates import DateError, gives_time, parse_published
from search.ingest.formats.html import NotArticle, parse_html
from search.ingest.formats.html_metadata import host_name
from search.ingest.formats.jsonlines import (
    FieldTally,
    RecordError,
    iter_json_document,
    iter_json_lines,
    record_to_draft,
)
from search.ingest.formats.pagetext import PageTextError, looks_like_page_text, parse_page_text
from search.ingest.formats.warc import (
    Damage,
    choose_pages,
    is_web_archive,
    looks_like_web_archive,
    read_captures,
    skip_reason,
)
from search.ingest.parse_cache import COMPANIES_SOURCE, FRAME_DRAFTS, PARSER_SOURCE, PARSER_VERSION, ParseCache

GAZETTEER_NAME = "companies.csv"
LISTS_FOLDER = BUNDLED_LISTS.name  # "company-lists": the gazetteer's reference lists, beside the articles
PAGE_TEXT_SUFFIXES = {".txt", ".text"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
HTML_SUFFIXES = {".html", ".htm"}
# An HTML page is larger than its article: its markup may be this many times the article limit.
PAGE_BYTES_PER_ARTICLE_BYTE = 4
# Files in a corpus folder that are not articles.
NOT_ARTICLES = {CONFIG_NAME, GAZETTEER_NAME}
NOT_ARTICLE_SUFFIXES = {".md", ".csv", ".toml", ".rst", ".py"}
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file or a record: where, and why.

    A web archive's record is where it starts in the file (``offset``, in bytes), not a line. Records
    skipped for one ordinary reason (redirects, images ...) are one Problem with their ``count``, so that
    a crawl of 100,000 images is one line, not 100,000 (unless the reader is asked for each record).
    """

    path: str
    line: int
    reason: str
    skipped: bool = True  # False for a warning: the article was still indexed
    offset: int | None = None  # of the record in a web archive
    count: int = 1  # records this Problem stands for

    def __str__(self) -> str:
        if self.offset is not None:
            where = f"{self.path} (record at byte {self.offset})"
        else:
            where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {'' if self.skipped else 'warning: '}{self.reason}"

    @property
    def kind(self) -> str:
        """The reason without its details, for the summary ("invalid JSON", "bad date")."""
        return self.reason.split(":")[0].split(" (")[0]


@dataclass
class FileResult:
    """The articles and problems of one corpus file."""

    path: str  # relative to the corpus folder, with forward slashes
    checksum: str
    articles: list[Article] = field(default_factory=list)  # filled by read_file, not by iter_file
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ReadSummary:
    """Counts for the end-of-build report."""

    files: int = 0
    articles: int = 0
    skipped: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def add(self, result: FileResult, articles: int | None = None) -> None:
        """Count one file: its problems, and its articles (``articles`` when they were streamed)."""
        self.files += 1
        self.articles += len(result.articles) if articles is None else articles
        for problem in result.problems:
            self.problems.append(problem)
            (self.skipped if problem.skipped else self.warnings)[problem.kind] += problem.count

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


def list_corpus_files(corpus_dir: Path) -> Iterator[tuple[Path, str]]:
    """Yield (path, relative path) of every candidate article file, sorted, following symlinks once.

    The relative path is text, whatever bytes the name has: a name that is not UTF-8 (a Latin-1 ``é``
    byte) is given with each such byte written ``\\xNN`` (``caf\\xe9.jsonl``), as its manifest key, its
    stored ``path`` and in the build's report; ``path`` opens the file itself. Should that text be the
    name of another file too, the backslashes are doubled until it is not, so two files never share one.
    """
    found = list(_walk_corpus(Path(corpus_dir)))
    texts = {relative for _, relative in found if not _SURROGATES.search(relative)}
    for path, relative in found:
        if _SURROGATES.search(relative):
            shown = path_text(relative)
            while shown in texts:
                shown = shown.replace("\\", "\\\\")
            texts.add(shown)
            relative = shown
        yield path, relative


_SURROGATES = re.compile("[\ud800-\udfff]")


def path_text(relative: str) -> str:
    """A path as os.walk gives it (bytes that are not UTF-8 as surrogate escapes) as text: those bytes as ``\\xNN``."""
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def _walk_corpus(corpus_dir: Path) -> Iterator[tuple[Path, str]]:
    seen_dirs: set[str] = set()
    for root, dirs, files in os.walk(corpus_dir, followlinks=True):
        real = os.path.realpath(root)
        if real in seen_dirs:  # a symlink loop, or the same folder linked twice
            dirs[:] = []
            continue
        seen_dirs.add(real)
        # Hidden folders, and the bundled company lists (corpus/company-lists/), hold no articles.
        dirs[:] = sorted(d for d in dirs
                         if not d.startswith((".", "_")) and not (root == str(corpus_dir) and d == LISTS_FOLDER))
        for name in sorted(files):
            path = Path(root) / name
            relative = path.relative_to(corpus_dir).as_posix()
            if is_article_file(name):
                yield path, relative


def is_article_file(name: str) -> bool:
    """Return False for the corpus's own documentation, settings and hidden files."""
    if name.startswith((".", "_", "~")) or name in NOT_ARTICLES:
        return False
    stem = name[:-3] if name.endswith(".gz") else name
    suffix = Path(stem).suffix.lower()
    if suffix in NOT_ARTICLE_SUFFIXES or name.upper().startswith(("README", "LICENSE", "SOURCE")):
        return False
    return True


def file_checksum(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (what incremental indexing compares): the store's one function."""
    return file_sha256(path)


class CorpusReader:
    """Turn corpus files into Articles, with sources, dates and companies resolved."""

    def __init__(
        self,
        corpus_dir: Path,
        extractor: CompanyExtractor | None = None,
        config: CorpusConfig | None = None,
        mapping: dict[str, str] | None = None,
        min_articles: int | None = MIN_ARTICLES,
        max_article_bytes: int | None = None,
        each_record: bool = False,
        cache: ParseCache | None = None,
        procs: int = 1,
    ):
        self.corpus_dir = Path(corpus_dir)
        # Worker processes parsing and building articles (parallel.py); 1: all in this process.
        self.procs = max(1, procs)
        self._ahead = None  # the workers' Pipeline of the files being read (``reading``)
        # An article larger than this (its text, or the JSON line it is on) is reported and skipped.
        self.max_article_bytes = max_article_bytes if max_article_bytes is not None else max_article_setting()
        self.max_page_bytes = PAGE_BYTES_PER_ARTICLE_BYTE * self.max_article_bytes  # of an HTML page, markup and all
        # A web archive's records skipped for ordinary reasons: one Problem per reason with a count, or
        # (``each_record``, for `python -m search parse`) one per record.
        self.each_record = each_record
        self.config = config if config is not None else CorpusConfig.load(self.corpus_dir)
        self.extractor = extractor if extractor is not None else CompanyExtractor.from_file(
            self.corpus_dir / GAZETTEER_NAME
        )
        # Files already parsed (ParseCache): their drafts, and their counts of unknown organisations, whose
        # entries are keyed by the gazetteer too (known only when this reader loaded it: else not cached).
        self.cache = cache if cache is not None and not each_record else ParseCache(None)
        self._gazetteer_key = gazetteer_checksum(self.corpus_dir) if extractor is None else None
        self._checksums: dict[str, str] = {}
        self.mapping = mapping or {}
        # Unknown organisations become companies when ``min_articles`` articles of the whole corpus
        # give evidence for them: counted by a first pass before the first article is built (None: never).
        self.min_articles = min_articles
        self.candidates: CandidateCounter | None = None
        self.fields = FieldTally()  # what the mapped fields held, over the records built into articles

    def count_candidates(self) -> CandidateCounter:
        """Read the whole corpus once and count the articles naming each unknown organisation.

        Parsing only (no dates, ids or Articles); unreadable files and bad records are skipped here
        and reported by the pass that builds the articles.
        """
        counter = CandidateCounter(self.extractor)
        if self.procs > 1:
            from search.ingest import parallel

            parallel.count_pass(self, counter, list(list_corpus_files(self.corpus_dir)))
            self.cache.prune()
            return counter
        for path, relative in list_corpus_files(self.corpus_dir):
            checksum = self.checksum(path, relative)
            key = None
            if self.cache.enabled and checksum and self._gazetteer_key:
                key = self.cache.key("organisations", self._drafts_key(relative, checksum), self._gazetteer_key,
                                     COMPANIES_SOURCE, counter.max_examples)
                cached = self.cache.load(key)
                if cached is not None and len(cached) == 1:
                    self.cache.stats.count_hits += 1
                    self.cache.stats.cached.add(relative)
                    drafts_key = self._drafts_key(relative, checksum)  # kept by prune, as the evidence
                    self.cache.used.update((drafts_key, self.cache.key("evidence", drafts_key, COMPANIES_SOURCE)))
                    counter.merge(cached[0])
                    continue
            part = CandidateCounter(self.extractor, counter.max_examples)
            if checksum and self.cache.enabled:
                drafts = list(self._cached_drafts(path, relative, checksum))
                self.extractor.evidence = self._evidence(drafts, relative, checksum)
            else:
                drafts = self._file_drafts(path, relative)
            try:
                for draft in drafts:
                    if isinstance(draft, ArticleDraft) and draft.title:
                        part.add(*_texts(draft))
            finally:
                self.extractor.evidence = None
            if key is not None:
                self.cache.store(key, [part.state()])
            counter.merge(part.state())
        # Every file of the corpus was looked up: what the cache holds besides is of files gone (or changed),
        # dropped now, before the index is written, so that a full disk is not kept full by old entries.
        self.cache.prune()
        return counter

    def checksum(self, path: Path, relative: str) -> str:
        """The file's checksum, computed once per reader ("" for a file that cannot be read)."""
        if relative not in self._checksums:
            try:
                self._checksums[relative] = file_checksum(path)
            except OSError:
                return ""
        return self._checksums[relative]

    def mapping_of(self, relative: str) -> tuple[dict[str, str], dict[str, str]]:
        """The field mapping a file is read with, and where each mapped name's mapping comes from."""
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        origins = {**self.config.mapping_origins(relative), **dict.fromkeys(self.mapping, "--map")}
        return mapping, origins

    def plan(self, mode: str, path: Path, relative: str, examples: int = 3):
        """A file's tasks for the worker processes (parallel.py) and what the parse cache gives and keeps of it:
        what ``count_candidates`` (``mode`` "count") or ``iter_file`` ("build") does with one file, cut in parts."""
        from search.ingest import parallel

        plan = parallel.FilePlan(path, relative)
        cache = self.cache
        if mode == parallel.COUNT:
            plan.checksum = checksum = self.checksum(path, relative)
            if cache.enabled and checksum and self._gazetteer_key:
                key = cache.key("organisations", self._drafts_key(relative, checksum), self._gazetteer_key,
                                COMPANIES_SOURCE, examples)
                cached = cache.load(key)
                if cached is not None and len(cached) == 1:
                    cache.stats.count_hits += 1
                    cache.stats.cached.add(relative)
                    drafts_key = self._drafts_key(relative, checksum)
                    cache.used.update((drafts_key, cache.key("evidence", drafts_key, COMPANIES_SOURCE)))
                    plan.counted = cached[0]
                    return plan
                plan.counts_key = key
            if not (checksum and cache.enabled):
                plan.tasks = self._source_tasks(plan, want_found=False)
                return plan
        else:
            try:
                plan.checksum = checksum = self._checksums.get(relative) or file_checksum(path)
            except OSError as exc:
                plan.error = f"unreadable: {exc.strerror or exc}"
                return plan
            if not cache.enabled:
                plan.tasks = self._source_tasks(plan, want_found=False)
                return plan
        mapping, _origins = self.mapping_of(relative)
        key = self._drafts_key(relative, checksum)
        evidence_key = cache.key("evidence", key, COMPANIES_SOURCE)
        frames = cache.load(key)
        if frames is not None and frames and len(frames[0]) == len(mapping):
            cache.stats.hits += 1
            cache.stats.cached.add(relative)
            plan.field_numbers = frames[0]
            drafts = [draft for frame in frames[1:] for draft in frame]
            evidence = cache.load(evidence_key)
            found = evidence[0] if evidence is not None and len(evidence) == 1 and len(evidence[0]) == len(drafts) \
                else None
            if found is None:
                plan.evidence_key = evidence_key
            step = parallel.LINES_PER_TASK
            plan.tasks = ((("drafts", drafts[i:i + step]), None if found is None else found[i:i + step], found is None)
                          for i in range(0, len(drafts), step))
            return plan
        cache.stats.misses += 1
        cache.stats.parsed.add(relative)
        plan.drafts_key = key
        plan.evidence_key = evidence_key
        plan.tasks = self._source_tasks(plan, want_found=True)
        return plan

    def _source_tasks(self, plan, want_found: bool) -> Iterator[tuple]:
        """The parsing tasks of a file: parts of its lines (JSON Lines, decoded here once, a decode warning in
        ``plan.lead``), else the whole file, read by the worker as ``_file_drafts`` reads it."""
        from search.ingest import parallel

        path, relative = plan.path, plan.relative
        whole = iter([(("file", str(path)), None, want_found)])
        name = relative[:-3] if relative.endswith(".gz") else relative
        suffix = Path(name).suffix.lower()
        if suffix in JSON_SUFFIXES | PAGE_TEXT_SUFFIXES | HTML_SUFFIXES or is_web_archive(relative):
            return whole
        if suffix not in JSON_LINES_SUFFIXES and looks_like_web_archive(path):
            return whole
        try:
            raw = self._read_bytes(path)
        except OSError:
            return whole  # the worker says why
        if suffix not in JSON_LINES_SUFFIXES and looks_like_html(raw):
            return whole
        text, warning = decode_text(raw)
        del raw
        if text is None or not text.strip() or not self.is_json_lines(relative, text):
            return whole
        if warning:
            plan.lead.append(Problem(relative, 0, warning, skipped=False))
        lines = text.split("\n")
        del text
        step = parallel.LINES_PER_TASK
        return ((("lines", "\n".join(lines[i:i + step]), i + 1), None, want_found) for i in range(0, len(lines), step))

    @contextmanager
    def reading(self, files: list[tuple[Path, str]]) -> Iterator[None]:
        """Parse and build ``files`` ahead in the worker processes (``procs`` > 1) while the caller takes each
        file's articles from ``iter_file``, in this order; the counting pass (parallel too) comes first."""
        if self.procs <= 1:
            yield
            return
        from search.ingest import parallel

        self._promote_candidates()
        self._ahead = parallel.Pipeline(self, parallel.BUILD, files)
        try:
            yield
        except BaseException:
            self._ahead.terminate()
            raise
        else:
            self._ahead.close()
        finally:
            self._ahead = None

    def _drafts_key(self, relative: str, checksum: str) -> str:
        """The parse cache's key of a file's drafts: whatever makes them what they are."""
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        return self.cache.key("drafts", PARSER_VERSION, PARSER_SOURCE, checksum, relative,
                              self.max_article_bytes, list(mapping.items()))

    def _evidence(self, drafts: list, relative: str, checksum: str) -> dict[str, list]:
        """What ``names_with_evidence`` finds in each text of a file's drafts (text -> names): from the parse
        cache, else found and kept there. It does not depend on the gazetteer: a rebuild after a gazetteer
        edit counts organisations and extracts companies without searching the texts for evidence again."""
        texts = [_texts(draft) if isinstance(draft, ArticleDraft) and draft.title else () for draft in drafts]
        key = self.cache.key("evidence", self._drafts_key(relative, checksum), COMPANIES_SOURCE)
        frames = self.cache.load(key)
        if frames is not None and len(frames) == 1 and len(frames[0]) == len(texts):
            found = frames[0]
        else:
            found = [[names_with_evidence(text) for text in article] for article in texts]
            self.cache.store(key, [found])
        return {text: names for article, named in zip(texts, found, strict=True)
                for text, names in zip(article, named, strict=True)}

    def _cached_drafts(self, path: Path, relative: str, checksum: str,
                       count_fields: bool = False) -> Iterator[ArticleDraft | Problem]:
        """A file's drafts and problems from the parse cache, else parsed (and then kept there); the mapped
        fields' counts (``count_fields``) either way."""
        if not self.cache.enabled:
            yield from self._file_drafts(path, relative, self.fields if count_fields else None)
            return
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        origins = {**self.config.mapping_origins(relative), **dict.fromkeys(self.mapping, "--map")}
        key = self._drafts_key(relative, checksum)
        frames = self.cache.load(key)
        if frames is not None and frames and len(frames[0]) == len(mapping):
            self.cache.stats.hits += 1
            self.cache.stats.cached.add(relative)
            if count_fields:
                for count, held in zip(self.fields.field_counts(mapping, origins), frames[0], strict=True):
                    count.merge(held)
            for frame in frames[1:]:
                yield from frame
            return
        self.cache.stats.misses += 1
        self.cache.stats.parsed.add(relative)
        tally = FieldTally()
        frames: list[list] = [[]]  # the field counts, then the drafts FRAME_DRAFTS at a time
        for draft in self._file_drafts(path, relative, tally):
            if len(frames) == 1 or len(frames[-1]) >= FRAME_DRAFTS:
                frames.append([])
            frames[-1].append(draft)
            yield draft
        frames[0] = [count.numbers_held() for count in tally.field_counts(mapping, origins)]
        if count_fields:
            for count, held in zip(self.fields.field_counts(mapping, origins), frames[0], strict=True):
                count.merge(held)
        self.cache.store(key, frames)

    def _promote_candidates(self) -> None:
        if self.candidates is None and self.min_articles is not None:
            self.candidates = self.count_candidates()
            self.extractor = self.extractor.with_promoted(self.candidates.promoted(self.min_articles))

    def promoted_companies(self) -> list[str]:
        """The unknown organisations this corpus makes companies (counting them if not done yet)."""
        self._promote_candidates()
        return sorted(self.candidates.promoted(self.min_articles)) if self.candidates is not None else []

    def read_all(self) -> Iterator[FileResult]:
        """Yield one FileResult per corpus file, in a stable order."""
        for path, relative in list_corpus_files(self.corpus_dir):
            yield self.read_file(path, relative)

    def read_file(self, path: Path, relative: str) -> FileResult:
        """Parse one file into a FileResult holding all its articles and problems."""
        result = FileResult(relative, "")
        result.articles.extend(self.iter_file(path, relative, result))
        return result

    def iter_file(self, path: Path, relative: str, result: FileResult) -> Iterator[Article]:
        """Yield one file's articles as they are parsed, recording its checksum and problems in ``result``.

        Every failure becomes a Problem, never an exception; a large file is never held as Articles.
        """
        if self._ahead is not None:
            from search.ingest import parallel

            plan = self._ahead.next_file(relative)
            yield from parallel.build_file(self, self._ahead, plan, result, self._built_articles(relative, result))
            return
        try:
            result.checksum = self._checksums.get(relative) or file_checksum(path)
        except OSError as exc:
            result.problems.append(Problem(relative, 0, f"unreadable: {exc.strerror or exc}"))
            return
        self._promote_candidates()  # the counting pass first: it parses (and caches) this file too
        drafts = self._cached_drafts(path, relative, result.checksum, count_fields=True)
        if self.cache.enabled:  # held whole by the cache anyway; their evidence is looked up once
            drafts = list(drafts)
            self.extractor.evidence = self._evidence(drafts, relative, result.checksum)
        try:
            yield from self._articles(drafts, relative, result)
        finally:
            self.extractor.evidence = None

    def _built_articles(self, relative: str, result: FileResult):
        """``_articles`` for drafts built by the worker processes: a function taking parts of a file's drafts
        in order, each with what became of its drafts (an Article, an error's text, None for a Problem),
        and yielding the Articles as ``_articles`` does (the same problems and duplicates)."""
        seen_ids: set[str] = set()
        offset = None

        def take(parts: list[tuple[list, list]]) -> Iterator[Article]:
            nonlocal offset
            for drafts, outcomes in parts:
                for draft, outcome in zip(drafts, outcomes, strict=True):
                    if isinstance(draft, Problem):
                        result.problems.append(draft)
                        offset = draft.offset
                        continue
                    if not isinstance(outcome, Article):
                        result.problems.append(Problem(relative, draft.line, str(outcome), offset=offset))
                        continue
                    if outcome.id in seen_ids:
                        result.problems.append(Problem(relative, outcome.line, f"duplicate id: {outcome.id}",
                                                       offset=offset))
                        continue
                    seen_ids.add(outcome.id)
                    yield outcome

        return take

    def _articles(self, drafts, relative: str, result: FileResult) -> Iterator[Article]:
        seen_ids: set[str] = set()
        offset = None  # of the record the last draft came from (a web archive's)
        for draft_or_problem in drafts:
            if isinstance(draft_or_problem, Problem):
                result.problems.append(draft_or_problem)
                offset = draft_or_problem.offset
                continue
            try:
                article = self.build_article(draft_or_problem, relative)
            except (RecordError, DateError, ValueError) as exc:
                result.problems.append(Problem(relative, draft_or_problem.line, str(exc), offset=offset))
                continue
            if article.id in seen_ids:
                result.problems.append(Problem(relative, article.line, f"duplicate id: {article.id}", offset=offset))
                continue
            seen_ids.add(article.id)
            yield article

    def _file_drafts(self, path: Path, relative: str,
                     tally: FieldTally | None = None) -> Iterator[ArticleDraft | Problem]:
        """A file's drafts and problems, whatever its format: a web archive is streamed from its path,
        an HTML page parsed from its bytes (it names its own encoding), any other file decoded first."""
        name = relative[:-3] if relative.endswith(".gz") else relative
        suffix = Path(name).suffix.lower()
        known = suffix in PAGE_TEXT_SUFFIXES | JSON_LINES_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES
        if is_web_archive(relative) or (not known and looks_like_web_archive(path)):
            yield from self._archive_drafts(path, relative)
            return
        try:
            raw = self._read_bytes(path)
        except OSError as exc:
            yield Problem(relative, 0, f"unreadable: {exc.strerror or exc}")
            return
        if suffix in HTML_SUFFIXES or (not known and looks_like_html(raw)):
            yield self._page_draft(raw, relative)
            return
        text, warning = decode_text(raw)
        del raw
        if text is None:
            yield Problem(relative, 0, warning)
            return
        if warning:
            yield Problem(relative, 0, warning, skipped=False)
        if not text.strip():
            yield Problem(relative, 0, "empty file")
            return
        yield from self._drafts(text, relative, tally)

    def _page_draft(self, raw: bytes, relative: str, url: str = "",
                    offset: int | None = None) -> ArticleDraft | Problem:
        """One HTML page (a file's, or a web archive record's) as a draft, or the Problem saying why not."""
        if len(raw) > self.max_page_bytes:
            return Problem(relative, 0, f"page too large: over {self.max_page_bytes:,} bytes of HTML "
                                        f"({PAGE_BYTES_PER_ARTICLE_BYTE} × ARCHIVE_MAX_ARTICLE_BYTES)", offset=offset)
        if not raw.strip():
            return Problem(relative, 0, "empty file" if offset is None else "empty page", offset=offset)
        page = parse_html(raw, url=url)
        if isinstance(page, NotArticle):
            return Problem(relative, 0, f"not an article ({page.reason})", offset=offset)
        size = draft_bytes(page, self.max_article_bytes)
        if size > self.max_article_bytes:
            return Problem(relative, 0, too_large(size, self.max_article_bytes), offset=offset)
        if not page.source and page.url and is_web_url(page.url):
            # No og:site_name: corpus.toml's rules by domain and folder decide, else the page's host, never "Unknown".
            if self.config.resolve_source(None, page.url, relative).name == self.config.default_source:
                page.source = host_name(page.url)
        return page

    def _archive_drafts(self, path: Path, relative: str) -> Iterator[ArticleDraft | Problem]:
        """A web archive's pages as drafts, read as a stream twice: once for the headers, to choose the newest
        capture of each URL, then for those captures' pages (formats/warc.py).

        The URL is the record's. The date is the page's; a page that gives none is dated by the crawl
        (WARC-Date), with a warning that says so. A damaged record, a page too large and a page that cannot
        be dated are reported one by one; records skipped for ordinary reasons (redirects, images, pages
        that are no article ...) one Problem per reason with their count (``each_record``: one per record).
        """
        try:
            chosen = choose_pages(path)
        except OSError as exc:
            yield Problem(relative, 0, f"unreadable: {exc.strerror or exc}")
            return
        skipped: dict[str, list] = {}  # reason -> [count, first offset, first URL]

        def skip(reason: str, offset: int, url: str) -> Iterator[Problem]:
            if self.each_record:
                yield Problem(relative, 0, f"{reason}: {url}" if url else reason, offset=offset)
            elif reason in skipped:
                skipped[reason][0] += 1
            else:
                skipped[reason] = [1, offset, url]

        try:
            for capture in read_captures(path, lambda c: c.offset in chosen, self.max_page_bytes):
                if isinstance(capture, Damage):
                    yield Problem(relative, 0, capture.reason, offset=capture.offset)
                    continue
                reason = skip_reason(capture)
                if reason is None and capture.offset not in chosen:
                    reason = "older capture (a newer capture of the URL is read)"
                if reason is not None:
                    if not reason.startswith("not a page capture"):  # the crawl's requests and notes: not pages
                        yield from skip(reason, capture.offset, capture.url)
                    continue
                draft = self._page_draft(capture.payload or b"", relative, capture.url, capture.offset)
                if isinstance(draft, Problem):
                    if draft.reason.startswith(("not an article", "empty page")):
                        yield from skip(draft.reason, capture.offset, capture.url)
                    else:
                        yield draft
                    continue
                if is_web_url(capture.url):
                    draft.url = capture.url
                if draft.published in (None, "") and capture.date:
                    draft.published = capture.date
                    yield Problem(relative, 0, "date from the crawl record (WARC-Date); the page gives none",
                                  skipped=False, offset=capture.offset)
                yield draft
        except OSError as exc:
            yield Problem(relative, 0, f"unreadable: {exc.strerror or exc}")
        for reason, (count, offset, url) in skipped.items():
            records = f"{count:,} records, the first" if count > 1 else "1 record"
            yield Problem(relative, 0, f"{reason}: {records} at byte {offset}: {url}", count=count)

    def _read_bytes(self, path: Path) -> bytes:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise OSError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise OSError(f"not a readable gzip file ({exc})") from exc
        return data

    def _drafts(self, text: str, relative: str, tally: FieldTally | None = None) -> Iterator[ArticleDraft | Problem]:
        """The file's drafts (and problems), each article over the size limit made a problem."""
        for draft in self._parsed(text, relative, tally):
            yield self._sized(draft, relative)

    def _sized(self, draft: ArticleDraft | Problem, relative: str) -> ArticleDraft | Problem:
        """The draft, or the Problem it is when its article is over the size limit."""
        if isinstance(draft, ArticleDraft):
            size = draft_bytes(draft, self.max_article_bytes)
            if size > self.max_article_bytes:
                return Problem(relative, draft.line, too_large(size, self.max_article_bytes))
        return draft

    def is_json_lines(self, relative: str, text: str) -> bool:
        """True when ``_parsed`` reads ``text`` (a file's, decoded) as JSON Lines: one record a line."""
        name = relative[:-3] if relative.endswith(".gz") else relative
        suffix = Path(name).suffix.lower()
        return (suffix in JSON_LINES_SUFFIXES
                or (suffix not in JSON_SUFFIXES | PAGE_TEXT_SUFFIXES and text.lstrip().startswith("{")))

    def line_drafts(self, text: str, relative: str, first: int,
                    tally: FieldTally | None = None) -> Iterator[ArticleDraft | Problem]:
        """The drafts of some lines of a JSON Lines file (``first``: the number of the first), as ``_drafts``
        gives them for the whole file: a file's lines are parsed in parts by worker processes (parallel.py)."""
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        count = None
        if tally is not None and mapping:
            count = tally.counter(mapping, {**self.config.mapping_origins(relative),
                                            **dict.fromkeys(self.mapping, "--map")})
        for number, record in iter_json_lines(text, self.max_article_bytes, first):
            yield self._sized(self._record(record, mapping, relative, number, count), relative)

    def _parsed(self, text: str, relative: str, tally: FieldTally | None = None) -> Iterator[ArticleDraft | Problem]:
        name = relative[:-3] if relative.endswith(".gz") else relative
        suffix = Path(name).suffix.lower()
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        count = None
        if tally is not None and mapping:  # tally the mapped fields; where each comes from: "reuters/*", "--map"
            count = tally.counter(mapping, {**self.config.mapping_origins(relative),
                                                  **dict.fromkeys(self.mapping, "--map")})
        stripped = text.lstrip()
        if self.is_json_lines(relative, text):
            for number, record in iter_json_lines(text, self.max_article_bytes):
                yield self._record(record, mapping, relative, number, count)
        elif suffix in JSON_SUFFIXES or (suffix not in PAGE_TEXT_SUFFIXES and stripped.startswith("[")):
            try:
                records = list(iter_json_document(text))
            except RecordError as exc:
                if _looks_like_json_lines(stripped):  # JSON Lines saved as .json: read it as such
                    for number, record in iter_json_lines(text, self.max_article_bytes):
                        yield self._record(record, mapping, relative, number, count)
                    return
                yield Problem(relative, 0, str(exc))
                return
            for number, record in records:
                yield self._record(record, mapping, relative, number if len(records) > 1 else 0, count)
        elif suffix in PAGE_TEXT_SUFFIXES or looks_like_page_text(text):
            if len(text) > self.max_article_bytes:  # one article a file: not parsed (a character is a byte or more)
                yield Problem(relative, 0, f"article too large: the page holds {len(text):,} characters, over the "
                                           f"limit of {self.max_article_bytes:,} bytes (ARCHIVE_MAX_ARTICLE_BYTES)")
                return
            try:
                yield parse_page_text(text)
            except PageTextError as exc:
                yield Problem(relative, 0, str(exc))
        else:
            yield Problem(relative, 0, "unknown format: not JSON, JSON Lines or page text with a 'Published:' line")

    def _record(self, record: object, mapping: dict, relative: str, line: int, count=None) -> ArticleDraft | Problem:
        if isinstance(record, RecordError):
            return Problem(relative, line, str(record))
        if count is not None:
            count(record)
        characters = _record_characters(record)
        if characters > self.max_article_bytes:  # not made a draft (a character is a byte or more)
            return Problem(relative, line, f"article too large: its record holds {characters:,} characters of "
                                           f"text, over the limit of {self.max_article_bytes:,} bytes "
                                           "(ARCHIVE_MAX_ARTICLE_BYTES)")
        try:
            return record_to_draft(record, mapping, line)
        except RecordError as exc:
            return Problem(relative, line, str(exc))

    def build_article(self, draft: ArticleDraft, relative: str) -> Article:
        """Resolve a draft's source, date, id and companies into a finished Article."""
        if not draft.title:
            raise RecordError("no title")
        source = self.config.resolve_source(draft.source, draft.url, relative)
        published = None  # an article that gives no date is kept, undated (outside any date filter)
        if draft.published not in (None, ""):
            try:
                published = parse_published(draft.published, source.zone)
            except DateError as exc:
                raise DateError(f"bad date: {exc}") from exc
        if draft.key:
            key = f"{source.name}:{draft.key}"
        elif draft.url:
            key = draft.url
        else:
            key = f"{relative}:{draft.line}" if draft.line else relative
        body = "\n\n".join(draft.paragraphs)
        self._promote_candidates()
        named = [self.extractor.canonical(c, published) for c in draft.companies]
        found = self.extractor.extract(draft.title, body, *draft.captions, published=published)
        companies = list(dict.fromkeys(named + found))
        return Article(
            id=make_article_id(key, draft.key or draft.title),
            title=draft.title,
            published=published,
            body=body,
            source=source.name,
            sections=draft.sections,
            captions=draft.captions,
            credits=draft.credits,
            companies=companies,
            byline=draft.byline,
            url=draft.url if is_web_url(draft.url) else "",
            license=draft.license,
            path=relative,
            line=draft.line,
            date_only=published is not None and not gives_time(draft.published),
        )


def _texts(draft: ArticleDraft) -> tuple[str, ...]:
    """The texts companies are found in, as the extractor and the counting pass are given them."""
    return (draft.title, "\n\n".join(draft.paragraphs), *draft.captions)


def gazetteer_checksum(corpus_dir: Path, lists_dir: Path = BUNDLED_LISTS) -> str:
    """A checksum of the gazetteer a reader loads: the corpus's companies.csv and the bundled lists."""
    digest = hashlib.sha256()
    path = Path(corpus_dir) / GAZETTEER_NAME
    digest.update(file_checksum(path).encode() if path.is_file() else b"-")
    for path in sorted(Path(lists_dir).glob("*")) if Path(lists_dir).is_dir() else ():
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(file_checksum(path).encode())
    return digest.hexdigest()


def max_article_setting() -> int:
    """``ARCHIVE_MAX_ARTICLE_BYTES``: the largest article a build indexes."""
    return config.get_int("MAX_ARTICLE_BYTES", low=1024, high=MAX_FILE_BYTES)


def too_large(size: int, limit: int) -> str:
    return f"article too large: {size:,} bytes, over the limit of {limit:,} (ARCHIVE_MAX_ARTICLE_BYTES)"


def draft_bytes(draft: ArticleDraft, limit: int) -> int:
    """The size of a draft's text in UTF-8 (exact up to ``limit``; above it, at least ``limit`` + 1)."""
    parts = [draft.title, draft.byline, draft.source, draft.url, draft.license, draft.key, *draft.paragraphs,
             *draft.captions, *draft.credits, *draft.sections, *draft.companies]
    characters = sum(len(part) for part in parts)
    if characters > limit or characters * 4 <= limit:  # UTF-8 takes 1 to 4 bytes a character
        return characters
    return sum(len(part.encode("utf-8", "surrogatepass")) for part in parts)


def _record_characters(record: object) -> int:
    """The characters of a JSON record's texts: its strings, and those of its lists and objects' values."""
    if not isinstance(record, dict):
        return 0
    total = 0
    for value in record.values():
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, list | dict):
            total += sum(len(item) for item in (value.values() if isinstance(value, dict) else value)
                         if isinstance(item, str))
    return total


def looks_like_html(raw: bytes) -> bool:
    """True for bytes that start as an HTML page does (``<!doctype html`` or ``<html``), after a BOM and blanks."""
    head = raw[:1024].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _looks_like_json_lines(text: str) -> bool:
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) > 1 and all(line.lstrip().startswith("{") for line in lines)


def is_web_url(url: str) -> bool:
    """True for an http(s) URL: anything else (javascript:, data:) is never linked to."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def decode_text(raw: bytes) -> tuple[str | None, str]:
    """Decode file bytes: UTF-8 if possible, else Windows-1252 with a warning; binary is refused."""
    if b"\x00" in raw[:65536]:
        return None, "binary file: not text"
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "not UTF-8: read as Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "not UTF-8: read as Latin-1"
