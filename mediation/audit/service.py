"""Writing to the audit log: one call per change or staff view, inside the change's own transaction."""

from __future__ import annotations

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


async def record(**fields: Any) -> None:
    """Write one audit row (the fields of `event`) in the caller's transaction."""
    await AuditEvent.insert(event(**fields))


async def record_many(rows: list[AuditEvent]) -> None:
    """Write many audit rows in a few multi-row inserts, in the caller's transaction."""
    for start in range(0, len(rows), AUDIT_INSERT_CHUNK):
        await AuditEvent.insert(*rows[start : start + AUDIT_INSERT_CHUNK])


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, so the log says exactly what moved."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
