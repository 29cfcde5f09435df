"""Each order type and each unopposed path starts the right clocks, with hand-computed dates.

Reg 44 and reg 45 limits are SEND Regulations duties: August and Christmas days count like any other
(only tribunal time limits get HESC r.12), so the August and Christmas rows below are plain week counts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.tribunal.decisions import record_unopposed
from mediation.tribunal.duties import record_order
from mediation.tribunal.schemas import OrderInput, UnopposedInput
from tests.conftest import client_as
from tests.tribunal.helpers import appealed_case, case_row, clocks, duties, person

pytestmark = pytest.mark.anyio
D = dt.date

# order type, made, sent -> {rule: (legal due from the order date, practical due from the sent date)}
ORDERS = [
    # Statute worked example shifted to 2026: made Tue 14 Jul, 5 weeks = Tue 18 Aug (August counts).
    ("amend_plan", D(2026, 7, 14), D(2026, 7, 21), {"order_amend_plan": (D(2026, 8, 18), D(2026, 8, 25))}),
    # Made Mon 22 Dec 2025 over Christmas: draft 5 weeks = Mon 26 Jan, final 11 weeks = Mon 9 Mar 2026.
    (
        "issue_plan",
        D(2025, 12, 22),
        None,
        {"order_issue_draft_plan": (D(2026, 1, 26), None), "order_issue_final_plan": (D(2026, 3, 9), None)},
    ),
    # Made Mon 3 Aug 2026, sent Mon 10 Aug: 2, 10 and 14 weeks from each.
    (
        "assess",
        D(2026, 8, 3),
        D(2026, 8, 10),
        {
            "order_assess_notify": (D(2026, 8, 17), D(2026, 8, 24)),
            "order_assess_no_plan": (D(2026, 10, 12), D(2026, 10, 19)),
            "order_assess_final_plan": (D(2026, 11, 9), D(2026, 11, 16)),
        },
    ),
    ("section_i", D(2025, 12, 24), None, {"order_section_i": (D(2026, 1, 7), None)}),
    ("cease", D(2026, 8, 28), D(2026, 8, 28), {"order_cease": (D(2026, 8, 28), D(2026, 8, 28))}),
    ("continue", D(2025, 12, 31), None, {"order_continue": (D(2025, 12, 31), None)}),
    ("reconsider", D(2025, 12, 23), None, {"order_reconsider": (D(2026, 1, 6), None)}),
]


@pytest.mark.parametrize(("order_type", "made", "sent", "expected"), ORDERS, ids=[o[0] for o in ORDERS])
async def test_each_order_type_starts_its_compliance_clocks_from_the_order_date(
    app, order_type, made, sent, expected
):
    case = await appealed_case(
        f"Order {order_type}", notice=D(2025, 10, 1), lodged=D(2025, 11, 3), sections=("B", "F", "I")
    )
    await record_order(
        case,
        OrderInput(order_type=order_type, made_on=made, sent_on=sent),
        actor=await person("la_coordinator"),
    )
    running = await clocks(case.id, "order_")
    assert {rule: c["due"] for rule, c in running.items()} == {
        rule: legal for rule, (legal, _) in expected.items()
    }
    assert all(c["status"] == "running" and c["actor"] == "local_authority" for c in running.values())
    assert all(c["started_on"] == made for c in running.values())
    stored = {d["rule"]: d for d in await duties(case.id)}
    for rule, (legal, practical) in expected.items():
        assert (stored[rule]["made_on"], stored[rule]["sent_on"]) == (made, sent)
        assert (stored[rule]["due"], stored[rule]["practical_due"]) == (legal, practical)
        assert stored[rule]["kind"] == "order" and stored[rule]["owed_by"] == case.local_authority_id
        assert stored[rule]["clock"] == running[rule]["id"]


async def test_recording_the_same_order_again_with_the_sent_date_updates_it_rather_than_doubling_it(app):
    case = await appealed_case("Order again", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    la = await person("la_coordinator")
    await record_order(case, OrderInput(order_type="amend_plan", made_on=D(2026, 7, 14)), actor=la)
    await record_order(
        case, OrderInput(order_type="amend_plan", made_on=D(2026, 7, 14), sent_on=D(2026, 7, 21)), actor=la
    )
    rows = await duties(case.id)
    assert len(rows) == 1
    assert (rows[0]["due"], rows[0]["practical_due"]) == (D(2026, 8, 18), D(2026, 8, 25))
    assert (await clocks(case.id, "order_"))["order_amend_plan"]["version"] == 2


# decision, matters appealed, notified, amendments agreed -> {rule: due}
UNOPPOSED = [
    (
        "refuse_assessment",
        None,
        D(2026, 7, 20),
        False,
        {
            "unopposed_assess_notify": D(2026, 8, 3),
            "unopposed_assess_no_plan": D(2026, 9, 28),
            "unopposed_assess_final_plan": D(2026, 10, 26),
        },
    ),
    (
        "refuse_reassessment",
        None,
        D(2025, 12, 24),
        False,
        {
            "unopposed_assess_notify": D(2026, 1, 7),
            "unopposed_assess_no_plan": D(2026, 3, 4),
            "unopposed_assess_final_plan": D(2026, 4, 1),
        },
    ),
    (
        "refuse_plan",
        None,
        D(2025, 12, 22),
        False,
        {"unopposed_issue_draft_plan": D(2026, 1, 26), "unopposed_issue_final_plan": D(2026, 3, 9)},
    ),
    ("plan_contents", ("B", "F"), D(2026, 8, 5), False, {"unopposed_plan_contents": D(2026, 9, 9)}),
    ("plan_contents", ("I",), D(2026, 8, 20), False, {"unopposed_section_i": D(2026, 9, 3)}),
    ("plan_contents", ("B", "I"), D(2026, 8, 20), False, {"unopposed_plan_contents": D(2026, 9, 24)}),
    ("refuse_amendment", None, D(2025, 12, 29), False, {"unopposed_amend_plan": D(2026, 2, 2)}),
    ("cease_to_maintain", None, D(2026, 8, 12), True, {"unopposed_amend_plan": D(2026, 9, 16)}),
    ("cease_to_maintain", None, D(2026, 8, 12), False, {}),
]


@pytest.mark.parametrize(
    ("decision", "sections", "notified", "agreed", "expected"),
    UNOPPOSED,
    ids=[f"{u[0]}-{''.join(u[1] or ())}-{'agreed' if u[3] else 'plain'}" for u in UNOPPOSED],
)
async def test_an_unopposed_appeal_starts_the_matching_reg_45_clocks_from_the_notice_to_the_tribunal(
    app, decision, sections, notified, agreed, expected
):
    case = await appealed_case(
        f"Unopposed {decision}",
        decision=decision,
        sections=sections or ("B",),
        notice=D(2025, 10, 1),
        lodged=D(2025, 11, 3),
    )
    after = await record_unopposed(
        case,
        UnopposedInput(notified_on=notified, amendments_agreed=agreed),
        actor=await person("la_coordinator"),
    )
    assert {c.rule for c in after.running_clocks if c.rule.startswith("unopposed_")} == set(expected)
    running = await clocks(case.id, "unopposed_")
    assert {rule: c["due"] for rule, c in running.items()} == expected
    assert {d["rule"]: (d["kind"], d["made_on"], d["due"]) for d in await duties(case.id)} == {
        rule: ("unopposed", notified, due) for rule, due in expected.items()
    }
    assert after.state == "decided" and after.appeal.unopposed_on == notified
    assert (await case_row(case.id))["state"] == "decided"


async def test_an_unopposed_appeal_after_the_response_was_sent_is_refused_with_the_consent_order_route(app):
    from mediation.tribunal.checks import TribunalInputError
    from mediation.tribunal.schemas import TimetableInput
    from mediation.tribunal.timetable import save_timetable

    case = await appealed_case("Late concession", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    la = await person("la_coordinator")
    await save_timetable(
        case, TimetableInput(la_received_on=D(2026, 6, 10), response_sent_on=D(2026, 7, 1)), actor=la
    )
    with pytest.raises(TribunalInputError) as refused:
        await record_unopposed(case, UnopposedInput(notified_on=D(2026, 7, 10)), actor=la)
    assert "consent order" in refused.value.errors["notified_on-day"]
    assert await duties(case.id) == []


async def test_an_unopposed_appeal_through_the_api_names_the_clock_the_law_starts(app):
    # The JSON endpoint .../tribunal/unopposed was replaced by the case event `unopposed` (an unopposed_* id).
    contents = await appealed_case("API unopposed", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    cease = await appealed_case(
        "API unopposed cease", decision="cease_to_maintain", notice=D(2026, 5, 1), lodged=D(2026, 6, 1)
    )
    la = await client_as(app, "la_coordinator")
    await la.get("/home")
    headers = {"x-csrftoken": la.cookies.get("csrftoken", "")}
    wrong = await la.post(
        f"/api/v1/cases/{contents.reference}/events",
        json={"event": "unopposed", "order": "unopposed_section_i", "on": "2026-08-05"},
        headers=headers,
    )
    assert wrong.status_code == 422 and "unopposed_plan_contents" in wrong.json()["detail"]
    assert await duties(contents.id) == []
    for case, order, due in ((contents, "unopposed_plan_contents", D(2026, 9, 9)),
                             (cease, "unopposed_amend_plan", D(2026, 9, 16))):  # fmt: skip
        # Cease to maintain: naming the amend-plan clock says the LA agreed to amend the plan (reg 45(6)).
        done = await la.post(
            f"/api/v1/cases/{case.reference}/events",
            json={
                "event": "unopposed",
                "order": order,
                "on": "2026-08-05" if case is contents else "2026-08-12",
            },
            headers=headers,
        )
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "decided"
        assert {r: c["due"] for r, c in (await clocks(case.id, "unopposed_")).items()} == {order: due}
        assert [(d["rule"], d["kind"]) for d in await duties(case.id)] == [(order, "unopposed")]
    await la.aclose()
