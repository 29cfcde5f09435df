"""The admin audit log page: filters, keyset paging, CSV export (content, formula injection), and who may
use it. Each test writes its own entries, by its own person, so other tests' entries never change what
it sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from urllib.parse import parse_qs, urlparse

import pytest

from mediation.audit import service as audit
from mediation.audit.reading import PAGE_SIZE, decode_cursor, neutralise
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from mediation.timekeeping import LONDON, use_clock
from tests.conftest import DEMO_EMAILS, client_as
from tests.mediation.helpers import person

pytestmark = pytest.mark.anyio

ENTRY = re.compile(r'id="entry-(\d+)"')


def _at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=LONDON)


async def _entries(actor, action: str, moments: list[dt.datetime], **fields) -> list[int]:
    ids = []
    for moment in moments:
        with use_clock(moment):
            await audit.record(actor=actor, action=action, entity="test", summary=f"{action} entry", **fields)
        row = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
        ids.append(row["id"])
    return ids


def _ids(page: str) -> list[int]:
    return [int(i) for i in ENTRY.findall(page)]


def _link(page: str, label: str) -> str | None:
    found = re.search(rf'href="(/admin/audit\?[^"]*)">{label}</a>', page)
    return found.group(1).replace("&amp;", "&") if found else None


async def _case() -> dict:
    return (
        await Disagreement.select(Disagreement.id, Disagreement.reference)
        .where(Disagreement.child_name == "Jamie Taylor")
        .first()
    )


async def test_filtering_by_person_action_and_date_range_shows_only_those_entries(app):
    someone = await person("family", None, "Audit Filter")
    other = await person("family", None, "Audit Other")
    tag = secrets.token_hex(3)
    march_2, march_5, march_9 = await _entries(someone, f"t{tag}_a", [_at(2), _at(5), _at(9)])
    (late,) = await _entries(someone, f"t{tag}_b", [_at(5, 23, 30)])  # 23:30 in England, still 5 March
    (theirs,) = await _entries(other, f"t{tag}_a", [_at(5)])
    client = await client_as(app, "admin")

    page = await client.get("/admin/audit", params={"user": someone.email.upper()})
    assert page.status_code == 200
    assert _ids(page.text) == [march_9, late, march_5, march_2]

    page = await client.get("/admin/audit", params={"user": someone.email, "action": f"t{tag}_a"})
    assert _ids(page.text) == [march_9, march_5, march_2]

    page = await client.get("/admin/audit", params={"action": f"t{tag}_a"})
    assert set(_ids(page.text)) == {march_9, march_5, march_2, theirs}

    dates = {"from-day": "3", "from-month": "3", "from-year": "2026", "to-day": "5", "to-month": "3"}
    page = await client.get("/admin/audit", params={"user": someone.email, **dates, "to-year": "2026"})
    assert _ids(page.text) == [late, march_5]  # the "to" day is included, to its end in England
    assert "from 03 March 2026" in page.text and "to 05 March 2026" in page.text
    await client.aclose()


async def test_an_event_with_outcomes_is_found_by_its_name(app):
    someone = await person("family", None, "Audit Outcome")
    (agreement,) = await _entries(someone, "mediation_held.agreement", [_at(2)])
    (no_agreement,) = await _entries(someone, "mediation_held.no_agreement", [_at(3)])
    client = await client_as(app, "admin")
    page = await client.get("/admin/audit", params={"user": someone.email, "action": "mediation_held"})
    assert _ids(page.text) == [no_agreement, agreement]
    await client.aclose()


async def test_filtering_by_case_reference(app):
    case = await _case()
    someone = await person("family", None, "Audit Case")
    tag = secrets.token_hex(3)
    (on_case,) = await _entries(someone, f"t{tag}", [_at(4)], disagreement_id=case["id"])
    (elsewhere,) = await _entries(someone, f"t{tag}", [_at(4)])
    client = await client_as(app, "admin")
    page = await client.get(
        "/admin/audit", params={"reference": case["reference"].lower(), "action": f"t{tag}"}
    )
    assert page.status_code == 200
    assert _ids(page.text) == [on_case]
    assert elsewhere not in _ids(page.text)
    assert f"case {case['reference']}" in page.text
    await client.aclose()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"reference": "SEND-0000-NOPE"}, "reference", "No case has the reference SEND-0000-NOPE"),
        ({"user": "nobody-at-all@example.com"}, "user", "No account has the email address"),
        ({"user": "not an email"}, "user", "Enter the person&#39;s email address"),
        ({"action": "DROP TABLE"}, "action", "Enter an action as the log names it"),
        (
            {"from-day": "31", "from-month": "2", "from-year": "2026"},
            "from-day",
            "The start date must be a real date",
        ),
        ({"to-day": "1", "to-month": "3"}, "to-day", "The end date must include a year"),
        (
            {
                "from-day": "5",
                "from-month": "3",
                "from-year": "2026",
                "to-day": "4",
                "to-month": "3",
                "to-year": "2026",
            },
            "to-day",
            "The end date must be the same as or after the start date",
        ),
        ({"older": "not-a-cursor"}, "page", "This page link is not valid"),
    ],
)
async def test_a_filter_that_cannot_be_read_is_named_in_the_error_summary(app, params, field, message):
    client = await client_as(app, "admin")
    page = await client.get("/admin/audit", params=params)
    assert page.status_code == 400
    assert "There is a problem" in page.text and "<title>Error:" in page.text
    assert f'href="#{field}"' in page.text
    assert message in page.text
    assert _ids(page.text) == []
    export = await client.get("/admin/audit.csv", params=params)
    if field != "page":  # the export has no pages: a page link is not one of its filters
        assert export.status_code == 400 and message in export.text
    await client.aclose()


async def test_keyset_paging_walks_every_entry_once_in_order_even_when_entries_arrive_meanwhile(app):
    someone = await person("family", None, "Audit Pages")
    # Several entries share a moment: the id breaks the tie, so none is skipped or repeated.
    moments = [_at(1 + i // 40, 9, (i // 4) % 60) for i in range(PAGE_SIZE * 2 + 30)]
    made = await _entries(someone, "paging_test", moments)
    expected = [i for _, i in sorted(zip(moments, made, strict=True), reverse=True)]
    client = await client_as(app, "admin")
    url: str | None = f"/admin/audit?user={someone.email}"
    seen: list[int] = []
    pages = 0
    while url:
        page = await client.get(url)
        assert page.status_code == 200
        seen += _ids(page.text)
        pages += 1
        if pages == 1:
            # A new entry after the first page is drawn: OFFSET paging would repeat one; a keyset does not.
            await _entries(someone, "paging_test", [_at(28)])
            assert _link(page.text, "Newer entries") is None
        url = _link(page.text, "Older entries")
        assert "offset" not in (url or "") and "page=" not in (url or "")
    assert pages == 3
    assert seen == expected

    # And back: "Newer entries" from the last page gives the page before it, in the same order.
    last = await client.get(
        f"/admin/audit?user={someone.email}&older={_cursor_of(expected[PAGE_SIZE * 2 - 1], moments, made)}"
    )
    assert _ids(last.text) == expected[PAGE_SIZE * 2 :]
    back = await client.get(_link(last.text, "Newer entries"))
    assert _ids(back.text) == expected[PAGE_SIZE : PAGE_SIZE * 2]
    await client.aclose()


def _cursor_of(entry_id: int, moments: list[dt.datetime], made: list[int]) -> str:
    moment = moments[made.index(entry_id)]
    return f"{moment.astimezone(dt.UTC).isoformat()}_{entry_id}".replace("+", "%2B")


def test_a_cursor_is_read_back_exactly_or_refused():
    at = dt.datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=dt.UTC)
    assert decode_cursor(f"{at.isoformat()}_42") == (at, 42)
    for broken in ("", "42", "2026-03-01T09:00:00_42", f"{at.isoformat()}_x", f"{at.isoformat()}_²", "x_1"):
        assert decode_cursor(broken) is None, broken


def test_cells_a_spreadsheet_would_run_are_neutralised():
    assert neutralise('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    for start in "=+-@\t\r":
        assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("Plain text = fine") == "Plain text = fine"
    assert neutralise(None) == ""
    assert neutralise(12) == "12"


async def test_the_csv_export_has_the_filtered_entries_neutralised_and_is_itself_audited(app):
    case = await _case()
    someone = await person("family", None, "Audit Export")
    tag = secrets.token_hex(3)
    ids = []
    for summary in (
        '=HYPERLINK("http://evil.example","x")',
        "+SUM(A1:A2)",
        "-2+3",
        "@cmd",
        'Meeting, moved "again"',
    ):
        with use_clock(_at(6)):
            await audit.record(
                actor=someone,
                action=f"t{tag}",
                entity="test",
                summary=summary,
                after={"note": "=1+1"},
                disagreement_id=case["id"],
            )
        ids.append(
            (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first())["id"]
        )
    client = await client_as(app, "admin")
    exports_before = await AuditEvent.count().where(AuditEvent.action == "audit_exported")
    response = await client.get(
        "/admin/audit.csv", params={"action": f"t{tag}", "reference": case["reference"]}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="audit-log-')
    assert disposition.endswith(f'-{case["reference"]}.csv"')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["id", "at_utc", "who", "action"]
    body = rows[1:]
    assert [int(r[0]) for r in body] == sorted(ids, reverse=True)
    summaries = {r[7] for r in body}
    assert summaries == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'+SUM(A1:A2)",
        "'-2+3",
        "'@cmd",
        'Meeting, moved "again"',
    }
    assert all(r[6] == case["reference"] and r[3] == f"t{tag}" for r in body)
    assert all(r[9] == '{"note": "=1+1"}' for r in body)  # JSON starts with "{": nothing to run
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in body for cell in r)

    exports = (
        await AuditEvent.select(AuditEvent.actor_label, AuditEvent.summary, AuditEvent.after)
        .where(AuditEvent.action == "audit_exported")
        .order_by(AuditEvent.id, ascending=False)
        .output(load_json=True)
    )
    assert len(exports) == exports_before + 1
    assert DEMO_EMAILS["admin"] in exports[0]["actor_label"]
    assert f"case {case['reference']}" in exports[0]["summary"] and "5 entries" in exports[0]["summary"]
    assert exports[0]["after"]["entries"] == 5
    await client.aclose()


async def test_the_export_reads_the_whole_filtered_log_in_batches(app, monkeypatch):
    from mediation.audit import reading

    monkeypatch.setattr(reading, "EXPORT_BATCH", 7)
    someone = await person("family", None, "Audit Batches")
    made = await _entries(someone, "batch_test", [_at(7, 9, i % 3) for i in range(23)])
    client = await client_as(app, "admin")
    response = await client.get("/admin/audit.csv", params={"user": someone.email})
    ids = [int(r[0]) for r in list(csv.reader(io.StringIO(response.text)))[1:]]
    assert sorted(ids) == sorted(made) and len(ids) == len(set(ids)) == 23
    await client.aclose()


@pytest.mark.parametrize("role", ["family", "la_coordinator", "health_commissioner", "mediator"])
async def test_only_admins_see_or_export_the_log_and_a_refused_export_records_nothing(app, role):
    client = await client_as(app, role)
    before = await AuditEvent.count().where(AuditEvent.action == "audit_exported")
    assert (await client.get("/admin/audit")).status_code == 403
    response = await client.get("/admin/audit.csv")
    assert response.status_code == 403
    assert "text/csv" not in response.headers.get("content-type", "")
    assert await AuditEvent.count().where(AuditEvent.action == "audit_exported") == before
    await client.aclose()
    anonymous = await client_as(app, "anonymous")
    assert (await anonymous.get("/admin/audit.csv")).status_code == 302
    await anonymous.aclose()


async def test_the_table_reflows_on_a_narrow_screen(app):
    client = await client_as(app, "admin")
    page = await client.get("/admin/audit")
    region = re.search(
        r'<div class="app-table-scroll" tabindex="0" role="region" aria-label="([^"]+)">', page.text
    )
    assert region is not None and region.group(1) == "Audit log entries"
    assert 'class="govuk-table app-wrap-table app-stacked-table"' in page.text
    assert '<td class="govuk-table__cell" data-label="Summary">' in page.text  # each cell named when stacked
    css = (await client.get("/static/app.css")).text
    assert re.search(r"\.app-wrap-table \.govuk-table__cell \{[^}]*overflow-wrap: anywhere", css)
    assert re.search(r"\.app-stacked-table \.govuk-table__cell::before \{[^}]*attr\(data-label\)", css)
    await client.aclose()


def test_paging_links_keep_the_filters():
    from mediation.audit.reading import Filters

    query = Filters({"user": "a@example.com", "action": "", "reference": "X-1"}).query()
    assert parse_qs(query) == {"user": ["a@example.com"], "reference": ["X-1"]}
    assert urlparse("/admin/audit?" + query).path == "/admin/audit"
