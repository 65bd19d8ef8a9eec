"""Local SolrCloud clusters for the tests, ``make bench`` and ``make solr``: real JVMs on loopback ports.

A cluster is one standalone ZooKeeper server and ``n`` Solr nodes, each its own ``java`` process started
from the launcher in ``deploy/solr`` (Maven-built from ``org.apache.solr:solr-core`` and
``solr-test-framework`` 9.10.1: ``news.solr.ZooKeeperMain`` and ``news.solr.SolrNodeMain``, Solr's
embedded Jetty). Any one node can be killed while ZooKeeper lives, and ZooKeeper on its own. Everything
lives under one work folder: ``zookeeper/`` (its data and zoo.cfg), ``node1/``... (each node's solr
home: solr.xml and its cores), ``logs/`` (one log per process) and ``pids/``.

The cluster is driven over Solr's HTTP APIs only (Collections, Configsets), with the standard library:
no zkcli, no SolrJ. Production runs the official Solr 9.10.1 distribution instead (docs/solr.md).

    python -m search.engines.solr.nodes      # `make solr`: 3 nodes + ZooKeeper in run/solr until Ctrl-C
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SOLR_VERSION = "9.10.1"
ROOT = Path(__file__).resolve().parents[3]
LAUNCHER_DIR = ROOT / "deploy" / "solr"
POM = LAUNCHER_DIR / "pom.xml"
CLASSES = LAUNCHER_DIR / "target" / "classes"
CLASSPATH_FILE = LAUNCHER_DIR / "target" / "classpath.txt"
CONFIGSET_DIR = LAUNCHER_DIR / "configset"
MAIN_CLASSES = ("news.solr.ZooKeeperMain", "news.solr.SolrNodeMain")
HOST = "127.0.0.1"
CONTEXT = "/solr"
HEAP_MB = 512  # per node; ARCHIVE_SOLR_HEAP_MB for `make solr`
ZK_HEAP_MB = 128
ZK_CLIENT_TIMEOUT_MS = 15_000  # how long a killed node stays in /live_nodes (Solr's default is 30 s)
LOG_TAIL = 3000  # characters of a process's log quoted in an error


class SolrNodesError(RuntimeError):
    """A local ZooKeeper or Solr node, or the launcher, could not do what was asked (the message says why)."""


class SolrApiError(SolrNodesError):
    """Solr answered an API call with an error status."""

    def __init__(self, message: str, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body


# --- the launcher -------------------------------------------------------------------------------------------

def java_path() -> str | None:
    """``$JAVA``, ``$JAVA_HOME/bin/java`` or ``java`` on PATH (Java 17 or later), or None."""
    for candidate in (os.environ.get("JAVA"), os.environ.get("JAVA_HOME") and os.path.join(os.environ["JAVA_HOME"],
                                                                                            "bin", "java")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("java")


def _sources() -> Iterable[Path]:
    yield POM
    yield from (LAUNCHER_DIR / "src").rglob("*")


def launcher_ready() -> bool:
    """True when the launcher is built, no newer than its sources, and every jar of its classpath is there."""
    try:
        built = min((CLASSES / "news" / "solr" / f"{name.rsplit('.', 1)[1]}.class").stat().st_mtime
                    for name in MAIN_CLASSES)
        built = min(built, CLASSPATH_FILE.stat().st_mtime)
        jars = CLASSPATH_FILE.read_text().strip().split(os.pathsep)
    except (OSError, IndexError):
        return False
    if any(path.is_file() and path.stat().st_mtime > built for path in _sources()):
        return False
    return bool(jars) and all(os.path.isfile(jar) for jar in jars)


def build_launcher(quiet: bool = True) -> None:
    """Compile the launcher and write its classpath file with Maven (``make solr-build``).

    Tries offline first (everything already in ~/.m2), then online (Maven Central, once)."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SolrNodesError("Maven (mvn) is not installed: apt-get install maven default-jdk-headless (.ci/run does)")
    if shutil.which("javac") is None and not os.environ.get("JAVA_HOME"):
        raise SolrNodesError("no JDK (javac) to build the Solr launcher: apt-get install default-jdk-headless")
    goals = ["-B", "-f", str(POM), "package", "dependency:build-classpath",
             f"-Dmdep.outputFile={CLASSPATH_FILE}"]
    if quiet:
        goals.insert(0, "-q")
    output = ""
    for offline in (True, False):
        result = subprocess.run([mvn, *(["-o"] if offline else []), *goals], cwd=LAUNCHER_DIR,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        output = result.stdout + result.stderr
        if result.returncode == 0:
            if not quiet and output.strip():
                print(output.rstrip())
            CLASSPATH_FILE.touch()  # newer than the sources even when Maven had nothing to write
            return
    raise SolrNodesError(f"Maven could not build the Solr launcher ({POM}):\n{output[-6000:]}")


def ensure_launcher(quiet: bool = True) -> None:
    if not launcher_ready():
        build_launcher(quiet=quiet)


def launcher_command(main: str, args: list[str], heap_mb: int, properties: dict[str, str] | None = None) -> list[str]:
    java = java_path()
    if java is None:
        raise SolrNodesError("java is not installed (Java 17 or later; Debian package default-jdk-headless)")
    if not launcher_ready():
        raise SolrNodesError(f"the Solr launcher is not built: run `make solr-build` ({LAUNCHER_DIR})")
    classpath = os.pathsep.join([str(CLASSES), CLASSPATH_FILE.read_text().strip()])
    options = [f"-Xmx{heap_mb}m", f"-Xms{min(heap_mb, 64)}m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
               "-Djava.net.preferIPv4Stack=true", "-Dfile.encoding=UTF-8", "-Dlog4j2.formatMsgNoLookups=true",
               *(f"-D{key}={value}" for key, value in (properties or {}).items())]
    return [java, *options, "-cp", classpath, main, *args]


# --- processes ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def log_tail(path: Path, size: int = LOG_TAIL) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - size))
            return log.read().decode(errors="replace")
    except OSError:
        return "(no log)"


def _end_process(process: subprocess.Popen, timeout: float = 30.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _JavaProcess:
    """One launcher JVM in its own session, its output appended to ``log``, its pid in ``pid_file``."""

    name = "process"

    def __init__(self, workdir: Path, log: Path, pid_file: Path):
        self.workdir = Path(workdir)
        self.log = Path(log)
        self.pid_file = Path(pid_file)
        self.process: subprocess.Popen | None = None

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _spawn(self) -> None:
        if self.is_alive():
            raise SolrNodesError(f"{self.name} is already running (pid {self.process.pid})")
        command = self._command()  # raises when java or the launcher is missing
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(command[:1] + command[-7:])}\n"
                      .encode())
            log.flush()
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=self.workdir, start_new_session=True)
        self.pid_file.write_text(f"{self.process.pid}\n")
        # Stopped at the latest when the interpreter exits, even if nobody calls stop().
        weakref.finalize(self, _end_process, self.process)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def is_alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _failed(self, what: str) -> SolrNodesError:
        code = self.process.poll() if self.process is not None else None
        state = f"exited with code {code}" if code is not None else "still running"
        self.kill()
        tail = log_tail(self.log)
        fatal = [line for line in tail.splitlines() if "FAILED to start" in line]
        return SolrNodesError(f"{self.name} {what} ({state}){': ' + fatal[-1] if fatal else ''}; "
                              f"the end of {self.log}:\n{tail}")

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (a clean shutdown), then SIGKILL if it has not exited within ``timeout`` seconds."""
        if self.process is not None:
            _end_process(self.process, timeout)
        self._forget()

    def kill(self) -> None:
        """SIGKILL at once, as a crashed machine would go."""
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._forget()

    def _forget(self) -> None:
        self.process = None
        self.pid_file.unlink(missing_ok=True)


class LocalZooKeeper(_JavaProcess):
    """A standalone ZooKeeper server (the one solr-core depends on) on ``127.0.0.1:port``."""

    name = "ZooKeeper"

    def __init__(self, workdir: Path, port: int | None = None, heap_mb: int = ZK_HEAP_MB,
                 log: Path | None = None, pid_file: Path | None = None):
        workdir = Path(workdir)
        super().__init__(workdir, log or workdir / "zookeeper.log", pid_file or workdir / "zookeeper.pid")
        self.port = port or free_port()
        self.heap_mb = heap_mb

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def _command(self) -> list[str]:
        return launcher_command("news.solr.ZooKeeperMain", ["--port", str(self.port), "--data-dir", str(self.workdir)],
                                self.heap_mb)

    def ruok(self) -> bool:
        """ZooKeeper's own health check: ``ruok`` answered ``imok``."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"ruok")
                return sock.recv(4) == b"imok"
        except OSError:
            return False

    def start(self, timeout: float = 60.0) -> LocalZooKeeper:
        self._spawn()
        deadline = time.monotonic() + timeout
        while not self.ruok():
            if not self.is_alive():
                raise self._failed(f"did not start on {self.address}")
            if time.monotonic() > deadline:
                raise self._failed(f"did not answer on {self.address} within {timeout:.0f} s")
            time.sleep(0.2)
        return self


