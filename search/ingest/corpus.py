"""Read a corpus folder: find the article files, detect each file's format, parse, and enrich.

Everything that can go wrong with one file or one record becomes a ``Problem`` with the file,
the line and the reason; the rest of the corpus is read as usual.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from search import config
from search.article import Article, ArticleDraft, make_article_id
from search.companies.candidates import MIN_ARTICLES, CandidateCounter
from search.companies.extractor import CompanyExtractor
from search.companies.gazetteer import BUNDLED_LISTS
from search.ingest.corpus_settings import CONFIG_NAME, CorpusConfig
from search.ingest.dates import DateError, gives_time, parse_published
from search.ingest.formats.jsonlines import (
    FieldTally,
    RecordError,
    iter_json_document,
    iter_json_lines,
    record_to_draft,
)
from search.ingest.formats.pagetext import PageTextError, looks_like_page_text, parse_page_text

GAZETTEER_NAME = "companies.csv"
LISTS_FOLDER = BUNDLED_LISTS.name  # "company-lists": the gazetteer's reference lists, beside the articles
PAGE_TEXT_SUFFIXES = {".txt", ".text"}
JSON_LINES_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
# Files in a corpus folder that are not articles.
NOT_ARTICLES = {CONFIG_NAME, GAZETTEER_NAME}
NOT_ARTICLE_SUFFIXES = {".md", ".csv", ".toml", ".rst", ".html", ".py"}
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file or a record: where, and why."""

    path: str
    line: int
    reason: str
    skipped: bool = True  # False for a warning: the article was still indexed

    def __str__(self) -> str:
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
            (self.skipped if problem.skipped else self.warnings)[problem.kind] += 1

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
    """Return the SHA-256 of a file's bytes (what incremental indexing compares)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    ):
        self.corpus_dir = Path(corpus_dir)
        # An article larger than this (its text, or the JSON line it is on) is reported and skipped.
        self.max_article_bytes = max_article_bytes if max_article_bytes is not None else max_article_setting()
        self.config = config if config is not None else CorpusConfig.load(self.corpus_dir)
        self.extractor = extractor if extractor is not None else CompanyExtractor.from_file(
            self.corpus_dir / GAZETTEER_NAME
        )
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
        for path, relative in list_corpus_files(self.corpus_dir):
            try:
                text, _ = decode_text(self._read_bytes(path))
            except OSError:
                continue
            for draft in self._drafts(text, relative) if text else ():
                if isinstance(draft, ArticleDraft) and draft.title:
                    counter.add(draft.title, "\n\n".join(draft.paragraphs), *draft.captions)
        return counter

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
        try:
            result.checksum = file_checksum(path)
            raw = self._read_bytes(path)
        except OSError as exc:
            result.problems.append(Problem(relative, 0, f"unreadable: {exc.strerror or exc}"))
            return
        text, warning = decode_text(raw)
        del raw
        if text is None:
            result.problems.append(Problem(relative, 0, warning))
            return
        if warning:
            result.problems.append(Problem(relative, 0, warning, skipped=False))
        if not text.strip():
            result.problems.append(Problem(relative, 0, "empty file"))
            return
        seen_ids: set[str] = set()
        for draft_or_problem in self._drafts(text, relative, count_fields=True):
            if isinstance(draft_or_problem, Problem):
                result.problems.append(draft_or_problem)
                continue
            try:
                article = self.build_article(draft_or_problem, relative)
            except (RecordError, DateError, ValueError) as exc:
                result.problems.append(Problem(relative, draft_or_problem.line, str(exc)))
                continue
            if article.id in seen_ids:
                result.problems.append(Problem(relative, article.line, f"duplicate id: {article.id}"))
                continue
            seen_ids.add(article.id)
            yield article

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

    def _drafts(self, text: str, relative: str, count_fields: bool = False) -> Iterator[ArticleDraft | Problem]:
        """The file's drafts (and problems), each article over the size limit made a problem."""
        for draft in self._parsed(text, relative, count_fields):
            if isinstance(draft, ArticleDraft):
                size = draft_bytes(draft, self.max_article_bytes)
                if size > self.max_article_bytes:
                    draft = Problem(relative, draft.line, too_large(size, self.max_article_bytes))
            yield draft

    def _parsed(self, text: str, relative: str, count_fields: bool = False) -> Iterator[ArticleDraft | Problem]:
        name = relative[:-3] if relative.endswith(".gz") else relative
        suffix = Path(name).suffix.lower()
        mapping = {**self.config.mapping_for(relative), **self.mapping}
        count = None
        if count_fields and mapping:  # tally the mapped fields; where each mapping comes from: "reuters/*", "--map"
            count = self.fields.counter(mapping, {**self.config.mapping_origins(relative),
                                                  **dict.fromkeys(self.mapping, "--map")})
        stripped = text.lstrip()
        if (suffix in JSON_LINES_SUFFIXES
                or (suffix not in JSON_SUFFIXES | PAGE_TEXT_SUFFIXES and stripped.startswith("{"))):
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
