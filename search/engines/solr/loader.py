"""Load the corpus straight into SolrCloud: ``python -m search index --backend solr`` (no Whoosh build).

The Whoosh build writes an index and the Manticore loader copied that index into searchd afterwards; an
archive larger than one machine's Whoosh build could not be loaded that way. Here the articles go from
the parser to the cluster directly:

* the corpus is read as the Whoosh build reads it (``CorpusReader`` with the parse cache, the files in the
  same order, an article id belonging to the first file that has it; the same manifest entries, credits
  and problems report), parsed and its companies found in ``ARCHIVE_INDEX_PROCS`` worker processes
  (``search/ingest/parallel.py``, results in the corpus's order), and each article gets its number
  (``docnum_l``) in read order;
* worker processes (``ARCHIVE_INDEX_PROCS``) turn batches of articles into Solr documents
  (``documents.py``: the product's analysed terms, the stored fields as JSON), near-duplicate signatures
  and vocabulary counts, while this process goes on parsing;
* a sender thread posts the documents (JSON, ``BATCH_SIZE`` a request) to ``/<collection>/update`` while
  the next ones are parsed and analysed; a batch is retried a few times on a refused connection or a
  503 (a replica recovering, a leader being elected), at another node when one is down;
* each full build goes into a **new collection** ``<alias>_<build time>`` (2 shards x 2 replicas, no two
  replicas of a shard on one node); after a hard commit its ``numFound`` must equal the articles read;
* the build folder (``build_files.py``: vocabulary, near-duplicate groups, facet counts, completions; the
  manifest with its ``solr`` entry and BM25F statistics) is written from the stream, checked, and
  published: the alias is pointed at the new collection (CREATEALIAS, atomic), then the folder is
  published (``IndexStore.publish``), the alias pointed back if that fails;
* the collection served until then is kept as the **standby** (web hosts still on the previous build query
  it); older collections of the alias are deleted. A later build first deletes collections of the alias
  that neither the alias nor the served build's manifest names (leftovers of builds that died).

Nothing is published by a load that fails or is interrupted (Ctrl-C, SIGTERM, ``check_stop``, a batch
refused, a count that does not match): the alias keeps pointing at the served collection, the new
collection is deleted (best effort) and the build folder discarded.

**Incremental** (``--incremental``) loads into the standby collection instead of a new one, in place (it is
not served), and sends only what differs: every article is still read (the parse cache makes unchanged
files cheap) and encoded, its checksum (``checksum_s``) compared with what the standby holds; an article
whose document is the same is not sent, a new or changed one is, and ids the standby holds that the
corpus no longer has are deleted. Articles keep the number the standby gave them and new ones are
numbered after the highest, as Whoosh's incremental build appends, so a file added anywhere sends only
its own articles. The standby is then swapped in as a full build is. Without a standby (the first
build, or one deleted by hand) an incremental load is a full one. docs/solr.md "Loading" has the figures.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from search import config
from search.engines.solr import build_files, fields
from search.engines.solr.cluster import SolrCluster
from search.engines.solr.documents import encode, numbered
from search.engines.solr.nodes import CONFIGSET_DIR, SolrApiError, SolrNodesError
from search.engines.solr.settings import Settings
from search.index import nearduplicates
from search.index.build import (
    BuildFailed,
    BuildReport,
    _die_with_parent,
    _manifest,
    _show_rate,
    check_stop,
)
from search.index.nearduplicates import Signatures, sign
from search.index.store import FileCredits, IndexStore
from search.index.vocabulary import Vocabulary, words_of
from search.ingest.corpus import CorpusReader, FileResult, Problem, ReadSummary, list_corpus_files
from search.ingest.parse_cache import ParseCache, cache_setting

BATCH_SIZE = 500  # documents per update request
CHUNK = 250  # articles a worker process encodes per task
RETRIES = 5  # attempts of one batch on a refused connection or a 503
RETRY_PAUSE = 1.0  # seconds before the second attempt, doubled each time
QUEUED_BATCHES = 4  # batches waiting for the sender: how far parsing may run ahead of Solr
READ_PAGE = 10_000  # documents per page when reading what a collection holds
_STAMP = re.compile(r"\d{8}T\d{9}")


@dataclass
class SolrBuildReport(BuildReport):
    """A build's report with what the load did in Solr."""

    solr: dict = field(default_factory=dict)

    def lines(self, max_problems: int = 50) -> list[str]:
        out = super().lines(max_problems)
        entry = self.solr
        if entry:
            out.append(f"Solr: {entry['documents']:,} articles in collection {entry['collection']} "
                       f"(alias {entry['alias']}): {entry['sent']:,} sent, {entry['kept']:,} unchanged, "
                       f"{entry['deleted']:,} deleted; parsing {entry['parse_seconds']} s, "
                       f"waiting for Solr {entry['send_wait_seconds']} s, commit {entry['commit_seconds']} s.")
        return out


