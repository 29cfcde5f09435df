"""Passwords: reset by an emailed link (neutral, throttled, 1 hour, single use, ends every session),
change when signed in (current password, ends the other sessions, keeps this one on a new id), and the
forced change of a temporary password an admin gave."""

from __future__ import annotations

import asyncio
import itertools
import re
import time

import httpx
import pytest

from mediation.accounts import password_reset
from mediation.accounts.passwords import NO_PASSWORD
from mediation.accounts.service import NewAccount, create_account
from mediation.accounts.tables import Account
from mediation.audit.tables import AuditEvent
from mediation.notify.tables import Notification
from mediation.timekeeping import now as service_now
from tests.conftest import CSRF_FIELD, client_as

pytestmark = pytest.mark.anyio
PASSWORD = "Harbour-violet-thimble-62"
NEW_PASSWORD = "Copper-wren-lagoon-93"
_numbers = itertools.count(1)


async def _account(**overrides) -> str:
    email = f"pw-{next(_numbers)}-{time.monotonic_ns()}@example.com"
    fields = {"email": email, "full_name": "Grace Hopper", "role": "family", "password": PASSWORD}
    await create_account(NewAccount(**{**fields, "email_confirmed": True, **overrides}), actor=None)
    return overrides.get("email", email)


def _client(app, host: str | None = None) -> httpx.AsyncClient:
    """A client of its own address (documentation range), so no other test's throttle counts touch it."""
    n = next(_numbers)
    host = host or f"203.0.{n // 250}.{n % 250 + 1}"
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(host, 40000)),
        base_url="http://testserver.local",
        follow_redirects=False,
    )


async def _token(client: httpx.AsyncClient, page: str) -> str:
    return CSRF_FIELD.search((await client.get(page)).text).group(1)


async def _forgot(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await _token(client, "/forgot-password")
    return await client.post("/forgot-password", data={"email": email, "_csrf_token": token})


async def _emails(email: str) -> list[dict]:
    return await (
        Notification.select(Notification.subject, Notification.body_text)
        .where(Notification.recipient_email == email)
        .order_by(Notification.id)
    )


async def _reset_link(email: str, subject: str = "Reset your password") -> str:
    bodies = [m["body_text"] for m in await _emails(email) if m["subject"] == subject]
    return re.search(r"/reset-password/\S+", bodies[-1]).group(0)


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = await _token(client, "/sign-in")
    return await client.post(
        "/sign-in", data={"email": email, "password": password, "next": "/home", "_csrf_token": token}
    )


async def _set_password(client: httpx.AsyncClient, link: str, password: str, confirm: str | None = None):
    token = await _token(client, "/forgot-password")
    return await client.post(
        link,
        data={"password": password, "confirm_password": confirm or password, "_csrf_token": token},
    )


async def _change(client: httpx.AsyncClient, current: str, new: str, confirm: str | None = None):
    token = await _token(client, "/account/password")
    return await client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": new,
            "confirm_password": new if confirm is None else confirm,
            "_csrf_token": token,
        },
    )


async def test_a_forgotten_password_is_reset_by_the_emailed_link_and_the_person_signs_in_again(app):
    email = await _account()
    async with _client(app) as browser:
        sent = await _forgot(browser, email)
        assert sent.status_code == 200
        assert "Check your email" in sent.text
        link = await _reset_link(email)

        form = await browser.get(link)
        assert form.status_code == 200 and "Choose a new password" in form.text

        done = await _set_password(browser, link, NEW_PASSWORD)
        assert done.status_code == 303 and done.headers["location"] == "/password-reset-complete"
        complete = await browser.get("/password-reset-complete")
        assert "Your password has been reset" in complete.text and 'href="/sign-in"' in complete.text

        assert (await _sign_in(browser, email, PASSWORD)).status_code == 400
        assert (await _sign_in(browser, email, NEW_PASSWORD)).status_code == 303
        assert (await browser.get("/home")).status_code == 200
    subjects = [m["subject"] for m in await _emails(email)]
    assert subjects[-1] == "Your password has been changed"


