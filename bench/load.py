"""Load and soak runs against the production server (`make loadtest`, `make soak`).

loadtest: `make serve`'s stack on loopback (deploy/serve.py: nginx in front of the two gunicorn pools),
wrk driving a fixed mix of searches with facets for 60 s, while a full index rebuild runs and is swapped in half-way. It
prints requests/s, latency percentiles, errors and 5xx responses, and when the new index (which
holds one extra article with a marker word) started answering, without a restart.

soak: the same server under a steady load for 10 minutes with a rebuild every 2 minutes; it
samples each worker's memory and open file handles and fails if they keep growing.

Both exit non-zero on any failed or 5xx response, so they can gate a release.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .engines import first_request_times

ROOT = Path(__file__).resolve().parent.parent
MARKER = "zqxswapmarker"
# The mix: plain words, two-word ANDs, a phrase, facet filters, date drill-down, paging, sorting.
PATHS = [
    "/?q=police", "/?q=government", "/?q=election", "/?q=prime+minister", "/?q=%22prime+minister%22",
    "/?q=police&company=Twitter", "/?q=ByteDance", "/?q=tiktok&company=TikTok", "/?q=court&year=2020",
    "/?q=fire&year=2019&month=11", "/?q=police&page=2", "/?q=government&sort=newest", "/?q=",
    "/?q=football+OR+soccer", "/?q=earthquake&source=Wikinews", "/api/search?q=police&company=Twitter",
    "/?q=covid", "/?q=president+-trump", "/?q=tik*", "/?q=goverment",
]
WRK_SCRIPT = """
local paths = {%s}
local i = 0
counts = {}
request = function()
  i = i + 1
  local path = paths[(i %% #paths) + 1]
  return wrk.format("GET", path, {["HX-Request"] = (i %% 2 == 0) and "true" or nil})
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
setup = function(thread) table.insert(threads, thread) end
threads = {}
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%%d": %%d', k, v)) end
  io.write(string.format('WRK_JSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, table.concat(parts, ", ")))
end
"""  # noqa: E501 - wrk's Lua script: wrapping its two long lines would change the string


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_index(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", "index", "--corpus", str(corpus), "--index", str(index),
                           "--no-progress", "--max-problems", "3"], cwd=ROOT, capture_output=True, text=True)


def prepare(work: Path, corpus: Path) -> tuple[Path, Path]:
    """Copy the corpus twice: as served first, and with one extra article for the rebuild."""
    first = work / "corpus"
    second = work / "corpus-next"
    for target in (first, second):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(corpus, target, symlinks=True)
    (second / "swap-marker.jsonl").write_text(json.dumps({
        "id": "swap-marker", "title": f"Rebuilt index marker {MARKER}", "published": "2021-07-05",
        "source": "Wikinews", "body": f"This article exists only in the rebuilt index: {MARKER}.",
    }) + "\n", encoding="utf-8")
    index = work / "index"
    shutil.rmtree(index, ignore_errors=True)
    built = run_index(first, index)
    if built.returncode:
        raise SystemExit(f"first build failed: {built.stdout}{built.stderr}")
    return second, index


class Server:
    """`make serve`'s stack (deploy/serve.py: nginx in front of gunicorn's ordinary and costly pools), on a free
    loopback port, its run folder beside the log."""

    def __init__(self, index: Path, log: Path):
        self.port = free_port()
        env = {**os.environ, "ARCHIVE_INDEX_DIR": str(index), "ARCHIVE_PORT": str(self.port),
               "ARCHIVE_HOST": "127.0.0.1", "ARCHIVE_RUN_DIR": str(log.parent / "run")}
        self.log = open(log, "w")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "serve.py")],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"make serve's stack did not start; see {log}")

    def workers(self) -> list[int]:
        """The gunicorn workers of both pools (children of the gunicorn masters serve.py started)."""
        return [worker for master in children(self.process.pid)
                if b"gunicorn" in Path(f"/proc/{master}/cmdline").read_bytes() for worker in children(master)]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def children(pid: int) -> list[int]:
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in listed.read_text().split()]
    except OSError:  # gone meanwhile
        return []


def proc_memory(pid: int) -> tuple[float, int]:
    """Return (RSS in MB, open file handles) of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Probe(threading.Thread):
    """Polls the marker search: when did the rebuilt index start answering?"""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url + f"/api/search?q={MARKER}"
        self.first_seen: float | None = None
        self.failures: list[str] = []
        self.polls = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                data = json.loads(urllib.request.urlopen(self.url, timeout=10).read())
                self.polls += 1
                if data["total"] and self.first_seen is None:
                    self.first_seen = time.time()
            except (OSError, ValueError, urllib.error.HTTPError) as exc:
                self.failures.append(str(exc))
            self.stop.wait(0.25)


def wrk(url: str, seconds: int, threads: int, connections: int, work: Path) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian package)")
    script = work / "mix.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in PATHS))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True)
    line = next((text for text in out.stdout.splitlines() if text.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {out.stdout}{out.stderr}")
    return json.loads(line[len("WRK_JSON "):])


def loadtest(args) -> int:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus_next, index = prepare(work, Path(args.corpus))
    server = Server(index, work / "gunicorn.log")
    probe = Probe(server.url)
    master, workers_before = server.process.pid, server.workers()
    rebuild: dict = {}

    def rebuild_later() -> None:
        time.sleep(args.seconds / 2)
        rebuild["started"] = time.time()
        result = run_index(corpus_next, index)
        rebuild["finished"] = time.time()
        rebuild["ok"] = result.returncode == 0
        rebuild["output"] = result.stdout.strip().splitlines()[:1]

    try:
        probe.start()
        started = time.time()
        rebuilder = threading.Thread(target=rebuild_later, daemon=True)
        rebuilder.start()
        result = wrk(server.url, args.seconds, args.threads, args.connections, work)
        rebuilder.join(600)  # a short run may end before the rebuild does
        time.sleep(1)
        probe.stop.set()
        probe.join(15)
        memory = {pid: proc_memory(pid) for pid in server.workers()}
        same_server = server.process.poll() is None and server.process.pid == master
    finally:
        server.stop()

    statuses = {int(k): v for k, v in result["statuses"].items()}
    server_errors = sum(v for k, v in statuses.items() if k >= 500)
    seconds = result["duration_us"] / 1e6
    print(f"loadtest: {args.seconds} s, wrk {args.threads} threads x {args.connections} connections, "
          f"{len(PATHS)} URLs (searches with facets, htmx fragments, JSON), make serve's stack: nginx, "
          f"{len(workers_before)} gunicorn workers (ordinary and costly pools)")
    print(f"  requests: {result['requests']:,} ({result['requests'] / seconds:,.0f}/s)")
    print(f"  latency: p50 {result['p50_us'] / 1000:.1f} ms, p90 {result['p90_us'] / 1000:.1f} ms, "
          f"p99 {result['p99_us'] / 1000:.1f} ms, max {result['max_us'] / 1000:.1f} ms")
    print(f"  statuses: {dict(sorted(statuses.items()))}; socket/timeout errors: {result['errors']}; "
          f"5xx: {server_errors}")
    if rebuild.get("started"):
        print(f"  rebuild: started at {rebuild['started'] - started:.1f} s, published at "
              f"{rebuild.get('finished', 0) - started:.1f} s ({'ok' if rebuild.get('ok') else 'FAILED'}): "
              f"{' '.join(rebuild.get('output', []))}")
    seen = f"{probe.first_seen - started:.1f} s" if probe.first_seen else "never"
    print(f"  new index answering from: {seen} (probe: {probe.polls} polls, {len(probe.failures)} failures); "
          f"same server throughout: {same_server}")
    first = first_request_times(work / "gunicorn.log")
    for when in ("after start", "after a rebuild"):
        lines = [f for f in first if f["when"] == when]
        print(f"  first request per worker {when} (gunicorn's time; the request that opens the build): "
              + (", ".join(f"worker {f['worker']} {f['ms']:.0f} ms ({f['request']})" for f in lines) or "none logged"))
    print("  workers after: " + ", ".join(f"pid {pid}: {rss:.0f} MB, {fds} fds" for pid, (rss, fds) in memory.items()))
    failed = (server_errors or result["errors"] or probe.failures or not probe.first_seen or not rebuild.get("ok")
              or not same_server or set(statuses) - {200, 400})
    summary = {"requests": result["requests"], "rps": round(result["requests"] / seconds, 1),
               "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000, "errors": result["errors"],
               "server_errors": server_errors, "statuses": statuses,
               "swap_seen_s": round(probe.first_seen - started, 1) if probe.first_seen else None,
               "first_request_ms": {when: [f["ms"] for f in first if f["when"] == when]
                                    for when in ("after start", "after a rebuild")},
               "passed": not failed}
    print(json.dumps(summary))
    return 1 if failed else 0


def soak(args) -> int:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus_next, index = prepare(work, Path(args.corpus))
    corpus_first = work / "corpus"
    server = Server(index, work / "gunicorn.log")
    samples: list[tuple[float, dict]] = []
    stop = threading.Event()
    load_result: dict = {}

    def load() -> None:
        load_result.update(wrk(server.url, args.seconds, 1, 4, work))

    def rebuilds() -> None:
        flip = False
        while not stop.wait(args.rebuild_every):
            run_index(corpus_next if flip else corpus_first, index)
            flip = not flip

    try:
        started = time.time()
        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        threading.Thread(target=rebuilds, daemon=True).start()
        while loader.is_alive():
            samples.append((time.time() - started, {pid: proc_memory(pid) for pid in server.workers()}))
            loader.join(args.sample_every)
        stop.set()
    finally:
        server.stop()
    print(f"soak: {args.seconds} s under load, rebuild every {args.rebuild_every} s; per worker RSS MB / open fds:")
    for at, memory in samples[:: max(1, len(samples) // 20)]:
        print(f"  {at:6.0f} s  " + "  ".join(f"{rss:6.1f} MB {fds:4d} fds" for rss, fds in memory.values()))
    statuses = {int(k): v for k, v in load_result.get("statuses", {}).items()}
    server_errors = sum(v for k, v in statuses.items() if k >= 500)
    # Flat: the last third's peak is within 15% (and 20 fds) of the middle third's peak, per worker.
    third = max(1, len(samples) // 3)
    growth = {}
    for pid in samples[-1][1]:
        middle = [m[pid] for _, m in samples[third:2 * third] if pid in m]
        last = [m[pid] for _, m in samples[2 * third:] if pid in m]
        if middle and last:
            growth[pid] = (max(r for r, _ in last) / max(r for r, _ in middle),
                           max(f for _, f in last) - max(f for _, f in middle))
    flat = all(ratio <= 1.15 and fds <= 20 for ratio, fds in growth.values())
    print(f"  requests: {load_result.get('requests', 0):,}, 5xx: {server_errors}, "
          f"socket errors: {load_result.get('errors')}; "
          f"growth last/middle third: " + ", ".join(f"{r:.2f}x RSS, {f:+d} fds" for r, f in growth.values()))
    passed = flat and not server_errors and not load_result.get("errors")
    print(json.dumps({"seconds": args.seconds, "requests": load_result.get("requests"), "server_errors": server_errors,
                      "flat": flat, "passed": passed}))
    return 0 if passed else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, seconds in (("loadtest", 60), ("soak", 600)):
        command = commands.add_parser(name)
        command.add_argument("--seconds", type=int, default=seconds)
        command.add_argument("--corpus", default=str(ROOT / "corpus"), help="corpus folder to serve (default: bundled)")
        command.add_argument("--work", default=str(ROOT / "build" / name))
        command.add_argument("--threads", type=int, default=2)
        command.add_argument("--connections", type=int, default=8)
        command.add_argument("--rebuild-every", type=int, default=120)
        command.add_argument("--sample-every", type=int, default=10)
    args = parser.parse_args(argv)
    return loadtest(args) if args.command == "loadtest" else soak(args)


if __name__ == "__main__":
    sys.exit(main())