def collection_name(alias: str) -> str:
    """A new build's collection: the alias and the time (milliseconds), sorting in build order."""
    now = time.time()
    return f"{alias}_{time.strftime('%Y%m%dT%H%M%S', time.gmtime(now))}{int(now * 1000) % 1000:03d}"


def is_build_collection(name: str, alias: str) -> bool:
    return name.startswith(alias + "_") and bool(_STAMP.fullmatch(name[len(alias) + 1:]))


# --- sending ----------------------------------------------------------------------------------------------

def _post_batch(cluster: SolrCluster, collection: str, documents: list[str]) -> None:
    """Post encoded documents to ``collection``; retried on a refused connection or a 503, else BuildFailed."""
    data = ("[" + ",".join(documents) + "]").encode("utf-8")
    pause = RETRY_PAUSE
    for attempt in range(1, RETRIES + 1):
        try:
            cluster.call(f"{collection}/update", data=data)
            return
        except SolrApiError as error:
            if error.status not in (502, 503, 504) or attempt == RETRIES:
                raise BuildFailed(f"Solr refused a batch of {len(documents)} documents: {error}") from None
        except SolrNodesError as error:  # no node could be reached
            if attempt == RETRIES:
                raise BuildFailed(f"a batch of {len(documents)} documents could not be sent: {error}") from None
        time.sleep(pause)
        pause *= 2


class Sender:
    """A thread posting batches of documents while the caller parses the next ones."""

    def __init__(self, cluster: SolrCluster, collection: str):
        self.cluster = cluster
        self.collection = collection
        self.queue: queue.Queue = queue.Queue(QUEUED_BATCHES)
        self.error: BaseException | None = None
        self.sent = 0
        self.waited = 0.0  # seconds the caller waited for a free place in the queue (Solr slower than parsing)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="solr-sender", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None or self._stopped.is_set():
                return
            try:
                _post_batch(self.cluster, self.collection, batch)
                self.sent += len(batch)
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                self.error = error
                return

    def put(self, batch: list[str]) -> None:
        started = time.perf_counter()
        while True:
            self._raise()
            try:
                self.queue.put(batch, timeout=0.2)
                break
            except queue.Full:
                check_stop()
        self.waited += time.perf_counter() - started

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error if isinstance(self.error, BuildFailed) else BuildFailed(str(self.error))

    def close(self) -> None:
        """Send what is queued, then stop; raise what the thread met."""
        self.put(None)  # type: ignore[arg-type]
        while self._thread.is_alive():
            self._thread.join(0.2)
            check_stop()
        self._raise()

    def abort(self) -> None:
        """Stop without sending what is queued (the batch being posted finishes or times out)."""
        self._stopped.set()
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                break
        try:
            self.queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(5)


# --- the worker processes -----------------------------------------------------------------------------------

def _encode_chunk(articles: list) -> tuple[list, Counter, list]:
    """Encode a batch of articles (in a worker process): their documents, vocabulary counts and signatures."""
    words: Counter = Counter()
    encoded, signed = [], []
    for article in articles:
        encoded.append(encode(article))
        words.update(words_of(article.title, article.body, *article.captions))
        signed.append(sign(article))
    return encoded, words, signed