async def test_asking_for_a_link_says_and_does_the_same_whether_or_not_the_account_exists(app):
    known = await _account()
    unknown = f"nobody-{time.monotonic_ns()}@example.com"
    async with _client(app) as browser:
        for_known = await _forgot(browser, known)
        for_unknown = await _forgot(browser, unknown)
    assert for_known.status_code == for_unknown.status_code == 200

    def main(response: httpx.Response, email: str) -> str:
        return response.text.split("<main", 1)[1].split("</main>", 1)[0].replace(email, "EMAIL")

    assert main(for_known, known) == main(for_unknown, unknown)
    # One email to the address typed either way (only the account's holds a link), one audit row each.
    assert [m["subject"] for m in await _emails(known)] == ["Reset your password"]
    assert [m["subject"] for m in await _emails(unknown)] == ["There is no account with this email address"]
    assert "/reset-password/" not in (await _emails(unknown))[0]["body_text"]
    requested = await AuditEvent.select(AuditEvent.summary, AuditEvent.entity_id).where(
        AuditEvent.action == "password_reset_requested"
    )
    assert {"Password reset link sent by email", "Password reset asked for an address with no account"} <= {
        r["summary"] for r in requested
    }


async def test_bad_addresses_get_a_specific_error(app):
    async with _client(app) as browser:
        blank = await _forgot(browser, "  ")
        wrong = await _forgot(browser, "not-an-address")
    assert blank.status_code == wrong.status_code == 400
    assert "Enter your email address" in blank.text and "govuk-error-summary" in blank.text
    assert "Enter an email address in the correct format" in wrong.text


async def test_the_link_works_once(app):
    email = await _account()
    async with _client(app) as browser:
        await _forgot(browser, email)
        link = await _reset_link(email)
        assert (await _set_password(browser, link, NEW_PASSWORD)).status_code == 303
        again = await browser.get(link)
        reused = await _set_password(browser, link, "Another-kestrel-pebble-15")
    assert again.status_code == reused.status_code == 400
    assert "The link has expired or has already been used" in reused.text
    assert 'href="/forgot-password"' in reused.text
    async with _client(app) as other:
        assert (await _sign_in(other, email, NEW_PASSWORD)).status_code == 303


async def test_an_older_link_dies_once_the_password_changes(app):
    email = await _account()
    async with _client(app) as browser:
        await _forgot(browser, email)
        first = await _reset_link(email)
        await Notification.delete().where(Notification.recipient_email == email)  # the next slot's link
        await _forgot(browser, email)
        second = await _reset_link(email)
        assert (await _set_password(browser, second, NEW_PASSWORD)).status_code == 303
        assert (await browser.get(first)).status_code == 400


async def test_the_link_expires_after_an_hour(app, monkeypatch):
    email = await _account()
    async with _client(app) as browser:
        await _forgot(browser, email)
        link = await _reset_link(email)
        sent_at = time.time()
        monkeypatch.setattr(password_reset, "wall_clock", lambda: sent_at + 59 * 60)
        assert (await browser.get(link)).status_code == 200
        monkeypatch.setattr(password_reset, "wall_clock", lambda: sent_at + 61 * 60)
        late = await _set_password(browser, link, NEW_PASSWORD)
    assert late.status_code == 400 and "has expired" in late.text
    async with _client(app) as other:
        assert (await _sign_in(other, email, PASSWORD)).status_code == 303  # unchanged


async def test_a_forged_link_is_refused(app):
    email = await _account()
    row = await Account.select(Account.id).where(Account.email == email).first()
    async with _client(app) as browser:
        for link in (
            "/reset-password/forged",
            f"/reset-password/{password_reset.make_token('confirm-email', str(row['id']))}",  # other purpose
            f"/reset-password/{password_reset.make_token(password_reset.PURPOSE, str(row['id']) + ':x')}",
        ):
            assert (await browser.get(link)).status_code == 400, link


