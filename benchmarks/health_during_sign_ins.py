"""Does signing in hold up everyone else? /health latency alone and during concurrent sign-ins.

Starts `python main.py` (production argon2 cost, a scratch SQLite database with the demo data) on a free
loopback port, times GET /health alone, then while N demo sign-ins run at once, and prints the figures.
Asserts nothing. Run from the repository root (or pass another checkout's root to compare):

    .venv/bin/python benchmarks/health_during_sign_ins.py [N] [ROOT]
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DEMO_EMAILS = [
    "family@example.com",
    "other.family@example.com",
    "coordinator@milton-keynes.example",
    "commissioner@blmk-icb.example",
    "mediator@independent-mediation.example",
    "admin@send-mediation.example",
]
DEMO_PASSWORD = "Demo-password-2026"  # noqa: S105 - the published demo password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def health_times(client: httpx.AsyncClient, count: int, pause: float = 0.01) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        await client.get("/health")
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(pause)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"median {statistics.median(times):6.1f} ms, p90 {p90:6.1f} ms, max {max(times):6.1f} ms"


async def one_sign_in(base: str, email: str) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=120) as person:
        page = await person.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        response = await person.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token}
        )
        return response.status_code


async def measure(base: str, sign_ins: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as probe:
        await health_times(probe, 5)  # warm up
        alone = await health_times(probe, 30)
        started = time.perf_counter()
        logins = asyncio.gather(
            *(one_sign_in(base, DEMO_EMAILS[n % len(DEMO_EMAILS)]) for n in range(sign_ins))
        )
        during = await health_times(probe, 30, pause=0.005)
        statuses = await logins
        took = time.perf_counter() - started
    print(f"/health alone:             {summary(alone)}")
    print(
        f"/health during {sign_ins} sign-ins: {summary(during)} "
        f"(sign-ins {sorted(set(statuses))}, {took:.2f} s)"
    )


def main() -> None:
    sign_ins = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    root = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent
    port = free_port()
    scratch = tempfile.mkdtemp(prefix="health-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if k != "MEDIATION_FAST_HASH"},
        "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite",
        "SECRET_KEY": "benchmark-only",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "RUN_SCHEDULER": "0",
        "DEMO_DATA": "1",
    }
    server = subprocess.Popen(  # noqa: S603 - our own entry point
        [sys.executable, "main.py"], cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        asyncio.run(measure(base, sign_ins))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
