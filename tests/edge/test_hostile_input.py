"""Hostile input at the HTTP edge (web/edge.py): deep or huge JSON, ids beyond 64 bits and control
characters get a specific 4xx on every route, never a 500, and nothing hostile reaches the database."""

from __future__ import annotations

import re

import pytest

from mediation.cases.tables import Disagreement
from mediation.lodging.tables import LodgingDraft as Draft
from mediation.web.edge import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests.conftest import client_as
from tests.edge.helpers import endpoints, token_client
from tests.lodging.helpers import la_id, lodge, standard_answers, start_draft

pytestmark = pytest.mark.anyio

ROLES = ["anonymous", "family", "la_coordinator", "health_commissioner", "mediator", "admin"]
HUGE = 2**70  # beyond any 64-bit column
LARGE = 2**40  # beyond PostgreSQL's 32-bit serial ids, within SQLite's 64-bit integers


def _json_posts(app) -> list:  # type: ignore[no-untyped-def]
    return [e for e in endpoints(app) if e.method == "POST" and e.path.startswith("/api/")]


async def _clients(app) -> dict:  # type: ignore[no-untyped-def]
    return {role: await token_client(app, role) for role in ROLES}


async def test_every_json_endpoint_refuses_deeply_nested_json_with_400(app):
    posts = _json_posts(app)
    assert len(posts) >= 12  # the two public calculators, lodging, events, mediation and tribunal
    clients = await _clients(app)
    bodies = {
        "990 deep": b"[" * 990 + b"]" * 990,
        "100k deep": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "just too deep": b"[" * (MAX_JSON_DEPTH + 2) + b"]" * (MAX_JSON_DEPTH + 2),
    }
    for endpoint in posts:
        refused_for_depth = False
        for role, client in clients.items():
            for label, body in bodies.items():
                response = await client.post(
                    endpoint.url(), content=body, headers={"content-type": "application/json"}
                )
                assert response.status_code in {400, 401, 403}, (endpoint.path, role, label, response.text)
                if response.status_code == 400:
                    assert "nests too deeply" in response.json()["detail"], response.text
                    refused_for_depth = True
        assert refused_for_depth, f"no role reached the body of {endpoint.path}"
    for client in clients.values():
        await client.aclose()


