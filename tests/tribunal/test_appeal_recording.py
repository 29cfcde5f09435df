"""Recording an appeal: checked against the appeal clock and the certificate; flagged, never refused."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.advice.service import record_decline
from mediation.certificates.service import issue_certificate
from mediation.errors import Conflict
from mediation.tribunal.checks import TribunalInputError
from mediation.tribunal.commands import record_appeal
from mediation.tribunal.schemas import AppealInput
from mediation.tribunal.service import tribunal_view
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from tests.confirmations import confirmation_after
from tests.conftest import client_as
from tests.tribunal.helpers import case_row, clocks, fresh, make_case, person

pytestmark = pytest.mark.anyio
D = dt.date
# Notice sent Tue 10 Mar 2026: two months is Sun 10 May 2026, so HESC r.12(2) gives Mon 11 May 2026.
NOTICE = D(2026, 3, 10)
LAST_DAY = D(2026, 5, 11)


async def _appeal(case_id: int) -> dict:
    return (
        await TribunalAppeal.select()
        .where(TribunalAppeal.disagreement == case_id)
        .output(load_json=True)
        .first()
    )


async def test_an_appeal_in_time_with_a_certificate_is_recorded_unflagged_and_meets_the_family_clock(app):
    case = await make_case("In time", notice=NOTICE)
    after = await record_appeal(
        case,
        AppealInput(
            lodged_on=LAST_DAY,
            matters=["B", "F"],
            certificate_issued_on=D(2026, 4, 1),
            tribunal_reference="EH123/26/00045",
        ),
        actor=await person("family"),
    )
    appeal = await _appeal(case.id)
    assert appeal["flags"] == []
    assert (appeal["appeal_due"], appeal["late"], appeal["certificate_missing"]) == (LAST_DAY, False, False)
    assert after.state == "appealed" and after.appeal is not None and after.appeal.lodged_on == LAST_DAY
    assert (await case_row(case.id))["state"] == "appealed"
    clock = (await clocks(case.id))["appeal"]
    assert (clock["status"], clock["stopped_on"], clock["due"]) == ("met", LAST_DAY, LAST_DAY)
    matters = await AppealMatter.select(AppealMatter.matter).where(AppealMatter.appeal == appeal["id"])
    assert sorted(m["matter"] for m in matters) == ["B", "F"]


async def test_a_late_appeal_is_flagged_with_the_reason_and_still_recorded(app):
    case = await make_case("Late", notice=NOTICE)
    after = await record_appeal(
        case,
        AppealInput(lodged_on=D(2026, 5, 12), matters=["F"], certificate_issued_on=D(2026, 3, 20)),
        actor=await person("la_coordinator"),
    )
    appeal = await _appeal(case.id)
    assert appeal["late"] is True and appeal["certificate_missing"] is False
    flags = appeal["flags"]
    assert len(flags) == 1
    assert "Tuesday 12 May 2026, after the last day to appeal (Monday 11 May 2026)" in flags[0]
    assert "extend the time limit" in flags[0]
    assert after.state == "appealed"
    # Late is flagged, not refused: the family's clock is stopped after its due date.
    assert after.latest_clock("appeal").status_on(D(2026, 12, 1)) == "late"
    assert (await clocks(case.id))["appeal"]["status"] == "met"


async def test_an_appeal_without_a_required_certificate_is_flagged_and_still_recorded(app):
    case = await make_case("No certificate", notice=NOTICE)
    after = await record_appeal(
        case, AppealInput(lodged_on=D(2026, 4, 20), matters=["B"]), actor=await person("family")
    )
    appeal = await _appeal(case.id)
    assert appeal["certificate_missing"] is True and appeal["late"] is False
    flags = appeal["flags"]
    assert len(flags) == 1 and "Children and Families Act 2014 s.55" in flags[0]
    assert after.state == "appealed"


async def test_an_appeal_that_is_both_late_and_without_a_certificate_carries_both_flags(app):
    case = await make_case("Late and no certificate", notice=NOTICE)
    await record_appeal(
        case, AppealInput(lodged_on=D(2026, 6, 1), matters=["B"]), actor=await person("family")
    )
    appeal = await _appeal(case.id)
    assert len(appeal["flags"]) == 2
    assert appeal["late"] and appeal["certificate_missing"]


async def _certificate_issued(case, issued_on: dt.date, *, by: str = "la_coordinator"):
    """The family declines mediation, then the certificate issued on `issued_on` is recorded today: by the
    LA for an outside adviser, or by the case's mediation service (`by="mediator"`)."""
    declined = await record_decline(case, on=issued_on - dt.timedelta(days=2), actor=await person("family"))
    return await issue_certificate(declined, issued_on, actor=await person(by))


