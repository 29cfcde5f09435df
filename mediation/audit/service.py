"""Writing to the audit log: one call per change or staff view, inside the change's own transaction."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.identity import CurrentUser

AUDIT_INSERT_CHUNK = 200  # rows per INSERT: 11 columns each, far below SQLite's bound-parameter limit


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return msgspec.to_builtins(value, builtin_types=())


def event(
    *,
    actor: CurrentUser | None,
    action: str,
    entity: str,
    entity_id: object = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
    disagreement_id: int | None = None,
    client: str = "",
) -> AuditEvent:
    """An audit row, not yet written (see `record`, `record_many`)."""
    return AuditEvent(
        at=timekeeping.now(),
        actor=actor.id if actor else None,
        actor_label=actor.label if actor else "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        summary=summary[:500],
        before=_jsonable(before),
        after=_jsonable(after),
        disagreement_id=disagreement_id,
        client=client[:64],
    )


def system_event(**fields: Any) -> AuditEvent:
    """An audit row for something the service did by itself (a sweep, a job): no actor."""
    return event(actor=None, **fields)


# Staff views seen while serving one request, written once its response has gone (web/deferred_audit.py).
_views_of_request: ContextVar[list[AuditEvent] | None] = ContextVar("audit_views_of_request", default=None)


async def record(**fields: Any) -> None:
    """Write one audit row (the fields of `event`) in the caller's transaction.

    A view (action "view", which changes nothing) made while a request is served is kept for that
    request and written, with the request's other views, right after its response is sent
    (`views_after_response`): the page does not wait for the insert. Anywhere else it is written at once.
    """
    row = event(**fields)
    pending = _views_of_request.get()
    if pending is not None and row.action == "view":
        pending.append(row)
        return
    await AuditEvent.insert(row)


@contextlib.asynccontextmanager
async def views_after_response() -> AsyncIterator[list[AuditEvent]]:
    """Collect the views recorded inside the block; the caller writes them with `write_views`."""
    pending: list[AuditEvent] = []
    token = _views_of_request.set(pending)
    try:
        yield pending
    finally:
        _views_of_request.reset(token)


async def write_views(pending: list[AuditEvent]) -> None:
    """Write collected views in one insert (they belong to no transaction: a view changes nothing)."""
    if pending:
        await record_many(pending)
        pending.clear()


async def record_many(rows: list[AuditEvent]) -> None:
    """Write many audit rows in a few multi-row inserts, in the caller's transaction."""
    for start in range(0, len(rows), AUDIT_INSERT_CHUNK):
        await AuditEvent.insert(*rows[start : start + AUDIT_INSERT_CHUNK])


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, so the log says exactly what moved."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