async def test_a_json_body_over_the_cap_is_413_and_a_normal_one_still_works(app):
    client = await token_client(app, "anonymous")
    padding = " " * (MAX_JSON_BYTES + 1)
    response = await client.post(
        "/api/v1/routing",
        content=b'{"decision": "plan_contents", "sections": ["F"]}' + padding.encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    ok = await client.post("/api/v1/routing", json={"decision": "plan_contents", "sections": ["F"]})
    assert ok.status_code == 200, ok.text
    await client.aclose()


@pytest.mark.parametrize("number", [HUGE, LARGE, -LARGE])
async def test_every_integer_id_beyond_the_largest_is_404_or_400_on_every_route(app, number):
    clients = await _clients(app)
    checked = []
    for endpoint in endpoints(app):
        ints = [name for name, kind in endpoint.parameters().items() if kind is int]
        queries = endpoint.int_query_parameters()
        if not ints and not queries:
            continue
        url = endpoint.url(**dict.fromkeys(ints, number))
        if queries:
            url += "?" + "&".join(f"{name}={number}" for name in queries)
        reached = False
        for role, client in clients.items():
            response = await client.request(
                endpoint.method, url, json={} if endpoint.method == "POST" else None
            )
            assert response.status_code != 500, (endpoint.method, url, role, response.text[:300])
            allowed = {400, 401, 403, 404, 422} | ({302} if role == "anonymous" else set())  # to sign in
            assert response.status_code in allowed, (url, role, response.status_code)
            reached = reached or response.status_code in {400, 404, 422}
        assert reached, f"no role got past the guard on {endpoint.method} {endpoint.path}"
        checked.append(endpoint.path)
    assert len(checked) >= 20, checked
    for client in clients.values():
        await client.aclose()


async def test_an_integer_query_beyond_the_largest_id_is_a_specific_400(app):
    client = await token_client(app, "la_coordinator")
    for url in (
        f"/api/v1/cases?offset={HUGE}",
        f"/api/v1/notices?offset={HUGE}",
        f"/api/v1/cases?limit={-LARGE}",
    ):
        response = await client.get(url)
        assert response.status_code == 400, (url, response.text)
        assert "offset" in response.json()["detail"] or "limit" in response.json()["detail"]
    assert (await client.get("/api/v1/cases?offset=0&limit=5")).status_code == 200
    await client.aclose()


async def test_json_numbers_beyond_the_largest_id_are_refused_naming_the_field(app):
    client = await token_client(app, "family")
    for number in (HUGE, LARGE):
        response = await client.post(
            "/api/v1/cases/SM-00000000/events", json={"event": "withdrawn", "on": number}
        )
        assert response.status_code == 422, response.text
        assert "on" in response.json()["errors"]
    await client.aclose()


async def test_a_nul_in_an_api_event_is_422_naming_the_field_and_nothing_is_recorded(app):
    family = await token_client(app, "family")
    la = await la_id()
    browser = await client_as(app, "family")
    _, reference = await lodge(browser, standard_answers(la))
    before = await Disagreement.select(Disagreement.state).where(Disagreement.reference == reference).first()
    for payload in (
        {"event": "withdrawn", "reason": "We agreed\x00"},
        {"event": "withdrawn", "reason": "bell\x07"},
        {"event": "withdrawn\x00"},
    ):
        response = await family.post(f"/api/v1/cases/{reference}/events", json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert "control characters" in response.json()["detail"]
    assert (
        "reason"
        in (
            await family.post(
                f"/api/v1/cases/{reference}/events", json={"event": "withdrawn", "reason": "\x00"}
            )
        ).json()["errors"]
    )
    after = await Disagreement.select(Disagreement.state).where(Disagreement.reference == reference).first()
    assert after == before
    # Tabs and new lines are text.
    ok = await family.post(
        f"/api/v1/cases/{reference}/events", json={"event": "withdrawn", "reason": "We agreed.\r\n\tThanks"}
    )
    assert ok.status_code == 200, ok.text
    for client in (family, browser):
        await client.aclose()


async def test_a_nul_in_the_reroute_reason_is_a_400_page_and_the_case_is_unchanged(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id(), "plan_contents", ["F", "G"]))
    la = await token_client(app, "la_coordinator")  # the page takes a token too, without CSRF
    form = {"sections": ["G"], "reason": "Agreed\x00 at review"}
    response = await la.post(f"/cases/{reference}/reroute", data=form)
    assert response.status_code == 400, response.text[-2000:]
    assert "There is a problem with your request" in response.text  # the GOV.UK error page
    assert "control characters" in response.text
    case = await Disagreement.select(Disagreement.sections).where(Disagreement.reference == reference).first()
    assert case["sections"] == "F,G"
    refused = await la.post(f"/api/v1/cases/{reference}/reroute", json={"sections": ["G"], "reason": "a\x00"})
    assert refused.status_code == 422, refused.text
    for client in (family, la):
        await client.aclose()


async def test_a_nul_in_a_lodging_answer_is_refused_and_never_saved(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    response = await family.post(
        f"/lodge/{draft}/who",
        data={"lodged_by": "parent_carer\x00", "_csrf_token": family.cookies.get("csrftoken")},
    )
    assert response.status_code == 400
    assert "control characters" in response.text
    row = await Draft.select(Draft.answers).where(Draft.id == draft).output(load_json=True).first()
    assert "\x00" not in str(row["answers"])
    # The family can carry on and lodge.
    ok = await family.post(
        f"/lodge/{draft}/who",
        data={"lodged_by": "parent_carer", "_csrf_token": family.cookies.get("csrftoken")},
    )
    assert ok.status_code == 303
    await family.aclose()


@pytest.mark.parametrize("number", ["²", "١٢", str(LARGE), "9" * 40])
async def test_numbers_typed_in_forms_and_queries_never_crash_a_page(app, number):
    """str.isdigit() is true of "²", which int() refuses: every page that reads a typed number."""
    admin = await token_client(app, "admin")
    la = await token_client(app, "la_coordinator")
    for client, url in (
        (admin, f"/admin/audit?page={number}"),
        (la, f"/notices?page={number}"),
        (admin, f"/reports?organisation={number}"),
        (admin, f"/api/v1/reports?organisation={number}"),
    ):
        response = await client.get(url)
        assert response.status_code in {200, 400, 404, 422}, (url, response.status_code, response.text[-500:])
    created = await admin.post(
        "/admin/accounts/new",
        data={
            "email": f"n{len(number)}@edge.example",
            "full_name": "Edge Test",
            "role": "la_coordinator",
            "organisation": number,
        },
    )
    assert created.status_code in {303, 400}, created.text[-500:]
    family = await client_as(app, "family")
    draft = await start_draft(family)
    child = {
        "child_name": "Ada",
        "dob-day": "1",
        "dob-month": "2",
        "dob-year": "2016",
        "local_authority": number,
        "_csrf_token": family.cookies.get("csrftoken"),
    }
    answered = await family.post(f"/lodge/{draft}/child", data=child)
    assert answered.status_code == 400, answered.text[-500:]
    assert "Select the local authority" in answered.text
    check = await family.get(f"/lodge/{draft}/check")
    assert check.status_code in {200, 303}, check.text[-500:]
    for client in (admin, la, family):
        await client.aclose()


async def test_a_control_character_in_a_path_or_query_is_404_or_400_before_the_database(app):
    """PostgreSQL refuses a NUL in any text it is sent: a reference or a filter with one was a 500."""
    la = await token_client(app, "la_coordinator")
    for path in ("/cases/SM-0000%00", "/api/v1/cases/%00", "/api/v1/notices/SM%01", "/cases/x%00/tribunal"):
        response = await la.get(path)
        assert response.status_code == 404, (path, response.status_code)
    for path in (
        "/api/v1/cases?state=%00",
        "/api/v1/tribunal/compliance?show=%00",
        "/reports?organisation=%00",
    ):
        response = await la.get(path)
        assert response.status_code == 400, (path, response.status_code)
        assert "control characters" in response.text
    await la.aclose()


@pytest.mark.parametrize("cookie", ["%00", "a%00b" * 8, "\\000", "x" * 5000, "null"])
async def test_a_malformed_session_cookie_names_no_session_and_signing_in_still_works(app, cookie):
    """A session cookie of `%00` reached the session table: on PostgreSQL a 500 for anyone at all."""
    from tests.conftest import DEMO_EMAILS, sign_in

    client = await client_as(app, "anonymous")
    client.cookies.set("session", cookie)
    home = await client.get("/home")
    assert home.status_code == 302 and home.headers["location"].startswith("/sign-in")
    signed_in = await sign_in(client, DEMO_EMAILS["family"])  # still carrying the malformed cookie: 303
    issued = signed_in.cookies.get("session")
    assert issued and re.fullmatch(r"[0-9a-f]{64}", issued), issued  # one the service issued
    assert (await client.get("/home")).status_code == 200
    await client.aclose()
