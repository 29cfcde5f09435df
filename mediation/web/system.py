"""Operational endpoints."""

from __future__ import annotations

import math
import time

import msgspec
from litestar import Response, get

from mediation import db

# How long /health takes a database it has just reached on trust. A load balancer (or a benchmark) probing
# each process many times a second then costs one `SELECT 1` a second per process, not one per probe. Any
# request that finds the database unreachable forgets it at once (`forget_reachable`, called by
# web/errors.py), so an outage shows on the next probe; one nobody else has met shows within a second.
TRUSTED_FOR_SECONDS = 1.0


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


class _Reached:
    """When this process last reached the database, and which engine it was (tests switch engines)."""

    engine: object = None
    at: float = -math.inf


_reached = _Reached()


def forget_reachable() -> None:
    _reached.at = -math.inf


@get("/health", tags=["system"], summary="Service and database health", opt={"action": "public"})
async def health() -> Response[Health]:
    engine = db.engine()
    if _reached.engine is not engine or time.monotonic() - _reached.at >= TRUSTED_FOR_SECONDS:
        try:
            await engine.run_ddl("SELECT 1")
        except Exception:  # any driver error means "not reachable" to a load balancer
            forget_reachable()
            return Response(
                Health(status="error", database="unreachable", engine=engine.engine_type), status_code=503
            )
        _reached.engine, _reached.at = engine, time.monotonic()
    return Response(Health(status="ok", database="reachable", engine=engine.engine_type), status_code=200)
