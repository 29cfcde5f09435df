"""The public pages: "When is my deadline?" and "Who handles my disagreement?" (no login, GOV.UK forms)."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import client_as

pytestmark = pytest.mark.anyio

CALCULATOR = "/deadline-calculator"
CHECKER = "/who-handles-my-disagreement"
ERROR_SUMMARY = "There is a problem"


def text_of(response: httpx.Response) -> str:
    """The page with its markup's entities decoded, so apostrophes and quotes read as typed."""
    return html.unescape(response.text)


def summary_links(response: httpx.Response) -> dict[str, str]:
    """The error summary's links: field id -> message."""
    summary = response.text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return {m[0]: html.unescape(m[1]).strip() for m in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary)}


def input_value(response: httpx.Response, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', response.text)
    return html.unescape(match.group(1)) if match else None


def certificate(day: str, month: str, year: str) -> dict[str, str]:
    return {"certificate-day": day, "certificate-month": month, "certificate-year": year}


def calculator_query(rule: str = "", start: tuple[str, str, str] = ("", "", ""), **extra: str) -> str:
    day, month, year = start
    params = {"rule": rule, "start-day": day, "start-month": month, "start-year": year, **extra}
    return f"{CALCULATOR}?{urlencode(params)}"


# --- the deadline calculator ----------------------------------------------------------------------------


async def test_calculator_without_a_query_shows_the_empty_form(client: httpx.AsyncClient) -> None:
    response = await client.get(CALCULATOR)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<select class="govuk-select" id="rule" name="rule">' in response.text
    assert 'class="govuk-date-input" id="start"' in response.text
    for part in ("day", "month", "year"):
        assert f'id="start-{part}" name="start-{part}"' in response.text
    assert '<option value="appeal">' in response.text
    assert '<option value="agreement_override"' not in response.text  # agreed in writing, not calculated
    assert ERROR_SUMMARY not in response.text
    assert "govuk-panel" not in response.text


async def test_calculator_shows_the_appeal_due_date_with_its_explanation_and_citation(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(calculator_query("appeal", ("10", "3", "2027")))
    assert response.status_code == 200
    page = text_of(response)
    assert '<h2 class="govuk-panel__title">\n    By Monday 10 May 2027\n  </h2>' in page
    assert "Appeal to the tribunal" in page
    # The working and the law sit behind "The law behind this date", never in the reading text.
    law = page[page.index("The law behind this date") :]
    assert "<li>2 months after Wed 10 Mar 2027, when the decision notice was sent" in law
    assert "<li>due Mon 10 May 2027</li>" in law
    assert "The law: Tribunal Procedure (First-tier Tribunal) (HESC Chamber) Rules 2008 r.20(1)(c)" in law
    assert "Status P" not in page and "primary legislation" not in page
    assert ERROR_SUMMARY not in page
    assert '<option value="appeal" selected>' in response.text
    assert input_value(response, "start-day") == "10"


async def test_calculator_explains_easter_for_a_certificate_after_the_family_declines(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(calculator_query("certificate_after_decline", ("23", "3", "2027")))
    assert response.status_code == 200
    page = text_of(response)
    assert "Tuesday 30 March 2027" in page
    assert "<li>skipped Fri 26 Mar 2027 (Good Friday)</li>" in page
    assert "<li>skipped Mon 29 Mar 2027 (Easter Monday)</li>" in page
    assert "Status S" not in page and "secondary guidance" not in page  # research notes are for staff


async def test_calculator_takes_the_certificate_date_for_an_appeal(client: httpx.AsyncClient) -> None:
    query = calculator_query("appeal", ("1", "10", "2027"), **certificate("29", "11", "2027"))
    response = await client.get(query)
    assert response.status_code == 200
    assert "Tuesday 4 January 2028" in text_of(response)
    assert input_value(response, "certificate-day") == "29"


async def test_calculator_moves_a_2019_appeal_out_of_august(client: httpx.AsyncClient) -> None:
    # 2 months after Fri 28 Jun 2019 = Wed 28 Aug 2019, so the first working day after 31 Aug: Mon 2 Sep.
    response = await client.get(calculator_query("appeal", ("28", "6", "2019")))
    assert response.status_code == 200
    page = text_of(response)
    assert "Monday 2 September 2019" in page
    assert "r.12(3)(a)" in page
    assert ERROR_SUMMARY not in page


async def test_calculator_says_when_the_appeal_rule_began(client: httpx.AsyncClient) -> None:
    response = await client.get(calculator_query("appeal", ("31", "8", "2014")))
    assert response.status_code == 400
    page = text_of(response)
    # In words, on the date field (linked from the summary), never the rule id or ISO dates.
    assert "This time limit did not apply then. Enter a date from Monday 1 September 2014 on" in page
    assert 'href="#start-day"' in page and "Rule appeal" not in page and "2014-09-01" not in page


async def test_calculator_counts_the_mediation_notice_back_from_the_mediation_date(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(calculator_query("mediation_notice", ("31", "3", "2027")))
    assert response.status_code == 200
    assert "Monday 22 March 2027" in text_of(response)


async def test_calculator_works_out_an_appealable_agreement_from_the_chosen_order(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        calculator_query("agreement_appealable", ("14", "7", "2027"), order="order_amend_plan")
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Wednesday 18 August 2027" in page
    assert "as if the mediation agreement were a tribunal order (order_amend_plan)" in page
    assert '<option value="order_amend_plan" selected>' in response.text


@pytest.mark.parametrize(
    ("rule", "start", "field", "message"),
    [
        pytest.param(
            "", ("10", "3", "2027"), "rule", "Select the deadline you want to work out", id="no-rule"
        ),
        pytest.param(
            "appeal", ("10", "", "2027"), "start-day", "The date must include a month", id="no-month"
        ),
        pytest.param(
            "appeal", ("", "", ""), "start-day", "Enter the date the time limit starts from", id="no-date"
        ),
        pytest.param("appeal", ("31", "2", "2027"), "start-day", "The date must be a real date", id="31-feb"),
        pytest.param(
            "appeal",
            ("ten", "3", "2027"),
            "start-day",
            "The date must be a real date, like 27 3 2027",
            id="letters",
        ),
        pytest.param(
            "appeal",
            ("10", "3", "27"),
            "start-day",
            "The date year must include 4 numbers",
            id="two-digit-year",
        ),
        pytest.param(
            "appeal_deadline",
            ("10", "3", "2027"),
            "rule",
            "Unknown rule 'appeal_deadline'",
            id="unknown-rule",
        ),
    ],
)
async def test_calculator_reshows_the_form_with_an_error_summary_linking_to_the_field(
    client: httpx.AsyncClient, rule: str, start: tuple[str, str, str], field: str, message: str
) -> None:
    response = await client.get(calculator_query(rule, start))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    page = text_of(response)
    assert ERROR_SUMMARY in page
    assert "<title>Error: When is my deadline?" in page
    assert summary_links(response)[field].startswith(message)
    assert f'id="{field}"' in response.text  # the summary's link lands on a real field
    assert "govuk-panel" not in response.text
    for part, typed in zip(("day", "month", "year"), start, strict=True):
        assert input_value(response, f"start-{part}") == typed


async def test_calculator_keeps_every_typed_value_when_one_is_wrong(client: httpx.AsyncClient) -> None:
    query = calculator_query("appeal", ("31", "2", "2027"), **certificate("1", "x", "2027"))
    response = await client.get(query)
    assert response.status_code == 400
    links = summary_links(response)
    assert links["start-day"] == "The date must be a real date"
    assert links["certificate-day"] == "The certificate date must be a real date, like 27 3 2027"
    assert '<option value="appeal" selected>' in response.text
    assert [input_value(response, f"start-{p}") for p in ("day", "month", "year")] == ["31", "2", "2027"]
    assert [input_value(response, f"certificate-{p}") for p in ("day", "month", "year")] == ["1", "x", "2027"]


async def test_calculator_escapes_what_was_typed(client: httpx.AsyncClient) -> None:
    response = await client.get(calculator_query("appeal", ('"><script>alert(1)</script>', "3", "2027")))
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text


@pytest.mark.parametrize("order", [None, "", "order_everything"])
async def test_calculator_asks_for_the_order_when_an_appealable_agreement_has_none(
    client: httpx.AsyncClient, order: str | None
) -> None:
    extra = {} if order is None else {"order": order}
    response = await client.get(calculator_query("agreement_appealable", ("14", "7", "2027"), **extra))
    assert response.status_code == 400
    links = summary_links(response)
    assert list(links) == ["order"]
    assert links["order"] == "Select the tribunal order that matches the mediation agreement"
    assert 'id="order-error"' in response.text


async def test_calculator_refuses_a_certificate_dated_before_the_decision_notice(
    client: httpx.AsyncClient,
) -> None:
    query = calculator_query("appeal", ("10", "3", "2027"), **certificate("1", "3", "2027"))
    response = await client.get(query)
    assert response.status_code == 400
    links = summary_links(response)
    assert list(links) == ["certificate-day"]
    assert "on or after the date the decision notice was sent" in links["certificate-day"]


# --- who handles my disagreement ----------------------------------------------------------------------


async def test_checker_without_a_query_shows_the_questions(client: httpx.AsyncClient) -> None:
    response = await client.get(CHECKER)
    assert response.status_code == 200
    assert 'name="decision" type="radio" value="plan_contents"' in response.text
    assert 'name="sections" type="checkbox" value="H1"' in response.text
    assert ERROR_SUMMARY not in response.text
    assert "Your answer" not in response.text


@pytest.mark.parametrize(
    ("sections", "says", "appeal", "certificate", "because"),
    [
        (
            ["F", "G"],
            [
                "Your council arranges your mediation.",
                "Your local NHS (ICB) takes part too, for the health parts.",
            ],
            "Yes",
            "Yes",
            "Each responsible integrated care board is a party",
        ),
        (
            ["I"],
            ["Your council arranges your mediation.", "You can appeal without a mediation certificate."],
            "Yes",
            "No",
            "so no mediation certificate is needed before appealing (CFA s.55)",
        ),
        (
            ["C", "G"],
            [
                "Your local NHS (ICB) arranges your mediation.",
                "Your council tells your local NHS (ICB) about it first.",
                "You cannot appeal to the tribunal about this.",
            ],
            "No",
            "No",
            "No appeal to the tribunal lies.",
        ),
        (
            ["D", "H1"],
            ["Your council arranges your mediation.", "You cannot appeal to the tribunal about this."],
            "No",
            "No",
            "mediation or disagreement resolution",
        ),
    ],
)
async def test_checker_answers_who_arranges_mediation_and_whether_a_certificate_is_needed(
    client: httpx.AsyncClient,
    sections: list[str],
    says: list[str],
    appeal: str,
    certificate: str,
    because: str,
) -> None:
    query = urlencode([("decision", "plan_contents"), *(("sections", s) for s in sections)])
    response = await client.get(f"{CHECKER}?{query}")
    assert response.status_code == 200
    page = text_of(response)
    answers = dict(
        re.findall(r'__key">\s*(.*?)\s*</dt>\s*<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page)
    )
    assert answers == {
        "Can you appeal to the tribunal?": appeal,
        "Do you need a mediation certificate first?": certificate,
    }
    answer = page[page.index("Your answer") : page.index("The law behind this answer")]
    for sentence in says:
        assert sentence in answer
    # The legal reasoning is still there, behind "The law behind this answer".
    assert because in page[page.index("The law behind this answer") :]
    for section in sections:  # the ticked boxes stay ticked
        assert re.search(rf'name="sections" type="checkbox" value="{section}" checked', response.text)


async def test_checker_says_mediation_does_not_apply_to_disability_discrimination(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"{CHECKER}?decision=disability_discrimination")
    assert response.status_code == 200
    page = text_of(response)
    assert "There is no mediation for a disability discrimination claim." in page
    assert "You send your claim straight to the tribunal." in page
    assert "Equality Act 2010 Sch 17" in page[page.index("The law behind this answer") :]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        pytest.param("decision=", "decision", "Select the decision you disagree with", id="no-decision"),
        pytest.param(
            "decision=&sections=F",
            "decision",
            "Select the decision you disagree with",
            id="sections-but-no-decision",
        ),
        pytest.param(
            "decision=appeal_everything",
            "decision",
            "Unknown decision 'appeal_everything'",
            id="unknown-decision",
        ),
        pytest.param(
            "decision=plan_contents",
            "sections",
            "Sections must name at least one EHC plan section",
            id="contents-without-sections",
        ),
        pytest.param(
            "decision=plan_contents&sections=F&sections=Z",
            "sections",
            "Unknown section 'Z'",
            id="unknown-section",
        ),
    ],
)
async def test_checker_shows_an_error_summary_for_a_missing_or_impossible_answer(
    client: httpx.AsyncClient, query: str, field: str, message: str
) -> None:
    response = await client.get(f"{CHECKER}?{query}")
    assert response.status_code == 400
    assert ERROR_SUMMARY in response.text
    assert "<title>Error: Who handles my disagreement?" in response.text
    assert summary_links(response)[field].startswith(message)
    assert f'id="{field}"' in response.text
    assert f'id="{field}-error"' in response.text
    assert "Your answer" not in response.text


# --- both pages -------------------------------------------------------------------------------------------

PAGES = [
    CALCULATOR,
    calculator_query("appeal", ("10", "3", "2027")),
    calculator_query("appeal", ("31", "2", "2027")),
    CHECKER,
    f"{CHECKER}?decision=plan_contents&sections=F",
    f"{CHECKER}?decision=plan_contents",
]


@pytest.mark.parametrize("page", PAGES)
async def test_public_page_works_with_no_session_and_loads_no_external_script(
    client: httpx.AsyncClient, page: str
) -> None:
    assert not client.cookies
    response = await client.get(page)
    assert response.status_code in (200, 400)
    assert "Signed in as" not in response.text
    assert 'href="/sign-in"' in response.text
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", response.text)
    assert scripts, "the GOV.UK Frontend script is served by the app itself"
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts)
    assert not re.search(r"""src=["']?(https?:)?//""", response.text)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy


async def test_signed_in_family_gets_the_same_answer(app: object) -> None:
    family = await client_as(app, "family")
    try:
        response = await family.get(calculator_query("appeal", ("10", "3", "2027")))
    finally:
        await family.aclose()
    assert response.status_code == 200
    assert "Monday 10 May 2027" in response.text
    assert "Signed in as" in response.text
