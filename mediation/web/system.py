"""Operational endpoints."""

from __future__ import annotations

import msgspec
from litestar import Response, get

from mediation import db


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


@get("/health", tags=["system"], summary="Service and database health", opt={"action": "public"})
async def health() -> Response[Health]:
    engine = db.engine()
    try:
        await engine.run_ddl("SELECT 1")
        body = Health(status="ok", database="reachable", engine=engine.engine_type)
        return Response(body, status_code=200)
    except Exception:  # any driver error means "not reachable" to a load balancer
        return Response(
            Health(status="error", database="unreachable", engine=engine.engine_type), status_code=503
        )
