"""Web archives (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``): every HTML page a crawl saved is a candidate.

A crawl holds far more than articles: the crawler's requests and notes, redirects, robots.txt, images,
scripts, error pages, and the same page fetched twice. ``read_captures`` streams a file's records in
constant memory (warcio, one record at a time, never the whole file) and says what each one is;
``choose_pages`` (a first pass, headers only) picks, for each URL, the one capture to read: the newest
HTTP 200 HTML response. A revisit record means "unchanged since an earlier capture", so it adds nothing.

Damage is reported, never raised: a record cut short, a Content-Length that does not match its record,
a corrupt gzip member, a record larger than it may be. After one, reading resumes at the next record
found in the raw bytes (a gzip member's header, or a ``WARC/1.`` line), so the rest of the file is read;
when no next record is found, the rest of the file is reported unreadable from that offset.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed

WEB_ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Records a crawl writes about itself, not captures of pages: passed over without a word.
CRAWL_RECORDS = {"warcinfo", "request", "metadata", "conversion", "continuation", "filedesc"}
# A record larger than this is not read through (not decompressed) but skipped by finding the next one.
MAX_RECORD_BYTES = 64 * 1024 * 1024
# Junk after a record's content (its Content-Length too short) is read this far in lines before giving up.
MAX_LINE_BYTES = 64 * 1024
MAX_HEADER_BYTES = 1024 * 1024  # of a record's WARC and HTTP headers (and of the blank lines after it)
_SCAN_BLOCK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
_RECORD_STARTS = (b"WARC/", b"http:", b"https:", b"dns:", b"filedesc:")  # a WARC record, or an ARC one
_WARC_START = re.compile(rb"(?:^|\n)(WARC/1\.[01]\r?\n)")


@dataclass
class Capture:
    """One record of a web archive, as far as it was read: where it is, what it holds, and its page if wanted."""

    offset: int  # where the record starts in the file (bytes; of the compressed file for .gz)
    kind: str  # the WARC-Type: "response", "revisit", "resource", ...
    url: str = ""  # WARC-Target-URI
    date: str = ""  # WARC-Date, as written
    status: int | None = None  # the HTTP status (None: not an HTTP record)
    content_type: str = ""  # the HTTP Content-Type, without parameters
    payload: bytes | None = None  # the page (at most limit + 1 bytes), when it was asked for


@dataclass
class Damage:
    """A part of the file that could not be read as records, and why."""

    offset: int
    reason: str


def is_web_archive(name: str) -> bool:
    """True for a file whose name says it is a WARC or ARC file."""
    return name.lower().endswith(WEB_ARCHIVE_SUFFIXES)


def looks_like_web_archive(path: Path) -> bool:
    """True for a file that starts like a WARC or ARC file (plain or gzipped), whatever its name."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
        if head.startswith(_GZIP_MAGIC):
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except (OSError, zlib.error):
        return False
    return head.startswith((b"WARC/1.", b"WARC/0.", b"filedesc://"))