async def test_a_certificate_recorded_on_the_case_counts_as_a_recorded_certificate(app):
    case = await make_case("Certificate in log", notice=NOTICE)
    # Issued Mon 20 Apr 2026: one month later (Wed 20 May) is after the two months from the notice.
    case = await _certificate_issued(case, D(2026, 4, 20))
    await record_appeal(
        case, AppealInput(lodged_on=D(2026, 5, 19), matters=["B"]), actor=await person("family")
    )
    appeal = await _appeal(case.id)
    # Sent after 11 May but within a month of the certificate: in time, and not without a certificate.
    assert appeal["certificate_missing"] is False and appeal["late"] is False
    assert appeal["appeal_due"] == D(2026, 5, 20)


@pytest.mark.parametrize("by", ["la_coordinator", "mediator"])
async def test_the_last_day_to_appeal_counts_from_the_certificate_s_issue_date_not_the_day_it_was_recorded(
    app, by
):
    case = await make_case(f"Certificate issued earlier {by}", notice=NOTICE, service=by == "mediator")
    case = await _certificate_issued(case, D(2026, 4, 20), by=by)  # recorded today, issued Mon 20 Apr 2026
    view = await tribunal_view(await fresh(case), await person("family"))
    assert view.appeal is None and view.deadline == D(2026, 5, 20)
    assert view.steps[0].title == "Last day to appeal" and view.steps[0].on == D(2026, 5, 20)
    family = await client_as(app, "family")
    page = (await family.get(f"/cases/{case.reference}/tribunal")).text
    assert "Wednesday 20 May 2026" in page
    await family.aclose()


async def test_a_section_i_only_appeal_needs_no_certificate(app):
    case = await make_case("Section I only", notice=NOTICE, sections=("I",))
    await record_appeal(
        case, AppealInput(lodged_on=D(2026, 4, 1), matters=["I"]), actor=await person("family")
    )
    assert (await _appeal(case.id))["flags"] == []


async def test_a_disability_discrimination_claim_meets_its_own_six_month_clock(app):
    case = await make_case("Discrimination", decision="disability_discrimination", notice=D(2026, 2, 1))
    await record_appeal(
        case,
        AppealInput(lodged_on=D(2026, 7, 1), matters=["disability_discrimination"]),
        actor=await person("family"),
    )
    assert (await _appeal(case.id))["flags"] == []
    claim = (await clocks(case.id))["discrimination_claim"]
    assert (claim["status"], claim["due"]) == ("met", D(2026, 7, 31))


async def test_the_lifecycle_refusal_is_shown_and_nothing_is_recorded(app):
    case = await make_case("Health only", notice=NOTICE, sections=("C", "G"))
    with pytest.raises(Conflict) as refused:
        await record_appeal(
            case, AppealInput(lodged_on=D(2026, 4, 1), matters=["B"]), actor=await person("family")
        )
    assert "no appeal to the tribunal lies on these matters" in refused.value.errors["event"]
    assert await _appeal(case.id) is None
    assert (await case_row(case.id))["state"] == "lodged"


async def test_a_second_appeal_on_the_same_case_is_refused(app):
    case = await make_case("Twice", notice=NOTICE)
    family = await person("family")
    after = await record_appeal(case, AppealInput(lodged_on=D(2026, 4, 1), matters=["B"]), actor=family)
    with pytest.raises(Conflict) as refused:
        await record_appeal(after, AppealInput(lodged_on=D(2026, 4, 2), matters=["B"]), actor=family)
    assert "an appeal can be recorded only once" in refused.value.errors["event"]
    # A stale copy of the case (drawn before the first appeal) is refused the same way.
    with pytest.raises(Conflict):
        await record_appeal(case, AppealInput(lodged_on=D(2026, 4, 2), matters=["B"]), actor=family)
    assert await TribunalAppeal.count().where(TribunalAppeal.disagreement == case.id) == 1


async def test_recommendations_cannot_be_asked_for_on_a_refusal_to_assess(app):
    case = await make_case("Refused assessment", decision="refuse_assessment", notice=NOTICE)
    with pytest.raises(TribunalInputError) as refused:
        await record_appeal(
            case,
            AppealInput(
                lodged_on=D(2026, 4, 1), matters=["refuse_assessment"], recommendations_requested=["C"]
            ),
            actor=await person("family"),
        )
    assert (
        "cannot make health or social care recommendations"
        in refused.value.errors["recommendations_requested"]
    )


