"""Admins edit, disable and re-enable staff accounts: disabling ends sessions and revokes API tokens at
once; re-enabling brings no token back; nobody can disable themselves or the last active admin."""

from __future__ import annotations

import secrets

import httpx
import pytest

from mediation.accounts import api_tokens
from mediation.accounts.service import load_user
from mediation.accounts.staff import disable_staff, edit_staff
from mediation.accounts.tables import Account, ApiToken, HttpSession
from mediation.audit.tables import AuditEvent
from mediation.errors import Conflict, Invalid
from mediation.organisations.tables import Organisation
from tests.conftest import DEMO_EMAILS, client_as, csrf_token, sign_in
from tests.mediation.helpers import person

pytestmark = pytest.mark.anyio


def browser(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )


async def _org(code: str) -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    return int(row["id"])


async def _post(admin: httpx.AsyncClient, url: str, form: dict[str, str]) -> httpx.Response:
    token = await csrf_token(admin, "/admin/accounts")
    return await admin.post(url, data={**form, "_csrf_token": token})


async def test_disabling_ends_sessions_and_revokes_tokens_and_enabling_brings_no_token_back(app):
    officer = await person("la_coordinator", await _org("E06000042"), "Dee Disable")
    token = await api_tokens.create_token(officer.email, name="Their CMS")
    theirs = browser(app)
    await sign_in(theirs, officer.email)
    assert (await theirs.get("/home")).status_code == 200
    bearer = {"Authorization": f"Bearer {token.token}"}
    assert (await theirs.get("/api/v1/me", headers=bearer)).status_code == 200

    admin = await client_as(app, "admin")
    page = await admin.get(f"/admin/accounts/{officer.id}")
    assert page.status_code == 200 and "Disable account" in page.text
    response = await _post(admin, f"/admin/accounts/{officer.id}/disable", {})
    assert response.status_code == 303

    # At once: the session is gone from the store, the browser is signed out, the token refused.
    assert (await theirs.get("/home")).status_code == 302
    assert (await theirs.get("/api/v1/me", headers=bearer)).status_code == 401
    revoked = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == token.id).first()
    assert revoked["revoked_at"] is not None
    sessions = await HttpSession.select(HttpSession.data)
    assert not any(f'"account_id":{officer.id}'.encode() in bytes(s["data"]) for s in sessions)
    log = await AuditEvent.select().where(
        (AuditEvent.entity == "account")
        & (AuditEvent.entity_id == str(officer.id))
        & (AuditEvent.action == "disable")
    )
    assert len(log) == 1 and "1 API token" in log[0]["summary"]

    # Enabling: they can sign in again, but the token stays revoked.
    response = await _post(admin, f"/admin/accounts/{officer.id}/enable", {})
    assert response.status_code == 303
    assert (await theirs.get("/home")).status_code == 302  # the old session does not come back
    again = browser(app)
    await sign_in(again, officer.email)
    assert (await again.get("/home")).status_code == 200
    assert (await again.get("/api/v1/me", headers=bearer)).status_code == 401
    for c in (theirs, again, admin):
        await c.aclose()


async def test_an_admin_edits_a_staff_account_and_bad_input_gets_an_error_summary(app):
    la = await _org("E06000042")
    officer = await person("la_coordinator", la, "Eddie Edit")
    admin = await client_as(app, "admin")
    bad = await _post(
        admin,
        f"/admin/accounts/{officer.id}",
        {
            "full_name": "",
            "email": DEMO_EMAILS["mediator"],
            "role": "health_commissioner",
            "organisation": str(la),
        },
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.text and "<title>Error:" in bad.text
    assert 'href="#email"' in bad.text and "already exists" in bad.text
    assert "Enter the person&#39;s full name" in bad.text
    assert "Select the integrated care board this person works for" in bad.text
    icb = await _org("QHG")
    address = f"moved.{secrets.token_hex(3)}@example.com"
    good = await _post(
        admin,
        f"/admin/accounts/{officer.id}",
        {
            "full_name": "Eddie Moved",
            "email": address.upper(),
            "role": "health_commissioner",
            "organisation": str(icb),
        },
    )
    assert good.status_code == 303
    user = await load_user(officer.id)
    assert user is not None
    assert (user.email, user.full_name, user.role, user.organisation_id) == (
        address,
        "Eddie Moved",
        "health_commissioner",
        icb,
    )
    event = (
        await AuditEvent.select()
        .where(
            (AuditEvent.entity == "account")
            & (AuditEvent.entity_id == str(officer.id))
            & (AuditEvent.action == "update")
        )
        .output(load_json=True)
        .first()
    )
    assert event["before"]["role"] == "la_coordinator" and event["after"]["organisation"] == icb
    await admin.aclose()


async def test_a_family_account_is_not_a_staff_account_to_edit(app):
    family = await Account.select(Account.id).where(Account.email == DEMO_EMAILS["family"]).first()
    admin = await client_as(app, "admin")
    assert (await admin.get(f"/admin/accounts/{family['id']}")).status_code == 404
    response = await _post(admin, f"/admin/accounts/{family['id']}/disable", {})
    assert response.status_code == 404
    assert (await load_user(family["id"])) is not None
    await admin.aclose()


async def test_an_admin_cannot_disable_themselves_or_demote_themselves(app):
    admin_row = await Account.select(Account.id).where(Account.email == DEMO_EMAILS["admin"]).first()
    admin = await client_as(app, "admin")
    response = await _post(admin, f"/admin/accounts/{admin_row['id']}/disable", {})
    assert response.status_code == 409
    assert "You cannot disable your own account" in response.text
    demote = await _post(
        admin,
        f"/admin/accounts/{admin_row['id']}",
        {"full_name": "Dana Reid", "email": DEMO_EMAILS["admin"], "role": "mediator", "organisation": ""},
    )
    assert demote.status_code == 400 and "your own administrator role" in demote.text
    assert (await load_user(admin_row["id"])) is not None
    await admin.aclose()


async def test_the_last_active_admin_cannot_be_disabled_or_demoted(app):
    """With every other admin disabled, a second admin (the actor) cannot remove the last one."""
    actor = await person("admin", None, "Acting Admin")
    other_admins = await Account.select(Account.id).where(
        (Account.role == "admin") & Account.active.eq(True) & (Account.id != actor.id)
    )
    # Disable every other admin through the service, as the acting admin.
    kept = []
    for row in other_admins:
        try:
            await disable_staff(row["id"], actor=actor)
        except Conflict:
            kept.append(row["id"])
    try:
        remaining = await Account.select(Account.id).where(
            (Account.role == "admin") & Account.active.eq(True)
        )
        assert [r["id"] for r in remaining] == [actor.id]
        someone = await person("admin", None, "Second Admin")
        # someone is active, so actor could be disabled by someone; but not the last one once alone:
        await disable_staff(someone.id, actor=actor)
        with pytest.raises(Conflict, match="last active administrator"):
            await disable_staff(actor.id, actor=someone)
        with pytest.raises(Invalid, match="last active administrator"):
            await edit_staff(
                actor.id,
                full_name="Acting Admin",
                email=actor.email,
                role="mediator",
                organisation_id=await _org("IMS-DEMO"),
                actor=someone,
            )
    finally:
        from mediation.accounts.staff import enable_staff

        for row in other_admins:
            await enable_staff(row["id"], actor=actor)
