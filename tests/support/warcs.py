"""Web archives written by the tests with warcio's own WARCWriter, as a crawler writes them: real pages of the
shared HTML corpus (../shared/corpora/html-articles) beside the records a crawl also holds (requests,
redirects, robots.txt, images, error pages, revisits), and damaged records made by hand.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.paths import SHARED

HTML_ARTICLES = SHARED / "corpora" / "html-articles" / "html"


def shared_files(count: int) -> list[Path]:
    """The first ``count`` pages of the shared HTML corpus (sorted by name), gzipped as they are stored."""
    return sorted(HTML_ARTICLES.glob("*.html.gz"))[:count]


def shared_pages(count: int) -> list[bytes]:
    """The first ``count`` pages of the shared HTML corpus, as fetched."""
    return [gzip.decompress(path.read_bytes()) for path in shared_files(count)]


def shared_urls(count: int) -> list[str]:
    """The URLs the first ``count`` pages were fetched from (the corpus's ground-truth.json)."""
    truth = json.loads((HTML_ARTICLES.parent / "ground-truth.json").read_text(encoding="utf-8"))
    return [truth[path.name.removesuffix(".html.gz")]["url"] for path in shared_files(count)]


class Crawl:
    """A WARC file being written, record by record (gzipped per record when its name ends in .gz)."""

    def __init__(self, path: Path):
        self.path = path
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=path.name.endswith(".gz"))

    def response(self, url: str, body: bytes, status: str = "200 OK", content_type: str = "text/html; charset=utf-8",
                 date: str = "2019-11-20T10:00:00Z", extra: list[tuple[str, str]] = (), request: bool = True) -> None:
        """A response record (with the request record a crawler writes before it)."""
        if request:
            self._write(self.writer.create_warc_record(
                url, "request",
                http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")], is_http_request=True),
                warc_headers_dict={"WARC-Date": date}))
        headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
        self._write(self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}))

    def revisit(self, url: str, refers_to_date: str, date: str = "2019-11-21T10:00:00Z") -> None:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        self._write(self.writer.create_revisit_record(
            url, "sha1:AAAA", url, refers_to_date, http_headers=headers, warc_headers_dict={"WARC-Date": date}))

    def _write(self, record) -> None:
        self.writer.write_record(record)
        record.raw_stream.close()  # warcio's spooled copy of the payload

    def warcinfo(self) -> None:
        self._write(self.writer.create_warcinfo_record(self.path.name, {"software": "tests/support/warcs.py"}))

    def raw(self, data: bytes) -> None:
        """Bytes written as they are: a damaged record made by hand."""
        self.buffer.write(data)

    def record_bytes(self, url: str, body: bytes, date: str = "2019-11-20T10:00:00Z") -> bytes:
        """One response record as this file would hold it (gzipped if it is), to be damaged and then written."""
        scratch = io.BytesIO()
        writer = WARCWriter(scratch, gzip=self.path.name.endswith(".gz"))
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                           warc_headers_dict={"WARC-Date": date})
        writer.write_record(record)
        record.raw_stream.close()
        return scratch.getvalue()

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(self.buffer.getvalue())
        return self.path


def wrong_length_record(url: str, body: bytes, gzipped: bool, date: str = "2019-11-20T10:00:00Z") -> bytes:
    """A response record whose Content-Length is 40 bytes short of its content."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: {date}\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{abs(hash(url)) % 10**12:012d}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) - 40}\r\n\r\n").encode()
    record = head + http + b"\r\n\r\n"
    return gzip.compress(record) if gzipped else record


def generated_page(number: int) -> bytes:
    """A small article page, different for every number."""
    words = " ".join(f"word{(number * 7 + i) % 997}" for i in range(120))
    return (f"<!doctype html><html><head><title>Generated story {number}</title>"
            f'<meta property="article:published_time" content="2020-01-{number % 28 + 1:02d}T08:00:00Z"></head>'
            f"<body><article><h1>Generated story {number}</h1>"
            f"<p>The council met on Tuesday to discuss item {number} of the agenda. {words}.</p>"
            f"<p>Residents said the decision on item {number} would be made next month. {words}.</p>"
            "</article></body></html>").encode()