async def test_the_new_password_follows_the_rules_and_errors_keep_the_link(app):
    email = await _account(full_name="Katherine Johnson")
    async with _client(app) as browser:
        await _forgot(browser, email)
        link = await _reset_link(email)
        short = await _set_password(browser, link, "short")
        common = await _set_password(browser, link, "password1234")
        own_name = await _set_password(browser, link, "katherine-johnson-1918")
        differ = await _set_password(browser, link, NEW_PASSWORD, "Something-else-entirely-4")
        blank = await _set_password(browser, link, "")
    assert {r.status_code for r in (short, common, own_name, differ, blank)} == {400}
    assert "Password must be 12 characters or more" in short.text
    assert "Password is too common" in common.text
    assert "Password must not include your name or email address" in own_name.text
    assert "The passwords do not match" in differ.text
    assert "Enter a new password" in blank.text
    assert f'action="{link}"' in short.text
    assert "password1234" not in common.text.split("<main")[1]
    async with _client(app) as other:
        assert (await _sign_in(other, email, PASSWORD)).status_code == 303  # still the old one


async def test_a_reset_ends_every_session_of_the_account(app):
    email = await _account()
    async with _client(app) as laptop, _client(app) as phone, _client(app) as browser:
        assert (await _sign_in(laptop, email, PASSWORD)).status_code == 303
        assert (await _sign_in(phone, email, PASSWORD)).status_code == 303
        assert (await laptop.get("/home")).status_code == 200
        await _forgot(browser, email)
        assert (await _set_password(browser, await _reset_link(email), NEW_PASSWORD)).status_code == 303
        for device in (laptop, phone):
            after = await device.get("/home")
            assert after.status_code == 302 and after.headers["location"].startswith("/sign-in")


async def _family_made_by_the_local_authority() -> str:
    """As `cases/api_lodging.py` makes one for a family who phoned: no password, address unconfirmed."""
    email = f"la-made-{next(_numbers)}-{time.monotonic_ns()}@example.com"
    await Account.insert(
        Account(
            email=email,
            password_hash=NO_PASSWORD,
            full_name="Olaudah Equiano",
            role="family",
            email_confirmed=False,
            active=True,
            created_at=service_now(),
        )
    )
    return email


async def test_a_family_account_the_local_authority_made_without_a_password_can_set_one(app):
    email = await _family_made_by_the_local_authority()
    subject = "Choose a password for your account"
    async with _client(app) as browser:
        await _forgot(browser, email)
        link = await _reset_link(email, subject)
        assert (await _set_password(browser, link, NEW_PASSWORD)).status_code == 303
        assert (
            await _sign_in(browser, email, NEW_PASSWORD)
        ).status_code == 303  # the link proved the address
    row = await Account.select(Account.email_confirmed).where(Account.email == email).first()
    assert row["email_confirmed"] is True


async def test_registering_with_the_address_of_such_an_account_sends_the_link_that_sets_a_password(app):
    email = await _family_made_by_the_local_authority()
    async with _client(app) as browser:
        token = await _token(browser, "/register")
        registered = await browser.post(
            "/register",
            data={
                "full_name": "Olaudah Equiano",
                "email": email,
                "password": PASSWORD,
                "confirm_password": PASSWORD,
                "_csrf_token": token,
            },
        )
        assert registered.status_code == 200 and "Check your email" in registered.text
        assert [m["subject"] for m in await _emails(email)] == ["Choose a password for your account"]
        link = await _reset_link(email, "Choose a password for your account")
        assert (await _set_password(browser, link, NEW_PASSWORD)).status_code == 303
        assert (await _sign_in(browser, email, NEW_PASSWORD)).status_code == 303


