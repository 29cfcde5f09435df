"""Signed-in pages' and the JSON queue's cost inside the server, without a network or a load generator: the
ASGI app driven in process through httpx, signed in as the busiest LA's coordinator (or `--email`), each
path timed as this process's CPU per request (all threads, the in-process client included) and, when it
runs on this host, PostgreSQL's (`benchmarks.measure.database_cpu_seconds`: run nothing else against it
meanwhile), over rounds interleaved so that a change measured against another checkout sees the same
machine. Prints ms.

    python -m benchmarks.page_probe [--requests N] [--rounds R] [--profile PATH] [PATH ...]

With no PATH: `/home`, the busiest LA's first open case page, and `GET /api/v1/cases` (bearer token).
`--sql PATH` prints the statements one request of it sends; `--profile PATH` runs that path under
cProfile after the timing and prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import pstats
import statistics
import time
from typing import Any

import httpx

from benchmarks.measure import database_cpu_seconds, per_request_ms
from benchmarks.national import SIGN_IN_PASSWORD
from benchmarks.sweep_probe import facts

CSRF = "_csrf_token"


async def _signed_in(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/sign-in")
    marker = f'name="{CSRF}" value="'
    start = page.text.index(marker) + len(marker)
    token = page.text[start : page.text.index('"', start)]
    form = {"email": email, "password": SIGN_IN_PASSWORD, "next": "/home", CSRF: token}
    response = await client.post("/sign-in", data=form)
    if response.status_code != 303:
        raise SystemExit(f"sign-in as {email} failed: {response.status_code}")


async def _bearer(email: str) -> str:
    from mediation.accounts.api_tokens import create_token

    return (await create_token(email, name="page probe")).token


async def _per_request(client: httpx.AsyncClient, path: str, headers: dict[str, str], n: int) -> float:
    return (await _costs(client, path, headers, n))[0]


async def _costs(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], n: int
) -> tuple[float, float | None]:
    """This process's CPU ms a request, and PostgreSQL's (None: it does not run on this host)."""
    database_before = database_cpu_seconds() if is_postgres() else None
    start = time.process_time()
    for _ in range(n):
        response = await client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
    spent = (time.process_time() - start) / n * 1000
    database_after = database_cpu_seconds() if database_before is not None else None
    return spent, per_request_ms(database_before, database_after, n)


async def _show_sql(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    """Each statement one request of `path` sends to PostgreSQL, in order."""
    import asyncpg.connection

    sent: list[str] = []
    original = asyncpg.connection.Connection._execute

    async def traced(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(" ".join(query.split()))
        return await original(self, query, *args, **kwargs)

    asyncpg.connection.Connection._execute = traced  # type: ignore[method-assign]
    try:
        await client.get(path, headers=headers)
    finally:
        asyncpg.connection.Connection._execute = original  # type: ignore[method-assign]
    print(f"{path}: {len(sent)} statements")
    for n, statement in enumerate(sent, 1):
        print(f"{n:3d}. {statement[:400]}")


def is_postgres() -> bool:
    from mediation import db

    return db.is_postgres()


async def run(args: argparse.Namespace) -> None:
    from mediation.app import create_app
    from mediation.db import connection_pool

    async with connection_pool():
        f = await facts() if not (args.email and args.paths) else {}
        email = args.email or str(f["busiest_email"])
        token = await _bearer(email)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its line per request is not the server's cost
    paths = args.paths or ["/home", f"/cases/{f['case']}", "/api/v1/cases"]
    app = create_app()

    def client_of() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://bench.local", follow_redirects=False)

    async with app.lifespan(), client_of() as browser, client_of() as integration:
        await _signed_in(browser, email)
        api = {"Authorization": f"Bearer {token}"}

        def sent(path: str) -> tuple[httpx.AsyncClient, str, dict[str, str]]:
            # The API as an integration calls it (a bearer token, no cookie); pages as a signed-in browser.
            return (integration, path, api) if path.startswith("/api/") else (browser, path, {})

        for path in paths:
            await _per_request(*sent(path), 10)
        figures: dict[str, list[float]] = {path: [] for path in paths}
        database: dict[str, list[float]] = {path: [] for path in paths}
        for _ in range(args.rounds):
            for path in paths:
                ours, theirs = await _costs(*sent(path), args.requests)
                figures[path].append(ours)
                if theirs is not None:
                    database[path].append(theirs)
        print(
            f"signed in as {email}; {args.requests} requests x {args.rounds} rounds, CPU ms per request "
            "(this process; PostgreSQL's, when it runs on this host)"
        )
        for path, values in figures.items():
            shown = ", ".join(f"{v:.2f}" for v in values)
            line = f"{path:60s} median {statistics.median(values):6.2f}  ({shown})"
            if database[path]:
                line += f"  PostgreSQL median {statistics.median(database[path]):.2f}"
            print(line)
        if args.sql:
            await _show_sql(*sent(args.sql))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await _per_request(*sent(args.profile), args.requests)
            profiler.disable()
            out = io.StringIO()
            stats: Any = pstats.Stats(profiler, stream=out)
            stats.sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--email")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile")
    parser.add_argument("--sort", default="tottime", help="cProfile's order: tottime, cumulative, ...")
    parser.add_argument("--top", type=int, default=40, help="how many functions the profile lists")
    parser.add_argument("--sql", help="print the statements one request of this path sends (PostgreSQL)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
