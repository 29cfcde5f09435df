"""Entry point: `python main.py` serves the app on HOST:PORT, migrating the database first."""

from __future__ import annotations

import logging

import uvicorn

import mediation  # noqa: F401 - sets PICCOLO_CONF before anything touches the database
from mediation.settings import settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "mediation.asgi:app",
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="info",
    )


if __name__ == "__main__":
    main()
