"""A private, throwaway PostgreSQL cluster for tests that stop and start the database server (never the
shared one on 5432, which other test runs use). initdb and pg_ctl run as the `postgres` OS user."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SEARCH_PATH = ["/usr/local/bin", *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)]


def tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(SEARCH_PATH))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be made here (None when it can)."""
    if tool("initdb") is None or tool("pg_ctl") is None:
        return "PostgreSQL's initdb/pg_ctl are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as the postgres user"
    return None


class Cluster:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="pg-fault-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = list(args)
        if self.as_root:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if done.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout} {done.stderr} {tail}")

    def create(self) -> Cluster:
        self.base.chmod(0o755)
        self.data.mkdir()
        if self.as_root:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.data, "postgres")
        initdb = tool("initdb") or "initdb"
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base}"
        self._run(tool("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients and recovery are concerned; `fast` a clean shutdown."""
        self._run(tool("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def destroy(self) -> None:
        with contextlib.suppress(Exception):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)