def skip_reason(capture: Capture) -> str | None:
    """Why a capture is not a candidate article (None: it is one). The part before " (" names the kind."""
    if capture.kind == "revisit":
        return "revisit (unchanged since an earlier capture)"
    if capture.kind not in ("response", "resource"):
        return f"not a page capture ({capture.kind} record)"
    parts = urlsplit(capture.url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL ({parts.scheme or 'none'})"
    if parts.path.rstrip("/").lower().endswith("/robots.txt"):
        return "robots.txt"
    if capture.status is not None and 300 <= capture.status < 400:
        return f"redirect (HTTP {capture.status})"
    if capture.status is not None and capture.status != 200:
        return f"HTTP status not 200 ({capture.status})"
    if capture.content_type and capture.content_type not in HTML_TYPES:
        return f"not HTML ({capture.content_type})"
    return None


def normalised_url(url: str) -> str:
    """The URL two captures of one page share: scheme and host in lower case, default port, fragment dropped."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80 if scheme == "http" else 443) else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def capture_time(date: str) -> datetime | str:
    """A WARC-Date as something to compare (the text itself if it is not ISO 8601)."""
    try:
        return datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return date


def choose_pages(path: Path) -> set[int]:
    """First pass, headers only: the offsets of the captures to read, the newest of each URL (the later one
    in the file when two have the same date). Holds one entry per URL, never a page."""
    newest: dict[str, tuple[datetime | str, int]] = {}
    for capture in read_captures(path):
        if isinstance(capture, Capture) and skip_reason(capture) is None:
            key, when = normalised_url(capture.url), capture_time(capture.date)
            kept = newest.get(key)
            if kept is None or _not_older(when, kept[0]):
                newest[key] = (when, capture.offset)
    return {offset for _, offset in newest.values()}


def _not_older(when: datetime | str, than: datetime | str) -> bool:
    try:
        return when >= than
    except TypeError:  # one date is ISO, the other not: compare as written
        return str(when) >= str(than)


def read_captures(path: Path, wanted: Callable[[Capture], bool] | None = None,
                  limit: int = 0) -> Iterator[Capture | Damage]:
    """Yield every record of a web archive as a Capture, in file order, and every damaged part as a Damage.

    A capture ``wanted`` says yes to gets its ``payload``: the HTTP body (de-chunked, decompressed), read
    to ``limit`` + 1 bytes at most, so that a larger one is known to be too large without being held.
    A record is yielded only once it was read to its end: a record cut short is a Damage, not a page.
    """
    gzipped = _is_gzip(path)
    with open(path, "rb") as handle:
        start: int | None = 0
        while start is not None:
            handle.seek(start)
            archive = _ArchiveIterator(handle, arc2warc=True, block_size=16384)
            try:
                for record in archive:
                    capture = _capture(record, archive.offset)
                    length = int(record.rec_headers.get_header("Content-Length") or 0)
                    if length > MAX_RECORD_BYTES:
                        raise _Oversized(f"record too large: {length:,} bytes, over {MAX_RECORD_BYTES:,}")
                    if wanted is not None and wanted(capture):
                        capture.payload = record.content_stream().read(limit + 1)
                    _read_to_end(archive, record)
                    yield capture
                start = None
            except _Oversized as exc:
                offset = archive.offset
                yield Damage(offset, f"{exc} (not read; reading resumes at the next record)")
                start = _next_record(handle, offset + 1, gzipped)
            except (ArchiveLoadFailed, _CutShort, OSError, EOFError, zlib.error, ValueError) as exc:
                reason, offset = _damage_reason(exc, gzipped), archive.offset  # the record being read, or the next one
                start = _next_record(handle, offset + 1, gzipped)
                if start is None:
                    yield Damage(offset, f"{reason}; the rest of the file is unreadable from byte {offset:,}")
                else:
                    yield Damage(offset, f"{reason}; reading resumes at byte {start:,}")
            finally:
                archive.close()


class _Damaged(ArchiveLoadFailed):
    """A record this module found damaged, its message the reason as reported."""


class _CutShort(Exception):
    """A record that ends before its Content-Length says it does."""


class _Oversized(Exception):
    """A record larger than MAX_RECORD_BYTES: skipped unread."""


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader of the file, with lines read to MAX_LINE_BYTES at most and MAX_HEADER_BYTES in all
    per record: a gzip member of gigabytes of zeros is otherwise one line, read whole into memory."""

    line_bytes = 0

    def readline(self, length=None):
        line = super().readline(MAX_LINE_BYTES if length is None else min(length, MAX_LINE_BYTES))
        self.line_bytes += len(line)
        if self.line_bytes > MAX_HEADER_BYTES:
            raise _Damaged(f"record headers too long: over {MAX_HEADER_BYTES:,} bytes")
        return line


class _ArchiveIterator(ArchiveIterator):
    """warcio's iterator reading through a ``_BoundedReader``, made to raise on junk after a record
    (a wrong Content-Length) instead of writing a warning to stderr."""

    def __init__(self, handle, **options):
        super().__init__(handle, **options)
        self.reader = _BoundedReader(self.fh, block_size=options.get("block_size", 16384))

    def _next_record(self, next_line):
        self.reader.line_bytes = len(next_line or b"")
        return super()._next_record(next_line)

    def _consume_blanklines(self):
        self.reader.line_bytes = 0
        empty_size = 0
        while True:
            line = self.reader.readline(MAX_LINE_BYTES)
            if len(line) == 0:
                return None, empty_size
            if line.strip():
                # In a gzipped archive a record ends with its member; in a plain one the next record follows.
                if self.reader.decompressor or not line.startswith(_RECORD_STARTS):
                    raise _Damaged("wrong Content-Length: bytes follow the record's end")
                return line, empty_size
            empty_size += len(line)


def _read_to_end(archive: _ArchiveIterator, record) -> None:
    """Read the rest of a record, then check that it held all the bytes its Content-Length gives."""
    while record.raw_stream.read(1 << 16):
        pass
    missing = getattr(record.raw_stream, "limit", 0)
    if missing > 0:
        raise _CutShort(f"record cut short: {missing:,} bytes of its Content-Length missing")
    archive.read_to_end()


def _damage_reason(exc: BaseException, gzipped: bool) -> str:
    if isinstance(exc, _CutShort | _Damaged):
        return str(exc)
    if isinstance(exc, zlib.error | EOFError) or "gzip" in str(exc).lower() or "decompress" in str(exc).lower():
        return f"corrupt gzip data ({exc})"
    if "Unknown archive format" in str(exc):
        if gzipped:  # warcio reads a member that does not decompress as plain bytes
            return "corrupt gzip member: it does not decompress to a record"
        return "not a record: no WARC or ARC header where a record should start"
    text = "".join(ch if " " <= ch <= "~" else "?" for ch in str(exc).strip()[:120]) or type(exc).__name__
    return f"damaged record ({text})"


def _capture(record, offset: int) -> Capture:
    headers = record.rec_headers
    capture = Capture(offset, (headers.get_header("WARC-Type") or "").lower(),
                      url=(headers.get_header("WARC-Target-URI") or "").strip().strip("<>"),
                      date=headers.get_header("WARC-Date") or "")
    if record.http_headers is not None and record.rec_type in ("response", "revisit"):
        code = (record.http_headers.get_statuscode() or "").strip()
        capture.status = int(code) if code.isdigit() else 0
        capture.content_type = _media_type(record.http_headers.get_header("Content-Type"))
    elif capture.kind == "resource":
        capture.content_type = _media_type(headers.get_header("Content-Type"))
    return capture


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == _GZIP_MAGIC


def _next_record(handle, start: int, gzipped: bool) -> int | None:
    """The offset of the next readable record at or after ``start``, found in the raw bytes (None: none).

    A gzipped archive has one gzip member per record: the next member header whose first bytes
    decompress to a record line. A plain one: the next line ``WARC/1.0`` or ``WARC/1.1``."""
    position = start
    while True:
        handle.seek(position)
        block = handle.read(_SCAN_BLOCK + 64)
        if not block:
            return None
        if gzipped:
            found = block.find(_GZIP_MAGIC)
            while 0 <= found < _SCAN_BLOCK:
                if _member_starts_record(handle, position + found):
                    return position + found
                found = block.find(_GZIP_MAGIC, found + 1)
        else:
            for match in _WARC_START.finditer(block):
                if match.start(1) < _SCAN_BLOCK:
                    return position + match.start(1)
        if len(block) <= _SCAN_BLOCK:
            return None
        position += _SCAN_BLOCK


def _member_starts_record(handle, offset: int) -> bool:
    handle.seek(offset)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(handle.read(4096), 64)
    except zlib.error:
        return False
    return head.startswith(_RECORD_STARTS)