async def test_a_switched_off_account_gets_no_link(app):
    email = await _account()
    await Account.update({Account.active: False}).where(Account.email == email)
    async with _client(app) as browser:
        sent = await _forgot(browser, email)
    assert sent.status_code == 200 and "Check your email" in sent.text
    messages = await _emails(email)
    assert [m["subject"] for m in messages] == ["Your account is switched off"]
    assert "/reset-password/" not in messages[0]["body_text"]


async def test_asking_for_links_is_throttled_per_address_and_client_whether_or_not_it_exists(app):
    for email in (await _account(), f"nobody-{time.monotonic_ns()}@example.com"):
        async with _client(app) as browser:
            answers = [(await _forgot(browser, email)).status_code for _ in range(6)]
            refused = await _forgot(browser, email)
        assert answers[:5] == [200] * 5 and answers[5] == 429
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "Too many requests. Wait" in refused.text
        # One email per address in each 10 minutes, however many times it is asked for.
        assert len(await _emails(email)) == 1
        async with _client(app) as elsewhere:  # another client is not held up by these requests
            assert (await _forgot(elsewhere, email)).status_code == 200


async def test_the_audit_log_holds_no_link_or_password(app):
    email = await _account()
    async with _client(app) as browser:
        await _forgot(browser, email)
        link = await _reset_link(email)
        await _set_password(browser, link, NEW_PASSWORD)
    row = await Account.select(Account.id).where(Account.email == email).first()
    events = await AuditEvent.select().where(
        (AuditEvent.entity == "account") & (AuditEvent.entity_id == str(row["id"]))
    )
    actions = [e["action"] for e in events]
    assert "password_reset_requested" in actions and "password_reset" in actions
    token = link.rsplit("/", 1)[1]
    for event in events:
        text = repr(event)
        assert token not in text and NEW_PASSWORD not in text and token.split(".")[1] not in text


async def test_a_signed_in_person_changes_their_password_and_only_their_other_sessions_end(app):
    email = await _account()
    async with _client(app) as here, _client(app) as elsewhere:
        assert (await _sign_in(here, email, PASSWORD)).status_code == 303
        assert (await _sign_in(elsewhere, email, PASSWORD)).status_code == 303
        home = await here.get("/home")
        assert 'href="/account/password"' in home.text  # the header links to it
        old_id = here.cookies.get("session")

        changed = await _change(here, PASSWORD, NEW_PASSWORD)
        assert changed.status_code == 303 and changed.headers["location"] == "/account/password/changed"
        assert here.cookies.get("session") != old_id  # the same browser, on a new session id
        assert "Your password has been changed" in (await here.get("/account/password/changed")).text
        assert (await here.get("/home")).status_code == 200
        assert (await elsewhere.get("/home")).status_code == 302
    async with _client(app) as planted:  # the old id is worth nothing now
        planted.cookies.set("session", old_id, domain="testserver.local")
        assert (await planted.get("/home")).status_code == 302
    async with _client(app) as fresh:
        assert (await _sign_in(fresh, email, PASSWORD)).status_code == 400
        assert (await _sign_in(fresh, email, NEW_PASSWORD)).status_code == 303
    audit = await AuditEvent.select(AuditEvent.action).where(AuditEvent.action == "password_change")
    assert audit


async def test_changing_needs_the_current_password_and_says_what_is_wrong(app):
    email = await _account()
    async with _client(app) as browser:
        await _sign_in(browser, email, PASSWORD)
        blank = await _change(browser, "", NEW_PASSWORD)
        wrong = await _change(browser, "Not-my-password-at-all-7", NEW_PASSWORD)
        same = await _change(browser, PASSWORD, PASSWORD)
        differ = await _change(browser, PASSWORD, NEW_PASSWORD, "Copper-wren-lagoon-94")
        weak = await _change(browser, PASSWORD, "password1234")
    assert {r.status_code for r in (blank, wrong, same, differ, weak)} == {400}
    assert "Enter your current password" in blank.text
    assert "Your current password is not correct" in wrong.text
    assert "must be different from your current password" in same.text
    assert "The passwords do not match" in differ.text
    assert "Password is too common" in weak.text
    assert "govuk-error-summary" in wrong.text
    async with _client(app) as other:
        assert (await _sign_in(other, email, PASSWORD)).status_code == 303  # nothing changed


