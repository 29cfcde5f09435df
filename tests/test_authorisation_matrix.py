"""Every route, for every role and for anonymous visitors, answers the status the access rules say.

The table must name every route the app serves: a new route without an entry fails the test, so no
page or endpoint can ship without someone deciding who may use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from litestar.routes import HTTPRoute

from mediation import timekeeping
from mediation.access import PERMISSIONS
from mediation.accounts.tables import Account
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.lodging.tables import LodgingDraft
from mediation.organisations.tables import Organisation
from tests.conftest import ROLES, client_as, csrf_token
from tests.mediation.helpers import matrix_ids as mediation_matrix_ids
from tests.notices.helpers import matrix_ids as notice_matrix_ids
from tests.tribunal.helpers import matrix_ids as tribunal_matrix_ids

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


# The matrix's own case (made like the demo case "Jamie Taylor", which the browser tests change) belongs to
# `family`, is at the demo LA, has the ICB as a party (section G), has asked for mediation
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
    # Passwords: forgotten (public), reset by link (a forged link is a 400 page), changed when signed in.
    ("GET", "/forgot-password"): ("/forgot-password", None, statuses(200)),
    ("POST", "/forgot-password"): ("/forgot-password", {"email": ""}, statuses(400)),
    ("GET", "/reset-password/{token:str}"): ("/reset-password/forged.token", None, statuses(400)),
    ("POST", "/reset-password/{token:str}"): (
        "/reset-password/forged.token",
        {"password": ""},
        statuses(400),
    ),
    ("GET", "/password-reset-complete"): ("/password-reset-complete", None, statuses(200)),
    ("GET", "/account/password"): ("/account/password", None, statuses(200, anonymous=302)),
    ("POST", "/account/password"): (
        "/account/password",
        {"current_password": ""},
        statuses(400, anonymous=302),
    ),
    ("GET", "/account/password/changed"): ("/account/password/changed", None, statuses(200, anonymous=302)),
    ("GET", "/home"): ("/home", None, statuses(200, anonymous=302)),
    ("GET", "/health"): ("/health", None, statuses(200)),
    ("GET", "/accessibility"): ("/accessibility", None, statuses(200)),
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
    # Lodging through the API: a family for itself or LA staff for a family; an empty body is a bad field.
    ("POST", "/api/v1/cases"): (
        "/api/v1/cases",
        {},
        {A: 401, F: 422, OF: 422, LA: 422, ICB: 403, MED: 403, ADM: 403},
    ),
    # Recording an event: the demo case has asked for mediation, so asking again is the lifecycle's 409;
    # a mediator may not record that request (403); cases one cannot see are 404.
    ("POST", "/api/v1/cases/{reference:str}/events"): (
        "/api/v1/cases/{case}/events",
        {"event": "mediation_requested"},
        {A: 401, F: 409, OF: 404, LA: 409, ICB: 409, MED: 403, ADM: 403},
    ),
    ("GET", "/api/v1/cases/{reference:str}"): (
        "/api/v1/cases/{case}",
        None,
        {A: 401, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}"): (
        "/cases/{case}",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/documents/{document_id:int}"): (
        "/cases/{case}/documents/{document}",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/reroute"): (
        "/cases/{case}/reroute",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 400, MED: 403, ADM: 403},
    ),
    # The work queue's page of cases with cursors; the handling body's own work on a case (issue 15): the
    # demo LA handles the matrix case (an empty form is a 400), the ICB is only a party (403), the other
    # family cannot see it (404), and closing a case that has asked for mediation is the lifecycle's 409.
    ("GET", "/api/v1/queue"): ("/api/v1/queue", None, statuses(200, anonymous=401)),
    ("POST", "/cases/{reference:str}/assign"): (
        "/cases/{case}/assign",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/notes"): (
        "/cases/{case}/notes",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/withdraw"): (
        "/cases/{case}/withdraw",
        {},
        {A: 302, F: 400, OF: 404, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/close"): (
        "/cases/{case}/close",
        {},
        {A: 302, F: 403, OF: 403, LA: 409, ICB: 403, MED: 403, ADM: 403},
    ),
    # A coordinator's outbox and the sweep's coming sends, for their own organisation (issue 15 part 5).
    ("GET", "/outbox"): ("/outbox", None, only([LA, ICB], 200, anonymous=302, others=403)),
    ("GET", "/reminders"): ("/reminders", None, only([LA, ICB], 200, anonymous=302, others=403)),
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
        {A: 401, F: 403, OF: 403, LA: 422, ICB: 422, MED: 403, ADM: 403},
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
    ("GET", "/admin/audit.csv"): ("/admin/audit.csv", None, only([ADM], 200, anonymous=302, others=403)),
    ("GET", "/admin/outbox"): ("/admin/outbox", None, only([ADM], 200, anonymous=302, others=403)),
    ("GET", "/admin/api-tokens"): ("/admin/api-tokens", None, only([ADM], 200, anonymous=302, others=403)),
    ("POST", "/admin/api-tokens/{token_id:int}/revoke"): (
        "/admin/api-tokens/999999999/revoke",
        {},
        only([ADM], 404, anonymous=302, others=403),
    ),
    # The demo mailbox (issue 14): admins only; a message or attachment that is not there is a 404.
    ("GET", "/admin/mailbox"): ("/admin/mailbox", None, only([ADM], 200, anonymous=302, others=403)),
    ("GET", "/admin/mailbox/{message_id:int}"): (
        "/admin/mailbox/999999999",
        None,
        only([ADM], 404, anonymous=302, others=403),
    ),
    ("GET", "/admin/mailbox/{message_id:int}/attachments/{number:int}"): (
        "/admin/mailbox/999999999/attachments/1",
        None,
        only([ADM], 404, anonymous=302, others=403),
    ),
    # Decision notices (issue 6): the LA coordinator issues and sees its own LA's; the family sees those sent
    # to its email address; "I disagree" is the family's alone; admins edit notice text, never see notices.
    ("GET", "/notices"): ("/notices", None, only([LA], 200, anonymous=302, others=403)),
    ("GET", "/notices/new"): ("/notices/new", None, only([LA], 200, anonymous=302, others=403)),
    ("POST", "/notices/new"): ("/notices/new", {}, only([LA], 400, anonymous=302, others=403)),
    ("GET", "/notices/{reference:str}"): (
        "/notices/{notice}",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/notices/{reference:str}/files/{which:str}"): (
        "/notices/{notice}/files/notice",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/notices/{reference:str}/disagree"): (
        "/notices/{notice}/disagree",
        {},
        {A: 302, F: 303, OF: 404, LA: 403, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/notices/bulk"): ("/notices/bulk", None, only([LA], 200, anonymous=302, others=403)),
    ("POST", "/notices/bulk"): ("/notices/bulk", {}, only([LA], 400, anonymous=302, others=403)),
    ("GET", "/notices/batches/{batch_id:int}"): (
        "/notices/batches/{batch}",
        None,
        only([LA], 200, anonymous=302, others=403),
    ),
    ("POST", "/notices/batches/{batch_id:int}/retry"): (
        "/notices/batches/{batch}/retry",
        {},
        only([LA], 303, anonymous=302, others=403),
    ),
    ("GET", "/notice-templates"): (
        "/notice-templates",
        None,
        {A: 302, F: 403, OF: 403, LA: 302, ICB: 403, MED: 403, ADM: 200},
    ),
    ("GET", "/notice-templates/{la_id:int}"): (
        "/notice-templates/{la}",
        None,
        only([LA, ADM], 200, anonymous=302, others=403),
    ),
    ("POST", "/notice-templates/{la_id:int}"): (
        "/notice-templates/{la}",
        {"body": ""},
        only([LA, ADM], 400, anonymous=302, others=403),
    ),
    ("GET", "/notice-templates/{la_id:int}/versions/{version:int}"): (
        "/notice-templates/{la}/versions/1",
        None,
        only([LA, ADM], 200, anonymous=302, others=403),
    ),
    ("GET", "/api/v1/notices"): (
        "/api/v1/notices",
        None,
        only([F, OF, LA], 200, anonymous=401, others=403),
    ),
    ("GET", "/api/v1/notices/{reference:str}"): (
        "/api/v1/notices/{notice}",
        None,
        {A: 401, F: 200, OF: 404, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/api/v1/notice-batches/{batch_id:int}"): (
        "/api/v1/notice-batches/{batch}",
        None,
        only([LA], 200, anonymous=401, others=403),
    ),
    # Reports: LA and ICB staff see their own organisation's; an admin chooses any; nobody else.
    ("GET", "/reports"): ("/reports", None, only([LA, ICB, ADM], 200, anonymous=302, others=403)),
    ("GET", "/reports.csv"): (
        "/reports.csv?organisation={la}",
        None,
        only([LA, ADM], 200, anonymous=302, others=403),  # the ICB officer asks for the LA's: refused
    ),
    ("GET", "/api/v1/reports"): (
        "/api/v1/reports?organisation={la}",
        None,
        only([LA, ADM], 200, anonymous=401, others=403),
    ),
    # Tribunal (issue 7): the family and the LA are the appeal's parties; the ICB sees the tracker and acts
    # only on recommendations addressed to it; the mediator is not a party (403); admins see counts only.
    ("GET", "/cases/{reference:str}/tribunal"): (
        "/cases/{tcase}/tribunal",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/appeal"): (
        "/cases/{case}/tribunal/appeal",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/appeal"): (
        "/cases/{case}/tribunal/appeal",
        {},
        {A: 302, F: 400, OF: 404, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/timetable"): (
        "/cases/{tcase}/tribunal/timetable",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/timetable"): (
        "/cases/{tcase}/tribunal/timetable",
        {"hearing_on-day": "31", "hearing_on-month": "2", "hearing_on-year": "2027"},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/outcomes"): (
        "/cases/{tcase}/tribunal/outcomes",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/outcomes"): (
        "/cases/{tcase}/tribunal/outcomes",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/unopposed"): (
        "/cases/{tcase}/tribunal/unopposed",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/unopposed"): (
        "/cases/{tcase}/tribunal/unopposed",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/orders"): (
        "/cases/{tcase}/tribunal/orders",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/orders"): (
        "/cases/{tcase}/tribunal/orders",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/recommendations"): (
        "/cases/{tcase}/tribunal/recommendations",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/recommendations"): (
        "/cases/{tcase}/tribunal/recommendations",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/tribunal/duties/{duty_id:int}"): (
        "/cases/{tcase}/tribunal/duties/{tduty}",
        None,
        {A: 302, F: 403, OF: 403, LA: 404, ICB: 200, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/tribunal/duties/{duty_id:int}"): (
        "/cases/{tcase}/tribunal/duties/{tduty}",
        {},
        {A: 302, F: 403, OF: 403, LA: 404, ICB: 400, MED: 403, ADM: 403},
    ),
    ("GET", "/tribunal/compliance"): (
        "/tribunal/compliance",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 200, MED: 403, ADM: 200},
    ),
    ("GET", "/api/v1/cases/{reference:str}/tribunal"): (
        "/api/v1/cases/{tcase}/tribunal",
        None,
        {A: 401, F: 200, OF: 404, LA: 200, ICB: 200, MED: 403, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/tribunal/timetable"): (
        "/api/v1/cases/{tcase}/tribunal/timetable",
        {"hearing_on": "2020-01-01"},
        {A: 401, F: 403, OF: 403, LA: 422, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/tribunal/outcomes"): (
        "/api/v1/cases/{tcase}/tribunal/outcomes",
        {"decision_on": "2099-01-01", "outcomes": {}},
        {A: 401, F: 403, OF: 403, LA: 422, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/tribunal/recommendations"): (
        "/api/v1/cases/{tcase}/tribunal/recommendations",
        {"body": "nonsense", "sections": [], "details": "", "made_on": "2026-11-01"},
        {A: 401, F: 403, OF: 403, LA: 422, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/api/v1/tribunal/compliance"): (
        "/api/v1/tribunal/compliance",
        None,
        {A: 401, F: 403, OF: 403, LA: 200, ICB: 200, MED: 403, ADM: 200},
    ),
    # Mediation (issue 5): the demo case is LA-arranged, so the ICB may see it but not arrange it.
    ("GET", "/cases/{reference:str}/mediation"): (
        "/cases/{case}/mediation",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/{form:str}"): (
        "/cases/{case}/mediation/advice",
        {"choice": ""},
        {A: 302, F: 400, OF: 404, LA: 400, ICB: 400, MED: 400, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/mediation/certificates/{number:str}"): (
        "/cases/{case}/mediation/certificates/{mcertificate}",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/mediation/schedule"): (
        "/cases/{case}/mediation/schedule",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/sessions"): (
        "/cases/{case}/mediation/sessions",
        {"action": "book"},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 400, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/mediation/sessions/{session_id:int}"): (
        "/cases/{case}/mediation/sessions/{msession}",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/{change:str}"): (
        "/cases/{case}/mediation/sessions/{msession}/cancel",
        {"cancel_reason": "matrix"},
        {A: 302, F: 403, OF: 403, LA: 409, ICB: 403, MED: 409, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/mediation/sessions/{session_id:int}/invite.ics"): (
        "/cases/{case}/mediation/sessions/{msession}/invite.ics",
        None,
        {A: 302, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    # Officers attending without an account: the body arranging mediation (the LA here) names them on a
    # booked meeting; the matrix case has none booked, so the lifecycle refuses the LA (409).
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/add"): (
        "/cases/{case}/mediation/sessions/{msession}/attendees/add",
        {"role": "la_officer", "name": "Matrix", "email": "matrix@council.example"},
        {A: 302, F: 403, OF: 403, LA: 409, ICB: 403, MED: 403, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/{attendee_id:int}"): (
        "/cases/{case}/mediation/sessions/{msession}/attendees/999999",
        {"role": "la_officer", "name": "Matrix", "email": "matrix@council.example"},
        {A: 302, F: 403, OF: 403, LA: 409, ICB: 403, MED: 403, ADM: 403},
    ),
    (
        "POST",
        "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/{attendee_id:int}/remove",
    ): (
        "/cases/{case}/mediation/sessions/{msession}/attendees/999999/remove",
        {},
        {A: 302, F: 403, OF: 403, LA: 409, ICB: 403, MED: 403, ADM: 403},
    ),
    ("GET", "/cases/{reference:str}/mediation/outcome"): (
        "/cases/{case}/mediation/outcome",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/outcome"): (
        "/cases/{case}/mediation/outcome",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 400, MED: 400, ADM: 403},
    ),
    ("GET", "/mediation/offers/{token:str}"): ("/mediation/offers/forged.token", None, statuses(410)),
    ("POST", "/mediation/offers/{token:str}"): (
        "/mediation/offers/forged.token",
        {"slot": "x"},
        statuses(410),
    ),
    # Meeting polls: the body arranging mediation (the LA here) and the mediation service read the answers
    # and book from them (an empty form is a 400); each invitee answers by their own signed link.
    ("GET", "/cases/{reference:str}/mediation/polls/{poll_id:int}"): (
        "/cases/{case}/mediation/polls/{mpoll}",
        None,
        {A: 302, F: 403, OF: 403, LA: 200, ICB: 403, MED: 200, ADM: 403},
    ),
    ("POST", "/cases/{reference:str}/mediation/polls/{poll_id:int}/book"): (
        "/cases/{case}/mediation/polls/{mpoll}/book",
        {},
        {A: 302, F: 403, OF: 403, LA: 400, ICB: 403, MED: 400, ADM: 403},
    ),
    ("GET", "/meeting-polls/{token:str}"): ("/meeting-polls/forged.token", None, statuses(410)),
    ("POST", "/meeting-polls/{token:str}"): ("/meeting-polls/forged.token", {"slot-0": "yes"}, statuses(410)),
    # A posted offer's short code: public, and a code that is not one is the form's 400.
    ("GET", "/reply"): ("/reply", None, statuses(200)),
    ("POST", "/reply"): ("/reply", {"code": "ABC"}, statuses(400)),
    ("GET", "/mediation-service"): ("/mediation-service", None, only([MED], 200, anonymous=302, others=403)),
    ("POST", "/mediation-service/{form:str}"): (
        "/mediation-service/venues",
        {"name": ""},
        only([MED], 400, anonymous=302, others=403),
    ),
    ("GET", "/api/v1/cases/{reference:str}/mediation"): (
        "/api/v1/cases/{case}/mediation",
        None,
        {A: 401, F: 200, OF: 404, LA: 200, ICB: 200, MED: 200, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/mediation/slots"): (
        "/api/v1/cases/{case}/mediation/slots",
        {"mediator_id": 0},
        {A: 401, F: 403, OF: 403, LA: 400, ICB: 403, MED: 400, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions"): (
        "/api/v1/cases/{case}/mediation/sessions",
        {"mediator_id": 0},
        {A: 401, F: 403, OF: 403, LA: 422, ICB: 403, MED: 422, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/reschedule"): (
        "/api/v1/cases/{case}/mediation/sessions/{msession}/reschedule",
        {"starts_at": "2099-01-06T10:00:00Z", "reason": ""},
        {A: 401, F: 403, OF: 403, LA: 409, ICB: 403, MED: 409, ADM: 403},
    ),
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/cancel"): (
        "/api/v1/cases/{case}/mediation/sessions/{msession}/cancel",
        {"reason": "matrix"},
        {A: 401, F: 403, OF: 403, LA: 409, ICB: 403, MED: 409, ADM: 403},
    ),
}


# Issue 14, staff and organisations: admins only. Ids no row has are 404 for an admin; empty forms are 400.
MATRIX.update(
    {
        ("GET", "/admin/accounts/{account_id:int}"): (
            "/admin/accounts/999999999",
            None,
            only([ADM], 404, anonymous=302, others=403),
        ),
        ("POST", "/admin/accounts/{account_id:int}"): (
            "/admin/accounts/999999999",
            {},
            only([ADM], 404, anonymous=302, others=403),
        ),
        ("POST", "/admin/accounts/{account_id:int}/{change:str}"): (
            "/admin/accounts/999999999/disable",
            {},
            only([ADM], 404, anonymous=302, others=403),
        ),
        ("POST", "/admin/api-tokens"): ("/admin/api-tokens", {}, only([ADM], 400, anonymous=302, others=403)),
        ("GET", "/admin/organisations/new"): (
            "/admin/organisations/new",
            None,
            only([ADM], 200, anonymous=302, others=403),
        ),
        ("POST", "/admin/organisations/new"): (
            "/admin/organisations/new",
            {},
            only([ADM], 400, anonymous=302, others=403),
        ),
        ("GET", "/admin/organisations/{org_id:int}/edit"): (
            "/admin/organisations/{la}/edit",
            None,
            only([ADM], 200, anonymous=302, others=403),
        ),
        ("POST", "/admin/organisations/{org_id:int}/edit"): (
            "/admin/organisations/{la}/edit",
            {},
            only([ADM], 400, anonymous=302, others=403),
        ),
        ("POST", "/admin/organisations/{org_id:int}/links"): (
            "/admin/organisations/{la}/links",
            {},
            only([ADM], 400, anonymous=302, others=403),
        ),
        ("POST", "/admin/organisations/{org_id:int}/links/{link_id:int}/end"): (
            "/admin/organisations/{la}/links/999999999/end",
            {},
            only([ADM], 404, anonymous=302, others=403),
        ),
        ("POST", "/admin/organisations/successions"): (
            "/admin/organisations/successions",
            {},
            only([ADM], 303, anonymous=302, others=403),
        ),
    }
)


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


def declared_actions(app) -> dict[tuple[str, str], str]:
    found = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods - {"OPTIONS", "HEAD"}:
                    found[(method, route.path)] = handler.opt.get("action")
    return found


async def test_every_route_declares_an_action_from_the_permission_table(app):
    undeclared = {key: action for key, action in declared_actions(app).items() if action not in PERMISSIONS}
    assert undeclared == {}


# Roles the permission table lets in, but the case itself refuses: the body that arranges mediation, or the
# body a duty is owed by, is not this one (access.py relations), or the page refuses it (a report asked for
# another organisation).
RELATION_REFUSALS = {
    ("GET", "/cases/{reference:str}/mediation/schedule"): {ICB},
    ("POST", "/cases/{reference:str}/mediation/sessions"): {ICB},
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/{change:str}"): {ICB},
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/add"): {ICB},
    ("POST", "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/{attendee_id:int}"): {ICB},
    (
        "POST",
        "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees/{attendee_id:int}/remove",
    ): {ICB},
    ("GET", "/cases/{reference:str}/mediation/polls/{poll_id:int}"): {ICB},
    ("POST", "/cases/{reference:str}/mediation/polls/{poll_id:int}/book"): {ICB},
    ("POST", "/api/v1/cases/{reference:str}/mediation/slots"): {ICB},
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions"): {ICB},
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/reschedule"): {ICB},
    ("POST", "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/cancel"): {ICB},
    ("GET", "/reports.csv"): {ICB},
    # The endpoint takes every event; each event then has its own permission (a mediator may not record
    # that the family wants mediation).
    ("POST", "/api/v1/cases/{reference:str}/events"): {MED},
    ("GET", "/api/v1/reports"): {ICB},
    # Only the body handling the case assigns, notes and closes it; the matrix case's is the LA.
    ("POST", "/cases/{reference:str}/assign"): {ICB},
    ("POST", "/cases/{reference:str}/notes"): {ICB},
    ("POST", "/cases/{reference:str}/close"): {ICB},
}

# Issue 15, contact details: the family and the body handling the case (the LA here) change them; the ICB,
# a party only, sees them on the case page but may not change them.
MATRIX.update(
    {
        ("GET", "/cases/{reference:str}/contact"): (
            "/cases/{case}/contact",
            None,
            {A: 302, F: 200, OF: 404, LA: 200, ICB: 403, MED: 403, ADM: 403},
        ),
        ("POST", "/cases/{reference:str}/contact"): (
            "/cases/{case}/contact",
            {},
            {A: 302, F: 400, OF: 404, LA: 400, ICB: 403, MED: 403, ADM: 403},
        ),
    }
)
# Issue 15, the print queue: each organisation's staff see only its own letters (a letter no queue holds
# is a 404); families and admins have no queue.
MATRIX.update(
    {
        ("GET", "/print-queue"): ("/print-queue", None, only([LA, ICB, MED], 200, anonymous=302, others=403)),
        ("GET", "/print-queue/letters/{letter_id:int}/pdf"): (
            "/print-queue/letters/999999999/pdf",
            None,
            only([LA, ICB, MED], 404, anonymous=302, others=403),
        ),
        ("GET", "/print-queue/batch.pdf"): (
            "/print-queue/batch.pdf",
            None,
            only([LA, ICB, MED], 200, anonymous=302, others=403),
        ),
        ("POST", "/print-queue/posted"): (
            "/print-queue/posted",
            {},
            only([LA, ICB, MED], 400, anonymous=302, others=403),
        ),
    }
)
RELATION_REFUSALS.update(
    {
        ("GET", "/cases/{reference:str}/contact"): {ICB},
        ("POST", "/cases/{reference:str}/contact"): {ICB},
    }
)
ROLE_OF = {F: "family", OF: "family", LA: "la_coordinator", ICB: "health_commissioner", MED: "mediator"}
ROLE_OF[ADM] = "admin"


async def test_the_matrix_agrees_with_the_permission_table(app):
    """A role the table keeps out is refused (403) on every route of that action, and a role it lets in is
    refused only where the case's own relation says so; anonymous visitors sign in first."""
    actions = declared_actions(app)
    wrong = []
    for key, (_path, _body, expected) in MATRIX.items():
        rule = PERMISSIONS[actions[key]]
        for role, status in expected.items():
            if role == A:
                if not rule.anonymous and status not in (302, 401):
                    wrong.append(f"{key} anonymous: {status}, but the action needs a sign-in")
                continue
            allowed = ROLE_OF[role] in rule.roles
            if not allowed and status != 403:
                wrong.append(f"{key} {role}: {status}, but {actions[key]!r} is not for this role")
            if allowed and status == 403 and role not in RELATION_REFUSALS.get(key, set()):
                wrong.append(f"{key} {role}: 403, but {actions[key]!r} lets this role in")
    assert wrong == []


MATRIX_CHILD = "Matrix Mixedcase"


async def matrix_case() -> str:
    """The matrix's case, made once: a mixed B, F, G disagreement at the demo LA that has asked for
    mediation, with the demo mediation service, so no other test's changes move its statuses."""
    from mediation.cases.commands import Matter, NewCase, create_case

    found = (
        await Disagreement.select(Disagreement.reference)
        .where(Disagreement.child_name == MATRIX_CHILD)
        .first()
    )
    if found is not None:
        return str(found["reference"])
    family = await Account.select(Account.id).where(Account.email == "family@example.com").first()
    la = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    service = await Organisation.select(Organisation.id).where(Organisation.code == "IMS-DEMO").first()
    case = await create_case(
        NewCase(
            family_id=family["id"],
            local_authority_id=la["id"],
            child_name=MATRIX_CHILD,
            child_date_of_birth=dt.date(2015, 6, 14),
            decision="plan_contents",
            decision_notice_sent=timekeeping.today() - dt.timedelta(days=12),
            matters=[Matter(section=s, disagreement_text="x", wanted_text="y") for s in ("B", "F", "G")],
            health_provision_sought="Therapy",
            wants_mediation=True,
            contact_email="family@example.com",
            mediation_service_id=service["id"],
        ),
        actor=None,
    )
    return case.reference


@pytest.fixture
async def ids():
    case = {"reference": await matrix_case()}
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
    return {
        "case": case["reference"],
        "la": la["id"],
        "document": document["id"],
        "draft": draft["id"],
        **await tribunal_matrix_ids(),
        **await notice_matrix_ids(),
        **await mediation_matrix_ids(),
    }


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
