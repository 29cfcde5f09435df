"""Entry point: `python main.py` serves the app on HOST:PORT, migrating the database first.

`python main.py token EMAIL [--name NAME]` prints a new API token for that account, on the database that
DATABASE_URL names (migrating it first).

`python main.py migrate` applies pending migrations (as MIGRATION_DATABASE_URL's owner role when set, which
then grants the app role its privileges) and exits: a release step, so the service need not hold the owner's
password.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import uvicorn

import mediation  # noqa: F401 - sets PICCOLO_CONF before anything touches the database
from mediation.logs import configure_logging
from mediation.settings import Settings, settings
from mediation.web.log_redaction import uvicorn_log_config


def proxy_options(config: Settings) -> dict[str, object]:
    """uvicorn's proxy-header options: X-Forwarded-For and -Proto are believed only from the addresses in
    FORWARDED_ALLOW_IPS. Unset, they are ignored (uvicorn's own default would trust 127.0.0.1, so any
    local process could choose the client address that throttling and the audit log see)."""
    trusted = [part.strip() for part in config.forwarded_allow_ips.split(",") if part.strip()]
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def serve() -> None:
    configure_logging()
    uvicorn.run(
        "mediation.asgi:app",
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=uvicorn_log_config(),  # booking-offer and confirmation links redacted in the access log
        access_log=settings.access_log,
        workers=settings.web_concurrency,  # each worker its own pool; one of them holds the scheduler lease
        **proxy_options(settings),  # type: ignore[arg-type]
    )


@contextlib.asynccontextmanager
async def migrated_database() -> AsyncIterator[None]:
    """The app's connection pool, on a database migrated first (one process at a time)."""
    from mediation import db

    async with db.connection_pool():
        async with db.startup_lock():
            await db.migrate()
        yield


async def migrate() -> int:
    async with migrated_database():
        pass
    print("Database migrated.", file=sys.stderr)
    return 0


async def create_api_token(email: str, name: str) -> int:
    """Migrate, make the token and print it (stdout: the token alone, so scripts can capture it)."""
    from mediation.accounts.api_tokens import ApiTokenError, create_token

    async with migrated_database():
        try:
            token = await create_token(email, name=name)
        except ApiTokenError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
    print(token.token)
    print(
        f"API token {token.prefix}… ({token.name}) for {token.email}. It is shown only now: keep it secret. "
        "Use it as 'Authorization: Bearer <token>'; an admin can revoke it at /admin/api-tokens.",
        file=sys.stderr,
    )
    return 0


async def seed_national(cases: int, seed: int) -> int:
    from mediation.seeding.national import AlreadySeeded, report
    from mediation.seeding.national import seed_national as seed_cases

    try:
        async with migrated_database():
            seeded = await seed_cases(cases, seed=seed)
    except AlreadySeeded as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(report(seeded, settings.base_url))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="main.py",
        usage="%(prog)s [-h] [token EMAIL [--name NAME] | migrate | seed-national [--cases N]]",
        description="Serve send-mediation on HOST:PORT (no command), or run a command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    token = commands.add_parser(
        "token",
        help="print a new API token for an account",
        description="Print a new API token for that account, on the database DATABASE_URL names.",
    )
    token.add_argument("email", help="the account's email address")
    token.add_argument("--name", default="", help="what the token is for, shown to admins")
    commands.add_parser(
        "migrate",
        help="apply pending migrations and exit",
        description="Apply pending migrations (as MIGRATION_DATABASE_URL's role when set) and exit.",
    )
    seed = commands.add_parser(
        "seed-national",
        help="load a realistic national dataset (for load and scale tests)",
        description="Load 153 LAs, the ICBs, mediation services, staff and N cases over ten years into the "
        "database DATABASE_URL names (migrating it first). Use an empty database.",
    )
    seed.add_argument("--cases", type=int, default=1_000_000, help="how many cases (default 1,000,000)")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (the same seed, the same data)")
    args = parser.parse_args(argv)
    if args.command == "seed-national":
        return asyncio.run(seed_national(args.cases, args.seed))
    if args.command == "token":
        return asyncio.run(create_api_token(args.email, args.name))
    if args.command == "migrate":
        return asyncio.run(migrate())
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
