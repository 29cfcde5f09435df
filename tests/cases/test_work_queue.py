"""The staff work queue (issue 15 part 1): keyset paging, risk ranges, search, assignment and "my cases",
internal notes the family never sees, and withdrawing or closing from the staff case page."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.cases.queue import QueueFilters, queue_page, read_cursor, risk_bounds
from mediation.cases.tables import CaseNote, Disagreement
from tests.cases.helpers import lodge, own_la
from tests.confirmations import confirmation_after
from tests.conftest import client_as, csrf_token, sign_in

pytestmark = pytest.mark.anyio


async def client_for(app: object, email: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )
    await sign_in(c, email)
    return c


async def api_event(client: httpx.AsyncClient, reference: str, body: dict) -> httpx.Response:
    token = client.cookies.get("csrftoken", "")
    return await client.post(f"/api/v1/cases/{reference}/events", json=body, headers={"x-csrftoken": token})


async def walk(user, filters: QueueFilters, limit: int) -> tuple[list[list[str]], list[list[str]]]:
    """Every page forwards by `next`, then every page backwards by `previous` from the last one."""
    forwards, page = [], await queue_page(user, filters, limit=limit)
    forwards.append([c.reference for c in page.cases])
    while page.next:
        page = await queue_page(user, filters, limit=limit, after=read_cursor(page.next, field="after"))
        forwards.append([c.reference for c in page.cases])
    backwards = [forwards[-1]]
    while page.previous:
        page = await queue_page(user, filters, limit=limit, before=read_cursor(page.previous, field="before"))
        backwards.append([c.reference for c in page.cases])
    return forwards, backwards[::-1]


async def test_keyset_pages_run_nearest_deadline_first_then_undated_and_back_again(app):
    la = await own_la()
    today = timekeeping.today()
    dues = [today + dt.timedelta(days=d) for d in (9, 2, 2, -3, 30)]
    dated = [(due, await lodge(la, f"Child {n}", due=due)) for n, due in enumerate(dues)]
    undated = [await lodge(la, f"Undated {n}", due=None) for n in range(2)]
    ids = {
        r["reference"]: r["id"]
        for r in await Disagreement.select(Disagreement.reference, Disagreement.id).where(
            Disagreement.local_authority == la.la_id
        )
    }
    expected = [ref for _, ref in sorted(dated, key=lambda p: (p[0], ids[p[1]]))]
    expected += sorted(undated, key=lambda ref: ids[ref])
    forwards, backwards = await walk(la.coordinator, QueueFilters(), limit=3)
    assert [ref for page in forwards for ref in page] == expected
    assert [len(p) for p in forwards] == [3, 3, 1]
    assert backwards == forwards  # "Previous" gives back exactly the pages "Next" gave
    first = await queue_page(la.coordinator, limit=3)
    assert first.previous is None


async def test_risk_filters_are_ranges_and_on_track_pages_on_into_the_undated_cases(app):
    la = await own_la()
    today = timekeeping.today()
    until = risk_bounds(today)
    overdue = await lodge(la, "Overdue Child", due=today - dt.timedelta(days=1))
    at_risk = [await lodge(la, "Soon Child", due=today), await lodge(la, "Soon Child", due=until)]
    on_track = await lodge(la, "Later Child", due=until + dt.timedelta(days=1))
    undated = await lodge(la, "Nothing Due", due=None)

    async def refs(risk: str) -> list[str]:
        forwards, _ = await walk(la.coordinator, QueueFilters(risk=risk), limit=1)
        return [ref for page in forwards for ref in page]

    assert await refs("overdue") == [overdue]
    assert await refs("at_risk") == at_risk
    assert await refs("on_track") == [on_track, undated]


async def test_search_finds_by_reference_child_or_family_name_and_only_in_the_callers_own_la(app):
    la, other = await own_la(), await own_la()
    mine = await lodge(la, "Rowan Quenby", due=None)
    by_family = await lodge(la, "Sam Other", due=None)
    theirs = await lodge(other, "Rowan Quenby", due=None)
    family_name = la.family.full_name.split()[1]  # "Family"'s tagged surname part is unique to this LA
    client = await client_for(app, la.coordinator.email)
    assert [c["reference"] for c in (await client.get("/api/v1/cases?q=quenby")).json()] == [mine]
    assert [c["reference"] for c in (await client.get(f"/api/v1/cases?q={mine.lower()}")).json()] == [mine]
    assert [c["reference"] for c in (await client.get(f"/api/v1/cases?q={mine[3:]}")).json()] == [mine]
    assert (await client.get(f"/api/v1/cases?q={theirs}")).json() == []  # another LA's case is not found
    found = {c["reference"] for c in (await client.get(f"/api/v1/cases?q={family_name}")).json()}
    assert found == {mine, by_family}
    assert (await client.get("/api/v1/cases?q=100%25")).json() == []  # % is a character, not a wildcard
    page = await client.get("/home?q=Quenby")
    assert mine in page.text and theirs not in page.text and by_family not in page.text
    assert 'value="Quenby"' in page.text
    too_long = await client.get("/home?q=" + "x" * 101)
    assert too_long.status_code == 400
    assert 'href="#q"' in too_long.text
    await client.aclose()


async def test_the_queue_api_gives_next_and_previous_cursors_and_refuses_a_forged_one(app):
    la = await own_la()
    today = timekeeping.today()
    for n in range(3):
        await lodge(la, f"Paged {n}", due=today + dt.timedelta(days=n))
    client = await client_for(app, la.coordinator.email)
    first = (await client.get("/api/v1/queue?limit=2")).json()
    assert len(first["cases"]) == 2 and first["previous"] is None and first["next"]
    second = (await client.get(f"/api/v1/queue?limit=2&after={first['next']}")).json()
    assert len(second["cases"]) == 1 and second["next"] is None and second["previous"]
    back = (await client.get(f"/api/v1/queue?limit=2&before={second['previous']}")).json()
    assert back["cases"] == first["cases"]
    listed = await client.get("/api/v1/cases?limit=2")
    assert isinstance(listed.json(), list)  # the list stays a list; its next page is in the Link header
    assert f"after={first['next']}" in listed.headers["link"] and 'rel="next"' in listed.headers["link"]
    forged = await client.get("/api/v1/queue?after=2027-13-01_5")
    assert forged.status_code == 400
    assert "after is not a cursor" in forged.json()["detail"]
    both = await client.get(f"/api/v1/queue?after={first['next']}&before={second['previous']}")
    assert both.status_code == 400 and "either after or before" in both.json()["detail"]
    page = await client.get("/home?after=nonsense_1")
    assert page.status_code == 400 and "start again from the first page" in page.text
    await client.aclose()


async def test_an_officer_is_assigned_by_event_and_my_cases_and_unassigned_follow(app):
    la, other = await own_la(), await own_la()
    reference = await lodge(la, "Assign Me", due=None)
    spare = await lodge(la, "Left Alone", due=None)
    coordinator = await client_for(app, la.coordinator.email)
    response = await api_event(coordinator, reference, {"event": "assigned", "officer": la.officer.email})
    assert response.status_code == 200, response.text
    assert response.json()["assigned_to"] == la.officer.email
    wrong = await api_event(coordinator, spare, {"event": "assigned", "officer": other.officer.email})
    assert wrong.status_code == 422
    assert "staff account of the body handling the case" in wrong.json()["detail"]
    family = await api_event(coordinator, spare, {"event": "assigned", "officer": la.family.email})
    assert family.status_code == 422

    officer = await client_for(app, la.officer.email)
    mine = [c["reference"] for c in (await officer.get("/api/v1/cases?assigned_to=me")).json()]
    assert mine == [reference]
    none = {c["reference"] for c in (await officer.get("/api/v1/cases?assigned_to=none")).json()}
    assert spare in none and reference not in none
    by_email = (await coordinator.get(f"/api/v1/cases?assigned_to={la.officer.email}")).json()
    assert [c["reference"] for c in by_email] == [reference]
    assert by_email[0]["assigned_to"] == la.officer.email
    page = await officer.get("/home?view=mine")
    assert reference in page.text and spare not in page.text

    outsider = await client_for(app, other.coordinator.email)  # another LA cannot see, let alone assign
    refused = await api_event(outsider, reference, {"event": "assigned", "officer": other.officer.email})
    assert refused.status_code == 404
    assert (await outsider.get(f"/api/v1/cases?assigned_to={la.officer.email}")).json() == []
    family_client = await client_for(app, la.family.email)
    own = await api_event(family_client, reference, {"event": "assigned", "officer": la.officer.email})
    assert own.status_code == 403
    listed = {c["reference"]: c for c in (await family_client.get("/api/v1/cases")).json()}
    assert listed[reference]["assigned_to"] is None  # the family is never shown who deals with it
    assert la.officer.email not in (await family_client.get("/home")).text
    log = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.after)
        .where((AuditEvent.entity_id == reference) & (AuditEvent.action == "assigned"))
        .output(load_json=True)
    )
    assert [e["after"]["officer"] for e in log] == [la.officer.email]
    for c in (coordinator, officer, outsider, family_client):
        await c.aclose()


async def test_internal_notes_are_audited_and_never_reach_the_family(app):
    la, other = await own_la(), await own_la()
    reference = await lodge(la, "Noted Child", due=None)
    secret = "Mother says the school refused the visit; call the SENCo"
    coordinator = await client_for(app, la.coordinator.email)
    token = await csrf_token(coordinator, f"/cases/{reference}")
    saved = await coordinator.post(
        f"/cases/{reference}/notes", data={"note_text": secret, "_csrf_token": token}
    )
    assert await confirmation_after(coordinator, saved) == "Internal note added"
    api = await api_event(coordinator, reference, {"event": "note_added", "text": "Second note\nline two"})
    assert api.status_code == 200
    assert [n["text"] for n in api.json()["notes"]] == ["Second note\nline two", secret]
    staff_page = await coordinator.get(f"/cases/{reference}")
    assert secret in staff_page.text and "Internal notes" in staff_page.text

    family = await client_for(app, la.family.email)
    read = await family.get(f"/api/v1/cases/{reference}")
    assert read.status_code == 200
    assert secret not in read.text and "Second note" not in read.text
    assert read.json()["notes"] == [] and read.json()["assigned_to"] is None
    assert "note_added" not in {e["action"] for e in read.json()["timeline"]}
    family_page = await family.get(f"/cases/{reference}")
    assert family_page.status_code == 200
    assert secret not in family_page.text and "Internal note" not in family_page.text
    refused = await api_event(family, reference, {"event": "note_added", "text": "mine"})
    assert refused.status_code == 403

    outsider = await client_for(app, other.coordinator.email)
    assert (await api_event(outsider, reference, {"event": "note_added", "text": "x"})).status_code == 404
    control = await api_event(coordinator, reference, {"event": "note_added", "text": "bad\u0000byte"})
    assert control.status_code == 422
    long = await api_event(coordinator, reference, {"event": "note_added", "text": "x" * 5001})
    assert long.status_code == 422
    blank = await coordinator.post(f"/cases/{reference}/notes", data={"note_text": " ", "_csrf_token": token})
    assert blank.status_code == 400 and 'href="#note_text"' in blank.text
    notes = await CaseNote.count().where(CaseNote.disagreement.reference == reference)
    assert notes == 2
    log = await AuditEvent.select(AuditEvent.summary, AuditEvent.actor).where(
        (AuditEvent.entity_id == reference) & (AuditEvent.action == "note_added")
    )
    assert [e["summary"] for e in log] == ["Internal note added", "Internal note added"]
    assert all(secret not in e["summary"] for e in log)  # the text stays out of the family's case log
    for c in (coordinator, family, outsider):
        await c.aclose()


async def test_staff_withdraw_then_close_a_case_from_its_page_with_a_reason(app):
    la = await own_la()
    reference = await lodge(la, "Ending Child", due=None)
    coordinator = await client_for(app, la.coordinator.email)
    page = await coordinator.get(f"/cases/{reference}")
    assert "Withdraw the case" in page.text
    assert "Close the case" not in page.text  # not yet: it has not reached an outcome
    token = await csrf_token(coordinator, f"/cases/{reference}")
    blank = await coordinator.post(
        f"/cases/{reference}/withdraw", data={"withdraw_reason": "", "_csrf_token": token}
    )
    assert blank.status_code == 400 and 'href="#withdraw_reason"' in blank.text
    early = await coordinator.post(
        f"/cases/{reference}/close", data={"close_reason": "x", "_csrf_token": token}
    )
    assert (
        early.status_code == 409
        and "Cannot close the case: the case is at &#39;mediation requested&#39;" in early.text
    )
    done = await coordinator.post(
        f"/cases/{reference}/withdraw",
        data={"withdraw_reason": "Family wrote to withdraw", "_csrf_token": token},
    )
    assert await confirmation_after(coordinator, done) == "Case withdrawn"
    closed = await coordinator.post(
        f"/cases/{reference}/close", data={"close_reason": "Withdrawn by the family", "_csrf_token": token}
    )
    assert await confirmation_after(coordinator, closed) == "Case closed"
    case = await Disagreement.select(Disagreement.state).where(Disagreement.reference == reference).first()
    assert case["state"] == "closed"
    late = await api_event(coordinator, reference, {"event": "note_added", "text": "after closing"})
    assert late.status_code == 409  # a closed case takes no more events, notes included
    await coordinator.aclose()


async def test_the_demo_queue_page_offers_views_search_and_keeps_the_filters(app):
    la = await client_as(app, "la_coordinator")
    page = await la.get("/home?view=unassigned&risk=overdue")
    assert page.status_code == 200
    assert '<a class="govuk-link" href="/home?view=unassigned" aria-current="page">' in page.text
    assert 'name="view" value="unassigned"' in page.text
    assert "Unassigned, nearest deadline first" in page.text or "No cases match these filters." in page.text
    await la.aclose()
