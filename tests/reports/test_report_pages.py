"""The reports page, its CSV and the JSON API: the same figures, for the right people, validated."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import client_as, sign_in
from tests.reports.conftest import PASSWORD

pytestmark = pytest.mark.anyio

RANGE = "from-day=1&from-month=6&from-year=2026&to-day=31&to-month=8&to-year=2026"
ISO = "from=2026-06-01&to=2026-08-31"


@contextlib.asynccontextmanager
async def _client(app, email: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as client:
        await sign_in(client, email, PASSWORD)
        yield client


@contextlib.asynccontextmanager
async def _as_role(app, role: str) -> AsyncIterator[httpx.AsyncClient]:
    client = await client_as(app, role)
    try:
        yield client
    finally:
        await client.aclose()


async def test_a_coordinator_sees_their_councils_figures_with_accessible_charts(app, figures):
    async with _client(app, figures.coordinator) as client:
        page = await client.get(f"/reports?{RANGE}")
    assert page.status_code == 200
    html = page.text
    assert "1 June 2026 to 31 August 2026" in html
    assert "67%" in html and "2 of 3 on time" in html  # certificates
    assert html.count('role="img"') == 7
    charts = re.findall(r'<svg[^>]*aria-labelledby="(chart-[a-z_]+)-title \1-desc"', html)
    assert len(charts) == 7
    for chart in charts:
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert (
        "Per month. Jun 2026: 1 of 1 on time (100%); Jul 2026: 1 of 2 on time (50%); Aug 2026: none." in html
    )
    assert (
        "Today, deadlines by who must act. Local authority: 1; ICB: 0; Mediation adviser: 2; Mediator: 0."
        in html
    )
    assert "<script" not in html.split("</main>")[0].split("<main")[1]  # nothing in the page needs JavaScript
    assert (
        f"/reports.csv?organisation={figures.la}&amp;from=2026-06-01&amp;to=2026-08-31&amp;metric=agreements"
        in html
    )


async def test_without_dates_the_page_shows_the_last_six_months_with_the_dates_filled_in(app, figures):
    async with _client(app, figures.coordinator) as client:
        page = await client.get("/reports")
    assert page.status_code == 200
    assert 'name="to-year"' in page.text and "Show report" in page.text
    assert "Certificates issued within 3 working days" in page.text


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        (
            "from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026",
            "The start date must be a real date",
            'value="31"',
        ),
        (
            "from-day=1&from-month=&from-year=2026&to-day=1&to-month=3&to-year=2026",
            "The start date must include a month",
            'value="2026"',
        ),
        (
            "from-day=1&from-month=8&from-year=2026&to-day=1&to-month=6&to-year=2026",
            "The end date must be the same as or after the start date",
            'value="8"',
        ),
        (
            "from-day=1&from-month=1&from-year=2023&to-day=1&to-month=6&to-year=2026",
            "The date range must cover 24 months or fewer",
            'value="2023"',
        ),
        (
            "from-day=1&from-month=1&from-year=2026&to-day=1&to-month=1&to-year=2099",
            "The end date must be today or in the past",
            'value="2099"',
        ),
        (
            "from-day=1&from-month=1&from-year=2013&to-day=1&to-month=1&to-year=2014",
            "on or after 1 September 2014",
            'value="2013"',
        ),
        (
            "from-day=&from-month=&from-year=&to-day=1&to-month=1&to-year=2026",
            "Enter the start date",
            'value="1"',
        ),
    ],
)
async def test_a_wrong_date_range_is_explained_and_what_was_typed_is_kept(app, figures, query, message, kept):
    async with _client(app, figures.coordinator) as client:
        page = await client.get(f"/reports?{query}")
    assert page.status_code == 400
    assert "There is a problem" in page.text and message in page.text and kept in page.text
    assert page.text.count(message) == 2  # in the summary and by the field
    assert "<title>Error: Reports" in page.text


async def test_staff_cannot_see_another_organisations_figures(app, figures):
    async with _client(app, figures.icb_officer) as client:
        own = await client.get(f"/reports?{RANGE}")
        other = await client.get(f"/reports?organisation={figures.la}&{RANGE}")
        csv_other = await client.get(f"/reports.csv?organisation={figures.la}&{ISO}")
        api_other = await client.get(f"/api/v1/reports?organisation={figures.la}&{ISO}")
    assert own.status_code == 200 and "Reportshire ICB" in own.text
    assert (other.status_code, csv_other.status_code, api_other.status_code) == (403, 403, 403)
    # A service's Refused: the same GOV.UK page as any 403, and the reason in the API's JSON.
    for page in (other, csv_other):
        assert '<h1 class="govuk-heading-l">You do not have permission to see this page</h1>' in page.text
    assert api_other.json()["detail"] == "You can see reports for your own organisation only"


async def test_an_admin_chooses_any_local_authority_or_icb(app, figures):
    async with _as_role(app, "admin") as admin:
        empty = await admin.get("/reports")
        chosen = await admin.get(f"/reports?organisation={figures.la}&{RANGE}")
        unknown = await admin.get(f"/reports?organisation=99999999&{RANGE}")
        api_without = await admin.get(f"/api/v1/reports?{ISO}")
    assert (
        empty.status_code == 200 and "Choose an organisation" in empty.text and 'role="img"' not in empty.text
    )
    assert chosen.status_code == 200 and "2 of 3 on time" in chosen.text
    assert unknown.status_code == 400 and "Select a local authority or an ICB from the list" in unknown.text
    assert api_without.status_code == 400 and "organisation" in api_without.json()["detail"]


async def test_mediators_and_families_have_no_reports(app):
    for role in ("mediator", "family"):
        async with _as_role(app, role) as client:
            assert (await client.get("/reports")).status_code == 403
            assert (await client.get("/api/v1/reports")).status_code == 403


async def test_the_csv_holds_the_same_figures_month_by_month(app, figures):
    async with _client(app, figures.coordinator) as client:
        whole = await client.get(f"/reports.csv?organisation={figures.la}&{ISO}")
        one = await client.get(f"/reports.csv?{ISO}&metric=orders_on_time")
        wrong = await client.get(f"/reports.csv?{ISO}&metric=nonsense")
        bad_date = await client.get("/reports.csv?from=2026-02-31&to=2026-03-31")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/csv")
    assert "attachment" in whole.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(whole.text)))
    certificates = [
        (r["period_start"], r["value"], r["out_of"]) for r in rows if r["metric"] == "certificates_on_time"
    ]
    assert certificates == [("2026-06-01", "1", "1"), ("2026-07-01", "1", "2"), ("2026-08-01", "0", "0")]
    breaches = {r["group"]: r["value"] for r in rows if r["metric"] == "open_breaches"}
    assert breaches == {"Local authority": "1", "ICB": "0", "Mediation adviser": "2", "Mediator": "0"}
    assert {r["metric"] for r in csv.DictReader(io.StringIO(one.text))} == {"orders_on_time"}
    assert wrong.status_code == 400 and bad_date.status_code == 400


async def test_the_api_gives_the_same_figures_as_json(app, figures):
    async with _client(app, figures.coordinator) as client:
        response = await client.get(f"/api/v1/reports?{ISO}")
        bad = await client.get("/api/v1/reports?from=2026-06-01&to=yesterday")
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["organisation"]["id"]) == ("2026-06-01", "2026-08-31", figures.la)
    by_id = {m["id"]: m for m in body["metrics"]}
    assert (by_id["orders_on_time"]["value"], by_id["orders_on_time"]["total"]) == (2, 3)
    assert [b["value"] for b in by_id["agreements"]["bars"]] == [1, 0, 1]
    assert by_id["open_breaches"]["as_at_today"] is True
    assert bad.status_code == 400 and "to must be a date like 2027-01-31" in bad.json()["detail"]


async def test_the_csv_content_type_names_its_charset_once(app, figures):
    async with _client(app, figures.coordinator) as client:
        response = await client.get(f"/reports.csv?organisation={figures.la}&{ISO}")
    assert response.status_code == 200
    assert response.headers["content-type"].count("charset") == 1