async def test_guessing_the_current_password_is_throttled_like_signing_in(app):
    email = await _account()
    async with _client(app) as browser:
        await _sign_in(browser, email, PASSWORD)
        answers = [
            (await _change(browser, f"Wrong-guess-number-{n}", NEW_PASSWORD)).status_code for n in range(6)
        ]
        right_but_waiting = await _change(browser, PASSWORD, NEW_PASSWORD)
    assert answers[:5] == [400] * 5 and answers[5] == 429
    assert right_but_waiting.status_code == 429 and "Too many failed attempts" in right_but_waiting.text


async def test_a_new_staff_account_must_change_its_temporary_password_first(app):
    email = f"new-staff-{time.monotonic_ns()}@milton-keynes.example"
    temporary = "Temporary-quokka-saddle-55"
    admin = await client_as(app, "admin")
    try:
        from mediation.organisations.tables import Organisation

        la = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
        token = await _token(admin, "/admin/accounts/new")
        created = await admin.post(
            "/admin/accounts/new",
            data={
                "full_name": "Florence Nightingale",
                "email": email,
                "role": "la_coordinator",
                "organisation": str(la["id"]),
                "password": temporary,
                "_csrf_token": token,
            },
        )
        assert created.status_code == 303
    finally:
        await admin.aclose()
    async with _client(app) as staff:
        signed_in = await _sign_in(staff, email, temporary)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/account/password"
        for path in ("/home", "/notices", "/cases/SM-ANYTHING"):
            held = await staff.get(path)
            assert held.status_code == 303 and held.headers["location"] == "/account/password", path
        api = await staff.get("/api/v1/me")
        assert api.status_code == 403 and "temporary password" in api.json()["detail"]
        page = await staff.get("/account/password")
        assert page.status_code == 200 and "temporary password" in page.text

        assert (await _change(staff, "Not-the-temporary-one-9", NEW_PASSWORD)).status_code == 400
        assert (await staff.get("/home")).status_code == 303  # still held
        assert (await _change(staff, temporary, NEW_PASSWORD)).status_code == 303
        assert (await staff.get("/home")).status_code == 200
    row = await Account.select(Account.must_change_password).where(Account.email == email).first()
    assert row["must_change_password"] is False


async def test_a_temporary_password_still_lets_the_person_sign_out(app):
    email = await _account(role="admin", must_change_password=True)
    async with _client(app) as staff:
        await _sign_in(staff, email, PASSWORD)
        token = await _token(staff, "/account/password")
        out = await staff.post("/sign-out", data={"_csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/"
        assert (await staff.get("/account/password")).status_code == 302  # signed out: to sign in


async def test_one_link_sent_twice_at_once_sets_the_password_once(app):
    email = await _account()
    async with _client(app) as one, _client(app) as two:
        await _forgot(one, email)
        link = await _reset_link(email)
        tokens = [await _token(c, "/forgot-password") for c in (one, two)]
        answers = await asyncio.gather(
            *(
                c.post(link, data={"password": p, "confirm_password": p, "_csrf_token": t})
                for c, t, p in ((one, tokens[0], NEW_PASSWORD), (two, tokens[1], "Another-kestrel-pebble-15"))
            )
        )
    assert sorted(a.status_code for a in answers) == [303, 400]
    done = await AuditEvent.count().where(
        (AuditEvent.action == "password_reset")
        & (
            AuditEvent.entity_id
            == str((await Account.select(Account.id).where(Account.email == email))[0]["id"])
        )
    )
    assert done == 1
