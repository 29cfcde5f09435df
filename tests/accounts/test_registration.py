import re

import pytest

from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token, read_token
from mediation.notify.tables import Notification
from tests.conftest import csrf_token

pytestmark = pytest.mark.anyio
PASSWORD = "A-long-family-password-9"


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


async def test_asking_again_sends_at_most_one_link_an_hour(client):
    email = "florence.n@example.com"
    await _register(client, email)
    token = await csrf_token(client, "/register")
    for _ in range(3):
        response = await client.post("/confirm-email/resend", data={"email": email, "_csrf_token": token})
        assert response.status_code == 200
    assert await Notification.count().where(Notification.recipient_email == email) == 1
