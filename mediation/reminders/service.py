"""The sweeps: reminders, breach escalations and daily digests, worked out afresh from the database.

Idempotent and safe in any number of processes: every message has a dedupe key, unique in the outbox,
and is queued with ON CONFLICT DO NOTHING, so a second process (or a re-run after a crash) queues
nothing that is already there. A breach's timeline note is written only by the process whose insert
of the escalation succeeded, in the same transaction, so it too appears once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from mediation import timekeeping
from mediation.accounts.tables import Account, Role
from mediation.audit import service as audit
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import transaction
from mediation.db_typing import Condition
from mediation.notify.service import check_subject, queue_for_person
from mediation.notify.tables import Notification
from mediation.reminders import messages
from mediation.reminders.recipients import Directory, Recipient
from mediation.reminders.schedule import (
    digest_horizon,
    is_escalation_due,
    reminder_due,
    working_days_left,
)
from mediation.settings import settings

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
SEND_FROM_HOUR = 7  # nothing goes out overnight: before 7am the sweep acts as of the previous day
LOOKAHEAD = dt.timedelta(days=31)  # covers 5 working days before a due date, closures included
_KEY_CHUNK = 500
DIGEST_ROLES = {Role.la_coordinator.value: "local_authority", Role.health_commissioner.value: "icb"}

_CLOCK = StatutoryClock
# Any: Piccolo types a join through a foreign key (`_CASE.family.email`) as `Column | Any`.
_CASE: Any = StatutoryClock.disagreement
CLOCK_COLUMNS = (
    _CLOCK.id,
    _CLOCK.rule,
    _CLOCK.actor,
    _CLOCK.due,
    _CLOCK.started_on,
    _CLOCK.version,
    _CLOCK.citation,
    _CASE.id.as_alias("case_id"),
    _CASE.reference.as_alias("reference"),
    _CASE.child_name.as_alias("child_name"),
    _CASE.local_authority.id.as_alias("local_authority"),
    _CASE.icb.id.as_alias("icb"),
    _CASE.mediation_service.id.as_alias("mediation_service"),
    _CASE.contact_by.as_alias("contact_by"),
    _CASE.contact_email.as_alias("contact_email"),
    _CASE.postal_address.as_alias("postal_address"),
    _CASE.family.full_name.as_alias("family_name"),
    _CASE.family.email.as_alias("family_email"),
)


@dataclasses.dataclass
class SweepReport:
    reminders: int = 0  # newly queued by this run
    escalations: int = 0
    digests: int = 0
    already_queued: int = 0  # found in the outbox: sent by an earlier run or another process

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            *(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True))
        )


@dataclasses.dataclass(frozen=True)
class Outgoing:
    key: str
    clock: Mapping[str, Any]
    recipient: Recipient
    subject: str
    body: str
    escalation: bool = False

    @property
    def plain_subject(self) -> str:
        """Used when the subject would contain a child's name (a child called May, due 8 May)."""
        reference = self.clock.get("reference")
        if not reference:
            return "Your daily summary of deadlines"
        return f"{'Deadline missed' if self.escalation else 'Deadline reminder'}: disagreement {reference}"


def sweep_day(now: dt.datetime) -> dt.date:
    """The day the sweep acts for: today in England, or yesterday before 7am."""
    local = now.astimezone(LONDON)
    return local.date() if local.hour >= SEND_FROM_HOUR else local.date() - dt.timedelta(days=1)


async def running_clocks(
    *, due_until: dt.date, local_authorities: Collection[int] | None = None, bodies_only: bool = False
) -> list[dict[str, Any]]:
    where = (_CLOCK.status == ClockStatus.running.value) & (_CLOCK.due <= due_until)
    if local_authorities is not None:
        where &= _CASE.local_authority.is_in(sorted(local_authorities) or [-1])
    if bodies_only:
        where &= _CLOCK.actor != "family"  # a family's own time limit lapsing is not a body's breach
    return await StatutoryClock.select(*CLOCK_COLUMNS).where(where).order_by(_CLOCK.id)


async def already_queued(keys: Iterable[str]) -> set[str]:
    keys = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        rows = await Notification.select(Notification.dedupe_key).where(Notification.dedupe_key.is_in(chunk))
        found.update(r["dedupe_key"] for r in rows)
    return found


def _plan_clock(
    clock: Mapping[str, Any], directory: Directory, today: dt.date, base_url: str
) -> list[Outgoing]:
    calendar = directory.calendar(clock["local_authority"])
    due, version = clock["due"], clock["version"]
    reminder = reminder_due(due=due, started_on=clock["started_on"], today=today, calendar=calendar)
    if reminder is not None:
        left = working_days_left(today, due, calendar)
        out = []
        for recipient in directory.for_clock(clock):
            subject, body = messages.reminder(clock, recipient, working_days_left=left, base_url=base_url)
            key = f"reminder:{clock['id']}:v{version}:{reminder.kind}:{recipient.key}"
            out.append(Outgoing(key, clock, recipient, subject, body))
        return out
    if clock["actor"] == "family" or not is_escalation_due(due, today, calendar):
        return []
    escalate_to = directory.escalation_for(clock)
    if escalate_to is None:
        log.warning(
            "clock %s on %s is overdue but nobody is recorded to escalate to", clock["id"], clock["reference"]
        )
        return []
    late = working_days_left(due, today, calendar)
    subject, body = messages.escalation(clock, escalate_to, working_days_late=late, base_url=base_url)
    return [Outgoing(f"breach:{clock['id']}:v{version}", clock, escalate_to, subject, body, escalation=True)]


