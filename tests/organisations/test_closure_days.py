import datetime as dt

import pytest

from mediation.organisations.closures import calendar_for
from mediation.organisations.tables import Organisation, OrganisationClosure
from mediation.rules.deadlines import compute_deadline
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


async def _la_id() -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    return row["id"]


async def test_a_closure_day_blocks_meeting_days_but_never_moves_a_time_limit(app):
    la = await _la_id()
    admin = await client_as(app, "admin")
    await admin.get(f"/admin/organisations/{la}")
    token = admin.cookies.get("csrftoken")
    response = await admin.post(
        f"/admin/organisations/{la}/closures",
        data={
            "_csrf_token": token,
            "closure-day": "24",
            "closure-month": "3",
            "closure-year": "2027",
            "reason": "Council closure day",
        },
    )
    assert response.status_code == 303
    page = await admin.get(f"/admin/organisations/{la}")
    assert "Wednesday 24 March 2027" in page.text
    assert "Council closure day" in page.text

    # Declined on Tue 23 Mar 2027: due Tue 30 Mar (statute.md worked example), closure or not: no statute
    # lets a body's own closures extend a time limit (issue 11's law corrections).
    assert compute_deadline("certificate_after_decline", {"start": "2027-03-23"}).due == dt.date(2027, 3, 30)
    # The closure still takes the day out of the LA's calendar for meetings.
    calendar = await calendar_for(la)
    assert not calendar.is_working_day(dt.date(2027, 3, 24))
    assert calendar.non_working_reason(dt.date(2027, 3, 24)) == "Council closure day"

    closure = (
        await OrganisationClosure.select(OrganisationClosure.id)
        .where(OrganisationClosure.organisation == la)
        .first()
    )
    removed = await admin.post(
        f"/admin/organisations/{la}/closures/{closure['id']}/remove", data={"_csrf_token": token}
    )
    assert removed.status_code == 303
    assert (await calendar_for(la)).extra_closures == {}
    await admin.aclose()


@pytest.mark.parametrize(
    ("day", "month", "year", "reason", "message"),
    [
        ("27", "3", "2027", "Closed", "weekend"),
        ("26", "3", "2027", "Closed", "already a bank holiday (Good Friday)"),
        ("31", "2", "2027", "Closed", "must be a real date"),
        ("", "3", "2027", "Closed", "must include a day"),
        ("25", "3", "2027", "", "Enter why the organisation is closed"),
    ],
)
async def test_a_bad_closure_day_is_refused_with_a_specific_message(app, day, month, year, reason, message):
    la = await _la_id()
    admin = await client_as(app, "admin")
    await admin.get(f"/admin/organisations/{la}")
    token = admin.cookies.get("csrftoken")
    response = await admin.post(
        f"/admin/organisations/{la}/closures",
        data={
            "_csrf_token": token,
            "closure-day": day,
            "closure-month": month,
            "closure-year": year,
            "reason": reason,
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text.replace("&#39;", "'")
    assert f'value="{reason}"' in response.text or not reason
    await admin.aclose()
