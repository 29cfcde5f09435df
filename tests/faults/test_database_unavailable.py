"""A database that cannot be reached is a 503 with a clear message (JSON `detail` or a GOV.UK page) and a
Retry-After, never a 500; every other unexpected error is still a 500."""

from __future__ import annotations

import socket
import sqlite3

import asyncpg
import pytest

from mediation.cases import api as cases_api
from mediation.web.errors import database_unavailable
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


class WrappedByTheOrm(Exception):
    pass


def _wrapped(inner: BaseException) -> BaseException:
    try:
        raise inner
    except BaseException as exc:
        try:
            raise WrappedByTheOrm("query failed") from exc
        except WrappedByTheOrm as outer:
            return outer


DOWN = [
    ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), ..."),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError(),
    socket.gaierror(-2, "Name or service not known"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.exceptions.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    asyncpg.exceptions.InterfaceError("pool is closing"),
    sqlite3.OperationalError("database is locked"),
    _wrapped(ConnectionRefusedError(111, "Connect call failed")),
]
NOT_DOWN = [
    ValueError("a bug"),
    KeyError("missing"),
    asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
    asyncpg.exceptions.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    sqlite3.OperationalError("no such table: nothing"),
    FileNotFoundError(2, "No such file or directory"),
    _wrapped(ValueError("a bug")),
]


@pytest.mark.parametrize("exc", DOWN, ids=lambda e: f"{type(e).__name__}:{e}"[:60])
def test_errors_that_mean_the_database_is_unreachable_are_recognised(exc):
    assert database_unavailable(exc)


@pytest.mark.parametrize("exc", NOT_DOWN, ids=lambda e: f"{type(e).__name__}:{e}"[:60])
def test_other_errors_are_not_mistaken_for_an_outage(exc):
    assert not database_unavailable(exc)


def _failing(exc: BaseException):  # noqa: ANN202
    async def fail(*args, **kwargs):
        raise exc

    return fail


async def test_the_api_answers_503_with_a_detail_and_retry_after_when_the_database_is_down(app, monkeypatch):
    client = await client_as(app, "la_coordinator")
    monkeypatch.setattr(
        cases_api, "queue_page", _failing(asyncpg.exceptions.CannotConnectNowError("starting up"))
    )
    response = await client.get("/api/v1/cases")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    body = response.json()
    assert body["status_code"] == 503
    assert "cannot reach its database" in body["detail"]
    assert "Idempotency-Key" in body["detail"]


async def test_a_page_shows_the_govuk_service_unavailable_page_when_the_database_is_down(app, monkeypatch):
    from mediation.home import pages

    client = await client_as(app, "la_coordinator")
    monkeypatch.setattr(pages, "queue_page", _failing(ConnectionRefusedError(111, "Connect call failed")))
    response = await client.get("/home")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "Sorry, the service is unavailable" in response.text
    assert "<title>" in response.text and "Sorry, the service is unavailable" in response.text
    assert "Nothing you had already saved has been lost" in response.text
    assert "Traceback" not in response.text


async def test_an_unexpected_error_is_still_a_500(app, monkeypatch):
    client = await client_as(app, "la_coordinator")
    monkeypatch.setattr(cases_api, "queue_page", _failing(ValueError("a bug")))
    response = await client.get("/api/v1/cases")
    assert response.status_code == 500
    assert "retry-after" not in response.headers
