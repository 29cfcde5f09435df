""" "Send the link again": on the check-your-email page and on the unconfirmed sign-in error, limited per
address and per client, with the same page and the same work whether or not the address has an account."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from mediation.accounts import link_requests
from mediation.accounts.registration import PURPOSE
from mediation.accounts.tables import Account, LinkRequest
from mediation.notify.tables import Notification
from tests.conftest import CSRF_FIELD

pytestmark = pytest.mark.anyio
PASSWORD = "Lantern-orchid-basin-47"
_clients = itertools.count(1)


class FakeClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    # Years from the wall clock, so no other test's counted requests fall in these windows.
    fake = FakeClock(dt.datetime(2031, 1, 6, 9, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(link_requests, "wall_clock", fake)
    return fake


async def _client(app) -> httpx.AsyncClient:
    """A browser at an address of its own, so the per-client limit counts only this test's requests."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(f"10.14.{next(_clients)}.1", 4000)),
        base_url="http://testserver.local",
        follow_redirects=False,
    )


@pytest.fixture
async def browser(app) -> AsyncIterator[httpx.AsyncClient]:
    client = await _client(app)
    try:
        yield client
    finally:
        await client.aclose()


async def _token(client: httpx.AsyncClient, page: str = "/sign-in") -> str:
    match = CSRF_FIELD.search((await client.get(page)).text)
    assert match
    return match.group(1)


async def _register(client: httpx.AsyncClient, email: str) -> httpx.Response:
    token = await _token(client, "/register")
    data = {
        "full_name": "Ada Lovelace",
        "email": email,
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "_csrf_token": token,
    }
    response = await client.post("/register", data=data)
    assert response.status_code == 200
    return response


async def _resend(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(
        "/confirm-email/resend", data={"email": email, "_csrf_token": await _token(client)}
    )


async def _mail(email: str) -> list[dict]:
    return await (
        Notification.select(Notification.subject, Notification.body_text)
        .where(Notification.recipient_email == email)
        .order_by(Notification.id)
    )


async def _counted(email: str) -> int:
    return await LinkRequest.count().where(
        LinkRequest.bucket == link_requests._digest("address", PURPOSE, email)
    )


def _same_page(text: str, email: str) -> str:
    return re.sub(r'(nonce|value)="[^"]+"', r'\1=""', text.replace(email, "EMAIL"))


async def test_the_page_and_the_work_are_the_same_whether_or_not_the_address_has_an_account(browser, clock):
    unconfirmed, confirmed, unknown = (
        "resend.unconfirmed@example.com",
        "resend.confirmed@example.com",
        "resend.nobody@example.com",
    )
    await _register(browser, unconfirmed)
    await _register(browser, confirmed)
    link = re.search(r"/confirm-email/\S+", (await _mail(confirmed))[-1]["body_text"]).group(0)
    assert (await browser.get(link)).status_code == 200
    clock.advance(minutes=6)

    pages = {}
    for email in (unconfirmed, confirmed, unknown):
        before = await _counted(email)
        response = await _resend(browser, email)
        assert response.status_code == 200, email
        assert f"If {email} can be used for an account, we have sent a link to it." in response.text
        assert await _counted(email) == before + 1, email  # counted the same way for every address
        pages[email] = _same_page(response.text, email)
    assert pages[unconfirmed] == pages[confirmed] == pages[unknown]

    assert [m["subject"] for m in await _mail(unconfirmed)] == ["Confirm your email address"] * 2
    assert [m["subject"] for m in await _mail(confirmed)] == [
        "Confirm your email address",
        "Your email address is already confirmed",
    ]
    assert await _mail(unknown) == []
    # The new link works.
    new_link = re.search(r"/confirm-email/\S+", (await _mail(unconfirmed))[-1]["body_text"]).group(0)
    assert (await browser.get(new_link)).status_code == 200
    assert (await Account.select(Account.email_confirmed).where(Account.email == unconfirmed).first())[
        "email_confirmed"
    ]


async def test_one_link_per_address_every_five_minutes_and_five_an_hour_for_any_address(browser, clock):
    email, unknown = "resend.often@example.com", "resend.often.nobody@example.com"
    await _register(browser, email)  # the first link, at t0
    start = clock.at
    clock.advance(minutes=5)
    for address in (email, unknown):
        assert (await _resend(browser, address)).status_code == 200
        again = await _resend(browser, address)
        assert again.status_code == 429, address
        assert again.headers["retry-after"] == "300"
        assert "You can ask for another link in 5 minutes." in again.text
    assert len(await _mail(email)) == 2

    for minutes in (10, 15, 20):
        clock.at = start + dt.timedelta(minutes=minutes)
        assert (await _resend(browser, email)).status_code == 200, minutes
    assert len(await _mail(email)) == 5  # registration's and four more within the hour
    clock.at = start + dt.timedelta(minutes=25)
    capped = await _resend(browser, email)
    assert capped.status_code == 429
    assert capped.headers["retry-after"] == str(35 * 60)  # until the first of the five is an hour old
    assert "You can ask for another link in 35 minutes." in capped.text
    assert len(await _mail(email)) == 5

    clock.at = start + dt.timedelta(minutes=60, seconds=1)
    assert (await _resend(browser, email)).status_code == 200
    assert len(await _mail(email)) == 6


async def test_one_client_asking_for_many_addresses_must_wait(browser, clock):
    for n in range(link_requests.CLIENT_PER_HOUR):
        assert (await _resend(browser, f"resend.spray.{n}@example.com")).status_code == 200, n
        clock.advance(seconds=10)
    refused = await _resend(browser, "resend.spray.last@example.com")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) == 3600 - 10 * link_requests.CLIENT_PER_HOUR
    assert await _counted("resend.spray.last@example.com") == 0


