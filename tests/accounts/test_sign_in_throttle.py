"""Sign-in throttling: per account and client with backoff, per client, per account; atomic under
concurrency; the password checked off the event loop; the client address not taken from headers."""

import asyncio
import dataclasses
import datetime as dt
import itertools
import threading

import httpx
import pytest

from mediation.accounts import passwords, throttle
from mediation.accounts.service import NewAccount, create_account
from mediation.audit.tables import AuditEvent
from tests.conftest import CSRF_FIELD

pytestmark = pytest.mark.anyio
PASSWORD = "Quartz-meadow-lantern-81"
_numbers = itertools.count(1)


async def _account() -> str:
    """A confirmed account of this test's own, so no other test's counters touch it."""
    email = f"throttle-{next(_numbers)}-{id(object())}@example.com"
    await create_account(
        NewAccount(
            email=email, full_name="Ada Byron", role="family", password=PASSWORD, email_confirmed=True
        ),
        actor=None,
    )
    return email


def _address() -> str:
    """A client address of this test's own (documentation range: it only names the ASGI client)."""
    n = next(_numbers)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def _client(app, host: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(host, 40000)),
        base_url="http://testserver.local",
        follow_redirects=False,
    )


async def _token(client: httpx.AsyncClient) -> str:
    return CSRF_FIELD.search((await client.get("/sign-in")).text).group(1)


async def _attempt(client: httpx.AsyncClient, token: str, email: str, password: str) -> httpx.Response:
    return await client.post("/sign-in", data={"email": email, "password": password, "_csrf_token": token})


def _counting_verifier(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = passwords.verify_password

    def counted(stored_hash, password):
        calls.append(threading.get_ident())
        return real(stored_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    return calls


async def test_thirty_concurrent_guesses_get_at_most_the_limit_evaluated(app, monkeypatch):
    email = await _account()
    calls = _counting_verifier(monkeypatch)
    async with _client(app, _address()) as attacker:
        token = await _token(attacker)
        responses = await asyncio.gather(
            *(_attempt(attacker, token, email, f"wrong-guess-{i}") for i in range(30))
        )
    statuses = [r.status_code for r in responses]
    assert len(calls) <= 5
    assert statuses.count(400) == len(calls)
    assert statuses.count(429) == 30 - len(calls)
    throttled = next(r for r in responses if r.status_code == 429)
    assert "Too many failed attempts. Wait 1 minute and try again." in throttled.text


async def test_guesses_from_one_client_never_lock_the_owner_out(app, monkeypatch):
    email = await _account()
    async with _client(app, _address()) as attacker, _client(app, _address()) as owner:
        token = await _token(attacker)
        answers = [await _attempt(attacker, token, email, f"wrong-guess-{i}") for i in range(10)]
        assert [r.status_code for r in answers] == [400] * 5 + [429] * 5
        assert "Enter a correct email address and password" in answers[0].text
        told = answers[-1]
        assert "Too many failed attempts. Wait 1 minute and try again." in told.text
        assert 0 < int(told.headers["retry-after"]) <= 60
        # Even the right password waits from the attacker's address...
        assert (await _attempt(attacker, token, email, PASSWORD)).status_code == 429

        # ...while the owner, elsewhere, signs in at once.
        signed_in = await _attempt(owner, await _token(owner), email, PASSWORD)
        assert signed_in.status_code == 303
        assert await AuditEvent.exists().where(
            (AuditEvent.action == "sign_in") & (AuditEvent.client == owner._transport.client[0])  # type: ignore[attr-defined]
        )

        # After the wait the attacker may try again; each further failure doubles the wait.
        later = throttle.wall_clock() + dt.timedelta(seconds=61)
        monkeypatch.setattr(throttle, "wall_clock", lambda: later)
        again = await _attempt(attacker, token, email, "wrong-guess-again")
        assert again.status_code == 400
        waiting = await _attempt(attacker, token, email, "wrong-guess-more")
        assert waiting.status_code == 429
        assert "Wait 2 minutes" in waiting.text

        # Past that wait, the right password from the same address signs in and clears its record.
        later += dt.timedelta(seconds=121)
        assert (await _attempt(attacker, token, email, PASSWORD)).status_code == 303


async def test_one_client_spraying_many_accounts_is_slowed_down(app):
    async with _client(app, _address()) as sprayer:
        token = await _token(sprayer)
        answers = [
            await _attempt(sprayer, token, f"nobody-{i}-{id(sprayer)}@example.com", "Spring-2026-guess")
            for i in range(21)
        ]
    assert [r.status_code for r in answers] == [400] * 20 + [429]
    # The same words for an unknown address as for a real one: nothing says who has an account.
    assert "Enter a correct email address and password" in answers[0].text


async def test_guesses_spread_over_many_clients_are_capped_per_account(app, monkeypatch):
    monkeypatch.setattr(
        throttle, "settings", dataclasses.replace(throttle.settings, login_account_max_failures=3)
    )
    email = await _account()
    for _ in range(3):
        async with _client(app, _address()) as one:
            assert (await _attempt(one, await _token(one), email, "wrong-guess-x")).status_code == 400
    async with _client(app, _address()) as another:
        response = await _attempt(another, await _token(another), email, "wrong-guess-y")
    assert response.status_code == 429
    assert "Wait 1 minute" in response.text


async def test_successful_sign_ins_do_not_count_against_a_shared_address(app):
    """A council office behind one address: its people signing in never slow each other down."""
    email = await _account()
    async with _client(app, _address()) as office:
        for _ in range(25):
            office.cookies.clear()  # the next person at the office, on a fresh browser
            assert (await _attempt(office, await _token(office), email, PASSWORD)).status_code == 303


async def test_the_password_is_checked_off_the_event_loop(app, monkeypatch):
    email = await _account()
    calls = _counting_verifier(monkeypatch)
    async with _client(app, _address()) as person:
        token = await _token(person)
        assert (await _attempt(person, token, "unknown-x@example.com", PASSWORD)).status_code == 400
        assert (await _attempt(person, token, email, PASSWORD)).status_code == 303
    assert len(calls) == 2
    assert threading.get_ident() not in calls


async def test_new_passwords_are_hashed_off_the_event_loop(monkeypatch):
    threads: list[int] = []
    real = passwords.hash_password

    def recorded(password):
        threads.append(threading.get_ident())
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", recorded)
    await _account()
    assert threads and threading.get_ident() not in threads


async def test_finished_counters_are_forgotten(app, monkeypatch):
    email = await _account()
    async with _client(app, _address()) as person:
        await _attempt(person, await _token(person), email, "wrong-guess-z")
    later = throttle.wall_clock() + dt.timedelta(hours=2)
    monkeypatch.setattr(throttle, "wall_clock", lambda: later)
    assert await throttle.forget_old_counters() >= 3
