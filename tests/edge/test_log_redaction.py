"""Secret links never reach the logs in full (web/log_redaction.py): the booking-offer and email
confirmation links, on the app's real route paths, as uvicorn's access log formats them."""

from __future__ import annotations

import logging
import secrets

import pytest

from mediation.web.log_redaction import REDACTED, QueuedAccessLog, RedactSecrets, uvicorn_log_config

ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'  # uvicorn's access line


def access_line(log_filter: logging.Filter, method: str, url: str) -> str:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        ACCESS_FORMAT,
        ("127.0.0.1:5000", method, url, "1.1", 200),
        None,
    )
    assert log_filter.filter(record)
    return record.getMessage()


@pytest.fixture(scope="module")
def route_paths() -> list[str]:
    from mediation.app import create_app

    return [route.path for route in create_app().routes]


def test_every_route_with_a_token_in_its_path_is_redacted(route_paths):
    secret_routes = [path for path in route_paths if "{token:str}" in path]
    assert {
        "/mediation/offers/{token:str}",
        "/confirm-email/{token:str}",
        "/reset-password/{token:str}",
    } <= set(secret_routes)
    log_filter = RedactSecrets(route_paths)
    for template in secret_routes:
        token = secrets.token_urlsafe(32) + "." + secrets.token_hex(8)
        url = template.replace("{token:str}", token)
        for method in ("GET", "POST"):
            line = access_line(log_filter, method, url)
            assert token not in line
            assert template.replace("{token:str}", REDACTED) in line
        with_query = access_line(log_filter, "GET", f"{url}?from=email")
        assert token not in with_query and with_query.endswith('?from=email HTTP/1.1" 200')


def test_secret_query_values_and_next_links_to_secret_paths_are_redacted(route_paths):
    log_filter = RedactSecrets(route_paths)
    token = secrets.token_urlsafe(24)
    for url in (
        f"/sign-in?next=%2Fmediation%2Foffers%2F{token}",
        f"/anything?token={token}",
        f"/register?next=/confirm-email/{token}&x=1",
    ):
        line = access_line(log_filter, "GET", url)
        assert token not in line, line
        assert REDACTED in line


def test_paths_without_secrets_are_logged_as_they_are(route_paths):
    log_filter = RedactSecrets(route_paths)
    for url in (
        "/cases/SM-0A1B2C3D/mediation/sessions/12",
        "/api/v1/cases?state=lodged&offset=50",
        "/mediation/offers",
        "/no-such-page/confirm-email",
        "/admin/api-tokens/7/revoke",
    ):
        assert url in access_line(log_filter, "GET", url)


def test_the_served_access_log_is_redacted_and_written_by_its_own_thread(route_paths):
    """uvicorn's access log goes through QueuedAccessLog: the request's thread only queues the record;
    the listener's thread redacts, formats and writes it."""
    import io
    import logging.config
    import threading

    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate) for n in names}
    logging.config.dictConfig(uvicorn_log_config())
    try:
        handler = logging.getLogger("uvicorn.access").handlers[0]
        assert isinstance(handler, QueuedAccessLog)
        handler.target.stream = io.StringIO()
        handler.target.filters = [RedactSecrets(route_paths)]
        threads: list[str] = []
        handler.target.addFilter(lambda record: threads.append(threading.current_thread().name) or True)
        token = secrets.token_urlsafe(24)
        logging.getLogger("uvicorn.access").info(
            ACCESS_FORMAT, "127.0.0.1:5000", "GET", f"/reset-password/{token}", "1.1", 200
        )
        handler.stop()  # drains the queue
        written = handler.target.stream.getvalue()
        assert "/reset-password/" in written and REDACTED in written and token not in written, written
        assert threads and threading.main_thread().name not in threads
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
