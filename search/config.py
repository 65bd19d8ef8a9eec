"""Settings: every one has a default that works on a fresh clone and an ARCHIVE_ environment variable.

This table is the single list of settings; docs/configuration.md documents each one (a test checks that).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PREFIX = "ARCHIVE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str  # without the prefix
    default: str
    help: str


SETTINGS = (
    Setting("INDEX_DIR", "index", "Folder of index builds (relative paths are from the project root)."),
    Setting("CORPUS_DIR", "corpus", "Folder of article files that `make index` reads."),
    Setting("HOST", "127.0.0.1", "Address `make run` and `make serve` (its nginx front) listen on."),
    Setting("PORT", "5000", "Port `make run` and `make serve` (its nginx front) listen on."),
    Setting("SITE_NAME", "News Archive", "Name shown in the page title and header."),
    Setting("PER_PAGE", "10", "Results per page when the request does not say (1-100)."),
    Setting("INDEX_PROCS", "2", "Worker processes of a full build (1: all in one process): as many parse the "
            "corpus and find its companies, and as many write the index (or encode Solr documents)."),
    Setting("INDEX_MEMORY_MB", "512", "Megabytes of postings the index writers (all processes together) sort in "
            "memory before spilling sorted runs to disk."),
    Setting("MAX_ARTICLE_BYTES", "4194304", "Largest article the indexer takes, in bytes of text (4 MiB); a larger "
            "one is reported and skipped."),
    Setting("PARSE_CACHE", "", "Folder of the parse cache (what parsing each corpus file gave, by its checksum), "
            "which a rebuild reads instead of parsing unchanged files again. Empty: `.parse-cache` in the index "
            "folder; `off`: no cache."),
    Setting("FACET_LIMIT", "12", "Values shown per facet (selected values are always shown)."),
    Setting("SEARCH_TIMEOUT", "3", "Seconds a search may run before it is stopped with a 503 that says what to "
            "narrow (0: no limit). Checked while matching, scoring and building the page, not while a CSV "
            "streams."),
    Setting("TRUST_PROXY", "0", "Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/"
            "-Port/-Prefix headers are trusted (0: ignore those headers)."),
    Setting("BASE_URL", "", "Public address of the app's root (https://intranet.example/tools/news-search): the "
            "absolute URLs of the Atom feed, OpenSearch, the CSV export and the embed fragment start with it. "
            "Empty: what a trusted proxy says (ARCHIVE_TRUST_PROXY), else http://ARCHIVE_HOST:ARCHIVE_PORT."),
    Setting("EMBED_ALLOWED_ORIGINS", "", "Space-separated origins (https://intranet.example) that may frame the "
            "search and embed pages and fetch the embed fragment (CORS). Empty: only the app itself."),
    Setting("EMBED_LINKS", "embed", "Where article links in /embed open: `embed` (inside the frame) or `new-tab`."),
    Setting("EMBED_STYLESHEET", "", "URL of an extra stylesheet for /embed, to set the --na-* colour variables."),
    Setting("SEARCH_BACKEND", "whoosh", "Engine that answers searches: `whoosh` (the index in ARCHIVE_INDEX_DIR) or "
            "`manticore` (Manticore/Sphinx nodes loaded by `python -m search index --backend manticore`; "
            "docs/scaling-out.md)."),
    Setting("MANTICORE_HOST", "127.0.0.1", "Manticore/Sphinx node the web workers query (the head node of a cluster)."),
    Setting("MANTICORE_PORT", "9306", "Its SphinxQL (MySQL protocol) port."),
    Setting("MANTICORE_NODES", "", "Space-separated host:port (SphinxQL) of the data nodes the indexer loads, each "
            "holding a share of the articles. Empty: the head node holds them all."),
    Setting("MANTICORE_INDEX", "articles", "Name prefix of the indexes on the nodes (`articles_a`, `articles_b`)."),
    Setting("MANTICORE_TIMEOUT", "10", "Seconds to connect to a node and for it to answer."),
    Setting("SOLR_URLS", "http://127.0.0.1:8983/solr", "Comma-separated base URLs of SolrCloud nodes "
            "(`http://host:8983/solr`): the indexer and the web workers use the first that answers (docs/solr.md)."),
    Setting("SOLR_ALIAS", "news", "Collection alias the Solr engine serves; each build loads a new collection "
            "`<alias>_<build time>` and points the alias at it."),
    Setting("SOLR_CONFIGSET", "news", "Configset new collections are made with; uploaded from deploy/solr/configset "
            "when SolrCloud does not have it."),
    Setting("SOLR_TIMEOUT", "60", "Seconds a Solr request may take before it counts as failed (the indexer "
            "retries a batch a few times)."),
    Setting("WORKERS", "2", "gunicorn worker processes for `make serve` (one per core)."),
    Setting("THREADS", "4", "Threads per gunicorn worker for `make serve`."),
    Setting("COSTLY_WORKERS", "1", "gunicorn worker processes of `make serve` kept for costly searches (wildcards, "
            "fuzzy words, phrases, pages over 25, exports), which the front sends there so they never share a process "
            "with ordinary searches (0: no separate pool)."),
    Setting("RUN_DIR", "run", "Folder where `make serve` writes its nginx config, gunicorn's socket and nginx's "
            "temporary files (made private, mode 0700)."),
    Setting("RESPONSE_CACHE_MB", "32", "Megabytes of finished answers (searches, fragments, articles, JSON) each web "
            "worker keeps for repeated requests, dropped when a new build is published (0: none; ETags and 304s "
            "still work). docs/production.md#caching."),
    Setting("REQUEST_WATCHDOG", "120", "Seconds a request may run in a gunicorn worker before that worker is "
            "replaced (0: never)."),
)


def get(name: str, environ: dict | None = None) -> str:
    """Return the value of setting ``name`` from the environment, or its default."""
    environ = os.environ if environ is None else environ
    for setting in SETTINGS:
        if setting.name == name:
            return environ.get(PREFIX + name, setting.default)
    raise KeyError(name)


def get_path(name: str, environ: dict | None = None) -> Path:
    """Return a folder setting as an absolute path (relative ones are from the project root)."""
    path = Path(get(name, environ)).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def get_int(name: str, environ: dict | None = None, low: int = 1, high: int = 10_000) -> int:
    """Return a whole-number setting, refusing values outside [low, high] with a clear message."""
    text = get(name, environ)
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{PREFIX}{name} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{PREFIX}{name} must be between {low} and {high}, not {value}")
    return value