async def _queue(item: Outgoing, forbidden: list[str]) -> bool:
    subject = item.subject
    try:
        check_subject(subject, forbidden)
    except ValueError:
        subject = item.plain_subject
    return await queue_for_person(
        email=item.recipient.email or None,
        name=item.recipient.name,
        address=item.recipient.address,
        subject=subject,
        body_text=item.body,
        dedupe_key=item.key,
        disagreement_id=item.clock.get("case_id"),
        forbidden_names=forbidden,
    )


async def sweep_clocks(
    today: dt.date, *, local_authorities: Collection[int] | None = None, base_url: str | None = None
) -> SweepReport:
    """Queue every reminder and escalation that should have gone out by `today` and has not."""
    base_url = base_url or settings.base_url
    clocks = await running_clocks(due_until=today + LOOKAHEAD, local_authorities=local_authorities)
    directory = await Directory.load(
        org for c in clocks for org in (c["local_authority"], c["icb"], c["mediation_service"])
    )
    planned = [item for clock in clocks for item in _plan_clock(clock, directory, today, base_url)]
    done = await already_queued(item.key for item in planned)
    report = SweepReport(already_queued=len(done))
    by_clock: dict[int, list[Outgoing]] = {}
    for item in planned:
        if item.key not in done:
            by_clock.setdefault(item.clock["id"], []).append(item)
    for items in by_clock.values():
        # One transaction per clock: a crash loses at most this clock's messages, which the next run sends.
        async with transaction():
            for item in items:
                if not await _queue(item, [item.clock["child_name"]]):
                    report.already_queued += 1
                elif item.escalation:
                    report.escalations += 1
                    await _record_breach(item.clock, item.recipient.label)
                else:
                    report.reminders += 1
    return report


async def _record_breach(clock: Mapping[str, Any], escalated_to: str) -> None:
    await audit.record(
        actor=None,
        action="breach",
        entity="statutory_clock",
        entity_id=f"{clock['case_id']}:{clock['rule']}",
        summary=messages.breach_note(clock, escalated_to),
        after={"rule": clock["rule"], "due": clock["due"].isoformat(), "version": clock["version"]},
        disagreement_id=clock["case_id"],
    )


async def sweep_digests(
    today: dt.date, *, organisations: Collection[int] | None = None, base_url: str | None = None
) -> SweepReport:
    """One summary a working day for each LA coordinator and ICB officer whose cases need attention."""
    base_url = base_url or settings.base_url
    where: Condition = Account.active == True  # noqa: E712 - Piccolo builds SQL from ==
    where &= Account.role.is_in(sorted(DIGEST_ROLES)) & Account.organisation.is_not_null()
    if organisations is not None:
        where &= Account.organisation.is_in(sorted(organisations) or [-1])
    org_ids = {a["organisation"] for a in await Account.select(Account.organisation).where(where)}
    directory = await Directory.load(org_ids)
    horizons = {org: digest_horizon(today, directory.calendar(org)) for org in org_ids}
    clocks = await running_clocks(due_until=max(horizons.values(), default=today), bodies_only=True)
    planned: list[tuple[str, dict[str, Any], list[str], str, str]] = []
    for org in sorted(org_ids):
        if not directory.calendar(org).is_working_day(today):
            continue
        for role, column in DIGEST_ROLES.items():
            staff = directory.staff(org, role)
            ours = [c for c in clocks if c[column] == org] if staff else []
            overdue = [c for c in ours if c["due"] < today]
            upcoming = [c for c in ours if today <= c["due"] <= horizons[org]]
            if not (overdue or upcoming):
                continue
            names = sorted({c["child_name"] for c in overdue + upcoming})
            for account in staff:
                subject, body = messages.digest(
                    account,
                    directory.name_of(org),
                    today=today,
                    horizon=horizons[org],
                    overdue=overdue,
                    upcoming=upcoming,
                    base_url=base_url,
                )
                planned.append((f"digest:{account['id']}:{today.isoformat()}", account, names, subject, body))
    done = await already_queued(p[0] for p in planned)
    report = SweepReport(already_queued=len(done))
    for key, account, names, subject, body in planned:
        if key in done:
            continue
        recipient = Recipient(key, account["full_name"], account["email"])
        item = Outgoing(key, {}, recipient, subject, body)
        if await _queue(item, names):
            report.digests += 1
        else:
            report.already_queued += 1
    return report


async def run_sweeps(
    now: dt.datetime | None = None,
    *,
    local_authorities: Collection[int] | None = None,
    base_url: str | None = None,
) -> SweepReport:
    """Everything that should have gone out by `now`: the scheduled job, the start-up catch-up and the CLI."""
    from mediation.attendees.service import remind_guests
    from mediation.polls.replies import remind_unanswered

    moment = now or timekeeping.now()
    today = sweep_day(moment)
    report = await sweep_clocks(today, local_authorities=local_authorities, base_url=base_url)
    # Officers named on a meeting without an account: a reminder before it (counted with the reminders).
    report.reminders += await remind_guests(today, now=moment, local_authorities=local_authorities)
    # Invitees who have not said which times suit them for a meeting, before the poll's reply-by date.
    report.reminders += await remind_unanswered(today, local_authorities=local_authorities)
    # Scoped to some LAs (one council's run, or a test), the digests go to those LAs' coordinators only.
    return report + await sweep_digests(today, organisations=local_authorities, base_url=base_url)
