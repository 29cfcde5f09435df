"""Entry point: `python main.py` serves the app on HOST:PORT, migrating the database first.

`python main.py token EMAIL [--name NAME]` prints a new API token for that account, on the database that
DATABASE_URL names (migrating it first).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import uvicorn

import mediation  # noqa: F401 - sets PICCOLO_CONF before anything touches the database
from mediation.settings import settings
from mediation.web.log_redaction import uvicorn_log_config


def serve() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "mediation.asgi:app",
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="info",
        log_config=uvicorn_log_config(),  # booking-offer and confirmation links redacted in the access log
    )


async def create_api_token(email: str, name: str) -> int:
    """Migrate, make the token and print it (stdout: the token alone, so scripts can capture it)."""
    from mediation import db
    from mediation.accounts.api_tokens import ApiTokenError, create_token

    engine = db.engine()
    if engine.engine_type == "postgres":
        await engine.start_connection_pool()
    try:
        async with db.startup_lock():
            await db.migrate()
        try:
            token = await create_token(email, name=name)
        except ApiTokenError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
    finally:
        if engine.engine_type == "postgres":
            await engine.close_connection_pool()
    print(token.token)
    print(
        f"API token {token.prefix}… ({token.name}) for {token.email}. It is shown only now: keep it secret. "
        "Use it as 'Authorization: Bearer <token>'; an admin can revoke it at /admin/api-tokens.",
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="main.py",
        usage="%(prog)s [-h] [token EMAIL [--name NAME]]",
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
    args = parser.parse_args(argv)
    if args.command == "token":
        return asyncio.run(create_api_token(args.email, args.name))
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
