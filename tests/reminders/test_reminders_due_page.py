"""The "Reminders due" page (issue 15 part 5): what the sweep will send about the coordinator's own cases
over the next days, worked out by the sweep's own planning, so it agrees with what the sweep then sends."""

from __future__ import annotations

import pytest

from mediation import timekeeping
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.reminders.service import sweep_clocks
from mediation.reminders.upcoming import reminders_due
from mediation.rules.calendar import DEFAULT_CALENDAR
from tests.cases.helpers import lodge, own_la
from tests.cases.test_work_queue import client_for
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


async def _due_in(reference: str, working_days: int, rule: str = "mediation_held_by_la") -> None:
    """Move the case's running clock so that its deadline is `working_days` working days away."""
    case = await Disagreement.select(Disagreement.id).where(Disagreement.reference == reference).first()
    due = DEFAULT_CALENDAR.add_working_days(timekeeping.today(), working_days).date
    await StatutoryClock.update({StatutoryClock.due: due}).where(
        (StatutoryClock.disagreement == case["id"]) & (StatutoryClock.rule == rule)
    )


async def test_the_page_lists_what_the_sweep_will_send_for_the_coordinators_own_cases(app):
    la, other = await own_la(), await own_la()
    soon, later = await lodge(la, "Robin Ashdown", due=None), await lodge(la, "Later Child", due=None)
    theirs = await lodge(other, "Other Child", due=None)
    await _due_in(soon, 2)  # the 2-working-day reminder goes today
    await _due_in(later, 5)  # 5 working days: today at the earliest
    await _due_in(theirs, 2)
    today = timekeeping.today()

    planned = await reminders_due(la.coordinator, today=today, days=7)
    assert {p.reference for p in planned} >= {soon, later}
    assert theirs not in {p.reference for p in planned}
    to_coordinator = [p for p in planned if p.reference == soon and p.recipient == la.coordinator.full_name]
    assert [p.kind for p in to_coordinator][:2] == ["Reminder: 2 working days left", "Reminder: due today"]
    assert to_coordinator[0].on == today
    assert all("Robin Ashdown" not in p.subject for p in planned)  # never the child's name in a subject

    coordinator = await client_for(app, la.coordinator.email)
    page = await coordinator.get("/reminders?days=7")
    assert page.status_code == 200
    assert soon in page.text and later in page.text and theirs not in page.text
    today_count = sum(1 for p in planned if p.on == today)
    report = await sweep_clocks(today, local_authorities=[la.la_id])
    assert report.reminders + report.escalations == today_count  # the sweep sends exactly what was listed
    after = await reminders_due(la.coordinator, today=today, days=7)
    assert [p for p in after if p.on == today] == []  # sent now: in the outbox, no longer to come
    assert len(after) == len(planned) - today_count

    bad = await coordinator.get("/reminders?days=0")
    assert bad.status_code == 400 and 'href="#days"' in bad.text
    for role in ("family", "mediator", "admin"):
        client = await client_as(app, role)
        assert (await client.get("/reminders")).status_code == 403
        await client.aclose()
    await coordinator.aclose()
