"""API tokens: made by `python main.py token EMAIL`, stored as a digest, act as their account, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import uuid
from pathlib import Path

import anyio
import httpx
import msgspec
import pytest

from mediation.accounts import api_tokens
from mediation.accounts.service import NewAccount, create_account, load_user
from mediation.accounts.tables import Account, ApiToken
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from tests.conftest import DATABASE_URL, DEMO_EMAILS, DEMO_PASSWORD, client_as, csrf_token
from tests.query_count import counted_queries

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
INVALID = "The API token is not valid or has been revoked"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def run_cli(*args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "PICCOLO_CONF": "mediation.piccolo_conf",
    }
    result = await anyio.run_process([sys.executable, "main.py", *args], cwd=ROOT, env=env, check=False)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


async def case_reference(child_name: str) -> str:
    row = (
        await Disagreement.select(Disagreement.reference).where(Disagreement.child_name == child_name).first()
    )
    assert row is not None, f"demo case for {child_name} missing"
    return str(row["reference"])


async def new_account(role: str = "family") -> str:
    email = f"token-{uuid.uuid4().hex[:10]}@example.org"
    await create_account(
        NewAccount(
            email=email, full_name="Token Tester", role=role, password=DEMO_PASSWORD, email_confirmed=True
        ),
        actor=None,
    )
    return email


async def is_revoked(token_id: int) -> bool:
    row = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == token_id).first()
    assert row is not None
    return row["revoked_at"] is not None


async def test_the_cli_prints_a_token_that_authenticates_the_api(app, client):
    assert os.environ["DATABASE_URL"] == DATABASE_URL  # the subprocess works on this run's database
    code, out, err = await run_cli("token", DEMO_EMAILS["family"], "--name", "cli test")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("smt_") and "\n" not in token and len(token) > 40
    assert "shown only now" in err

    me = await client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["email"] == DEMO_EMAILS["family"]
    assert me.json()["role"] == "family"
    row = (
        await ApiToken.select(ApiToken.name).where(ApiToken.token_digest == api_tokens.digest(token)).first()
    )
    assert row == {"name": "cli test"}


async def test_the_cli_refuses_an_unknown_or_deactivated_email(app):
    code, out, err = await run_cli("token", "nobody-at-all@example.org")
    assert code == 1
    assert out == ""
    assert "no account with the email address nobody-at-all@example.org" in err

    email = await new_account()
    await Account.update({Account.active: False}).where(Account.email == email)
    code, out, err = await run_cli("token", email)
    assert code == 1
    assert out == ""
    assert "deactivated" in err
    account = await Account.select(Account.id).where(Account.email == email).first()
    assert not await ApiToken.exists().where(ApiToken.account == account["id"])


async def test_a_token_acts_with_its_accounts_role_and_access(app, client):
    token = (await api_tokens.create_token(DEMO_EMAILS["family"], name="access")).token
    own = await client.get(f"/api/v1/cases/{await case_reference('Jamie Taylor')}", headers=bearer(token))
    assert own.status_code == 200
    other = await client.get(f"/api/v1/cases/{await case_reference('Casey Morgan')}", headers=bearer(token))
    assert other.status_code == 404
    # Staff-only data and admin pages stay closed to a family's token.
    assert (await client.get("/api/v1/organisations", headers=bearer(token))).status_code == 403
    assert (await client.get("/admin/api-tokens", headers=bearer(token))).status_code == 403

    la_token = (await api_tokens.create_token(DEMO_EMAILS["la_coordinator"])).token
    assert (await client.get("/api/v1/organisations", headers=bearer(la_token))).status_code == 200


async def test_a_bearer_token_is_used_instead_of_the_session(app):
    family = await client_as(app, "family")
    try:
        admin_token = (await api_tokens.create_token(DEMO_EMAILS["admin"])).token
        me = await family.get("/api/v1/me", headers=bearer(admin_token))
        assert me.json()["email"] == DEMO_EMAILS["admin"]
        # A bad token never falls back to the signed-in session.
        refused = await family.get("/api/v1/me", headers=bearer("smt_not-a-real-token"))
        assert refused.status_code == 401
        assert refused.json()["detail"] == INVALID
        # Without the header the session works exactly as before.
        assert (await family.get("/api/v1/me")).json()["email"] == DEMO_EMAILS["family"]
    finally:
        await family.aclose()


async def test_a_bearer_request_reads_the_token_and_its_person_in_one_query(app, client):
    token = (await api_tokens.create_token(DEMO_EMAILS["la_coordinator"], name="one read")).token
    await client.get("/api/v1/me", headers=bearer(token))  # last_used_at written now, not below
    la = await load_user(
        int(
            (await Account.select(Account.id).where(Account.email == DEMO_EMAILS["la_coordinator"]).first())[
                "id"
            ]
        )
    )
    with counted_queries() as queries:
        me = await client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json() == msgspec.to_builtins(la)  # every field, the organisation's name among them
    assert la is not None and la.organisation_name
    assert len(queries) == 1 and '"api_token"' in queries[0]


async def test_only_the_digest_is_stored(app):
    new = await api_tokens.create_token(DEMO_EMAILS["mediator"], name="digest")
    row = await ApiToken.select().where(ApiToken.id == new.id).first()
    assert row is not None
    assert row["token_digest"] == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token.startswith(row["prefix"]) and len(row["prefix"]) <= 12
    everything = " ".join(str(value) for r in await ApiToken.select() for value in r.values())
    assert new.token not in everything
    assert new.token[len(row["prefix"]) :] not in everything
    audit = " ".join(
        f"{e['summary']} {e['before']} {e['after']}"
        for e in await AuditEvent.select().where(AuditEvent.entity == "api_token")
    )
    assert new.token[len(row["prefix"]) :] not in audit


async def test_a_revoked_token_gets_401(app, client):
    new = await api_tokens.create_token(DEMO_EMAILS["health_commissioner"], name="to revoke")
    assert (await client.get("/api/v1/me", headers=bearer(new.token))).status_code == 200
    await api_tokens.revoke_token(new.id, actor=None)
    refused = await client.get("/api/v1/me", headers=bearer(new.token))
    assert refused.status_code == 401
    assert refused.json()["detail"] == INVALID
    garbage = await client.get("/api/v1/cases", headers=bearer("smt_" + "x" * 43))
    assert garbage.status_code == 401
    assert garbage.json()["detail"] == INVALID


async def test_a_token_of_a_deactivated_account_is_refused(app, client):
    email = await new_account()
    new = await api_tokens.create_token(email)
    assert (await client.get("/api/v1/me", headers=bearer(new.token))).status_code == 200
    await Account.update({Account.active: False}).where(Account.email == email)
    refused = await client.get("/api/v1/me", headers=bearer(new.token))
    assert refused.status_code == 401
    assert refused.json()["detail"] == INVALID


async def test_last_used_is_recorded_at_most_once_a_minute(app, client):
    new = await api_tokens.create_token(DEMO_EMAILS["family"], name="last used")

    async def last_used() -> dt.datetime | None:
        row = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == new.id).first()
        return row["last_used_at"]

    assert await last_used() is None
    await client.get("/api/v1/me", headers=bearer(new.token))
    first = await last_used()
    assert first is not None
    await client.get("/api/v1/me", headers=bearer(new.token))
    assert await last_used() == first
    two_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    await ApiToken.update({ApiToken.last_used_at: two_minutes_ago}).where(ApiToken.id == new.id)
    await client.get("/api/v1/me", headers=bearer(new.token))
    assert await last_used() > two_minutes_ago + dt.timedelta(minutes=1)


async def test_a_bearer_post_needs_no_csrf_token_but_a_cookie_post_still_does(app, client):
    admin_token = (await api_tokens.create_token(DEMO_EMAILS["admin"], name="csrf")).token
    victim = await api_tokens.create_token(DEMO_EMAILS["family"], name="csrf victim")
    # A token request: no CSRF cookie, no CSRF field, still accepted.
    response = await client.post(f"/admin/api-tokens/{victim.id}/revoke", headers=bearer(admin_token))
    assert response.status_code == 303
    assert await is_revoked(victim.id)

    la_token = (await api_tokens.create_token(DEMO_EMAILS["la_coordinator"])).token
    reroute = f"/api/v1/cases/{await case_reference('Jamie Taylor')}/reroute"
    api_post = await client.post(reroute, json={}, headers=bearer(la_token))
    assert api_post.status_code == 400  # reached the handler's body validation: no CSRF refusal

    second = await api_tokens.create_token(DEMO_EMAILS["family"], name="csrf second")
    admin = await client_as(app, "admin")
    la = await client_as(app, "la_coordinator")
    try:
        refused = await admin.post(f"/admin/api-tokens/{second.id}/revoke")
        assert refused.status_code == 403
        assert not await is_revoked(second.id)
        api_refused = await la.post(reroute, json={})
        assert api_refused.status_code == 403
        assert "CSRF" in api_refused.json()["detail"]
        # The same session with its CSRF token goes through: the refusal was the missing token.
        token = await csrf_token(admin, "/admin/api-tokens")
        accepted = await admin.post(f"/admin/api-tokens/{second.id}/revoke", data={"_csrf_token": token})
        assert accepted.status_code == 303
        assert await is_revoked(second.id)
    finally:
        await admin.aclose()
        await la.aclose()


async def test_admins_list_and_revoke_tokens_through_the_page(app):
    email = await new_account()
    new = await api_tokens.create_token(email, name="Nightly export")
    admin = await client_as(app, "admin")
    try:
        page = await admin.get("/admin/api-tokens")
        assert page.status_code == 200
        for text in (
            email,
            "Nightly export",
            f"{new.prefix}…",
            f'action="/admin/api-tokens/{new.id}/revoke"',
        ):
            assert text in page.text
        assert new.token not in page.text
        assert 'name="_csrf_token"' in page.text
        assert "/admin/api-tokens" in (await admin.get("/home")).text  # reachable from the admin's pages

        token = await csrf_token(admin, "/admin/api-tokens")
        revoked = await admin.post(f"/admin/api-tokens/{new.id}/revoke", data={"_csrf_token": token})
        assert revoked.status_code == 303
        after = await admin.get(revoked.headers["location"])
        assert f"API token {new.prefix}… for {email} revoked" in after.text
        assert f'action="/admin/api-tokens/{new.id}/revoke"' not in after.text
        assert "Revoked" in after.text

        event = (
            await AuditEvent.select(AuditEvent.actor_label, AuditEvent.summary)
            .where(
                (AuditEvent.entity == "api_token")
                & (AuditEvent.entity_id == str(new.id))
                & (AuditEvent.action == "revoke")
            )
            .first()
        )
        assert event is not None and DEMO_EMAILS["admin"] in event["actor_label"]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
        ) as anyone:
            assert (await anyone.get("/api/v1/me", headers=bearer(new.token))).status_code == 401

        for bad_id in ("999999999", "99999999999999999999", "0"):
            missing = await admin.post(f"/admin/api-tokens/{bad_id}/revoke", data={"_csrf_token": token})
            assert missing.status_code == 404, bad_id
        assert (
            await admin.post("/admin/api-tokens/not-a-number/revoke", data={"_csrf_token": token})
        ).status_code == 404
    finally:
        await admin.aclose()


@pytest.mark.parametrize("role", ["family", "la_coordinator", "mediator"])
async def test_others_cannot_list_or_revoke_tokens(app, role):
    new = await api_tokens.create_token(DEMO_EMAILS["health_commissioner"], name=f"not yours {role}")
    other = await client_as(app, role)
    try:
        assert (await other.get("/admin/api-tokens")).status_code == 403
        token = await csrf_token(other, "/deadline-calculator")
        refused = await other.post(f"/admin/api-tokens/{new.id}/revoke", data={"_csrf_token": token})
        assert refused.status_code == 403
        own_token = (await api_tokens.create_token(DEMO_EMAILS[role])).token
        with_token = await other.post(f"/admin/api-tokens/{new.id}/revoke", headers=bearer(own_token))
        assert with_token.status_code == 403
        assert not await is_revoked(new.id)
    finally:
        await other.aclose()


async def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    new = await api_tokens.create_token(DEMO_EMAILS["mediator"], name="anonymous")
    page = await client.get("/admin/api-tokens")
    assert page.status_code == 302 and page.headers["location"].startswith("/sign-in")
    token = await csrf_token(client, "/deadline-calculator")
    post = await client.post(f"/admin/api-tokens/{new.id}/revoke", data={"_csrf_token": token})
    assert post.status_code == 302 and post.headers["location"].startswith("/sign-in")
    assert not await is_revoked(new.id)