class Encoders:
    """``procs`` worker processes encoding chunks of articles in order (in this process when ``procs`` is 1)."""

    def __init__(self, procs: int):
        self.pool = multiprocessing.get_context("fork").Pool(procs, initializer=_die_with_parent) if procs > 1 else None
        self.limit = 2 * procs
        self.pending: deque = deque()

    def submit(self, articles: list) -> None:
        if self.pool is None:
            self.pending.append(_Done(_encode_chunk(articles)))
        else:
            self.pending.append(self.pool.apply_async(_encode_chunk, (articles,)))

    def full(self) -> bool:
        return len(self.pending) >= self.limit

    def next(self):
        """The oldest chunk's result (waiting for it)."""
        result = self.pending.popleft()
        while not result.ready():
            result.wait(0.2)
            check_stop()
        return result.get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def terminate(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


@dataclass
class _Done:
    value: object

    def ready(self) -> bool:
        return True

    def wait(self, timeout=None) -> None:
        pass

    def get(self):
        return self.value


# --- what a collection holds --------------------------------------------------------------------------------

def held_documents(cluster: SolrCluster, collection: str) -> dict[str, tuple[str, int]]:
    """{id: (checksum_s, docnum_l)} of every document of ``collection`` (cursorMark pages, by id)."""
    found: dict[str, tuple[str, int]] = {}
    cursor = "*"
    while True:
        answer = cluster.call(f"{collection}/select", {
            "q": "*:*", "fl": f"{fields.ID},{fields.CHECKSUM},{fields.DOCNUM}", "sort": f"{fields.ID} asc",
            "rows": READ_PAGE, "cursorMark": cursor, "shards.tolerant": "false"})
        for document in answer["response"]["docs"]:
            found[document[fields.ID]] = (document.get(fields.CHECKSUM, ""), int(document.get(fields.DOCNUM, -1)))
        following = answer.get("nextCursorMark", cursor)
        if following == cursor:
            return found
        cursor = following


def stored_texts(cluster: SolrCluster, collection: str) -> nearduplicates.Texts:
    """The near-duplicate check's texts of articles, read back from the collection's stored fields."""
    def texts(ids: list[str]) -> dict[str, tuple[str, str, list[str]]]:
        found = {}
        for start in range(0, len(ids), 200):
            part = ids[start:start + 200]
            body = {"query": "*:*", "limit": len(part), "fields": f"{fields.ID},{fields.STORED}",
                    # not "ids": Solr's distributed search reads a request's ``ids`` as the documents its second
                    # phase fetches, and found none of them (no near-duplicate was ever verified)
                    "filter": ["{!terms f=id separator=$sep v=$wanted}"],
                    "params": {"sep": "\u0001", "wanted": "\u0001".join(part), "shards.tolerant": "false"}}
            answer = cluster.call(f"{collection}/select", data=json.dumps(body).encode("utf-8"))
            for document in answer["response"]["docs"]:
                stored = json.loads(document[fields.STORED])
                captions = [c for c in (stored.get("captions") or "").split("\n") if c]
                found[document[fields.ID]] = (stored.get("title", ""), stored.get("body", ""), captions)
        return found
    return texts


def delete_ids(cluster: SolrCluster, collection: str, ids: list[str]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        cluster.call(f"{collection}/update", data=json.dumps({"delete": ids[start:start + BATCH_SIZE]}).encode())


# --- the build ----------------------------------------------------------------------------------------------

@dataclass
class _Stream:
    """What the build folder is computed from, filled as articles stream past."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    signatures: Signatures = field(default_factory=Signatures)
    facets: build_files.FacetCounts = field(default_factory=build_files.FacetCounts)
    headlines: build_files.Headlines = field(default_factory=build_files.Headlines)
    numbers: dict[str, int] = field(default_factory=dict)  # article id -> docnum_l
    lengths: Counter = field(default_factory=Counter)  # scored field -> its terms in every document
    sent: int = 0
    kept: int = 0


def load_corpus(
    corpus_dir: Path,
    index_root: Path,
    settings: Settings,
    mapping: dict[str, str] | None = None,
    progress: bool | None = None,
    procs: int | None = None,
    incremental: bool = False,
) -> SolrBuildReport:
    """Read ``corpus_dir``, load it into a collection of the cluster ``settings`` names and publish it (the
    alias and the build folder in ``index_root``); see the module. Raise BuildFailed (nothing published)."""
    procs = config.get_int("INDEX_PROCS", high=64) if procs is None else procs
    store = IndexStore(index_root)
    cluster = SolrCluster(settings.urls, settings.timeout)
    started = time.perf_counter()
    with store.lock():
        store.remove_stale_builds()
        served = store.manifest().get("solr") or {}
        if not cluster.has_configset(settings.configset):
            cluster.upload_configset(settings.configset, CONFIGSET_DIR)
        aliases = cluster.aliases()
        serving = aliases.get(settings.alias, "")
        remove_leftovers(cluster, settings.alias, keep={serving, served.get("collection", ""),
                                                       served.get("standby", "")})
        existing = set(cluster.collections())
        standby = served.get("standby", "")
        target, note = "", ""
        if incremental:
            if standby and standby in existing and standby != serving:
                target = standby
            else:
                incremental = False
                note = "No standby collection to update: loaded in full into a new collection."
        created = not target
        target = target or collection_name(settings.alias)
        reader = CorpusReader(corpus_dir, mapping=mapping, cache=ParseCache(cache_setting(index_root)), procs=procs)
        promoted = reader.promoted_companies()  # the counting pass (in worker processes), before the build's fork
        files = list(list_corpus_files(Path(corpus_dir)))
        report = SolrBuildReport(mode="incremental" if incremental else "full", summary=ReadSummary(),
                                 fields=reader.fields, cache=reader.cache.stats, note=note)
        _count_files(report, files, store.manifest().get("files", {}))
        build_dir = store.new_build_dir()
        try:
            if created:
                cluster.create_collection(target, settings.configset, settings.shards, settings.replicas)
                held: dict[str, tuple[str, int]] = {}
            else:
                cluster.commit(target)  # what a failed load sent becomes visible, to be compared too
                held = held_documents(cluster, target)
            check_stop()
            stream = _Stream()
            parse_started = time.perf_counter()
            entries, waited = _send_corpus(reader, files, cluster, target, held, stream, report, procs, progress)
            parse_seconds = time.perf_counter() - parse_started
            gone = sorted(set(held) - set(stream.numbers))
            delete_ids(cluster, target, gone)
            commit_started = time.perf_counter()
            cluster.commit(target)
            commit_seconds = time.perf_counter() - commit_started
            check_stop()
            documents = cluster.count(target)
            if documents != report.summary.articles:
                raise BuildFailed(f"collection {target} holds {documents} documents, not the "
                                  f"{report.summary.articles} articles read")
            report.documents = documents
            doc_count_all = max(stream.numbers.values(), default=-1) + 1
            _write_build_files(build_dir, stream, cluster, target, report, doc_count_all)
            report.seconds = time.perf_counter() - started
            manifest = _manifest(report, entries, corpus_dir, mapping, promoted)
            report.solr = manifest["solr"] = {
                "collection": target, "alias": settings.alias, "standby": serving if serving != target else "",
                "urls": list(settings.urls), "configset": settings.configset,
                "shards": settings.shards, "replicas": settings.replicas,
                "documents": documents, "doc_count": documents, "doc_count_all": doc_count_all,
                "avg_length": {name: stream.lengths[name] / (documents or 1) for name in fields.SCORED_FIELDS},
                "sent": stream.sent, "kept": stream.kept, "deleted": len(gone),
                "parse_seconds": round(parse_seconds, 2), "send_wait_seconds": round(waited, 2),
                "commit_seconds": round(commit_seconds, 2),
            }
            check_stop()
            check_servable(build_dir, manifest, cluster)
            check_stop()
            _publish(store, cluster, build_dir, manifest, settings.alias, target, serving, report)
        except BaseException:
            store.discard(build_dir)
            if created:
                _delete_quietly(cluster, target)
            raise
    # The collection served until now stays as the standby; older ones of this alias go.
    remove_leftovers(cluster, settings.alias, keep={target, serving})
    return report


def _count_files(report: BuildReport, files: list[tuple[Path, str]], old_files: dict) -> None:
    """The report's files added, changed, removed and unchanged since the served build (by checksum)."""
    from search.ingest.corpus import file_checksum

    current = set()
    for path, relative in files:
        current.add(relative)
        old = old_files.get(relative)
        if old is None:
            report.files_added += 1
        elif old.get("checksum") != file_checksum(path):
            report.files_changed += 1
        else:
            report.files_unchanged += 1
    report.files_removed = len(set(old_files) - current)


def _send_corpus(reader: CorpusReader, files: list[tuple[Path, str]], cluster: SolrCluster, collection: str,
                 held: dict[str, tuple[str, int]], stream: _Stream, report: BuildReport, procs: int,
                 progress: bool | None) -> tuple[dict[str, dict], float]:
    """Read every file (as ``build._index_files`` does), encode its new articles in the worker processes and
    send those ``held`` does not already hold as they are; return the files' manifest entries and the
    seconds spent waiting for Solr."""
    import sys

    from tqdm import tqdm

    entries: dict[str, dict] = {}
    claimed: dict[str, str] = {}
    next_number = max((docnum for _, docnum in held.values()), default=-1) + 1
    encoders = Encoders(procs)
    sender = Sender(cluster, collection)
    batch: list[str] = []
    chunk: list = []
    numbers: list[int] = []  # of the articles submitted, in order
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(files), unit="file", disable=not show, file=sys.stderr, dynamic_ncols=True)
    started = time.perf_counter()

    def receive() -> None:
        nonlocal batch
        encoded, words, signed = encoders.next()
        stream.vocabulary.add(words)
        for document, signature in zip(encoded, signed, strict=True):
            docnum = numbers_queue.popleft()
            stream.signatures.add_signed(*signature)
            stream.lengths.update(document.lengths)
            if held.get(document.id) == (document.checksum, docnum):
                stream.kept += 1
                continue
            batch.append(numbered(document.body, docnum))
            stream.sent += 1
            if len(batch) >= BATCH_SIZE:
                sender.put(batch)
                batch = []

    def submit() -> None:
        nonlocal chunk
        encoders.submit(chunk)
        numbers_queue.extend(numbers)
        chunk, numbers[:] = [], []
        while encoders.full():
            receive()
        check_stop()

    numbers_queue: deque = deque()
    try:
        with reader.reading(files):
            for path, relative in files:
                result = FileResult(relative, "")
                ids: list[str] = []
                duplicates: list[str] = []
                credits = FileCredits()
                for article in reader.iter_file(path, relative, result):
                    if article.id in claimed:
                        result.problems.append(Problem(
                            relative, article.line, f"duplicate id: {article.id} (also in {claimed[article.id]})"))
                        duplicates.append(article.id)
                        continue
                    claimed[article.id] = relative
                    previous = held.get(article.id)
                    if previous is not None and previous[1] >= 0:
                        docnum = previous[1]
                    else:
                        docnum, next_number = next_number, next_number + 1
                    stream.numbers[article.id] = docnum
                    stream.facets.add(article)
                    stream.headlines.add(article, docnum)
                    credits.add(article)
                    ids.append(article.id)
                    chunk.append(article)
                    numbers.append(docnum)
                    if len(chunk) >= CHUNK:
                        submit()
                report.summary.add(result, articles=len(ids))
                entries[relative] = {"checksum": result.checksum, "ids": ids, "duplicates": duplicates,
                                     "credits": credits.entries()}
                bar.update(1)
                _show_rate(bar, report.summary.articles, started)
        if chunk:
            submit()
        while encoders.pending:
            receive()
        if batch:
            sender.put(batch)
        sender.close()
        encoders.close()
    except BaseException:
        sender.abort()
        encoders.terminate()
        raise
    finally:
        bar.close()
    return entries, sender.waited


def _write_build_files(build_dir: Path, stream: _Stream, cluster: SolrCluster, collection: str,
                       report: BuildReport, doc_count_all: int) -> None:
    stream.vocabulary.save(build_dir)
    grouping = nearduplicates.update_from(build_dir, stream.signatures, stream.numbers,
                                          stored_texts(cluster, collection))
    report.duplicate_groups = len(grouping.groups)
    report.duplicates = sum(len(group) for group in grouping.groups)
    build_files.save(build_dir, stream.facets, stream.headlines, doc_count_all)


def check_servable(build_dir: Path, manifest: dict, cluster: SolrCluster) -> None:
    """A Solr build is published only if its files load and its collection answers with the manifest's count."""
    entry = manifest["solr"]
    try:
        Vocabulary.load(build_dir)
        _names, doc_count_all = build_files.load_names(build_dir)
        nearduplicates.Groups.load(build_dir, doc_count_all)
        build_files.load_completions(build_dir)
        documents = cluster.count(entry["collection"])
    except Exception as exc:
        raise BuildFailed(f"the new build cannot be served ({type(exc).__name__}: {exc})") from exc
    if documents != manifest.get("documents") or documents != entry["documents"]:
        raise BuildFailed(f"collection {entry['collection']} holds {documents} articles, "
                          f"the manifest {manifest.get('documents')}")


def _publish(store: IndexStore, cluster: SolrCluster, build_dir: Path, manifest: dict, alias: str, target: str,
             serving: str, report: BuildReport) -> None:
    """Point the alias at the new collection, then publish the build folder; the alias back if that fails."""
    cluster.point_alias(alias, target)
    try:
        report.index_path = store.publish(build_dir, manifest)
    except BaseException:
        if serving:
            try:
                cluster.point_alias(alias, serving)
            except Exception:  # noqa: BLE001 - the error that matters is the one being raised
                pass
        raise


def _delete_quietly(cluster: SolrCluster, collection: str) -> None:
    try:
        cluster.delete_collection(collection)
    except Exception:  # noqa: BLE001 - best effort; the next build deletes leftovers
        pass


def remove_leftovers(cluster: SolrCluster, alias: str, keep: set[str]) -> list[str]:
    """Delete the build collections of ``alias`` that are not in ``keep`` and that no alias points at."""
    try:
        pointed = {name for targets in cluster.aliases().values() for name in targets.split(",")}
        names = cluster.collections()
    except SolrNodesError:
        return []
    removed = []
    for name in names:
        if is_build_collection(name, alias) and name not in keep and name not in pointed:
            _delete_quietly(cluster, name)
            removed.append(name)
    return removed
