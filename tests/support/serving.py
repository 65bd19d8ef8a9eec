"""Servers started as processes on loopback for the system tests (tests/system/test_proxy.py,
tests/system/test_serve.py): a free port, a GET over http.client, and a process with its output in files."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, str]:
    """GET over loopback (http.client: no proxy settings from the environment apply)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


class Service:
    """A server process with its output in files, stopped with terminate, then kill."""

    def __init__(self, name: str, args: list[str], folder: Path, **popen):
        self.name = name
        self.stdout_path = folder / f"{name}.stdout"
        self.stderr_path = folder / f"{name}.stderr"
        with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(args, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, **popen)

    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def logs(self, *extra: Path) -> str:
        parts = [f"--- {self.name} (exit code {self.process.poll()}):\n{self.output()[-4000:]}"]
        parts += [f"--- {path.name}:\n{path.read_text(errors='replace')[-4000:]}" for path in extra if path.exists()]
        return "\n".join(parts)

    def wait_until(self, ready, what: str, timeout: float = 20, logs: str = "") -> None:
        deadline = time.monotonic() + timeout
        error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if ready():
                    return
            except OSError as exc:
                error = exc
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: {what} not ready after {timeout} s ({error})\n{logs or self.logs()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
