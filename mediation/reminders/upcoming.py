"""What the reminder sweep will send for an organisation's cases over the next days: the sweep's own
planning (`service._plan_clock`) asked about each coming day, less what the outbox already holds, so
the view cannot drift from what is sent."""

from __future__ import annotations

import datetime as dt

import msgspec

from mediation.access import visible_cases
from mediation.cases.model import rule_title
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.reminders.recipients import Directory
from mediation.reminders.service import (
    CLOCK_COLUMNS,
    LOOKAHEAD,
    Outgoing,
    _plan_clock,
    already_queued,
    sendable_subject,
)
from mediation.settings import settings

MAX_DAYS = 31
KIND_LABELS = {"5wd": "Reminder: 5 working days left", "2wd": "Reminder: 2 working days left",
               "due": "Reminder: due today"}  # fmt: skip


class PlannedSend(msgspec.Struct):
    on: dt.date  # the first day the sweep sends it
    kind: str
    reference: str
    deadline: str
    due: dt.date
    recipient: str
    why: str
    subject: str


def _kind(item: Outgoing) -> str:
    if item.escalation:
        return "Escalation: deadline missed"
    return KIND_LABELS.get(item.key.split(":")[3], "Reminder")


def _subject(item: Outgoing) -> str:
    """The subject as the sweep will send it: the first of its subjects without the child's name."""
    return sendable_subject(item, [item.clock["child_name"]]) or "(not sent: every subject names the child)"


async def reminders_due(user: CurrentUser, *, today: dt.date, days: int) -> list[PlannedSend]:
    """Every reminder and escalation the sweep will queue from `today` to `days` days ahead for the cases
    this person may see, each on the first day it goes, earliest first."""
    horizon = today + dt.timedelta(days=days)
    ours = Disagreement.select(Disagreement.id).where(visible_cases(user))
    clocks = (
        await StatutoryClock.select(*CLOCK_COLUMNS)
        .where(
            (StatutoryClock.status == ClockStatus.running.value)
            & (StatutoryClock.due <= horizon + LOOKAHEAD)
            & StatutoryClock.disagreement.is_in(ours)
        )
        .order_by(StatutoryClock.due)
        .order_by(StatutoryClock.id)
    )
    directory = await Directory.load(
        org for c in clocks for org in (c["local_authority"], c["icb"], c["mediation_service"])
    )
    first: dict[str, tuple[dt.date, Outgoing]] = {}
    for n in range(days + 1):
        day = today + dt.timedelta(days=n)
        for clock in clocks:
            for item in _plan_clock(clock, directory, day, settings.base_url):
                first.setdefault(item.key, (day, item))
    sent = await already_queued(first)
    planned = [
        PlannedSend(
            on=day,
            kind=_kind(item),
            reference=item.clock["reference"],
            deadline=rule_title(item.clock["rule"]),
            due=item.clock["due"],
            recipient=item.recipient.name,
            why=item.recipient.why,
            subject=_subject(item),
        )
        for key, (day, item) in first.items()
        if key not in sent
    ]
    return sorted(planned, key=lambda p: (p.on, p.due, p.reference, p.recipient))
