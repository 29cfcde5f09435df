"""The tribunal's outcome on each matter moves the case on; forms explain every problem."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.errors import Invalid, Refused
from mediation.tribunal.checks import TribunalInputError
from mediation.tribunal.decisions import record_outcomes
from mediation.tribunal.schemas import OutcomesInput, TimetableInput
from mediation.tribunal.service import tribunal_view
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from mediation.tribunal.timetable import save_timetable
from tests.confirmations import confirmation_after
from tests.conftest import client_as
from tests.tribunal.helpers import appealed_case, case_row, clocks, duties, fresh, person

pytestmark = pytest.mark.anyio
D = dt.date


async def _outcomes(case_id: int) -> dict[str, str]:
    appeal = (
        await TribunalAppeal.select(TribunalAppeal.id).where(TribunalAppeal.disagreement == case_id).first()
    )
    rows = await AppealMatter.select().where(AppealMatter.appeal == appeal["id"])
    return {r["matter"]: r["outcome"] for r in rows}


async def test_outcomes_on_every_matter_decide_the_case_and_end_the_response_clock(app):
    case = await appealed_case("Decided", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    la = await person("la_coordinator")
    await save_timetable(case, TimetableInput(la_received_on=D(2026, 4, 20)), actor=la)
    after = await record_outcomes(
        case, OutcomesInput(decision_on=D(2026, 7, 1), outcomes={"B": "allowed", "F": "dismissed"}), actor=la
    )
    assert await _outcomes(case.id) == {"B": "allowed", "F": "dismissed"}
    assert after.state == "decided" and after.appeal.decision_on == D(2026, 7, 1)
    assert (await case_row(case.id))["state"] == "decided"
    assert (await clocks(case.id))["tribunal_la_response"]["status"] == "cancelled"
    view = await tribunal_view(after, await person("family"))
    step = next(s for s in view.steps if s.title.startswith("Outcome: Section F"))
    assert step.on == D(2026, 7, 1) and "decision stands" in step.meaning


async def test_an_outcome_on_some_matters_only_keeps_the_appeal_open(app):
    case = await appealed_case("Partly decided", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    after = await record_outcomes(
        case,
        OutcomesInput(decision_on=D(2026, 5, 1), outcomes={"B": "withdrawn"}),
        actor=await person("la_coordinator"),
    )
    assert after.state == "appealed" and await _outcomes(case.id) == {"B": "withdrawn", "F": ""}


async def test_withdrawing_every_matter_withdraws_the_case(app):
    case = await appealed_case("Withdrawn", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    after = await record_outcomes(
        case,
        OutcomesInput(decision_on=D(2026, 5, 1), outcomes={"B": "withdrawn", "F": "withdrawn"}),
        actor=await person("la_coordinator"),
    )
    assert after.state == "withdrawn"
    assert [c.rule for c in after.running_clocks] == []


async def test_an_outcome_must_name_a_matter_appealed_and_a_known_result(app):
    case = await appealed_case("Bad outcome", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    with pytest.raises(TribunalInputError) as refused:
        await record_outcomes(
            case,
            OutcomesInput(decision_on=D(2026, 5, 1), outcomes={"I": "allowed", "B": "won"}),
            actor=await person("la_coordinator"),
        )
    assert set(refused.value.errors) == {"outcome-I", "outcome-B"}
    assert await _outcomes(case.id) == {"B": "", "F": ""}


async def test_the_order_page_explains_each_problem_then_records_the_order(app):
    case = await appealed_case("Order page", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    la = await client_as(app, "la_coordinator")
    url = f"/cases/{case.reference}/tribunal/orders"
    assert (await la.get(url)).status_code == 200
    token = la.cookies.get("csrftoken")
    bad = await la.post(url, data={"sent_on-day": "9", "_csrf_token": token})
    assert bad.status_code == 400
    assert bad.text.index('href="#order_type"') < bad.text.index('href="#made_on-day"')
    assert "Enter the date the order was made" in bad.text
    assert "Date the tribunal sent the order must include a month and year" in bad.text
    early = await la.post(
        url,
        data={"order_type": "section_i", "made_on-day": "24", "made_on-month": "12", "made_on-year": "2025",
              "_csrf_token": token},
    )  # fmt: skip
    assert early.status_code == 400
    assert "on or after Monday 2 March 2026, the day the disagreement was received" in early.text
    early = await la.post(
        url,
        data={"order_type": "section_i", "made_on-day": "20", "made_on-month": "3", "made_on-year": "2026",
              "_csrf_token": token},
    )  # fmt: skip
    assert early.status_code == 400
    assert "on or after the day the appeal was sent (Wednesday 1 April 2026)" in early.text
    assert await duties(case.id) == []
    good = await la.post(
        url,
        data={"order_type": "section_i", "made_on-day": "24", "made_on-month": "6", "made_on-year": "2026",
              "_csrf_token": token},
    )  # fmt: skip
    assert good.status_code == 303
    assert await confirmation_after(la, good) == "Tribunal order recorded"
    [duty] = await duties(case.id)
    assert (duty["rule"], duty["due"]) == ("order_section_i", D(2026, 7, 8))
    await la.aclose()


async def test_only_the_la_records_that_it_will_not_oppose_and_the_page_does_it(app):
    case = await appealed_case("Unopposed page", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    family = await client_as(app, "family")
    assert (await family.get(f"/cases/{case.reference}/tribunal/unopposed")).status_code == 403
    la = await client_as(app, "la_coordinator")
    url = f"/cases/{case.reference}/tribunal/unopposed"
    response = await la.post(
        url,
        data={"notified_on-day": "20", "notified_on-month": "4", "notified_on-year": "2026",
              "_csrf_token": (await la.get(url)) and la.cookies.get("csrftoken")},
    )  # fmt: skip
    assert response.status_code == 303
    assert (
        await confirmation_after(la, response)
        == "Recorded that the local authority will not oppose the appeal"
    )
    # Notified Mon 20 Apr 2026: reg 45(4) gives 5 weeks, Mon 25 May 2026 (a bank holiday; duties do not move).
    assert [(d["rule"], d["due"]) for d in await duties(case.id)] == [
        ("unopposed_plan_contents", D(2026, 5, 25))
    ]
    tracker = (await family.get(f"/cases/{case.reference}/tribunal")).text
    assert "will not oppose" in tracker and "Monday 25 May 2026" in tracker
    for c in (family, la):
        await c.aclose()


async def test_only_the_la_records_the_decision_and_the_family_is_refused_its_forms(app):
    # Issue "One case model": the tribunal's decision and orders are recorded by the LA; the family was
    # offered these forms by mistake.
    case = await appealed_case("Family forms", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    with pytest.raises(Refused):
        await record_outcomes(
            case,
            OutcomesInput(decision_on=D(2026, 5, 1), outcomes={"B": "allowed"}),
            actor=await person("family"),
        )
    assert await _outcomes(case.id) == {"B": "", "F": ""}
    family = await client_as(app, "family")
    base = f"/cases/{case.reference}/tribunal"
    for form in ("outcomes", "orders"):
        assert (await family.get(f"{base}/{form}")).status_code == 403
    tracker = (await family.get(base)).text
    assert f"{base}/outcomes" not in tracker and f"{base}/orders" not in tracker
    la = await client_as(app, "la_coordinator")
    for form in ("outcomes", "orders"):
        assert (await la.get(f"{base}/{form}")).status_code == 200
        assert f"{base}/{form}" in (await la.get(base)).text
    for c in (family, la):
        await c.aclose()


def _hearing(view):
    return next(s for s in view.steps if s.title == "Hearing")


async def test_a_decision_cannot_be_dated_before_the_hearing_and_once_made_the_hearing_is_not_coming_up(app):
    # Pinned to Mon 15 Jun 2026, the day of the hearing: the hearing is still coming up until the decision.
    hearing = D(2026, 6, 15)
    case = await appealed_case("Decided after hearing", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    la = await person("la_coordinator")
    family = await person("family")
    with timekeeping.use_clock(hearing):
        case = await save_timetable(
            case, TimetableInput(la_received_on=D(2026, 4, 20), hearing_on=hearing), actor=la
        )
        assert _hearing(await tribunal_view(case, family)).status == "upcoming"
        with pytest.raises(Invalid) as refused:
            await record_outcomes(
                case,
                OutcomesInput(decision_on=D(2026, 6, 12), outcomes={"B": "allowed", "F": "allowed"}),
                actor=la,
            )
        assert (
            "on or after the day of the hearing (Monday 15 June 2026)"
            in refused.value.errors["decision_on-day"]
        )
        assert (await fresh(case)).state == "appealed" and await _outcomes(case.id) == {"B": "", "F": ""}
        case = await record_outcomes(
            case, OutcomesInput(decision_on=hearing, outcomes={"B": "allowed", "F": "allowed"}), actor=la
        )
        view = await tribunal_view(case, family)
    assert case.state == "decided"
    assert _hearing(view).status == "done"
    assert [s.status for s in view.steps if s.title == "Decision"] == ["done"]


async def test_the_decision_form_explains_a_decision_dated_before_the_hearing(app):
    case = await appealed_case("Decision form hearing", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    await save_timetable(
        case,
        TimetableInput(la_received_on=D(2026, 4, 20), hearing_on=D(2026, 6, 15)),
        actor=await person("la_coordinator"),
    )
    la = await client_as(app, "la_coordinator")
    url = f"/cases/{case.reference}/tribunal/outcomes"
    await la.get(url)
    bad = await la.post(
        url,
        data={"decision_on-day": "12", "decision_on-month": "6", "decision_on-year": "2026",
              "outcome-B": "allowed", "outcome-F": "dismissed", "_csrf_token": la.cookies.get("csrftoken")},
    )  # fmt: skip
    assert bad.status_code == 400 and 'href="#decision_on-day"' in bad.text
    assert "on or after the day of the hearing (Monday 15 June 2026)" in bad.text
    assert (await fresh(case)).state == "appealed"
    good = await la.post(
        url,
        data={"decision_on-day": "26", "decision_on-month": "6", "decision_on-year": "2026",
              "outcome-B": "allowed", "outcome-F": "dismissed", "_csrf_token": la.cookies.get("csrftoken")},
    )  # fmt: skip
    assert good.status_code == 303
    assert await confirmation_after(la, good) == "Tribunal's decision recorded"
    assert (await fresh(case)).state == "decided"
    await la.aclose()
