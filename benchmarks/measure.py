"""What the national benchmark measures with: servers as subprocesses, wrk over loopback, and the server's
own CPU time and peak memory read from /proc (CPU per request does not depend on how busy the machine is
the way wall-clock figures do). Beside them, from /proc too: PostgreSQL's CPU when it runs on this host
(on two cores the service, PostgreSQL and wrk share them, so a page's cost is both processes' CPU), and
the host's steal time (what a shared virtual machine's neighbours took: runs are comparable only when it
is low)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)
LUA = Path(__file__).resolve().parent / "report.lua"
TICKS = os.sysconf("SC_CLK_TCK")
WRK = shutil.which("wrk") or "/usr/bin/wrk"  # Debian's wrk (scripts/setup.sh installs it)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat_fields(pid: str | int) -> tuple[str, list[str]] | None:
    """A process's name and the fields after it in /proc/PID/stat (fields[0] is its state)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()


def _processes() -> Iterator[tuple[int, str, list[str]]]:
    """Every process on the host: its id, name and the /proc/PID/stat fields after the name."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat_fields(entry)) is not None:
            yield int(entry), stat[0], stat[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's workers with WEB_CONCURRENCY)."""
    parents: dict[int, list[int]] = {}
    for entry, _, fields in _processes():
        parents.setdefault(int(fields[1]), []).append(entry)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process tree so far."""
    total = 0
    for p in _tree(pid):
        if (stat := _stat_fields(p)) is not None:
            total += int(stat[1][11]) + int(stat[1][12])  # utime, stime
    return total / TICKS


def database_cpu_seconds() -> float | None:
    """User + system CPU of every PostgreSQL process on this host so far, with what its exited backends
    used (the kernel adds a reaped child's time to its parent's cutime/cstime, so a connection closed during
    a run is still counted); None when no PostgreSQL runs here (a remote server, or SQLite)."""
    total, found = 0, False
    for _, name, fields in _processes():
        if name == "postgres":
            found = True
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / TICKS if found else None


def per_request_ms(before: float | None, after: float | None, requests: int) -> float | None:
    """CPU seconds spent between two readings, in ms a request; None when either reading had none."""
    return None if before is None or after is None else (after - before) * 1000 / requests


def host_ticks() -> list[int]:
    """The host's CPU time so far, in ticks, from /proc/stat's `cpu` line: user, nice, system, idle, iowait,
    irq, softirq, steal."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return [int(x) for x in first[1:9]] + [0] * max(0, 9 - len(first))


def steal_share(before: list[int], after: list[int]) -> float:
    """The share of the host's CPU time between the two readings that its hypervisor gave to others."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / sum(spent) if sum(spent) > 0 else 0.0


def peak_rss_mb(pid: int) -> float:
    """The largest peak resident set (VmHWM) of any process in the tree, in MB."""
    peak = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


@dataclasses.dataclass
class Server:
    name: str
    url: str
    pid: int


@contextmanager
def serving(name: str, command: list[str], env: Mapping[str, str], port: int, log: Path) -> Iterator[Server]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:  # noqa: S310 - loopback
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer /health:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(name, url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclasses.dataclass
class Request:
    """One thing to measure: a path on a server, with its method, body and headers."""

    label: str
    server: str
    path: str
    method: str = "GET"
    body: str | None = None
    headers: tuple[str, ...] = ()
    unique_header: str | None = None  # e.g. Idempotency-Key: a new value per request


@dataclasses.dataclass
class Run:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    database_cpu_ms_per_request: float | None = None  # None: PostgreSQL is not on this host
    steal: float = 0.0  # the host's steal time over the run, a share of all its CPU time

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    server: Server,
    request: Request,
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
    postgres: bool = True,
) -> Run:
    """One wrk run; `postgres`: the service uses PostgreSQL, so read its CPU too when it runs on this host."""
    env = {
        **os.environ,
        "BENCH_METHOD": request.method,
        "BENCH_HEADERS": "\n".join(request.headers),
    }
    if request.body is not None:
        env["BENCH_BODY"] = request.body
    if request.unique_header:
        env["BENCH_UNIQUE_HEADER"] = request.unique_header
    database = database_cpu_seconds if postgres else lambda: None
    before, database_before, host_before = cpu_seconds(server.pid), database(), host_ticks()
    done = subprocess.run(  # noqa: S603 - fixed command line
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
         server.url + request.path],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    cpu = cpu_seconds(server.pid) - before
    database_after, host_after = database(), host_ticks()
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH "))
    found = json.loads(line.removeprefix("BENCH "))
    n = max(found["requests"], 1)
    return Run(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        errors=found["errors"] + found["status_errors"],
        p50_ms=found["p50"] / 1000,
        p95_ms=found["p95"] / 1000,
        p99_ms=found["p99"] / 1000,
        cpu_ms_per_request=cpu * 1000 / n,
        database_cpu_ms_per_request=per_request_ms(database_before, database_after, n),
        steal=steal_share(host_before, host_after),
    )
