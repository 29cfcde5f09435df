"""Recording an appeal: checked against the appeal clock and the certificate; flagged, never refused."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.cases.state import apply_event
from mediation.tribunal.checks import TribunalInputError
from mediation.tribunal.commands import record_appeal
from mediation.tribunal.schemas import AppealInput
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from tests.conftest import client_as
from tests.tribunal.helpers import case_row, clocks, make_case, person

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
    flags = await record_appeal(
        case,
        AppealInput(
            lodged_on=LAST_DAY,
            matters=["B", "F"],
            certificate_issued_on=D(2026, 4, 1),
            tribunal_reference="EH123/26/00045",
        ),
        actor=await person("family"),
    )
    assert flags == []
    appeal = await _appeal(case["id"])
    assert (appeal["appeal_due"], appeal["late"], appeal["certificate_missing"]) == (LAST_DAY, False, False)
    assert (await case_row(case["id"]))["state"] == "appealed"
    clock = (await clocks(case["id"]))["appeal"]
    assert (clock["status"], clock["stopped_on"], clock["due"]) == ("met", LAST_DAY, LAST_DAY)
    matters = await AppealMatter.select(AppealMatter.matter).where(AppealMatter.appeal == appeal["id"])
    assert sorted(m["matter"] for m in matters) == ["B", "F"]


async def test_a_late_appeal_is_flagged_with_the_reason_and_still_recorded(app):
    case = await make_case("Late", notice=NOTICE)
    flags = await record_appeal(
        case,
        AppealInput(lodged_on=D(2026, 5, 12), matters=["F"], certificate_issued_on=D(2026, 3, 20)),
        actor=await person("la_coordinator"),
    )
    appeal = await _appeal(case["id"])
    assert appeal["late"] is True and appeal["certificate_missing"] is False
    assert len(flags) == 1
    assert "Tuesday 12 May 2026, after the last day to appeal (Monday 11 May 2026)" in flags[0]
    assert "extend the time limit" in flags[0]
    assert (await case_row(case["id"]))["state"] == "appealed"
    assert (await clocks(case["id"]))["appeal"]["status"] == "met"


async def test_an_appeal_without_a_required_certificate_is_flagged_and_still_recorded(app):
    case = await make_case("No certificate", notice=NOTICE)
    flags = await record_appeal(
        case, AppealInput(lodged_on=D(2026, 4, 20), matters=["B"]), actor=await person("family")
    )
    appeal = await _appeal(case["id"])
    assert appeal["certificate_missing"] is True and appeal["late"] is False
    assert flags == appeal["flags"]
    assert "Children and Families Act 2014 s.55" in flags[0]
    assert (await case_row(case["id"]))["state"] == "appealed"


async def test_an_appeal_that_is_both_late_and_without_a_certificate_carries_both_flags(app):
    case = await make_case("Late and no certificate", notice=NOTICE)
    flags = await record_appeal(
        case, AppealInput(lodged_on=D(2026, 6, 1), matters=["B"]), actor=await person("family")
    )
    assert len(flags) == 2
    appeal = await _appeal(case["id"])
    assert appeal["late"] and appeal["certificate_missing"]


async def test_a_certificate_event_in_the_case_log_counts_as_a_recorded_certificate(app):
    case = await make_case("Certificate in log", notice=NOTICE)
    for event in ("give_mediation_advice", "decline_mediation", "issue_certificate"):
        await apply_event(case, event, actor=None)
    today = dt.date.today()
    await record_appeal(case, AppealInput(lodged_on=today, matters=["B"]), actor=await person("family"))
    appeal = await _appeal(case["id"])
    # One month from a certificate issued today is later than today, so the appeal is in time.
    assert appeal["certificate_missing"] is False and appeal["late"] is False
    assert appeal["appeal_due"] > today


async def test_a_section_i_only_appeal_needs_no_certificate(app):
    case = await make_case("Section I only", notice=NOTICE, sections=("I",))
    flags = await record_appeal(
        case, AppealInput(lodged_on=D(2026, 4, 1), matters=["I"]), actor=await person("family")
    )
    assert flags == []


async def test_a_disability_discrimination_claim_meets_its_own_six_month_clock(app):
    case = await make_case("Discrimination", decision="disability_discrimination", notice=D(2026, 2, 1))
    flags = await record_appeal(
        case,
        AppealInput(lodged_on=D(2026, 7, 1), matters=["disability_discrimination"]),
        actor=await person("family"),
    )
    assert flags == []
    claim = (await clocks(case["id"]))["discrimination_claim"]
    assert (claim["status"], claim["due"]) == ("met", D(2026, 7, 31))


async def test_the_lifecycle_refusal_is_shown_and_nothing_is_recorded(app):
    case = await make_case("Health only", notice=NOTICE, sections=("C", "G"))
    with pytest.raises(TribunalInputError) as refused:
        await record_appeal(
            case, AppealInput(lodged_on=D(2026, 4, 1), matters=["B"]), actor=await person("family")
        )
    assert "no appeal to the tribunal lies on these matters" in refused.value.errors["appeal"]
    assert await _appeal(case["id"]) is None
    assert (await case_row(case["id"]))["state"] == "lodged"


async def test_a_second_appeal_on_the_same_case_is_refused(app):
    case = await make_case("Twice", notice=NOTICE)
    family = await person("family")
    await record_appeal(case, AppealInput(lodged_on=D(2026, 4, 1), matters=["B"]), actor=family)
    with pytest.raises(TribunalInputError) as refused:
        await record_appeal(
            await case_row(case["id"]), AppealInput(lodged_on=D(2026, 4, 2), matters=["B"]), actor=family
        )
    assert "already recorded" in refused.value.errors["appeal"]


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
    url = f"/cases/{case['reference']}/tribunal/appeal"
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
    tracker = (await family.get(f"/cases/{case['reference']}/tribunal")).text
    assert "Monday 11 May 2026" in tracker and "Tuesday 12 May 2026" in tracker
    assert "extend the time limit" in tracker and "s.55" in tracker
    la = await client_as(app, "la_coordinator")
    assert "Monday 11 May 2026" in (await la.get(f"/api/v1/cases/{case['reference']}/tribunal")).text
    case_page = (await family.get(f"/cases/{case['reference']}")).text
    assert f'href="/cases/{case["reference"]}/tribunal"' in case_page
    for c in (family, la):
        await c.aclose()


async def test_the_api_records_an_appeal_and_returns_the_tracker(app):
    case = await make_case("API appeal", notice=NOTICE)
    la = await client_as(app, "la_coordinator")
    await la.get("/home")
    response = await la.post(
        f"/api/v1/cases/{case['reference']}/tribunal/appeal",
        json={"lodged_on": "2026-05-11", "matters": ["B", "F"], "certificate_issued_on": "2026-04-01"},
        headers={"x-csrftoken": la.cookies.get("csrftoken", "")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["appeal"]["lodged_on"] == "2026-05-11" and body["appeal"]["flags"] == []
    assert body["deadline"] == "2026-05-11" and body["state"] == "appealed"
    bad = await la.post(
        f"/api/v1/cases/{case['reference']}/tribunal/appeal",
        json={"lodged_on": "2026-05-11", "matters": ["B"]},
        headers={"x-csrftoken": la.cookies.get("csrftoken", "")},
    )
    assert bad.status_code == 400 and "already recorded" in bad.json()["detail"]
    await la.aclose()
