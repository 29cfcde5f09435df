"""`python main.py` as a subprocess on a free loopback port, for tests that need the real server
(browser tests, schemathesis, the access log): started, waited for until /health answers, stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextmanager
def running_server(
    env: Mapping[str, str], port: int, log_path: Path, start_timeout: float = 30.0
) -> Iterator[str]:
    """Run `python main.py` with this environment (HOST/PORT set to 127.0.0.1 and `port`), its output
    in `log_path`; yield its base URL once /health is 200; stop it afterwards."""
    python = ROOT / ".venv" / "bin" / "python"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            [str(python if python.exists() else sys.executable), "main.py"],
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"server exited with code {process.returncode} before /health answered; output:\n"
                    + log_path.read_text(errors="replace"),
                    pytrace=False,
                )
            if health_status(f"{base_url}/health") == 200:
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"GET {base_url}/health did not return 200 within {start_timeout:.0f} s; "
                    "server output:\n" + log_path.read_text(errors="replace"),
                    pytrace=False,
                )
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
