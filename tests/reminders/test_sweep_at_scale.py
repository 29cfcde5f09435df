"""The sweep at national scale: a child's name never aborts it, one bad message never stops the others,
its queries follow the clocks due (never the clocks stored), and the scheduled run leaves the web
process's event loop free."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from unittest import mock

import pytest

from mediation import timekeeping
from mediation.organisations.tables import OrganisationContact
from mediation.reminders import service
from mediation.reminders.service import sweep_clocks
from mediation.reminders.sweep import scheduled_sweep
from mediation.rules.calendar import WorkingCalendar
from tests.query_count import counted_queries
from tests.reminders.conftest import outbox, remove_outbox
from tests.reminders.helpers import add_clock, add_closure, cases_owed_reminders, make_case, make_place

pytestmark = pytest.mark.anyio

D = dt.date
TODAY = D(2027, 3, 24)  # Wed: 2 working days before Tue 30 Mar 2027 (Easter in between)
MORNING = dt.datetime(2027, 3, 24, 9, 30, tzinfo=dt.UTC)


async def test_a_child_whose_name_shares_a_word_with_the_plain_subject_is_still_reminded(place):
    # "Reminder" is in the plain subject ("Deadline reminder: disagreement SM-..."), "Missed" in the
    # escalation's: before the fix the sweep raised ValueError and queued nothing for anybody.
    reminded, _ = await make_case(place, child_name="Reminder Child")
    await add_clock(reminded, "mediation_held_by_la", due=D(2027, 3, 30), started_on=D(2027, 3, 1))
    escalated, _ = await make_case(place, child_name="Missed Deadline")
    await add_clock(escalated, "order_amend_plan", due=D(2027, 3, 18), started_on=D(2027, 2, 11))
    report = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert (report.reminders, report.escalations, report.refused) == (3, 1, 0)
    for message in await outbox(place):
        for word in ("reminder", "child", "missed", "deadline"):
            assert word not in message["subject"].casefold().split(), message["subject"]
        assert message["subject"].startswith("Disagreement SM-")


async def test_one_message_that_cannot_be_written_never_stops_the_rest_of_the_sweep(place):
    await cases_owed_reminders(place, 3)
    # A malformed address on the SEND team contact: each reminder to it is refused, and logged.
    await OrganisationContact.update({OrganisationContact.email: "send team at the council"}).where(
        (OrganisationContact.organisation == place.la) & (OrganisationContact.purpose == "send_team")
    )
    await OrganisationContact.update({OrganisationContact.address: ""}).where(
        (OrganisationContact.organisation == place.la) & (OrganisationContact.purpose == "send_team")
    )
    report = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert report.refused == 3  # one per reminder clock
    assert (report.reminders, report.escalations) == (6, 2)  # both coordinators each time; the breaches
    assert len(await outbox(place)) == 8


async def test_the_sweeps_queries_follow_the_clocks_due_not_the_clocks_stored(place, monkeypatch):
    monkeypatch.setattr(service, "BATCH", 4)
    await cases_owed_reminders(place, 3)  # 3 reminder clocks (3 messages each), 2 overdue (1 each)
    with counted_queries() as few_stored:
        first = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert (first.reminders, first.escalations) == (9, 2)
    await remove_outbox(place)  # so the second sweep queues it all again
    # Now 60 more clocks stored, all met or cancelled, some due in the window: the same queries.
    for i in range(30):
        case_id, _ = await make_case(place)
        for status in ("met", "cancelled"):
            await add_clock(
                case_id,
                "mediation_held_by_la",
                due=D(2027, 3, 20 + i % 10),
                started_on=D(2027, 3, 1),
                status=status,
            )
    with counted_queries() as many_stored:
        again = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert (again.reminders, again.escalations) == (9, 2)
    assert len(many_stored) == len(few_stored)
    # Per batch of 4 clocks: the batch, 4 for the directory, 1 for the outbox's keys, 1 insert of the
    # messages, 1 of the breach notes, and the transaction's own statements; one more for the empty page.
    # Per message or per clock it would be at least 11 inserts.
    assert len(few_stored) <= 2 * 12 + 1, few_stored


async def test_the_scheduled_sweep_runs_off_the_event_loop_while_requests_are_served(place, client):
    await cases_owed_reminders(place, 20)
    served: list[float] = []
    with timekeeping.use_clock(MORNING):
        sweep = asyncio.create_task(scheduled_sweep(local_authorities=[place.la]))
        while not sweep.done():
            started = time.perf_counter()
            response = await client.get("/health")
            assert response.status_code == 200
            served.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)
        report = await sweep
    assert (report.reminders, report.escalations) == (60, 10)
    assert len(await outbox(place)) == 72  # and the two coordinators' digests
    # Requests kept being answered throughout (a sweep on the loop would have held them all at once).
    assert len(served) >= 5
    assert max(served) < 0.5, served


async def test_an_idle_sweep_writes_no_message_and_reads_no_clock_for_the_summaries(place, monkeypatch):
    # The outbox already holds everything: a second run must ask it by key and stop there, never
    # writing the words of a message it will not queue, nor loading the clocks the summaries list.
    await cases_owed_reminders(place, 3)
    with timekeeping.use_clock(MORNING):
        first = await service.run_sweeps(local_authorities=[place.la])
    assert (first.reminders, first.escalations, first.digests) == (9, 2, 2)
    written: list[str] = []
    for name in ("reminder", "escalation", "digest"):
        real = getattr(service.messages, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            written.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(service.messages, name, spy)
    summaries_read: list[dict] = []
    real_running = service.running_clocks

    async def running(**kwargs):
        summaries_read.append(kwargs)
        return await real_running(**kwargs)

    monkeypatch.setattr(service, "running_clocks", running)
    with timekeeping.use_clock(MORNING):
        again = await service.run_sweeps(local_authorities=[place.la])
    assert (again.reminders, again.escalations, again.digests) == (0, 0, 0)
    assert again.already_queued == 9 + 2 + 2
    assert written == []
    assert summaries_read == []


async def _idle_sweep(place, cases: int) -> tuple[list[str], int]:
    """Sweep `cases` cases owed messages once, then again: the second (idle) sweep's statements and the
    working-day counts its planning made."""
    await cases_owed_reminders(place, cases)
    first = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert first.reminders == 3 * cases  # (and what an earlier call on this place queued: already_queued)
    counts = 0
    real_count = WorkingCalendar._count

    def counting(self, *args, **kwargs):
        nonlocal counts
        counts += 1
        return real_count(self, *args, **kwargs)

    with mock.patch.object(WorkingCalendar, "_count", counting), counted_queries() as statements:
        again = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert (again.reminders, again.escalations) == (0, 0)
    assert again.already_queued == first.reminders + first.escalations + first.already_queued
    return statements, counts


async def test_an_idle_sweep_reads_only_what_the_keys_need_never_the_case_or_the_family(place, monkeypatch):
    # Every message is queued: the sweep asks the outbox by key and stops there, never reading the
    # rows only a message needs (the child's name, the family's contact details, the family's account).
    monkeypatch.setattr(service, "BATCH", 4)
    statements, _ = await _idle_sweep(place, 6)
    assert statements, "the sweep read nothing at all"
    clocks_read = [sql for sql in statements if "statutory_clock" in sql]
    assert clocks_read, statements
    for sql in clocks_read:
        for column in ("child_name", "contact_email", "postal_address", "family_name", "large_print"):
            assert column not in sql, sql
    # No transaction either: nothing is written.
    assert not any(sql.lstrip().upper().startswith(("INSERT", "BEGIN")) for sql in statements), statements


async def test_an_idle_sweeps_date_arithmetic_follows_the_due_dates_not_the_clocks(place):
    # 4 cases (6 clocks on 2 due dates) and then 16 more (30 clocks, the same 2 due dates): the second
    # idle sweep counts working days exactly as often as the first, once per (calendar, due date).
    _, few = await _idle_sweep(place, 4)
    _, many = await _idle_sweep(place, 16)
    assert 0 < many == few, (few, many)


async def test_an_idle_sweep_never_reads_the_clocks_that_are_owed_nothing_yet(place, monkeypatch):
    # Clocks due weeks ahead (no reminder until then) and a family's lapsed time limit (never
    # escalated) are owed nothing today: 40 more of them leave the sweep's statements as they were.
    monkeypatch.setattr(service, "BATCH", 4)
    statements, _ = await _idle_sweep(place, 3)
    for i in range(20):
        case_id, _ = await make_case(place)
        await add_clock(
            case_id, "mediation_held_by_la", due=TODAY + dt.timedelta(days=10 + i), started_on=D(2027, 3, 1)
        )
        await add_clock(
            case_id, "family_reply", due=D(2027, 3, 1 + i), started_on=D(2027, 2, 1), actor="family"
        )
    with counted_queries() as again:
        report = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert (report.reminders, report.escalations, report.already_queued) == (0, 0, 9 + 2)
    assert len(again) == len(statements), again


async def test_a_councils_closures_bring_later_due_dates_into_the_sweep(place):
    # Wed 24 Mar 2027: nationally six working days lie between today and Tue 6 Apr (Easter in between),
    # so a clock due then is owed nothing yet. The council is also closed 25 Mar and 31 Mar-1 Apr: by its
    # calendar only three do, so the clock is owed its 5-day reminder today, and the sweep must read it.
    for day in (D(2027, 3, 25), D(2027, 3, 31), D(2027, 4, 1)):
        await add_closure(place.la, day)
    case_id, _ = await make_case(place)
    await add_clock(case_id, "mediation_held_by_la", due=D(2027, 4, 6), started_on=D(2027, 3, 1))
    report = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert report.reminders == 3
    keys = {m["dedupe_key"].split(":")[3] for m in await outbox(place)}
    assert keys == {"5wd"}


async def test_summaries_owed_to_staff_with_nothing_to_list_read_no_other_councils_clocks(place, monkeypatch):
    # A second council whose coordinators have nothing to list: their summary is never queued, so every
    # sweep that day asks again. It must read that council's clocks (none), not every council's.
    quiet = await make_place()
    try:
        await cases_owed_reminders(place, 3)
        with timekeeping.use_clock(MORNING):
            first = await service.run_sweeps(local_authorities=[place.la, quiet.la])
        assert first.digests == 2  # the busy council's two coordinators only
        read: list[dict] = []
        real_running = service.running_clocks

        async def running(**kwargs):
            rows = await real_running(**kwargs)
            read.extend(rows)
            return rows

        monkeypatch.setattr(service, "running_clocks", running)
        with timekeeping.use_clock(MORNING):
            again = await service.run_sweeps(local_authorities=[place.la, quiet.la])
        assert (again.reminders, again.escalations, again.digests) == (0, 0, 0)
        assert read == []
    finally:
        await remove_outbox(quiet)


async def test_the_outbox_is_asked_about_thousands_of_keys_in_one_statement(place):
    # A national idle sweep asks about tens of thousands of keys: each chunk is one bound value (an array
    # on PostgreSQL, JSON on SQLite), not an IN list built value by value (which cost more than the lookup).
    await cases_owed_reminders(place, 2)
    await sweep_clocks(TODAY, local_authorities=[place.la])
    held = {m["dedupe_key"] for m in await outbox(place)}
    assert len(held) == 7
    asked = held | {f"reminder:0:v1:due:nobody{i}" for i in range(1_200)}
    with counted_queries() as statements:
        found = await service.already_queued(asked)
    assert found == held
    assert len(statements) == 1, statements