async def test_the_family_records_an_appeal_on_the_page_and_sees_the_flag_and_the_dates(app):
    case = await make_case("Page appeal", notice=NOTICE)
    family = await client_as(app, "family")
    url = f"/cases/{case.reference}/tribunal/appeal"
    form = (await family.get(url)).text
    assert 'value="B" checked' in form
    token = family.cookies.get("csrftoken")
    bad = await family.post(
        url,
        data={"lodged_on-day": "31", "lodged_on-month": "2", "lodged_on-year": "2026", "matters": ["B"],
              "tribunal_reference": "EH/1", "_csrf_token": token},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "There is a problem" in bad.text and 'href="#lodged_on-day"' in bad.text
    assert 'value="EH/1"' in bad.text and 'value="31"' in bad.text
    good = await family.post(
        url,
        data={"lodged_on-day": "12", "lodged_on-month": "5", "lodged_on-year": "2026", "matters": ["B"],
              "_csrf_token": token},
    )  # fmt: skip
    assert good.status_code == 303
    assert await confirmation_after(family, good) == "Appeal to the tribunal recorded"
    tracker = (await family.get(f"/cases/{case.reference}/tribunal")).text
    assert "Monday 11 May 2026" in tracker and "Tuesday 12 May 2026" in tracker
    assert "extend the time limit" in tracker and "s.55" in tracker
    la = await client_as(app, "la_coordinator")
    assert "Monday 11 May 2026" in (await la.get(f"/api/v1/cases/{case.reference}/tribunal")).text
    case_page = (await family.get(f"/cases/{case.reference}")).text
    assert f'href="/cases/{case.reference}/tribunal"' in case_page
    for c in (family, la):
        await c.aclose()


async def test_an_appeal_dated_before_the_case_was_received_or_in_the_future_is_refused_on_the_page(app):
    case = await make_case("Page appeal dates", notice=NOTICE)
    family = await client_as(app, "family")
    url = f"/cases/{case.reference}/tribunal/appeal"
    await family.get(url)
    token = family.cookies.get("csrftoken")
    for day, month, year, says in (
        ("9", "3", "2026", "on or after Tuesday 10 March 2026, the day the disagreement was received"),
        ("1", "1", "2099", "must be today or in the past"),
    ):
        bad = await family.post(
            url,
            data={"lodged_on-day": day, "lodged_on-month": month, "lodged_on-year": year, "matters": ["B"],
                  "_csrf_token": token},
        )  # fmt: skip
        assert bad.status_code == 400 and says in bad.text and 'href="#lodged_on-day"' in bad.text
    assert await _appeal(case.id) is None
    await family.aclose()


async def test_the_api_records_an_appeal_as_an_event_and_the_tracker_shows_it(app):
    case = await make_case("API appeal", notice=NOTICE)
    la = await client_as(app, "la_coordinator")
    await la.get("/home")
    headers = {"x-csrftoken": la.cookies.get("csrftoken", "")}
    events = f"/api/v1/cases/{case.reference}/events"
    # The family declined mediation and the adviser's certificate was issued on Wed 1 Apr 2026.
    for event in ({"event": "mediation_declined", "on": "2026-03-30"},
                  {"event": "certificate_issued", "on": "2026-04-01"}):  # fmt: skip
        done = await la.post(events, json=event, headers=headers)
        assert done.status_code == 200, done.text
    response = await la.post(
        events, json={"event": "appeal_made", "on": "2026-05-11", "matters": ["B", "F"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "appealed" and "appeal_made" not in body["allowed_events"]
    [appeal_clock] = [c for c in body["clocks"] if c["rule"] == "appeal"]
    assert (appeal_clock["status"], appeal_clock["due"]) == ("met", "2026-05-11")
    tracker = (await la.get(f"/api/v1/cases/{case.reference}/tribunal")).json()
    assert tracker["appeal"]["lodged_on"] == "2026-05-11" and tracker["appeal"]["flags"] == []
    assert tracker["deadline"] == "2026-05-11" and tracker["state"] == "appealed"
    bad = await la.post(events, json={"event": "appeal_made", "on": "2026-05-11"}, headers=headers)
    assert bad.status_code == 409 and "an appeal can be recorded only once" in bad.json()["detail"]
    # The endpoint it replaces is gone.
    gone = await la.post(
        f"/api/v1/cases/{case.reference}/tribunal/appeal",
        json={"lodged_on": "2026-05-11", "matters": ["B"]},
        headers=headers,
    )
    assert gone.status_code in (404, 405)
    await la.aclose()
