"""Signed-in pages read the person from the session (a snapshot taken at sign-in), not the account table
on every request; the snapshot is re-checked against the account at most every USER_RECHECK_SECONDS."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mediation import timekeeping
from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement
from mediation.web import auth
from tests.conftest import DEMO_EMAILS, client_as
from tests.query_count import counted_queries

pytestmark = pytest.mark.anyio


def _tables(queries: list[str]) -> dict[str, int]:
    """The session reads and the look-ups of who is asking (the account's session generation and its
    forced password change: a page's own lists of colleagues read the account table too, and count not)."""
    found: dict[str, int] = {}
    for sql in queries:
        if re.search(r'\bFROM\s+"?http_session"?', sql) or re.search(
            r'\b(UPDATE|INTO)\s+"?http_session"?', sql
        ):
            found["http_session"] = found.get("http_session", 0) + 1
        elif re.search(r'\bFROM\s+"?account"?', sql) and re.search("must_change_password|session_epoch", sql):
            found["account"] = found.get("account", 0) + 1
    return found


async def _their_case(email: str) -> str:
    account = await Account.select(Account.organisation).where(Account.email == email).first()
    case = (
        await Disagreement.select(Disagreement.reference)
        .where(Disagreement.local_authority == account["organisation"])
        .first()
    )
    return case["reference"]


@pytest.mark.parametrize("page", ["/home", "case"])
async def test_a_signed_in_page_makes_no_account_query_and_one_session_read(app, page):
    client = await client_as(app, "la_coordinator")
    path = f"/cases/{await _their_case(DEMO_EMAILS['la_coordinator'])}" if page == "case" else page
    try:
        assert (await client.get(path)).status_code == 200
        with counted_queries() as queries:
            for _ in range(3):
                assert (await client.get(path)).status_code == 200
    finally:
        await client.aclose()
    # Before: each request also read the account (joined to its organisation) to find who was asking.
    assert _tables(queries) == {"http_session": 3}, queries


async def test_the_snapshot_is_rechecked_and_a_session_of_an_older_generation_ends(app, monkeypatch):
    client = await client_as(app, "la_coordinator")
    email = DEMO_EMAILS["la_coordinator"]
    try:
        assert (await client.get("/home")).status_code == 200
        # Another session changed the password: the generation moved on (bumped without ending sessions).
        await Account.update({Account.session_epoch: Account.session_epoch + 1}).where(Account.email == email)
        assert (await client.get("/home")).status_code == 200  # within the re-check window: still served
        later = timekeeping.wall_clock() + dt.timedelta(seconds=auth.USER_RECHECK_SECONDS + 1)
        monkeypatch.setattr(timekeeping, "wall_clock", lambda: later)
        with counted_queries() as queries:
            response = await client.get("/home")
        assert response.status_code in (302, 303, 401), response.status_code  # signed out: to sign in
        assert _tables(queries).get("account") == 1
    finally:
        await client.aclose()
