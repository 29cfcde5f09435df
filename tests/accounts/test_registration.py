import re

import pytest

from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token, read_token
from mediation.notify.tables import Notification
from tests.conftest import csrf_token

pytestmark = pytest.mark.anyio
PASSWORD = "Lantern-orchid-basin-47"


async def _register(client, email: str, **overrides):
    token = await csrf_token(client, "/register")
    data = {
        "full_name": "Mary Seacole",
        "email": email,
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "_csrf_token": token,
        **overrides,
    }
    return await client.post("/register", data=data)


async def _link(email: str) -> str:
    message = (
        await Notification.select(Notification.body_text)
        .where(Notification.recipient_email == email)
        .order_by(Notification.id, ascending=False)
        .first()
    )
    return re.search(r"/confirm-email/(\S+)", message["body_text"]).group(0)


async def test_a_family_registers_confirms_by_the_emailed_link_and_signs_in(client):
    email = "mary.seacole@example.com"
    response = await _register(client, email)
    assert response.status_code == 200
    assert "Check your email" in response.text
    account = await Account.select().where(Account.email == email).first()
    assert account["role"] == "family" and not account["email_confirmed"]

    token = await csrf_token(client)
    early = await client.post("/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token})
    assert early.status_code == 400
    assert "Confirm your email address" in early.text

    confirmed = await client.get(await _link(email))
    assert confirmed.status_code == 200
    assert "Email address confirmed" in confirmed.text
    signed_in = await client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token}
    )
    assert signed_in.status_code == 303


async def test_registering_an_address_that_has_an_account_reveals_nothing(client):
    response = await _register(client, "family@example.com")
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert await Account.count().where(Account.email == "family@example.com") == 1


async def test_registration_errors_are_specific_and_keep_what_was_typed(client):
    response = await _register(client, "not-an-email", password="short", confirm_password="different")
    assert response.status_code == 400
    text = response.text
    assert "Enter an email address in the correct format" in text
    assert "Password must be 12 characters or more" in text
    assert "The passwords do not match" in text
    assert 'value="Mary Seacole"' in text
    assert "short" not in text.split("<main")[1]  # passwords are never echoed back


async def test_a_forged_or_expired_link_is_refused_with_a_way_to_get_a_new_one(client):
    forged = await client.get("/confirm-email/eyJ9.forged")
    assert forged.status_code == 400
    assert "The link has expired or is not valid" in forged.text
    old = make_token("confirm-email", "1:family@example.com", valid_for_seconds=60, now=0)
    assert read_token("confirm-email", old) is None
    assert read_token("reset-password", make_token("confirm-email", "1:x")) is None  # purpose is signed too
    expired = await client.get(f"/confirm-email/{old}")
    assert expired.status_code == 400


async def test_asking_again_straight_after_registering_waits_and_sends_nothing_more(client):
    email = "florence.n@example.com"
    await _register(client, email)
    token = await csrf_token(client, "/register")
    for _ in range(3):
        response = await client.post("/confirm-email/resend", data={"email": email, "_csrf_token": token})
        assert response.status_code == 429
        assert "You can ask for another link in 5 minutes" in response.text
    assert await Notification.count().where(Notification.recipient_email == email) == 1


def _same_page(text: str, email: str) -> str:
    """The page with what legitimately differs between two requests taken out: the address typed and
    the per-request CSP nonce."""
    return re.sub(r'nonce="[^"]+"', 'nonce=""', text.replace(email, "EMAIL"))


