"""The outbox as its pages list it: every message, or those about the cases a member of staff may see,
newest first, with the number in each status. Subjects and recipients only, never a message body."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from mediation.access import visible_case_ids
from mediation.db_typing import Condition
from mediation.identity import CurrentUser
from mediation.notify.tables import DeliveryStatus, Notification

STATUSES = tuple(s.value for s in DeliveryStatus)


def _about_cases_of(user: CurrentUser) -> Condition:
    return Notification.disagreement_id.is_in(visible_case_ids(user))


async def counts(of: CurrentUser | None = None) -> dict[str, int]:
    """Messages in each status (every status, 0 for none), of all or only those about `of`'s cases."""
    if of is None:
        rows = await Notification.raw("SELECT status, COUNT(*) AS n FROM notification GROUP BY status")
    else:
        rows = (
            await Notification.select(Notification.status, Count(alias="n"))
            .where(_about_cases_of(of))
            .group_by(Notification.status)
        )
    found = {r["status"]: int(r["n"]) for r in rows}
    return {status: found.get(status, 0) for status in STATUSES}


async def messages(
    *, status: str | None, page: int, page_size: int, of: CurrentUser | None = None
) -> list[dict[str, Any]]:
    """One page newest first (by id, with the first row of the next page if there is one)."""
    query = Notification.select(
        Notification.id,
        Notification.channel,
        Notification.recipient_email,
        Notification.recipient_name,
        Notification.subject,
        Notification.status,
        Notification.attempts,
        Notification.next_attempt_at,
        Notification.last_error,
        Notification.created_at,
        Notification.sent_at,
    )
    if status is not None:
        query = query.where(Notification.status == status)
    if of is not None:
        query = query.where(_about_cases_of(of))
    return (
        await query.order_by(Notification.id, ascending=False)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )
