"""Admins add and edit LAs, ICBs and mediation services with their official codes, dates and successor,
link LAs to ICBs over time, and pass open cases to successors; bad codes and dates get error summaries."""

from __future__ import annotations

import datetime as dt
import secrets

import httpx
import pytest

from mediation.accounts import api_tokens
from mediation.accounts.tables import ApiToken
from mediation.audit.tables import AuditEvent
from mediation.organisations.service import create_organisation, links_of
from mediation.organisations.tables import Organisation
from mediation.timekeeping import use_clock
from tests.conftest import DEMO_EMAILS, client_as, csrf_token
from tests.organisations.test_succession import free_code

pytestmark = pytest.mark.anyio


async def _post(admin: httpx.AsyncClient, url: str, form: dict[str, str]) -> httpx.Response:
    token = await csrf_token(admin, "/admin/organisations")
    return await admin.post(url, data={**form, "_csrf_token": token})


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        ("local_authority", "E12000001", "ONS (GSS) code"),  # a region, not a council
        ("local_authority", "E0600004", "ONS (GSS) code"),
        ("icb", "QHGX", "ODS code"),
        ("icb", "RHG", "ODS code"),
        ("mediation_service", "x", "2 to 20 letters"),
    ],
)
async def test_a_code_in_the_wrong_format_is_refused_with_the_format_named(app, kind, code, message):
    admin = await client_as(app, "admin")
    response = await _post(
        admin, "/admin/organisations/new", {"kind": kind, "name": "Badcode Body", "code": code}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#code"' in response.text
    assert message in response.text
    assert not await Organisation.exists().where(Organisation.name == "Badcode Body")
    await admin.aclose()


async def test_an_admin_adds_a_council_and_a_taken_code_is_refused(app):
    admin = await client_as(app, "admin")
    code = await free_code("E06", 6)
    name = f"Newtown Council {secrets.token_hex(2)}"
    response = await _post(
        admin,
        "/admin/organisations/new",
        {
            "kind": "local_authority",
            "name": name,
            "code": code.lower(),
            **_date("valid_from", dt.date(2027, 4, 1)),
        },
    )
    assert response.status_code == 303
    row = await Organisation.select().where(Organisation.name == name).first()
    assert (row["code"], row["kind"], row["valid_from"]) == (code, "local_authority", dt.date(2027, 4, 1))
    assert await AuditEvent.exists().where(
        (AuditEvent.entity == "organisation") & (AuditEvent.entity_id == str(row["id"]))
    )
    again = await _post(
        admin, "/admin/organisations/new", {"kind": "local_authority", "name": "Copy", "code": code}
    )
    assert again.status_code == 400 and f"Another organisation already has the code {code}" in again.text
    await admin.aclose()


async def test_dates_and_successor_are_checked(app):
    tag = secrets.token_hex(3).upper()
    a = await create_organisation(name=f"Old ICB {tag}", kind="icb", code=await free_code("Q", 2))
    b = await create_organisation(name=f"New ICB {tag}", kind="icb", code=await free_code("Q", 2))
    la = await create_organisation(name=f"Some LA {tag}", kind="local_authority", code=f"SLA{tag}")
    code = (await Organisation.select(Organisation.code).where(Organisation.id == a).first())["code"]
    admin = await client_as(app, "admin")
    base = {"name": f"Old ICB {tag}", "code": code}
    cases = [
        (
            {**base, "valid_to-day": "31", "valid_to-month": "2", "valid_to-year": "2026"},
            "valid_to",
            "real date",
        ),
        (
            {**base, **_date("valid_from", dt.date(2026, 4, 1)), **_date("valid_to", dt.date(2026, 3, 1))},
            "valid_to",
            "same as or after",
        ),
        ({**base, "successor": str(b)}, "valid_to", "Enter the last day"),
        (
            {**base, **_date("valid_to", dt.date(2026, 3, 31)), "successor": str(la)},
            "successor",
            "another integrated care board",
        ),
        (
            {**base, **_date("valid_to", dt.date(2026, 3, 31)), "successor": str(a)},
            "successor",
            "another integrated care board",
        ),
    ]
    for form, field, words in cases:
        response = await _post(admin, f"/admin/organisations/{a}/edit", form)
        assert response.status_code == 400, form
        assert f'href="#{field}"' in response.text and words in response.text, (form, response.text[:3000])
    b_form = {
        "name": f"New ICB {tag}",
        "code": (await Organisation.select(Organisation.code).where(Organisation.id == b).first())["code"],
    }
    a_ends = {**base, **_date("valid_to", dt.date(2026, 3, 31)), "successor": str(b)}
    # A successor that does not yet exist on the day it would take over.
    await _post(
        admin, f"/admin/organisations/{b}/edit", {**b_form, **_date("valid_from", dt.date(2026, 5, 1))}
    )
    late = await _post(admin, f"/admin/organisations/{a}/edit", a_ends)
    assert late.status_code == 400 and "does not exist on Wednesday 1 April 2026" in late.text
    # Fixed: B exists from 1 April.
    await _post(
        admin, f"/admin/organisations/{b}/edit", {**b_form, **_date("valid_from", dt.date(2026, 4, 1))}
    )
    assert (await _post(admin, f"/admin/organisations/{a}/edit", a_ends)).status_code == 303
    row = await Organisation.select().where(Organisation.id == a).first()
    assert (row["valid_to"], row["successor"]) == (dt.date(2026, 3, 31), b)
    # B cannot name A as its own successor: A has ended by then (and a chain back to itself is refused too).
    loop = {**b_form, **_date("valid_to", dt.date(2027, 3, 31)), "successor": str(a)}
    response = await _post(admin, f"/admin/organisations/{b}/edit", loop)
    assert (
        response.status_code == 400
        and f"Old ICB {tag} does not exist on Thursday 1 April 2027" in response.text
    )
    page = await admin.get(f"/admin/organisations/{a}")
    assert f"New ICB {tag}" in page.text and "31 March 2026" in page.text
    await admin.aclose()


async def test_an_admin_links_a_council_to_icbs_over_time(app):
    tag = secrets.token_hex(3).upper()
    la = await create_organisation(name=f"Linkshire {tag}", kind="local_authority", code=f"LNK{tag}")
    a = await create_organisation(name=f"Link ICB A {tag}", kind="icb", code=f"LA{tag}")
    b = await create_organisation(name=f"Link ICB B {tag}", kind="icb", code=f"LB{tag}")
    admin = await client_as(app, "admin")
    assert (await _post(admin, f"/admin/organisations/{la}/links", {"icb": str(a)})).status_code == 303
    [link] = await links_of(la)
    bad_end = await _post(
        admin,
        f"/admin/organisations/{la}/links/{link.id}/end",
        {f"end-{link.id}-day": "31", f"end-{link.id}-month": "13", f"end-{link.id}-year": "2026"},
    )
    assert bad_end.status_code == 400 and f'href="#end-{link.id}"' in bad_end.text
    ended = await _post(
        admin, f"/admin/organisations/{la}/links/{link.id}/end", _date(f"end-{link.id}", dt.date(2026, 3, 31))
    )
    assert ended.status_code == 303
    overlap = await _post(
        admin, f"/admin/organisations/{la}/links", {"icb": str(a), **_date("link_from", dt.date(2026, 3, 1))}
    )
    assert overlap.status_code == 400 and "already linked" in overlap.text
    no_icb = await _post(admin, f"/admin/organisations/{la}/links", {"icb": str(la)})
    assert no_icb.status_code == 400 and 'href="#link_icb"' in no_icb.text
    assert (
        await _post(
            admin,
            f"/admin/organisations/{la}/links",
            {"icb": str(b), **_date("link_from", dt.date(2026, 4, 1))},
        )
    ).status_code == 303
    from mediation.organisations.service import icb_for_la

    with use_clock(dt.date(2026, 3, 31)):
        assert await icb_for_la(la) == a
    with use_clock(dt.date(2026, 4, 1)):
        assert await icb_for_la(la) == b
    page = await admin.get(f"/admin/organisations/{la}")
    assert "31 March 2026" in page.text and "1 April 2026" in page.text
    # Only councils have links of their own to add.
    assert (await _post(admin, f"/admin/organisations/{a}/links", {"icb": str(b)})).status_code == 404
    await admin.aclose()


async def test_the_successions_button_passes_cases_now_and_says_how_many(app):
    admin = await client_as(app, "admin")
    response = await _post(admin, "/admin/organisations/successions", {})
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/admin/organisations?passed="
    )
    page = await admin.get(response.headers["location"])
    assert "passed to a successor" in page.text
    await admin.aclose()


async def test_an_admin_creates_an_api_token_shown_once(app):
    admin = await client_as(app, "admin")
    token = await csrf_token(admin, "/admin/api-tokens")
    bad = await admin.post(
        "/admin/api-tokens", data={"email": "nobody@example.com", "name": "", "_csrf_token": token}
    )
    assert bad.status_code == 400 and 'href="#name"' in bad.text
    bad = await admin.post(
        "/admin/api-tokens", data={"email": "nobody@example.com", "name": "CMS", "_csrf_token": token}
    )
    assert (
        bad.status_code == 400 and "There is no account with the email address nobody@example.com" in bad.text
    )
    made = await admin.post(
        "/admin/api-tokens",
        data={"email": DEMO_EMAILS["la_coordinator"], "name": "Matrix CMS", "_csrf_token": token},
    )
    assert made.status_code == 200 and "shown only this once" in made.text
    plain = made.text.split('<code class="app-token">')[1].split("</code>")[0]
    assert plain.startswith(api_tokens.TOKEN_PREFIX)
    assert (await admin.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})).json()[
        "email"
    ] == DEMO_EMAILS["la_coordinator"]
    listing = await admin.get("/admin/api-tokens")
    assert plain not in listing.text and plain[:10] in listing.text
    row = (
        await ApiToken.select(ApiToken.created_by.email.as_alias("by"))
        .where(ApiToken.token_digest == api_tokens.digest(plain))
        .first()
    )
    assert row["by"] == DEMO_EMAILS["admin"]
    await admin.aclose()
