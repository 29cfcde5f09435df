"""The sweeps: reminders, breach escalations and daily digests, worked out afresh from the database.

Idempotent and safe in any number of processes: every message has a dedupe key, unique in the outbox,
and is queued with ON CONFLICT DO NOTHING, so a second process (or a re-run after a crash) queues
nothing that is already there. A breach's timeline note is written only by the process whose insert
of the escalation succeeded, in the same transaction, so it too appears once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import WhereRaw
from piccolo.query import Select

import mediation.capabilities  # noqa: F401 - the sweep loads cases: their facts, in any process running it
from mediation import timekeeping
from mediation.accounts.tables import Account, Role
from mediation.audit import service as audit
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import transaction
from mediation.db_typing import Condition
from mediation.notify.service import check_subject, email_row, insert_new, letter_row
from mediation.notify.tables import Notification
from mediation.organisations.tables import OrganisationClosure
from mediation.query_building import one_of
from mediation.reminders import messages
from mediation.reminders.recipients import Directory, Recipient
from mediation.reminders.schedule import Timetable, digest_horizon, last_due_reminded
from mediation.rules.calendar import DEFAULT_CALENDAR, WorkingCalendar
from mediation.settings import settings

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
SEND_FROM_HOUR = 7  # nothing goes out overnight: before 7am the sweep acts as of the previous day
LOOKAHEAD = dt.timedelta(days=31)  # covers 5 working days before a due date, closures included
_KEY_CHUNK = 5000  # dedupe keys asked about in one statement (one bound value: `one_of`)
BATCH = 500  # clocks planned and queued together: one transaction, a few queries, bounded memory
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
    _CASE.local_authority.as_alias("local_authority"),  # the ids on the case: no join to organisation
    _CASE.icb.as_alias("icb"),
    _CASE.mediation_service.as_alias("mediation_service"),
    _CASE.contact_by.as_alias("contact_by"),
    _CASE.contact_email.as_alias("contact_email"),
    _CASE.postal_address.as_alias("postal_address"),
    _CASE.family.full_name.as_alias("family_name"),
    _CASE.family.email.as_alias("family_email"),
    _CASE.arranged_by.as_alias("arranged_by"),
    _CASE.large_print.as_alias("large_print"),
)
# What a clock's dedupe keys need, and nothing more: the sweep pages through these, and reads the
# CLOCK_COLUMNS (the case's words, the family's details) only for clocks owed a message not yet queued.
KEY_COLUMNS = (
    _CLOCK.id,
    _CLOCK.actor,
    _CLOCK.due,
    _CLOCK.started_on,
    _CLOCK.version,
    _CASE.local_authority.as_alias("local_authority"),  # its calendar, and who is told
    _CASE.icb.as_alias("icb"),
    _CASE.mediation_service.as_alias("mediation_service"),
)


@dataclasses.dataclass
class SweepReport:
    reminders: int = 0  # newly queued by this run
    escalations: int = 0
    digests: int = 0
    already_queued: int = 0  # found in the outbox: sent by an earlier run or another process
    refused: int = 0  # messages that could not be written (logged): the rest of the sweep goes on

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            *(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True))
        )


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message the sweep may queue. Its words are written only when first read (`render`), so a
    message the outbox already holds (an idle sweep's every message) costs its key and nothing more."""

    key: str
    clock: Mapping[str, Any]
    recipient: Recipient
    render: Callable[[], tuple[str, str]] = dataclasses.field(repr=False, compare=False)
    escalation: bool = False

    @functools.cached_property
    def _message(self) -> tuple[str, str]:
        return self.render()

    @property
    def subject(self) -> str:
        return self._message[0]

    @property
    def body(self) -> str:
        return self._message[1]

    def subjects(self) -> tuple[str, ...]:
        """The subject, then plainer ones for when it would contain a child's name (a child called May,
        due 8 May; a child called Reminder Child): each names fewer words than the one before."""
        reference = self.clock.get("reference")
        if not reference:
            return (self.subject, "Your daily summary of deadlines", "Your daily summary", "Daily summary")
        what = "Deadline missed" if self.escalation else "Deadline reminder"
        return (
            self.subject,
            f"{what}: disagreement {reference}",
            f"Disagreement {reference}",
            str(reference),
        )


