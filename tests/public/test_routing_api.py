"""POST /api/v1/routing (api-contract.md): every row of the statute.md section 2 table, and bad input."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

URL = "/api/v1/routing"
CONTRACT_FIELDS = {
    "scope",
    "arranged_by",
    "parties",
    "certificate_required",
    "appeal_available",
    "explanation",
}
LA, ICB = "local_authority", "health_commissioner"
EDU, HEALTH, SOCIAL = "education", "health", "social_care"

# (decision, sections) -> scope, arranged_by, parties, certificate_required, appeal_available
ROWS = [
    # any appealable decision or B/F/I, with or without social care: LA, certificate needed
    pytest.param("refuse_assessment", [], [EDU], LA, [LA], True, True, id="refuse-assessment"),
    pytest.param("refuse_plan", [], [EDU], LA, [LA], True, True, id="refuse-plan"),
    pytest.param("refuse_reassessment", [], [EDU], LA, [LA], True, True, id="refuse-reassessment"),
    pytest.param("refuse_amendment", [], [EDU], LA, [LA], True, True, id="refuse-amendment"),
    pytest.param("cease_to_maintain", [], [EDU], LA, [LA], True, True, id="cease-to-maintain"),
    pytest.param("plan_contents", ["B"], [EDU], LA, [LA], True, True, id="contents-B"),
    pytest.param("plan_contents", ["F"], [EDU], LA, [LA], True, True, id="contents-F"),
    pytest.param("plan_contents", ["B", "F", "I"], [EDU], LA, [LA], True, True, id="contents-B-F-I"),
    pytest.param("plan_contents", ["F", "H1"], [EDU, SOCIAL], LA, [LA], True, True, id="contents-F-H1"),
    # section I only: no certificate (CFA s.55), even with health or social care beside it
    pytest.param("plan_contents", ["I"], [EDU], LA, [LA], False, True, id="contents-I-only"),
    pytest.param("plan_contents", ["I", "G"], [EDU, HEALTH], LA, [LA, ICB], False, True, id="contents-I-G"),
    pytest.param("plan_contents", ["I", "H2"], [EDU, SOCIAL], LA, [LA], False, True, id="contents-I-H2"),
    pytest.param("plan_contents", ["I", "E"], [EDU], LA, [LA], False, True, id="contents-I-E"),
    # mixed: the LA arranges, each ICB is a party
    pytest.param("plan_contents", ["F", "G"], [EDU, HEALTH], LA, [LA, ICB], True, True, id="contents-F-G"),
    pytest.param(
        "plan_contents", ["G", "F", "D"], [EDU, HEALTH, SOCIAL], LA, [LA, ICB], True, True, id="contents-all3"
    ),
    pytest.param("refuse_amendment", ["C"], [EDU, HEALTH], LA, [LA, ICB], True, True, id="amendment-C"),
    pytest.param(
        "plan_contents", ["C", "H1"], [HEALTH, SOCIAL], LA, [LA, ICB], False, False, id="health-and-care"
    ),
    # health only: the ICB arranges, no appeal lies
    pytest.param("plan_contents", ["C", "G"], [HEALTH], ICB, [ICB], False, False, id="contents-C-G"),
    pytest.param("plan_contents", ["G"], [HEALTH], ICB, [ICB], False, False, id="contents-G"),
    # social care only: the LA arranges, no appeal lies
    pytest.param("plan_contents", ["D", "H1", "H2"], [SOCIAL], LA, [LA], False, False, id="social-care"),
    pytest.param("plan_contents", ["H2"], [SOCIAL], LA, [LA], False, False, id="contents-H2"),
    # disability discrimination: not mediation
    pytest.param("disability_discrimination", [], [EDU], None, [], False, True, id="discrimination"),
    # A or K alone count as education; E and J are education but not appealable
    pytest.param("plan_contents", ["A"], [EDU], LA, [LA], False, False, id="contents-A"),
    pytest.param("plan_contents", ["K"], [EDU], LA, [LA], False, False, id="contents-K"),
    pytest.param("plan_contents", ["A", "K"], [EDU], LA, [LA], False, False, id="contents-A-K"),
    pytest.param("plan_contents", ["J"], [EDU], LA, [LA], False, False, id="contents-J"),
]


async def routing(client: httpx.AsyncClient, payload: object) -> httpx.Response:
    return await client.post(URL, json=payload)


@pytest.mark.parametrize(
    ("decision", "sections", "scope", "arranged_by", "parties", "certificate", "appeal"), ROWS
)
async def test_each_routing_table_row_is_answered_exactly(
    client: httpx.AsyncClient,
    decision: str,
    sections: list[str],
    scope: list[str],
    arranged_by: str | None,
    parties: list[str],
    certificate: bool,
    appeal: bool,
) -> None:
    response = await routing(client, {"decision": decision, "sections": sections})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == CONTRACT_FIELDS
    assert body["scope"] == scope
    assert body["scope"] == sorted(body["scope"])
    assert body["arranged_by"] == arranged_by
    assert body["parties"] == parties
    assert body["certificate_required"] is certificate
    assert body["appeal_available"] is appeal
    assert isinstance(body["explanation"], list) and body["explanation"]
    assert all(isinstance(line, str) and line for line in body["explanation"])


async def test_disability_discrimination_is_not_mediation_and_says_arranged_by_null(
    client: httpx.AsyncClient,
) -> None:
    response = await routing(client, {"decision": "disability_discrimination", "sections": []})
    assert response.status_code == 200
    assert re.search(r'"arranged_by"\s*:\s*null', response.text)
    assert re.search(r'"parties"\s*:\s*\[\s*\]', response.text)
    assert "Equality Act 2010 Sch 17" in " ".join(response.json()["explanation"])


async def test_sections_may_be_omitted_for_a_decision_that_is_not_about_plan_contents(
    client: httpx.AsyncClient,
) -> None:
    response = await routing(client, {"decision": "refuse_assessment"})
    assert response.status_code == 200
    assert response.json()["scope"] == [EDU]
    assert response.json()["certificate_required"] is True


async def test_section_i_alone_explains_that_no_certificate_is_needed(client: httpx.AsyncClient) -> None:
    body = (await routing(client, {"decision": "plan_contents", "sections": ["I", "G"]})).json()
    text = " ".join(body["explanation"])
    assert "no mediation certificate is needed" in text
    assert "CFA s.55" in text
    assert "recommendations" in text


async def test_health_only_explains_that_the_icb_arranges_and_no_appeal_lies(
    client: httpx.AsyncClient,
) -> None:
    body = (await routing(client, {"decision": "plan_contents", "sections": ["C", "G"]})).json()
    text = " ".join(body["explanation"])
    assert "integrated care board arranges mediation" in text
    assert "No appeal to the tribunal lies" in text


async def test_mixed_dispute_explains_that_each_icb_is_a_party(client: httpx.AsyncClient) -> None:
    body = (await routing(client, {"decision": "plan_contents", "sections": ["F", "G"]})).json()
    assert "sections in dispute: F, G" in body["explanation"][0]
    assert any("integrated care board is a party" in line for line in body["explanation"])


async def test_a_section_named_twice_is_one_dispute(client: httpx.AsyncClient) -> None:
    body = (await routing(client, {"decision": "plan_contents", "sections": ["I", "I"]})).json()
    assert body["certificate_required"] is False
    assert body["scope"] == [EDU]


async def test_scope_is_sorted_whatever_order_the_sections_come_in(client: httpx.AsyncClient) -> None:
    body = (await routing(client, {"decision": "plan_contents", "sections": ["H2", "G", "B"]})).json()
    assert body["scope"] == [EDU, HEALTH, SOCIAL]


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        pytest.param(
            {"decision": "refuse_school", "sections": []},
            "unknown decision 'refuse_school'",
            id="unknown-decision",
        ),
        pytest.param({"decision": "", "sections": []}, "unknown decision ''", id="empty-decision"),
        pytest.param(
            {"decision": "plan_contents", "sections": ["F", "L"]}, "unknown section 'L'", id="unknown-section"
        ),
        pytest.param(
            {"decision": "plan_contents", "sections": ["f"]}, "unknown section 'f'", id="lower-case-section"
        ),
        pytest.param({"decision": "plan_contents", "sections": ["H"]}, "unknown section 'H'", id="bare-H"),
        pytest.param(
            {"decision": "plan_contents", "sections": []},
            "at least one EHC plan section",
            id="plan-contents-no-sections",
        ),
        pytest.param(
            {"decision": "plan_contents"},
            "at least one EHC plan section",
            id="plan-contents-sections-omitted",
        ),
        pytest.param({"decision": "plan_contents", "sections": "F"}, "sections", id="sections-a-string"),
        pytest.param(
            {"decision": "plan_contents", "sections": {"F": True}}, "sections", id="sections-object"
        ),
        pytest.param({"decision": "plan_contents", "sections": [6]}, "sections[0]", id="section-a-number"),
        pytest.param({"sections": ["F"]}, "decision", id="missing-decision"),
        pytest.param({"decision": None, "sections": ["F"]}, "decision", id="null-decision"),
        pytest.param(
            {"decision": "plan_contents", "sections": ["F"], "urgent": True},
            "urgent",
            id="unknown-top-level-field",
        ),
        pytest.param(["plan_contents", ["F"]], "array", id="body-is-a-list"),
    ],
)
async def test_bad_routing_input_is_refused_with_a_detail_naming_the_problem(
    client: httpx.AsyncClient, payload: Any, problem: str
) -> None:
    response = await routing(client, payload)
    assert response.status_code in (400, 422), response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert problem in detail


async def test_a_routing_body_that_is_not_json_is_refused_as_malformed(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=b"{decision: F}", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON is malformed" in response.json()["detail"]
