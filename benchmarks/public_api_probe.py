"""The public JSON endpoints' cost inside the server, without a network or a load generator: each request
driven straight through the ASGI app (no HTTP parsing), timed as this thread's CPU per request, with the
pieces the issue named timed on their own. Prints microseconds.

    python -m benchmarks.public_api_probe [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import mediation  # noqa: F401 - sets PICCOLO_CONF

TODAY = dt.date(2026, 12, 1)
BODIES = {
    "/api/v1/deadlines": {"rule": "appeal", "inputs": {"notice_sent": TODAY.isoformat()}},
    "/api/v1/routing": {"decision": "plan_contents", "sections": ["F", "G"]},
}


async def one(app: Any, path: str, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench.local"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def per_call_us(fn: Callable[[], object], n: int) -> float:
    started = time.thread_time()
    for _ in range(n):
        fn()
    return (time.thread_time() - started) / n * 1e6


async def main(n: int) -> None:
    from mediation.app import create_app
    from mediation.public import service
    from mediation.web.security import security_headers

    app = create_app()
    async with app.lifespan():  # type: ignore[attr-defined]
        for path, payload in BODIES.items():
            body = json.dumps(payload).encode()
            assert await one(app, path, body) == 200
            for _ in range(200):
                await one(app, path, body)
            started = time.thread_time()
            for _ in range(n):
                await one(app, path, body)
            print(f"POST {path}: {(time.thread_time() - started) / n * 1e6:.0f} us of CPU per request")
        inputs = BODIES["/api/v1/deadlines"]["inputs"]
        deadline_us = per_call_us(lambda: service.deadline("appeal", inputs), n)
        print(f"  compute the deadline: {deadline_us:.1f} us")
        scope = {"path": "/api/v1/deadlines", "state": {}}

        def headers() -> None:
            message = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"json")]}
            coro = security_headers(message, scope)  # type: ignore[arg-type]
            with contextlib.suppress(StopIteration):
                coro.send(None)  # it never awaits: run it without an event loop's overhead

        print(f"  security headers: {per_call_us(headers, n):.1f} us")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.public_api_probe", description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    asyncio.run(main(parser.parse_args().requests))
