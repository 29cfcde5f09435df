"""The framework ceiling: a bare Litestar app that echoes JSON, served exactly as the service is (uvicorn,
same host, log level and access log), so the service's figures can be read as a share of what the
framework itself allows on this machine."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, post


@post("/echo", status_code=200)
async def echo(data: dict[str, Any]) -> dict[str, Any]:
    return data


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[echo, health])


if __name__ == "__main__":
    import sys

    import uvicorn

    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1  # as the service's WEB_CONCURRENCY
    uvicorn.run(
        "benchmarks.ceiling:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info", workers=workers
    )