async def test_two_requests_at_once_send_one_link(app, clock):
    email = "resend.twice@example.com"
    first, second = await _client(app), await _client(app)
    try:
        await _register(first, email)
        clock.advance(minutes=6)
        tokens = [await _token(c) for c in (first, second)]
        responses = await asyncio.gather(
            *(
                c.post("/confirm-email/resend", data={"email": email, "_csrf_token": t})
                for c, t in zip((first, second), tokens, strict=True)
            )
        )
    finally:
        await first.aclose()
        await second.aclose()
    assert sorted(r.status_code for r in responses) == [200, 429]
    assert len(await _mail(email)) == 2


async def test_the_unconfirmed_sign_in_error_offers_the_link_again_and_a_wrong_password_does_not(
    browser, clock
):
    email = "resend.signin@example.com"
    await _register(browser, email)
    clock.advance(minutes=6)
    token = await _token(browser)
    wrong = await browser.post("/sign-in", data={"email": email, "password": "not-it", "_csrf_token": token})
    assert wrong.status_code == 400
    assert (
        "Send the link again" not in wrong.text
    )  # says nothing about the account until the password is right

    early = await browser.post("/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token})
    assert early.status_code == 400
    assert "Confirm your email address using the link we sent you" in early.text
    form = re.search(r'<form method="post" action="/confirm-email/resend".*?</form>', early.text, re.S).group(
        0
    )
    assert f'<input type="hidden" name="email" value="{email}">' in form
    assert "Send the link again" in form
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    again = await browser.post("/confirm-email/resend", data=fields)
    assert again.status_code == 200
    assert [m["subject"] for m in await _mail(email)] == ["Confirm your email address"] * 2


async def test_the_check_your_email_page_has_the_form_and_says_where_the_demo_mail_is(browser, clock):
    response = await _register(browser, "resend.page@example.com")
    form = re.search(
        r'<form method="post" action="/confirm-email/resend".*?</form>', response.text, re.S
    ).group(0)
    assert re.search(r"<input[^>]*name=\"email\"[^>]*value=\"resend.page@example.com\"", form), form
    assert "Send the link again" in form
    assert 'href="/admin/mailbox"' in response.text  # the test set-up runs with the mailbox on


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the email address you registered with"),
        ("   ", "Enter the email address you registered with"),
        ("no-at-sign.example.com", "Enter an email address in the correct format, like name@example.com"),
        ("two words@example.com", "Enter an email address in the correct format, like name@example.com"),
        ("a" * 250 + "@example.com", "Enter an email address in the correct format, like name@example.com"),
    ],
)
async def test_an_address_that_cannot_be_one_gets_a_specific_error(browser, typed, message):
    response = await _resend(browser, typed)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert 'href="#email"' in response.text


async def test_counted_requests_are_forgotten_after_their_hour(clock):
    await LinkRequest.insert(LinkRequest(bucket="f" * 64, kind="address", at=clock.at))
    clock.advance(minutes=59)
    await link_requests.forget_old()
    assert await LinkRequest.count().where(LinkRequest.bucket == "f" * 64) == 1
    clock.advance(minutes=2)
    assert await link_requests.forget_old() >= 1
    assert await LinkRequest.count().where(LinkRequest.bucket == "f" * 64) == 0