def sweep_day(now: dt.datetime) -> dt.date:
    """The day the sweep acts for: today in England, or yesterday before 7am."""
    local = now.astimezone(LONDON)
    return local.date() if local.hour >= SEND_FROM_HOUR else local.date() - dt.timedelta(days=1)


async def running_clocks(
    *,
    due_until: dt.date,
    local_authorities: Collection[int] | None = None,
    bodies_only: bool = False,
    organisations: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Running clocks due by `due_until`, of cases in `local_authorities`, and (`organisations`) of cases
    whose LA or ICB is one of them."""
    where = (_CLOCK.status == ClockStatus.running.value) & (_CLOCK.due <= due_until)
    if local_authorities is not None:
        where &= _CASE.local_authority.is_in(sorted(local_authorities) or [-1])
    if organisations is not None:
        ids = sorted(organisations) or [-1]
        where &= _CASE.local_authority.is_in(ids) | _CASE.icb.is_in(ids)
    if bodies_only:
        where &= _CLOCK.actor != "family"  # a family's own time limit lapsing is not a body's breach
    return await StatutoryClock.select(*CLOCK_COLUMNS).where(where).order_by(_CLOCK.id)


async def already_queued(keys: Iterable[str]) -> set[str]:
    """Which of these dedupe keys the outbox holds. A chunk is one bound value (`one_of`): building an IN
    list of thousands of values costs more in Python than the lookup."""
    keys = sorted(set(keys))
    found: set[str] = set()
    engine = Notification._meta.db.engine_type
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        where = one_of('"notification"."dedupe_key"', chunk, engine)
        rows = await Notification.select(Notification.dedupe_key).where(where)
        found.update(r["dedupe_key"] for r in rows)
    return found


def _reminder_key(clock: Mapping[str, Any], kind: str, recipient_key: str) -> str:
    return f"reminder:{clock['id']}:v{clock['version']}:{kind}:{recipient_key}"


def _breach_key(clock: Mapping[str, Any]) -> str:
    return f"breach:{clock['id']}:v{clock['version']}"


def _plan_clock(
    clock: Mapping[str, Any],
    directory: Directory,
    today: dt.date,
    base_url: str,
    timetable: Timetable | None = None,
) -> list[Outgoing]:
    timetable = timetable or Timetable(today)
    calendar = directory.calendar(clock["local_authority"])
    due = clock["due"]
    reminder = timetable.reminder(due, clock["started_on"], calendar)
    if reminder is not None:
        kind, left = reminder[0].kind, reminder[1]
        return [
            Outgoing(
                _reminder_key(clock, kind, recipient.key),
                clock,
                recipient,
                functools.partial(
                    messages.reminder, clock, recipient, working_days_left=left, base_url=base_url
                ),
            )
            for recipient in directory.for_clock(clock)
        ]
    late = None if clock["actor"] == "family" else timetable.working_days_late(due, calendar)
    if late is None:
        return []
    escalate_to = directory.escalation_for(clock)
    if escalate_to is None:
        return []  # logged when its keys were worked out (_owed_keys)
    render = functools.partial(
        messages.escalation, clock, escalate_to, working_days_late=late, base_url=base_url
    )
    return [Outgoing(_breach_key(clock), clock, escalate_to, render, escalation=True)]


def _owed_keys(
    clock: Mapping[str, Any],
    directory: Directory,
    timetable: Timetable,
    recipients: dict[tuple[Any, ...], list[str]],
) -> list[str]:
    """The dedupe keys of the messages `_plan_clock` would give, from a KEY_COLUMNS row: no case words,
    no family details, no message written. `recipients` keeps each (actor, organisations)'s keys."""
    calendar = directory.calendar(clock["local_authority"])
    due = clock["due"]
    reminder = timetable.reminder(due, clock["started_on"], calendar)
    if reminder is not None:
        who = (clock["actor"], clock["local_authority"], clock["icb"], clock["mediation_service"])
        if who not in recipients:
            recipients[who] = directory.recipient_keys(clock)
        return [_reminder_key(clock, reminder[0].kind, key) for key in recipients[who]]
    if clock["actor"] == "family" or timetable.working_days_late(due, calendar) is None:
        return []
    if directory.escalation_for(clock) is None:
        log.warning("clock %s is overdue but nobody is recorded to escalate to", clock["id"])
        return []
    return [_breach_key(clock)]


def sendable_subject(item: Outgoing, forbidden: list[str]) -> str | None:
    """The first of the message's subjects that names no child (None: every one would)."""
    return next((s for s in item.subjects() if _names_nobody(s, forbidden)), None)


def _row(item: Outgoing, forbidden: list[str]) -> Notification:
    """The outbox row for one message, with the first subject that names no child; ValueError if none
    does or the message cannot be sent (a malformed address)."""
    subject = sendable_subject(item, forbidden)
    if subject is None:
        raise ValueError("every subject line would contain a child's name")
    recipient, case = item.recipient, item.clock
    common: dict[str, Any] = {
        "name": recipient.name,
        "subject": subject,
        "body_text": item.body,
        "dedupe_key": item.key,
        "disagreement_id": case.get("case_id"),
        "forbidden_names": forbidden,
    }
    if recipient.email.strip():
        return email_row(to=recipient.email, **common)
    # A letter joins the print queue of the body handling the case (see notify.service.handling_body).
    health_only = case.get("arranged_by") == "health_commissioner" and case.get("icb")
    return letter_row(
        address=recipient.address,
        organisation_id=case.get("icb") if health_only else case.get("local_authority"),
        large_print=bool(case.get("large_print")),
        **common,
    )


def _names_nobody(subject: str, forbidden: list[str]) -> bool:
    try:
        check_subject(subject, forbidden)
    except ValueError:
        return False
    return True


def _rows(items: Iterable[Outgoing], forbidden: Callable[[Outgoing], list[str]]) -> list[Notification]:
    """Rows for every message that can be written; one that cannot is logged and counted, never fatal."""
    rows = []
    for item in items:
        try:
            rows.append(_row(item, forbidden(item)))
        except ValueError as exc:
            log.error("not queued %s: %s", item.key, exc)
        except Exception:  # its words are written here (Outgoing.render): bad data stops this one only
            log.exception("not queued %s: its message could not be written", item.key)
    return rows


async def reminded_until(today: dt.date) -> dt.date:
    """The latest due date any clock can be owed a reminder for today (at most LOOKAHEAD ahead): about a
    week on the national calendar, later where an organisation's closures between today and then leave
    fewer working days. A clock due after it is owed nothing yet, so the sweep never reads it."""
    horizon = today + LOOKAHEAD
    closed: dict[int, dict[dt.date, str]] = {}
    for row in await OrganisationClosure.select(
        OrganisationClosure.organisation, OrganisationClosure.day, OrganisationClosure.reason
    ).where((OrganisationClosure.day > today) & (OrganisationClosure.day < horizon)):
        closed.setdefault(row["organisation"], {})[row["day"]] = row["reason"]
    calendars = [DEFAULT_CALENDAR, *(WorkingCalendar(days) for days in closed.values())]
    return max(last_due_reminded(today, calendar, horizon) or today for calendar in calendars)


# A body's running clocks, written into the SQL rather than bound: PostgreSQL uses the partial index
# statutory_clock_body_due only for a predicate it can prove from the query's text, and a bound parameter
# is not part of the text in a generic plan.
_BODY_RUNNING = WhereRaw(
    """"statutory_clock"."status" = 'running' AND "statutory_clock"."actor" <> 'family'"""
)


def due_clocks_query(
    *,
    due_until: dt.date,
    local_authorities: Collection[int] | None = None,
    after: tuple[dt.date, int] | None = None,
    size: int = BATCH,
    owed_by: str | None = None,
    family_from: dt.date | None = None,
) -> Select:
    """One page of running clocks due by `due_until` (their KEY_COLUMNS), in (due, id) order, after the
    (due, id) `after`. `owed_by="body"`: a body's clocks only, overdue ones too, from the partial index
    statutory_clock_body_due; `owed_by="family"`: the family's own, due from `family_from` (today: a
    family's lapsed time limit is owed no reminder and no escalation); None: every running clock.

    Either way the cost follows the clocks that can be owed something, never the met and cancelled ones
    stored beside them, nor the families' lapsed ones.
    """
    if owed_by == "body":
        where = _BODY_RUNNING & (_CLOCK.due <= due_until)
    else:
        where = (_CLOCK.status == ClockStatus.running.value) & (_CLOCK.due <= due_until)
    if owed_by == "family":
        where &= _CLOCK.actor == "family"
        if family_from is not None:
            where &= _CLOCK.due >= family_from
    if local_authorities is not None:
        where &= _CASE.local_authority.is_in(sorted(local_authorities) or [-1])
    if after is not None:
        where &= (_CLOCK.due >= after[0]) & ((_CLOCK.due > after[0]) | (_CLOCK.id > after[1]))
    return StatutoryClock.select(*KEY_COLUMNS).where(where).order_by(_CLOCK.due, _CLOCK.id).limit(size)


async def clock_rows(ids: Collection[int]) -> list[dict[str, Any]]:
    """The full rows (CLOCK_COLUMNS) of these clocks that are still running, in (due, id) order."""
    if not ids:
        return []
    ids_sent = one_of('"statutory_clock"."id"', sorted(ids), StatutoryClock._meta.db.engine_type)
    where = (_CLOCK.status == ClockStatus.running.value) & ids_sent
    return await StatutoryClock.select(*CLOCK_COLUMNS).where(where).order_by(_CLOCK.due, _CLOCK.id)


async def due_clocks(
    *,
    due_until: dt.date,
    local_authorities: Collection[int] | None = None,
    overdue_from: dt.date,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every running clock due by `due_until` that can be owed something, a batch at a time (keyset
    paging): memory holds one batch. A body's clocks, then the family's own due from `overdue_from`
    (today), each in (due, id) order; the family's lapsed clocks are never read."""
    for owed_by, family_from in (("body", None), ("family", overdue_from)):
        after: tuple[dt.date, int] | None = None
        while True:
            rows = await due_clocks_query(
                due_until=due_until,
                local_authorities=local_authorities,
                after=after,
                size=BATCH,
                owed_by=owed_by,
                family_from=family_from,
            )
            if rows:
                yield rows
            if len(rows) < BATCH:
                break
            after = (rows[-1]["due"], rows[-1]["id"])


def _owed_batch(
    clocks: list[dict[str, Any]],
    directory: Directory,
    timetable: Timetable,
    recipients: dict[tuple[Any, ...], list[str]],
) -> dict[int, list[str]]:
    """Each clock owed a message today, with the dedupe keys of what it is owed."""
    owed = {}
    for clock in clocks:
        try:
            if keys := _owed_keys(clock, directory, timetable, recipients):
                owed[clock["id"]] = keys
        except Exception:  # one clock's bad data must not stop everyone else's reminders
            log.exception("could not plan the messages for clock %s", clock["id"])
    return owed


def _plan_batch(
    clocks: list[dict[str, Any]],
    directory: Directory,
    today: dt.date,
    base_url: str,
    timetable: Timetable | None = None,
) -> list[Outgoing]:
    timetable = timetable or Timetable(today)
    planned = []
    for clock in clocks:
        try:
            planned += _plan_clock(clock, directory, today, base_url, timetable)
        except Exception:  # one clock's bad data must not stop everyone else's reminders
            log.exception("could not plan the messages for clock %s on %s", clock["id"], clock["reference"])
    return planned


async def sweep_clocks(
    today: dt.date, *, local_authorities: Collection[int] | None = None, base_url: str | None = None
) -> SweepReport:
    """Queue every reminder and escalation that should have gone out by `today` and has not.

    A batch of the clocks that can be owed something today (`reminded_until`) at a time, in two
    steps. First only what the dedupe keys need (KEY_COLUMNS, the
    organisations not met in an earlier batch): which message each clock is owed today, and which of
    those the outbox already holds. Then, for the clocks owed one it does not hold (none in an idle
    sweep), their full rows (the case, the family), their messages, and one transaction that
    bulk-inserts them (ON CONFLICT DO NOTHING on the dedupe key) with the timeline notes of the breaches
    it was first to queue. A crash loses at most one batch's uncommitted messages, which the next run
    sends.
    """
    base_url = base_url or settings.base_url
    report = SweepReport()
    directory = Directory([], [], [], [])
    timetable = Timetable(today)
    recipients: dict[tuple[Any, ...], list[str]] = {}
    # Only clocks that can be owed something today: due by the last date a reminder is due for, and
    # (overdue) a body's. Cost follows what is due, not the weeks of running clocks behind it.
    pages = due_clocks(
        due_until=await reminded_until(today), local_authorities=local_authorities, overdue_from=today
    )
    async for clocks in pages:
        await directory.include(
            org for c in clocks for org in (c["local_authority"], c["icb"], c["mediation_service"])
        )
        owed = _owed_batch(clocks, directory, timetable, recipients)
        done = await already_queued(key for keys in owed.values() for key in keys)
        report.already_queued += len(done)
        missing = [clock_id for clock_id, keys in owed.items() if not done.issuperset(keys)]
        if not missing:
            continue
        # Planned afresh from the full rows: a clock changed since its keys were read (met, moved on a
        # version) plans what it is owed now, and the outbox's unique key still decides what is new.
        planned = _plan_batch(await clock_rows(missing), directory, today, base_url, timetable)
        fresh = [item for item in planned if item.key not in done]
        rows = _rows(fresh, lambda item: [item.clock["child_name"]])
        report.refused += len(fresh) - len(rows)
        async with transaction():
            inserted = await insert_new(rows)
            breaches = [item for item in fresh if item.escalation and item.key in inserted]
            await _record_breaches(breaches)
        report.already_queued += len(rows) - len(inserted)
        report.escalations += len(breaches)
        report.reminders += sum(1 for item in fresh if not item.escalation and item.key in inserted)
    return report


async def _record_breaches(items: list[Outgoing]) -> None:
    """The timeline note of each breach, in one insert (inside the batch's transaction)."""
    if not items:
        return
    await audit.record_many(
        [
            audit.system_event(
                action="breach",
                entity="statutory_clock",
                entity_id=f"{item.clock['case_id']}:{item.clock['rule']}",
                summary=messages.breach_note(item.clock, item.recipient.label),
                after={
                    "rule": item.clock["rule"],
                    "due": item.clock["due"].isoformat(),
                    "version": item.clock["version"],
                },
                disagreement_id=item.clock["case_id"],
            )
            for item in items
        ]
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
    # Who is owed a summary today, and which of those the outbox already holds: asked by key before
    # any clock is read or any summary written, so an idle run (every summary queued) reads no clocks.
    owed = [
        (org, role, column, account, f"digest:{account['id']}:{today.isoformat()}")
        for org in sorted(org_ids)
        if directory.calendar(org).is_working_day(today)
        for role, column in DIGEST_ROLES.items()
        for account in directory.staff(org, role)
    ]
    done = await already_queued(key for *_, key in owed)
    report = SweepReport(already_queued=len(done))
    owed = [entry for entry in owed if entry[-1] not in done]
    if not owed:
        return report
    horizons = {org: digest_horizon(today, directory.calendar(org)) for org, *_ in owed}
    # Only the cases of the organisations still owed one: in a sweep after the day's summaries went out,
    # those with nothing to list (so never queued), whose cases have no clock to read.
    clocks = await running_clocks(
        due_until=max(horizons.values()), bodies_only=True, organisations=horizons.keys()
    )
    names_for: dict[str, list[str]] = {}
    fresh = []
    theirs: dict[tuple[int, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for org, role, column, account, key in owed:
        if (org, role) not in theirs:
            ours = [c for c in clocks if c[column] == org]
            theirs[org, role] = (
                [c for c in ours if c["due"] < today],
                [c for c in ours if today <= c["due"] <= horizons[org]],
            )
        overdue, upcoming = theirs[org, role]
        if not (overdue or upcoming):
            continue
        names_for[key] = sorted({c["child_name"] for c in overdue + upcoming})
        render = functools.partial(
            messages.digest,
            account,
            directory.name_of(org),
            today=today,
            horizon=horizons[org],
            overdue=overdue,
            upcoming=upcoming,
            base_url=base_url,
        )
        fresh.append(Outgoing(key, {}, Recipient(key, account["full_name"], account["email"]), render))
    rows = _rows(fresh, lambda item: names_for[item.key])
    inserted = await insert_new(rows)
    report.refused += len(fresh) - len(rows)
    report.digests += len(inserted)
    report.already_queued += len(rows) - len(inserted)
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
