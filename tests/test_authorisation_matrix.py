"""Every route, for every role and for anonymous visitors, answers the status the access rules say.

The table must name every route the app serves: a new route without an entry fails the test, so no
page or endpoint can ship without someone deciding who may use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from litestar.routes import HTTPRoute

from mediation.accounts.tables import Account
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.lodging.tables import LodgingDraft
from mediation.organisations.tables import Organisation
from tests.conftest import ROLES, client_as, csrf_token

pytestmark = pytest.mark.anyio

A, F, OF, LA, ICB, MED, ADM = ROLES  # anonymous, family, other_family, la, icb, mediator, admin
SIGNED_IN = [F, OF, LA, ICB, MED, ADM]
STAFF = [LA, ICB, MED, ADM]
EVERYONE = [A, *SIGNED_IN]


def statuses(default: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(EVERYONE, default)
    table.update(overrides)
    return table


def only(roles: list[str], ok: int, *, anonymous: int, others: int) -> dict[str, int]:
    table = {role: (ok if role in roles else others) for role in SIGNED_IN}
    table[A] = anonymous
    return table


# The demo case "Jamie Taylor" belongs to `family`, is at the demo LA, has the ICB as a party (section G)
# and is assigned to the demo mediation service: everyone but the other family and the admin may see it.
CASE_VIEWERS = [F, LA, ICB, MED]

# (method, route path) -> (request path with parameters filled in, body, expected status per role)
MATRIX: dict[tuple[str, str], tuple[str, dict | None, dict[str, int]]] = {
    ("GET", "/"): ("/", None, statuses(302, anonymous=200)),
    ("GET", "/sign-in"): ("/sign-in", None, statuses(302, anonymous=200)),
    ("POST", "/sign-in"): ("/sign-in", {"email": "", "password": ""}, statuses(400)),
    ("POST", "/sign-out"): ("/sign-out", {}, statuses(303, anonymous=302)),
    ("GET", "/register"): ("/register", None, statuses(302, anonymous=200)),
    ("POST", "/register"): ("/register", {"email": "x"}, statuses(400)),
    ("GET", "/confirm-email/{token:str}"): ("/confirm-email/forged.token", None, statuses(400)),
    ("POST", "/confirm-email/resend"): ("/confirm-email/resend", {"email": ""}, statuses(400)),
    ("GET", "/home"): ("/home", None, statuses(200, anonymous=302)),
    ("GET", "/health"): ("/health", None, statuses(200)),
    ("GET", "/assets/{file_path:path}"): ("/assets/govuk-frontend.min.css", None, statuses(200)),
    ("GET", "/static/{file_path:path}"): ("/static/app.css", None, statuses(200)),
    ("GET", "/deadline-calculator"): ("/deadline-calculator", None, statuses(200)),
    ("GET", "/who-handles-my-disagreement"): ("/who-handles-my-disagreement", None, statuses(200)),
    ("POST", "/api/v1/deadlines"): ("/api/v1/deadlines", {"rule": "appeal", "inputs": {}}, statuses(422)),
    ("POST", "/api/v1/routing"): ("/api/v1/routing", {"decision": "nonsense"}, statuses(422)),
    ("GET", "/api/v1/rules"): ("/api/v1/rules", None, statuses(200)),
    ("GET", "/schema"): ("/schema", None, statuses(200)),
    ("GET", "/schema/openapi.json"): ("/schema/openapi.json", None, statuses(200)),
    ("GET", "/schema/openapi.yaml"): ("/schema/openapi.yaml", None, statuses(200)),
    ("GET", "/schema/openapi.yml"): ("/schema/openapi.yml", None, statuses(200)),
    ("GET", "/schema/{path:str}"): ("/schema/openapi.json", None, statuses(200)),
    ("GET", "/api/v1/me"): ("/api/v1/me", None, statuses(200, anonymous=401)),
    ("GET", "/api/v1/cases"): ("/api/v1/cases", None, statuses(200, anonymous=401)),
    ("GET", "/api/v1/cases/{reference:str}"): (
        "/api/v1/cases/{case}",
        None,
        only(CASE_VIEWERS, 200, anonymous=401, others=404),
    ),
    ("GET", "/cases/{reference:str}"): (
        "/cases/{case}",
        None,
        only(CASE_VIEWERS, 200, anonymous=302, others=404),
    ),
    ("GET", "/cases/{reference:str}/documents/{document_id:int}"): (
        "/cases/{case}/documents/{document}",
        None,
        only(CASE_VIEWERS, 200, anonymous=302, others=404),
    ),
    ("POST", "/cases/{reference:str}/reroute"): (
        "/cases/{case}/reroute",
        {},
        {A: 302, F: 403, OF: 404, LA: 400, ICB: 400, MED: 403, ADM: 404},
    ),
    ("GET", "/lodge"): ("/lodge", None, {A: 302, F: 200, OF: 200, LA: 403, ICB: 403, MED: 403, ADM: 403}),
    ("POST", "/lodge"): ("/lodge", {}, {A: 302, F: 303, OF: 303, LA: 403, ICB: 403, MED: 403, ADM: 403}),
    ("GET", "/lodge/{draft_id:int}/{step:str}"): (
        "/lodge/{draft}/who",
        None,
        {A: 302, F: 200, OF: 404, LA: 403, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/lodge/{draft_id:int}/{step:str}"): (
        "/lodge/{draft}/child",
        {"child_name": ""},
        {A: 302, F: 400, OF: 404, LA: 403, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/lodge/{draft_id:int}/confirmation"): (
        "/lodge/{draft}/confirmation",
        None,
        {A: 302, F: 302, OF: 404, LA: 403, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/reroute"): (
        "/api/v1/cases/{case}/reroute",
        {"sections": ["B", "F", "G"], "reason": ""},
        {A: 401, F: 403, OF: 404, LA: 400, ICB: 400, MED: 403, ADM: 404},
    ),
    ("GET", "/api/v1/organisations"): (
        "/api/v1/organisations",
        None,
        only(STAFF, 200, anonymous=401, others=403),
    ),
    ("GET", "/api/v1/organisations/{org_id:int}"): (
        "/api/v1/organisations/{la}",
        None,
        only(STAFF, 200, anonymous=401, others=403),
    ),
    ("GET", "/admin/organisations"): (
        "/admin/organisations",
        None,
        only([ADM], 200, anonymous=302, others=403),
    ),
    ("GET", "/admin/organisations/{org_id:int}"): (
        "/admin/organisations/{la}",
        None,
        only([ADM], 200, anonymous=302, others=403),
    ),
    ("POST", "/admin/organisations/{org_id:int}"): (
        "/admin/organisations/{la}",
        {"send_team-email": "not an email"},
        only([ADM], 400, anonymous=302, others=403),
    ),
    ("POST", "/admin/organisations/{org_id:int}/closures"): (
        "/admin/organisations/{la}/closures",
        {"closure-day": "31", "closure-month": "2", "closure-year": "2027", "reason": "x"},
        only([ADM], 400, anonymous=302, others=403),
    ),
    ("POST", "/admin/organisations/{org_id:int}/closures/{closure_id:int}/remove"): (
        "/admin/organisations/{la}/closures/999999/remove",
        {},
        only([ADM], 404, anonymous=302, others=403),
    ),
    ("GET", "/admin/accounts"): ("/admin/accounts", None, only([ADM], 200, anonymous=302, others=403)),
    ("GET", "/admin/accounts/new"): (
        "/admin/accounts/new",
        None,
        only([ADM], 200, anonymous=302, others=403),
    ),
    ("POST", "/admin/accounts/new"): ("/admin/accounts/new", {}, only([ADM], 400, anonymous=302, others=403)),
    ("GET", "/admin/audit"): ("/admin/audit", None, only([ADM], 200, anonymous=302, others=403)),
}


def served_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method in route.methods - {"OPTIONS", "HEAD"}:
                found.add((method, route.path))
    return found


async def test_the_matrix_names_every_route_the_app_serves(app):
    served = served_routes(app)
    assert served - MATRIX.keys() == set(), "routes without an access decision in the matrix"
    assert MATRIX.keys() - served == set(), "matrix rows for routes that no longer exist"


@pytest.fixture
async def ids():
    case = (
        await Disagreement.select(Disagreement.reference)
        .where(Disagreement.child_name == "Jamie Taylor")
        .first()
    )
    la = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    document = await CaseDocument.select(CaseDocument.id).where(CaseDocument.filename == "matrix.pdf").first()
    if document is None:
        case_id = (
            await Disagreement.select(Disagreement.id)
            .where(Disagreement.reference == case["reference"])
            .first()
        )
        document = {"id": await _add_document(case_id["id"])}
    draft = await LodgingDraft.select(LodgingDraft.id).where(LodgingDraft.reference == "matrix").first()
    if draft is None:
        family = await Account.select(Account.id).where(Account.email == "family@example.com").first()
        row = LodgingDraft(
            account=family["id"],
            answers={},
            reference="matrix",
            created_at=dt.datetime.now(dt.UTC),
            updated_at=dt.datetime.now(dt.UTC),
        )
        await row.save()
        draft = {"id": row.id}
    return {"case": case["reference"], "la": la["id"], "document": document["id"], "draft": draft["id"]}


async def _add_document(case_id: int) -> int:
    content = b"%PDF-1.4\n%matrix test\n%%EOF\n"
    row = CaseDocument(
        disagreement=case_id,
        kind="decision_letter",
        filename="matrix.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=dt.datetime.now(dt.UTC),
    )
    await row.save()
    return int(row.id)


@pytest.mark.parametrize("role", ROLES)
async def test_every_route_answers_each_role_as_the_access_rules_say(app, ids, role):
    client = await client_as(app, role)
    failures = []
    try:
        for (method, _route), (path, body, expected) in sorted(MATRIX.items()):
            url = path.format(**ids)
            if method == "GET":
                response = await client.get(url)
            elif url.startswith("/api/"):
                token = client.cookies.get("csrftoken", "")
                response = await client.post(url, json=body, headers={"x-csrftoken": token})
            else:
                token = await csrf_token(client, "/deadline-calculator")
                response = await client.post(url, data={**(body or {}), "_csrf_token": token})
            if response.status_code != expected[role]:
                failures.append(f"{method} {url}: expected {expected[role]}, got {response.status_code}")
            if method == "POST" and url == "/sign-out" and response.status_code == 303:
                client = await client_as(app, role)  # signed out: sign back in for the remaining rows
    finally:
        await client.aclose()
    assert failures == []