async def test_a_new_and_an_existing_address_take_the_same_path(client, monkeypatch):
    """Both hash the password once and queue one email, and the page is the same: neither the page nor
    the time it takes tells an attacker whether an address has an account."""
    from mediation.accounts import passwords, registration

    hashed: list[str] = []
    queued: list[str] = []
    real_hash, real_queue = passwords.hash_password, registration.queue_email

    def counting_hash(password):
        hashed.append(password)
        return real_hash(password)

    async def counting_queue(**kwargs):
        queued.append(kwargs["to"])
        return await real_queue(**kwargs)

    monkeypatch.setattr(passwords, "hash_password", counting_hash)
    monkeypatch.setattr(registration, "queue_email", counting_queue)
    pages = {}
    for email in ("grace.hopper.new@example.com", "family@example.com"):
        hashed.clear()
        queued.clear()
        response = await _register(client, email)
        assert response.status_code == 200, email
        assert (len(hashed), queued) == (1, [email]), email
        pages[email] = _same_page(response.text, email)
    assert pages["grace.hopper.new@example.com"] == pages["family@example.com"]
    note = (
        await Notification.select(Notification.subject)
        .where(Notification.recipient_email == "family@example.com")
        .order_by(Notification.id, ascending=False)
        .first()
    )
    assert note["subject"] == "You already have an account"


async def test_two_registrations_of_one_address_at_once_both_get_the_same_page(client):
    import asyncio

    email = "twice.at.once@example.com"
    first, second = await asyncio.gather(_register(client, email), _register(client, email))
    assert (first.status_code, second.status_code) == (200, 200)
    assert await Account.count().where(Account.email == email) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("123456789012", "Password is too common"),
        ("password1234", "Password is too common"),
        ("qwertyuiop12", "Password is too common"),
        ("aaaaaaaaaaaaaaaa", "Password is too easy to guess"),
        ("MarySeacole-2026", "Password must not include your name or email address"),
        ("kestrel.wing.77@mail", "Password must not include your name or email address"),
        ("x" * 200 + "Vq7#" * 15, "Password must be 256 characters or fewer"),
    ],
)
async def test_weak_passwords_are_refused_with_a_specific_message(client, password, message):
    response = await _register(
        client, "kestrel.wing.77@example.com", password=password, confirm_password=password
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert not await Account.exists().where(Account.email == "kestrel.wing.77@example.com")


@pytest.mark.parametrize(
    "password",
    [
        "correcthorsebatterystaple",  # no composition rules: a long lower-case passphrase is fine
        "river lamp orange kettle",  # spaces are allowed
        "Harbour-violet-ember-quill-sandstone-marigold-tundra-falcon-2049",  # 64 characters
    ],
)
async def test_long_uncommon_passwords_are_accepted_whatever_their_characters(client, password):
    from mediation.accounts.passwords import password_problem

    assert password_problem(password, email="someone@example.com", full_name="Sam Jones") is None


async def test_an_admin_setting_a_staff_password_gets_the_same_checks(app):
    from tests.conftest import client_as

    admin = await client_as(app, "admin")
    try:
        token = await csrf_token(admin, "/admin/accounts/new")
        response = await admin.post(
            "/admin/accounts/new",
            data={
                "email": "new.coordinator@milton-keynes.example",
                "full_name": "Nia Coordinator",
                "role": "la_coordinator",
                "password": "password1234",
                "_csrf_token": token,
            },
        )
    finally:
        await admin.aclose()
    assert response.status_code == 400
    assert "Password is too common" in response.text


async def test_overlong_fields_get_a_message_not_a_server_error(client):
    long_email = "a" * 250 + "@example.com"
    response = await _register(client, long_email, full_name="N" * 201)
    assert response.status_code == 400
    assert "Email address must be 254 characters or fewer" in response.text
    assert "Full name must be 200 characters or fewer" in response.text


async def test_an_organisation_number_too_big_for_the_database_is_a_field_error(app):
    from tests.conftest import client_as

    admin = await client_as(app, "admin")
    try:
        token = await csrf_token(admin, "/admin/accounts/new")
        response = await admin.post(
            "/admin/accounts/new",
            data={
                "email": "big.number@milton-keynes.example",
                "full_name": "Bea Number",
                "role": "la_coordinator",
                "organisation": "9" * 30,
                "password": "Lantern-orchid-basin-47",
                "_csrf_token": token,
            },
        )
    finally:
        await admin.aclose()
    assert response.status_code == 400
    assert "Select the local authority this person works for" in response.text
