"""POST /api/v1/deadlines (api-contract.md): every computable rule, the statute.md worked examples, bad input.

Every expected due date below was worked out by hand from statute.md sections 1 and 3, using the
England and Wales bank holidays of 2027 (Good Friday 26 Mar, Easter Monday 29 Mar, early May 3 May,
spring 31 May, summer 30 Aug) and 3 Jan 2028 (New Year's Day observed). Tue 23 Mar 2027 is the usual start.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mediation.rules.catalogue import all_rules

pytestmark = pytest.mark.anyio

URL = "/api/v1/deadlines"
CONTRACT_FIELDS = {"rule", "due", "unit", "citation", "status", "explanation"}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
START = {"start": "2027-03-23"}  # Tue 23 Mar 2027, the Tuesday before Easter
# Three working days after Tue 23 Mar 2027: Wed 24, Thu 25, (Good Friday, weekend, Easter Monday), Tue 30.
EASTER = ("Good Friday", "Easter Monday")

# rule -> (inputs, due, unit, status, citation fragment, explanation fragments)
EXPECTED: dict[str, tuple[dict[str, str], str, str, str, str, tuple[str, ...]]] = {
    # 2 months after 23 Mar = Sun 23 May 2027; a SEND Regs duty does not roll forward.
    "contact_mediation_adviser": (START, "2027-05-23", "months", "P", "reg 33", ("Sunday", "does not move")),
    "certificate_after_decline": (START, "2027-03-30", "working_days", "S", "reg 34", EASTER),
    "notify_health_commissioner": (START, "2027-03-30", "working_days", "S", "reg 35", EASTER),
    # 30 calendar days: 23 Mar + 8 = 31 Mar, + 22 = Thu 22 Apr.
    "mediation_held_by_la": (START, "2027-04-22", "days", "S", "regs 36-37", ("30 days after",)),
    "mediation_held_by_icb": (START, "2027-04-22", "days", "S", "reg 35", ("30 days after",)),
    # 5th working day before Wed 31 Mar: Tue 30, Thu 25, Wed 24, Tue 23, Mon 22 (Easter skipped).
    "mediation_notice": (
        {"mediation_date": "2027-03-31"}, "2027-03-22", "working_days_before", "S", "Code of Practice",
        (*EASTER, "latest date"),
    ),
    "certificate_unable_to_arrange": (START, "2027-03-30", "working_days", "S", "reg 37", EASTER),
    "certificate_after_mediation": (START, "2027-03-30", "working_days", "S", "reg 39", EASTER),
    # As if a tribunal order to amend the plan: 5 weeks, Tue 27 Apr; the weaker status (S) is shown.
    "agreement_appealable": (
        {**START, "order": "order_amend_plan"}, "2027-04-27", "weeks", "S", "reg 42(2)",
        ("order_amend_plan",),
    ),
    "agreement_non_appealable": (START, "2027-04-06", "weeks", "P", "reg 42(3)", ("2 weeks after",)),
    "agreement_icb_tells_la": (START, "2027-03-30", "weeks", "P", "reg 42(4)", ("1 week after",)),
    # 2 months after 23 Mar = Sun 23 May, so r.12(2) moves it to Mon 24 May (spring holiday is 31 May).
    "appeal": ({"notice_sent": "2027-03-23"}, "2027-05-24", "later_of", "P", "r.20(1)(c)", ("r.12(2)",)),
    # 30 working days: 2 before Easter, 4 to 2 Apr, 5+5+5+5 to 30 Apr (26), Mon 3 May skipped, 4 to Fri 7 May.
    "tribunal_la_response": (
        START, "2027-05-07", "working_days", "S", "r.12(3)(b)", (*EASTER, "skipped Mon 3 May 2027"),
    ),
    "order_assess_notify": (START, "2027-04-06", "weeks", "S", "reg 44(2)(b)", ("2 weeks after",)),
    "order_assess_no_plan": (START, "2027-06-01", "weeks", "S", "reg 44(2)(b)(i)", ("10 weeks after",)),
    "order_assess_final_plan": (START, "2027-06-29", "weeks", "S", "reg 44(2)(b)(ii)", ("14 weeks",)),
    "order_issue_draft_plan": (START, "2027-04-27", "weeks", "S", "reg 44(2)(c)(i)", ("5 weeks after",)),
    "order_issue_final_plan": (START, "2027-06-08", "weeks", "S", "reg 44(2)(c)(ii)", ("11 weeks",)),
    "order_amend_plan": (START, "2027-04-27", "weeks", "S", "reg 44(2)(e)", ("5 weeks after",)),
    "order_section_i": (START, "2027-04-06", "weeks", "S", "reg 44(2)(f)", ("2 weeks after",)),
    "order_cease": (START, "2027-03-23", "immediately", "S", "reg 44(2)(a)", ("immediately",)),
    # Reg 44(2)(a) is cease to maintain; the continue-to-maintain paragraph is unconfirmed (send-law.md 4.3).
    "order_continue": (
        START, "2027-03-23", "immediately", "U", "reg 44 (paragraph unconfirmed)", ("immediately",),
    ),
    "order_reconsider": (START, "2027-04-06", "weeks", "U", "reg 44(2)(d)", ("2 weeks after",)),
    "unopposed_assess_notify": (START, "2027-04-06", "weeks", "P", "reg 45(3)", ("2 weeks after",)),
    "unopposed_assess_no_plan": (START, "2027-06-01", "weeks", "P", "reg 45(3A)(a)", ("10 weeks",)),
    "unopposed_assess_final_plan": (START, "2027-06-29", "weeks", "P", "reg 45(3A)(b)", ("14 weeks",)),
    "unopposed_plan_contents": (START, "2027-04-27", "weeks", "P", "reg 45(4)", ("5 weeks after",)),
    "unopposed_amend_plan": (START, "2027-04-27", "weeks", "P", "reg 45(4)", ("5 weeks after",)),
    "unopposed_section_i": (START, "2027-04-06", "weeks", "S", "reg 45(5)", ("2 weeks after",)),
    "unopposed_issue_draft_plan": (START, "2027-04-27", "weeks", "S", "reg 45(6)", ("5 weeks after",)),
    "unopposed_issue_final_plan": (START, "2027-06-08", "weeks", "S", "reg 45(6)", ("11 weeks after",)),
    "recommendation_response": (START, "2027-04-27", "weeks", "S", "2017 reg 6", ("5 weeks after",)),
    # 6 months starting with 23 Mar: the day before 23 Sep, Wed 22 Sep 2027.
    "discrimination_claim": (START, "2027-09-22", "months", "P", "Sch 17 para 4", ("starting with",)),
    "ehc_assessment_decision": (START, "2027-05-04", "weeks", "P", "reg 5(1)", ("6 weeks after",)),
    # 20 weeks = 140 days: Tue 10 Aug 2027; a SEND Regs duty does not skip August.
    "ehc_final_plan": (START, "2027-08-10", "weeks", "P", "reg 13(2)", ("20 weeks after",)),
    # 15 days beginning with 23 Mar: 23 Mar is day 1, so day 15 is Tue 6 Apr.
    "draft_plan_representations": (START, "2027-04-06", "days", "P", "reg 13(1)(a)", ("beginning with",)),
    "review_amended_plan": (START, "2027-05-18", "weeks", "P", "reg 22(3)", ("8 weeks after",)),
}  # fmt: skip

COMPUTABLE = [r.id for r in all_rules() if r.unit != "agreed"]


async def deadline(client: httpx.AsyncClient, rule: str, inputs: dict[str, Any]) -> httpx.Response:
    return await client.post(URL, json={"rule": rule, "inputs": inputs})


def assert_contract_shape(body: dict[str, Any]) -> None:
    assert set(body) == CONTRACT_FIELDS
    for field in ("rule", "due", "unit", "citation", "status"):
        assert isinstance(body[field], str), field
    assert ISO.fullmatch(body["due"])
    assert body["status"] in {"P", "S", "U"}
    assert body["citation"]
    assert isinstance(body["explanation"], list) and body["explanation"]
    assert all(isinstance(line, str) and line for line in body["explanation"])


def test_every_computable_catalogue_rule_has_a_hand_worked_expectation() -> None:
    assert sorted(COMPUTABLE) == sorted(EXPECTED)


@pytest.mark.parametrize("rule_id", COMPUTABLE)
async def test_each_rule_answers_its_hand_worked_due_date_in_the_contract_shape(
    client: httpx.AsyncClient, rule_id: str
) -> None:
    inputs, due, unit, status, citation, explained = EXPECTED[rule_id]
    response = await deadline(client, rule_id, inputs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_contract_shape(body)
    assert body["rule"] == rule_id
    assert body["due"] == due
    assert body["unit"] == unit
    assert body["status"] == status
    assert citation in body["citation"]
    text = "\n".join(body["explanation"])
    for fragment in explained:
        assert fragment in text


async def test_explanation_names_each_skipped_easter_day(client: httpx.AsyncClient) -> None:
    body = (await deadline(client, "certificate_after_decline", START)).json()
    assert "skipped Fri 26 Mar 2027 (Good Friday)" in body["explanation"]
    assert "skipped Mon 29 Mar 2027 (Easter Monday)" in body["explanation"]
    assert body["explanation"][-1] == "due Tue 30 Mar 2027"


# --- statute.md section 4 worked examples, and the api-contract.md examples ---------------------------


@pytest.mark.parametrize(
    ("rule", "inputs", "due", "explained"),
    [
        pytest.param("appeal", {"notice_sent": "2027-03-10"}, "2027-05-10", "2 months", id="appeal-10-may"),
        pytest.param("certificate_after_decline", START, "2027-03-30", "Good Friday", id="decline-easter"),
        # Notice 1 Oct gives Wed 1 Dec; the certificate's month ends 29 Dec, inside 25 Dec-1 Jan.
        pytest.param(
            "appeal",
            {"notice_sent": "2027-10-01", "certificate_issued": "2027-11-29"},
            "2028-01-04",
            "skipped Mon 3 Jan 2028",
            id="appeal-christmas",
        ),
        pytest.param("appeal", {"notice_sent": "2027-06-30"}, "2027-09-01", "August", id="appeal-august"),
        pytest.param("order_amend_plan", {"start": "2027-07-14"}, "2027-08-18", "5 weeks", id="amend-in-aug"),
        # Contract: the later of Mon 10 May and 20 Jun (Sunday, so Mon 21 Jun under r.12(2)).
        pytest.param(
            "appeal",
            {"notice_sent": "2027-03-10", "certificate_issued": "2027-05-20"},
            "2027-06-21",
            "the later date is Mon 21 Jun 2027",
            id="contract-appeal",
        ),
        pytest.param(
            "mediation_notice",
            {"mediation_date": "2027-03-31"},
            "2027-03-22",
            "Easter Monday",
            id="contract-notice",
        ),
    ],
)
async def test_worked_examples_give_the_published_dates(
    client: httpx.AsyncClient, rule: str, inputs: dict[str, str], due: str, explained: str
) -> None:
    response = await deadline(client, rule, inputs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_contract_shape(body)
    assert body["due"] == due
    assert explained in "\n".join(body["explanation"])


async def test_appeal_deadline_moves_out_of_august(client: httpx.AsyncClient) -> None:
    body = (await deadline(client, "appeal", {"notice_sent": "2027-06-30"})).json()
    assert body["due"] == "2027-09-01"
    assert any("r.12(3)(a)" in line and "August" in line for line in body["explanation"])


async def test_appeal_deadline_moves_out_of_christmas_past_the_new_year_bank_holiday(
    client: httpx.AsyncClient,
) -> None:
    inputs = {"notice_sent": "2027-10-01", "certificate_issued": "2027-11-29"}
    body = (await deadline(client, "appeal", inputs)).json()
    assert body["due"] == "2028-01-04"
    assert any("25 Dec and 1 Jan" in line for line in body["explanation"])


async def test_an_sen_appeal_before_2020_still_moves_out_of_august(client: httpx.AsyncClient) -> None:
    # 2 months after Fri 28 Jun 2019 = Wed 28 Aug 2019 (August): the first working day after Sat 31 Aug
    # is Mon 2 Sep 2019. HESC r.12(3)(a) applied to SEN appeals before the 2020 amendment too.
    response = await deadline(client, "appeal", {"notice_sent": "2019-06-28"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert_contract_shape(body)
    assert body["due"] == "2019-09-02"
    assert "r.12(3)(a)" in body["citation"]
    assert any("r.12(3)(a)" in line and "August" in line for line in body["explanation"])


async def test_an_sen_appeal_before_2020_still_moves_out_of_christmas(client: httpx.AsyncClient) -> None:
    # Certificate Tue 27 Nov 2018: 1 month = Thu 27 Dec 2018, so Wed 2 Jan 2019.
    inputs = {"notice_sent": "2018-10-01", "certificate_issued": "2018-11-27"}
    body = (await deadline(client, "appeal", inputs)).json()
    assert body["due"] == "2019-01-02"
    assert any("25 Dec and 1 Jan" in line for line in body["explanation"])


@pytest.mark.parametrize(
    ("decision_day", "due", "citation"),
    [
        # Reg 45 as made: 4 weeks after Sun 22 Mar 2015 = Sun 19 Apr 2015 (a duty does not roll forward).
        ("2015-03-22", "2015-04-19", "reg 45(3) (as made)"),
        # SI 2015/359 in force 23 Mar 2015: 2 weeks after Mon 23 Mar = Mon 6 Apr 2015 (Easter Monday).
        ("2015-03-23", "2015-04-06", "as substituted by SI 2015/359"),
    ],
)
async def test_unopposed_appeal_limits_change_on_23_march_2015(
    client: httpx.AsyncClient, decision_day: str, due: str, citation: str
) -> None:
    body = (await deadline(client, "unopposed_assess_notify", {"start": decision_day})).json()
    assert body["due"] == due
    assert citation in body["citation"]


async def test_send_regs_order_deadline_does_not_skip_august(client: httpx.AsyncClient) -> None:
    body = (await deadline(client, "order_amend_plan", {"start": "2027-07-14"})).json()
    assert body["due"] == "2027-08-18"
    assert not any("r.12" in line for line in body["explanation"])


@pytest.mark.parametrize(
    ("order", "due"),
    [
        ("order_section_i", "2027-04-06"),  # 2 weeks
        ("order_issue_final_plan", "2027-06-08"),  # 11 weeks
        ("order_cease", "2027-03-23"),  # immediately
    ],
)
async def test_agreement_on_appealable_matters_follows_the_named_order(
    client: httpx.AsyncClient, order: str, due: str
) -> None:
    response = await deadline(client, "agreement_appealable", {**START, "order": order})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rule"] == "agreement_appealable"
    assert body["due"] == due
    assert "reg 42(2)" in body["citation"] and "reg 44(2)" in body["citation"]
    assert order in body["explanation"][0]


# --- bad input: 400 or 422 with a JSON detail that names the problem, never 500 ------------------------


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        pytest.param(
            {"rule": "appeals", "inputs": {"notice_sent": "2027-03-10"}},
            "unknown rule 'appeals'",
            id="unknown-rule",
        ),
        pytest.param({"rule": "appeal", "inputs": {}}, "inputs.notice_sent is required", id="no-inputs"),
        pytest.param({"rule": "appeal"}, "inputs.notice_sent is required", id="inputs-omitted"),
        pytest.param(
            {"rule": "order_amend_plan", "inputs": {"notice_sent": "2027-03-10"}},
            "inputs.notice_sent is not used",
            id="wrong-input-name",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {}},
            "inputs.start is required",
            id="missing-start",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": "2027-02-30"}},
            "'2027-02-30'",
            id="30-february",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": "10/03/2027"}},
            "expected YYYY-MM-DD",
            id="uk-slash-date",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": ""}},
            "inputs.start is not a valid",
            id="empty-date",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": "2027-3-23"}},
            "inputs.start is not a valid date",
            id="unpadded-date",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": 20270323}},
            "Expected `str`",
            id="number-date",
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": {"start": None}}, "Expected `str`", id="null-date"
        ),
        pytest.param(
            {"rule": "certificate_after_decline", "inputs": ["2027-03-23"]}, "inputs", id="inputs-is-a-list"
        ),
        pytest.param({"rule": 7, "inputs": START}, "rule", id="rule-is-a-number"),
        pytest.param({"inputs": START}, "rule", id="rule-missing"),
        pytest.param(
            {"rule": "order_amend_plan", "inputs": START, "timezone": "UTC"},
            "timezone",
            id="unknown-top-level-field",
        ),
        pytest.param(["appeal", {"notice_sent": "2027-03-10"}], "array", id="body-is-a-list"),
        pytest.param(
            {"rule": "appeal", "inputs": {"notice_sent": "2027-03-10", "certificate_issued": "2027-03-01"}},
            "is before inputs.notice_sent",
            id="certificate-before-notice",
        ),
        pytest.param(
            {"rule": "agreement_appealable", "inputs": START},
            "inputs.order is required",
            id="agreement-without-order",
        ),
        pytest.param(
            {"rule": "agreement_appealable", "inputs": {**START, "order": "order_everything"}},
            "'order_everything'",
            id="agreement-unknown-order",
        ),
        pytest.param({"rule": "agreement_override", "inputs": {}}, "not computed", id="agreed-timescale"),
        pytest.param(
            {"rule": "unopposed_section_i", "inputs": {"start": "2014-10-01"}},
            "not in force",
            id="rule-not-yet-in-force",
        ),
        pytest.param(
            {"rule": "appeal", "inputs": {"notice_sent": "2014-08-31"}},
            "it applies from 2014-09-01",
            id="appeal-before-the-send-regulations-2014",
        ),
        pytest.param(
            {"rule": "order_amend_plan", "inputs": {"start": "2015-03-22"}},
            "it applies from 2015-03-23",
            id="order-before-si-2015-359",
        ),
    ],
)
async def test_bad_deadline_input_is_refused_with_a_detail_naming_the_problem(
    client: httpx.AsyncClient, payload: object, problem: str
) -> None:
    response = await client.post(URL, json=payload)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert problem in detail


async def test_a_body_that_is_not_json_is_refused_as_malformed(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=b"rule=appeal", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON is malformed" in response.json()["detail"]


async def test_a_deadline_request_needs_no_csrf_token_or_session(client: httpx.AsyncClient) -> None:
    assert not client.cookies
    response = await deadline(client, "order_amend_plan", START)
    assert response.status_code == 200
    assert response.json()["due"] == "2027-04-27"


async def test_rule_catalogue_lists_every_rule_in_force_with_its_citation(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/rules")
    assert response.status_code == 200
    entries = {entry["id"]: entry for entry in response.json()}
    assert set(EXPECTED) | {"agreement_override"} == set(entries)
    assert entries["certificate_after_decline"]["duration"] == 3
    assert entries["certificate_after_decline"]["unit"] == "working_days"
    assert entries["appeal"]["optional_inputs"] == ["certificate_issued"]
    assert entries["draft_plan_representations"]["citation"] == "SEND Regulations 2014 reg 13(1)(a)"
