"""What one access-log line costs the thread serving the request: uvicorn's handler as it was (redact,
format and write on the request's thread) against `QueuedAccessLog` (queue the record; a thread of its own
does the rest). Prints microseconds of the calling thread's CPU per line.

    python -m benchmarks.access_log_probe [--lines N]
"""

from __future__ import annotations

import argparse
import copy
import logging
import logging.config
import os
import time

from uvicorn.config import LOGGING_CONFIG

from mediation.web.log_redaction import QueuedAccessLog, RedactSecrets, uvicorn_log_config

LINE = '%s - "%s %s HTTP/%s" %d'
ARGS = ("127.0.0.1:50000", "GET", "/cases/SM-2026-000123?tab=timeline", "1.1", 200)
ROUTES = ["/cases/{reference:str}", "/reset-password/{token:str}", "/offers/{token:str}"]


def inline_config() -> dict:
    """The access log before: uvicorn's StreamHandler with the redaction filter, on the caller's thread."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets, "route_paths": ROUTES}
    config["handlers"]["access"].setdefault("filters", []).append("redact_secrets")
    return config


def per_line_us(config: dict, lines: int) -> float:
    logging.config.dictConfig(config)
    logger = logging.getLogger("uvicorn.access")
    handler = logger.handlers[0]
    with open(os.devnull, "w") as sink:  # noqa: PTH123 - a plain stream for the handler
        if isinstance(handler, QueuedAccessLog):
            handler.target.stream = sink
            handler.target.filters = [RedactSecrets(ROUTES)]
        else:
            handler.stream = sink  # type: ignore[attr-defined]
        for _ in range(200):
            logger.info(LINE, *ARGS)  # warm up (and start the listener)
        started = time.thread_time()
        for _ in range(lines):
            logger.info(LINE, *ARGS)
        spent = time.thread_time() - started
        if isinstance(handler, QueuedAccessLog):
            handler.stop()
    return spent / lines * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.access_log_probe", description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    lines = parser.parse_args().lines
    before = per_line_us(inline_config(), lines)
    after = per_line_us(uvicorn_log_config(), lines)
    print(f"access log, request thread's CPU per line: before {before:.1f} us, after {after:.1f} us")


if __name__ == "__main__":
    main()