class LocalSolrNode(_JavaProcess):
    """One SolrCloud node (Solr's embedded Jetty) on ``http://127.0.0.1:port/solr``, its solr home ``workdir``."""

    def __init__(self, workdir: Path, zk_host: str, port: int | None = None, heap_mb: int = HEAP_MB,
                 log: Path | None = None, pid_file: Path | None = None,
                 zk_client_timeout_ms: int = ZK_CLIENT_TIMEOUT_MS):
        workdir = Path(workdir)
        super().__init__(workdir, log or workdir / "solr.log", pid_file or workdir / "solr.pid")
        self.zk_host = zk_host
        self.port = port or free_port()
        self.heap_mb = heap_mb
        self.zk_client_timeout_ms = zk_client_timeout_ms
        self.name = f"Solr node {self.node_name}"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{CONTEXT}"

    @property
    def node_name(self) -> str:
        """The node's name in ZooKeeper's /live_nodes and in the cluster state: ``127.0.0.1:PORT_solr``."""
        return f"{HOST}:{self.port}_{CONTEXT.strip('/')}"

    def _command(self) -> list[str]:
        return launcher_command(
            "news.solr.SolrNodeMain",
            ["--home", str(self.workdir), "--port", str(self.port), "--zk", self.zk_host, "--context", CONTEXT],
            self.heap_mb, {"zkClientTimeout": str(self.zk_client_timeout_ms), "solr.log.dir": str(self.log.parent)})

    def start(self, timeout: float = 120.0) -> LocalSolrNode:
        """Start the JVM and wait until the node answers on its port and is in /live_nodes."""
        self._spawn()
        self.wait_live(timeout)
        return self

    def wait_live(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_alive():
                raise self._failed(f"did not start on port {self.port}")
            try:
                status = api(self.url, "admin/collections", {"action": "CLUSTERSTATUS"}, timeout=5)
                if self.node_name in status["cluster"]["live_nodes"]:
                    return
            except (SolrNodesError, OSError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise self._failed(f"was not live on port {self.port} within {timeout:.0f} s")
            time.sleep(0.3)


# --- HTTP ---------------------------------------------------------------------------------------------------

def api(base_url: str, path: str, params: dict | list | None = None, data: bytes | None = None,
        content_type: str = "application/json", timeout: float = 60.0) -> dict:
    """Call ``base_url/path`` (GET, or POST with ``data``) with JSON answers; raise SolrApiError on an error status."""
    query = urllib.parse.urlencode([*(params.items() if isinstance(params, dict) else params or []), ("wt", "json")])
    request = urllib.request.Request(f"{base_url.rstrip('/')}/{path.lstrip('/')}?{query}", data=data,
                                     method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        raise SolrApiError(f"{request.full_url}: HTTP {error.code}: {_error_message(body)}", error.code, body) from None
    except (urllib.error.URLError, OSError) as error:
        raise SolrNodesError(f"{request.full_url}: {getattr(error, 'reason', error)}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise SolrApiError(f"{request.full_url}: not JSON: {body[:300]!r}") from None


def _error_message(body: str) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body[:1000]
    error = parsed.get("error") or {}
    failure = parsed.get("failure") or parsed.get("exception")
    return str(error.get("msg") or failure or body[:1000])


def zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(Path(directory).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


# --- the cluster --------------------------------------------------------------------------------------------

class LocalSolrCluster:
    """ZooKeeper and ``nodes`` Solr nodes under ``workdir``, on free loopback ports picked at start."""

    def __init__(self, workdir: Path, nodes: int = 3, heap_mb: int = HEAP_MB, zk_heap_mb: int = ZK_HEAP_MB,
                 zk_port: int | None = None, ports: list[int] | None = None):
        if nodes < 1:
            raise ValueError("a cluster needs at least one node")
        if ports is not None and len(ports) != nodes:
            raise ValueError(f"{nodes} nodes need {nodes} ports, got {ports}")
        self.workdir = Path(workdir).resolve()
        self.node_count = nodes
        self.heap_mb = heap_mb
        self.zk_heap_mb = zk_heap_mb
        self.zk_port = zk_port
        self.ports = ports
        self.zookeeper: LocalZooKeeper | None = None
        self.nodes: list[LocalSolrNode] = []
        self._finalizer: weakref.finalize | None = None

    @property
    def state_file(self) -> Path:
        """The ports of the last start in this work folder: a new start takes them again, so that ZooKeeper's
        cluster state (collections, replicas named by node address) and the nodes' cores still match."""
        return self.workdir / "cluster.json"

    def _pick_ports(self) -> tuple[int, list[int]]:
        saved: dict = {}
        try:
            saved = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            pass
        zk_port = self.zk_port or saved.get("zookeeper") or free_port()
        ports = self.ports or saved.get("nodes") or []
        ports = list(ports[:self.node_count])
        while len(ports) < self.node_count:
            port = free_port()
            if port not in ports and port != zk_port:
                ports.append(port)
        self.state_file.write_text(json.dumps({"zookeeper": zk_port, "nodes": ports}) + "\n")
        return zk_port, ports

    # where it is
    @property
    def zk_host(self) -> str:
        if self.zookeeper is None:
            raise SolrNodesError("the cluster is not started")
        return self.zookeeper.address

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    def live_url(self) -> str:
        """The URL of a node that is running (the first one)."""
        for node in self.nodes:
            if node.is_alive():
                return node.url
        raise SolrNodesError("no Solr node of the cluster is running")

    # start and stop
    def start(self, timeout: float = 120.0) -> LocalSolrCluster:
        """Start ZooKeeper, then the nodes in parallel; return when /live_nodes lists them all.

        Ports: those given, else those of the last start in this work folder (cluster.json), else free ones."""
        ensure_launcher()
        started = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        kill_leftovers(self.workdir)
        pids = self.workdir / "pids"
        zk_port, ports = self._pick_ports()
        self.zookeeper = LocalZooKeeper(self.workdir / "zookeeper", port=zk_port, heap_mb=self.zk_heap_mb,
                                        log=self.logs / "zookeeper.log", pid_file=pids / "zookeeper.pid")
        self.nodes = [LocalSolrNode(self.workdir / f"node{i}", self.zookeeper.address, port=port,
                                    heap_mb=self.heap_mb, log=self.logs / f"node{i}.log",
                                    pid_file=pids / f"node{i}.pid")
                      for i, port in enumerate(ports, 1)]
        # Stopped when the cluster is collected or, at the latest, when the interpreter exits.
        self._finalizer = weakref.finalize(self, _stop_processes, self.zookeeper, list(self.nodes))
        try:
            self.zookeeper.start(timeout)
            remaining = max(1.0, timeout - (time.monotonic() - started))
            with ThreadPoolExecutor(len(self.nodes)) as pool:
                for future in [pool.submit(node.start, remaining) for node in self.nodes]:
                    future.result()
            self.wait_live_nodes(self.nodes, max(1.0, timeout - (time.monotonic() - started)))
        except BaseException:
            self.stop()
            raise
        return self

    def wait_live_nodes(self, nodes: list[LocalSolrNode], timeout: float = 60.0) -> None:
        """Wait until CLUSTERSTATUS, asked of each running node, lists exactly ``nodes`` as live."""
        wanted = {node.node_name for node in nodes}
        deadline = time.monotonic() + timeout
        live: set[str] = set()
        while True:
            try:
                answers = [set(api(node.url, "admin/collections", {"action": "CLUSTERSTATUS"}, timeout=10)
                               ["cluster"]["live_nodes"]) for node in nodes]
                if all(answer == wanted for answer in answers):
                    return
                live = answers[0]
            except (SolrNodesError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise SolrNodesError(f"live nodes {sorted(live)} are not {sorted(wanted)} after {timeout:.0f} s; "
                                     f"logs in {self.logs}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop every node (SIGTERM, in parallel), then ZooKeeper; every process is gone when it returns."""
        _stop_processes(self.zookeeper, list(self.nodes))
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None

    def __enter__(self) -> LocalSolrCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # APIs
    def collections_api(self, params: dict, timeout: float = 120.0) -> dict:
        return api(self.live_url(), "admin/collections", params, timeout=timeout)

    def cluster_status(self, collection: str | None = None) -> dict:
        params = {"action": "CLUSTERSTATUS", **({"collection": collection} if collection else {})}
        return self.collections_api(params)["cluster"]

    def upload_configset(self, name: str, directory: Path = CONFIGSET_DIR) -> None:
        """Upload ``directory`` (solrconfig.xml, schema...) as configset ``name``, replacing one of that name."""
        directory = Path(directory)
        if not (directory / "solrconfig.xml").is_file():
            raise SolrNodesError(f"{directory} has no solrconfig.xml")
        api(self.live_url(), "admin/configs", {"action": "UPLOAD", "name": name, "overwrite": "true",
                                               "cleanup": "true"},
            data=zip_directory(directory), content_type="application/octet-stream")

    def create_collection(self, name: str, configset: str, shards: int = 2, replicas: int = 2,
                          timeout: float = 120.0) -> dict[str, list[str]]:
        """Create ``name`` with ``shards`` shards of ``replicas`` NRT replicas, no two replicas of a shard on one
        node (so any one node can die and every shard keeps a live replica while replicas >= 2).

        Placement is explicit: the collection is created empty, then replica r of shard s goes to node
        (s * replicas + r) mod n, with ADDREPLICA. Returns {shard: [node names]} once every replica is active."""
        nodes = [node for node in self.nodes if node.is_alive()]
        if replicas > len(nodes):
            raise ValueError(f"{replicas} replicas of a shard need {replicas} live nodes, the cluster has {len(nodes)}")
        self.collections_api({"action": "CREATE", "name": name, "collection.configName": configset,
                              "router.name": "compositeId", "numShards": shards, "replicationFactor": 1,
                              "createNodeSet": "EMPTY", "waitForFinalState": "true"}, timeout)
        shard_names = sorted(self.cluster_status(name)["collections"][name]["shards"], key=_shard_order)
        for s, shard in enumerate(shard_names):
            for r in range(replicas):
                node = nodes[(s * replicas + r) % len(nodes)]
                self.collections_api({"action": "ADDREPLICA", "collection": name, "shard": shard, "type": "NRT",
                                      "node": node.node_name, "waitForFinalState": "true"}, timeout)
        placement = self.wait_active(name, timeout)
        check_placement(placement, replicas)
        return placement

    def placement(self, collection: str) -> dict[str, list[str]]:
        """{shard: [node name of each replica]}, from the cluster state."""
        shards = self.cluster_status(collection)["collections"][collection]["shards"]
        return {shard: sorted(replica["node_name"] for replica in info["replicas"].values())
                for shard, info in sorted(shards.items(), key=lambda item: _shard_order(item[0]))}

    def client(self):
        """This cluster's nodes as the loader and any operator script address a SolrCloud (``cluster.SolrCluster``)."""
        from search.engines.solr.cluster import SolrCluster  # noqa: PLC0415 (cluster.py imports this module)

        return SolrCluster(self.urls)

    def wait_active(self, collection: str, timeout: float = 120.0) -> dict[str, list[str]]:
        """Wait until every replica of ``collection`` is active on a live node and every shard has a leader;
        return its placement, {shard: [node names]}."""
        return self.client().wait_active(collection, timeout)

    def create_alias(self, alias: str, collection: str) -> None:
        """Point ``alias`` at ``collection`` (CREATEALIAS: creating or re-pointing an alias is atomic)."""
        self.client().point_alias(alias, collection)

    def delete_alias(self, alias: str) -> None:
        self.collections_api({"action": "DELETEALIAS", "name": alias})

    def delete_collection(self, name: str) -> None:
        """Delete ``name`` (Solr refuses while an alias points at it: delete_alias first)."""
        self.client().delete_collection(name)


def _shard_order(shard: str) -> tuple[int, str]:
    digits = "".join(ch for ch in shard if ch.isdigit())
    return (int(digits) if digits else 0, shard)


def _not_active(shards: dict, live: set[str]) -> str:
    for shard, info in shards.items():
        replicas = info.get("replicas", {})
        if not replicas:
            return f"{shard} has no replica"
        for replica in replicas.values():
            if replica.get("state") != "active" or replica.get("node_name") not in live:
                return f"{shard}: replica on {replica.get('node_name')} is {replica.get('state')}"
        if not any(replica.get("leader") == "true" for replica in replicas.values()):
            return f"{shard} has no leader"
    return ""


def check_placement(placement: dict[str, list[str]], replicas: int) -> None:
    """Raise unless each shard has ``replicas`` replicas, each on a different node."""
    for shard, nodes in placement.items():
        if len(nodes) != replicas or len(set(nodes)) != len(nodes):
            raise SolrNodesError(f"shard {shard} is placed on {nodes}: want {replicas} replicas on distinct nodes")


def _stop_processes(zookeeper: LocalZooKeeper | None, nodes: list[LocalSolrNode]) -> None:
    """Nodes first (in parallel, while ZooKeeper is there to unregister them), then ZooKeeper."""
    threads = [threading.Thread(target=node.stop) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if zookeeper is not None:
        zookeeper.stop()


def kill_leftovers(workdir: Path) -> list[int]:
    """SIGKILL the launcher JVMs that an earlier run left under ``workdir`` (pids/*.pid, checked against the
    process's command line, so that a reused pid is never touched). Returns the pids killed."""
    killed = []
    for pid_file in sorted((Path(workdir) / "pids").glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            cmdline = ""
        if any(main in cmdline for main in MAIN_CLASSES) and str(Path(workdir).resolve()) in cmdline:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        pid_file.unlink(missing_ok=True)
    for pid in killed:  # wait until the ports are released
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.1)
    return killed


# --- make solr ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m search.engines.solr.nodes",
                                     description="A local SolrCloud (ZooKeeper + Solr nodes) until Ctrl-C.")
    parser.add_argument("--workdir", type=Path, default=ROOT / "run" / "solr")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--heap-mb", type=int, default=int(os.environ.get("ARCHIVE_SOLR_HEAP_MB", HEAP_MB)))
    parser.add_argument("--configset", type=Path, default=CONFIGSET_DIR)
    parser.add_argument("--configset-name", default="news")
    parser.add_argument("--collection", help="also create NAME_1 (2 shards x 2 replicas) and alias NAME to it")
    parser.add_argument("--zk-port", type=int, help="ZooKeeper's port (default: as last time in --workdir, or free)")
    parser.add_argument("--port", type=int, help="the first node's port, the others following (default: as last "
                                                 "time in --workdir, or free ones)")
    parser.add_argument("--fresh", action="store_true", help="delete --workdir first (collections, data, logs)")
    parser.add_argument("--build-only", action="store_true", help="build the launcher and exit")
    args = parser.parse_args(argv)

    if args.build_only:
        began = time.monotonic()
        build_launcher(quiet=True)
        print(f"Solr {SOLR_VERSION} launcher built in {time.monotonic() - began:.1f} s: {CLASSES}, {CLASSPATH_FILE}")
        return 0
    if not launcher_ready():
        print("Building the Solr launcher (Maven)...", flush=True)
        build_launcher(quiet=True)

    stop_requested = threading.Event()

    def request_stop(signum, frame):
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if args.fresh and args.workdir.exists():
        kill_leftovers(args.workdir)
        shutil.rmtree(args.workdir)
    cluster = LocalSolrCluster(args.workdir, nodes=args.nodes, heap_mb=args.heap_mb, zk_port=args.zk_port,
                               ports=[args.port + i for i in range(args.nodes)] if args.port else None)
    began = time.monotonic()
    print(f"Starting ZooKeeper and {args.nodes} Solr {SOLR_VERSION} nodes in {cluster.workdir}...", flush=True)
    try:
        cluster.start()
        cluster.upload_configset(args.configset_name, args.configset)  # collections using it see it on RELOAD
        existing = sorted(cluster.cluster_status()["collections"])
        for name in existing:  # kept from the last run in --workdir: their replicas recover first
            cluster.wait_active(name)
        if args.collection and f"{args.collection}_1" not in cluster.cluster_status()["collections"]:
            cluster.create_collection(f"{args.collection}_1", args.configset_name, shards=2,
                                      replicas=min(2, args.nodes))
            cluster.create_alias(args.collection, f"{args.collection}_1")
        print(f"SolrCloud {SOLR_VERSION} up in {time.monotonic() - began:.1f} s")
        print(f"  ZooKeeper: {cluster.zk_host}")
        for node in cluster.nodes:
            print(f"  Solr:      {node.url}   (pid {node.pid}, admin UI {node.url}/)")
        print(f"  configset: {args.configset_name} (from {args.configset})")
        if args.collection:
            print(f"  collection: {args.collection}_1, alias {args.collection}")
        if existing:
            print(f"  kept from the last run: {', '.join(existing)} (--fresh starts over)")
        print(f"  logs:      {cluster.logs}")
        print("Ctrl-C stops everything.", flush=True)
        while not stop_requested.wait(1.0):
            dead = [node for node in [cluster.zookeeper, *cluster.nodes] if not node.is_alive()]
            if dead:
                print(f"{dead[0].name} exited; the end of {dead[0].log}:\n{log_tail(dead[0].log)}", flush=True)
                return 1
    except SolrNodesError as error:
        print(f"error: {error}\n(--fresh starts over in a clean {args.workdir})", flush=True)
        return 1
    finally:
        print("Stopping the Solr nodes and ZooKeeper...", flush=True)
        cluster.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
