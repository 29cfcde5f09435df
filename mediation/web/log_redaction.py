"""Secrets out of the logs: the links that are themselves a key (a booking offer lets anyone who has it
book; an email confirmation link confirms the account) must never be written out in full.

The patterns come from the app's own routes: every path parameter named like a secret (`SECRET_PARAMS`),
so a new route with a `{token:str}` is covered without touching this file. Query values under a secret
name, or holding such a path (a `next=` back to an offer), are redacted too.

`RedactSecrets` is a logging filter for uvicorn's access log (main.py installs it through uvicorn's
log config, on the thread that writes the access log: `QueuedAccessLog`) and `redact_url` is for the
app's own log lines that name a path.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import re
import sys
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

REDACTED = "[redacted]"
SECRET_PARAMS = re.compile(r"token|secret|signature|key", re.IGNORECASE)  # a text parameter so named
SECRET_QUERY_KEYS = {"token", "secret", "signature", "sig", "key", "code", "access_token"}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _is_secret(name: str, kind: str) -> bool:
    return kind != "int" and bool(SECRET_PARAMS.search(name))  # token_id: a row id, not a secret


def secret_path_patterns(route_paths: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """One regex per route template with a secret parameter; the secret is group "secret"."""
    patterns = []
    for template in route_paths:
        if not any(_is_secret(name, kind) for name, kind in _PARAM.findall(template)):
            continue
        regex, last = "", 0
        for match in _PARAM.finditer(template):
            regex += re.escape(template[last : match.start()])
            regex += "([^/?#]+)" if _is_secret(match[1], match[2] or "") else "[^/?#]+"
            last = match.end()
        regex += re.escape(template[last:])
        patterns.append(re.compile(regex + r"(?=$|[/?#])"))
    return tuple(patterns)


class Redactor:
    def __init__(self, route_paths: Iterable[str]) -> None:
        self.patterns = secret_path_patterns(route_paths)

    def _path(self, path: str) -> str:
        for pattern in self.patterns:
            match = pattern.match(path)
            if match:
                for group in sorted(range(1, (pattern.groups or 0) + 1), reverse=True):
                    path = path[: match.start(group)] + REDACTED + path[match.end(group) :]
                return path
        return path

    def url(self, url: str) -> str:
        """A path with its query string, secrets replaced by [redacted]."""
        path, sep, query = url.partition("?")
        path = self._path(path)
        if not sep:
            return path
        parts = []
        for item in query.split("&"):
            key, eq, value = item.partition("=")
            target = unquote(value.replace("+", " ")).partition("?")[0]
            if eq and (key.lower() in SECRET_QUERY_KEYS or self._path(target) != target):
                value = REDACTED
            parts.append(f"{key}{eq}{value}")
        return f"{path}?{'&'.join(parts)}"


@lru_cache(maxsize=4)
def _redactor_for(paths: tuple[str, ...]) -> Redactor:
    return Redactor(paths)


def redactor(app: Any) -> Redactor:
    return _redactor_for(tuple(route.path for route in app.routes))


def redact_url(app: Any, url: str) -> str:
    return redactor(app).url(url)


class RedactSecrets(logging.Filter):
    """Rewrites the arguments of each record (uvicorn's access log passes the path with its query as an
    argument) so no secret path or query value is formatted into the line."""

    def __init__(self, route_paths: Iterable[str] | None = None) -> None:
        super().__init__()
        self._redactor = Redactor(route_paths) if route_paths is not None else None

    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            from mediation.asgi import app  # the app uvicorn serves: its routes name the secrets

            self._redactor = redactor(app)
        return self._redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                self.redactor.url(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str) and not record.args:
            record.msg = " ".join(
                self.redactor.url(word) if word.startswith("/") else word for word in record.msg.split(" ")
            )
        return True


class QueuedAccessLog(logging.handlers.QueueHandler):
    """uvicorn's access log, written by a thread of its own: the request's path only makes the record
    and puts it on a queue; formatting it, redacting secrets (`RedactSecrets`) and writing it out happen in
    the listener's thread, off the event loop (the access log was 18-24% of a page's CPU).

    Still on by default (ACCESS_LOG=0 turns it off). Flushed as the process exits.
    """

    def __init__(self, fmt: str, use_colors: bool | None = None, stream: Any = None) -> None:
        from uvicorn.logging import AccessFormatter

        super().__init__(queue.SimpleQueue())
        self.target = logging.StreamHandler(stream or sys.stdout)
        self.target.setFormatter(AccessFormatter(fmt=fmt, use_colors=use_colors))
        self.target.addFilter(RedactSecrets())
        self.listener = logging.handlers.QueueListener(self.queue, self.target)
        self._lock_start = threading.Lock()
        self._started = False

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the listener's thread, not on the request's path

    def enqueue(self, record: logging.LogRecord) -> None:
        if not self._started:  # started on first use: after uvicorn has forked or spawned its workers
            with self._lock_start:
                if not self._started:
                    self.listener.start()
                    atexit.register(self.stop)
                    self._started = True
        super().enqueue(record)

    def stop(self) -> None:
        """Write out what is queued and stop the thread (at exit; again is harmless)."""
        if getattr(self.listener, "_thread", None) is not None:
            self.listener.stop()


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging config with the access log written through `QueuedAccessLog`."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    access = config["formatters"]["access"]
    config["handlers"]["access"] = {
        "()": QueuedAccessLog,
        "fmt": access["fmt"],
        "use_colors": access.get("use_colors"),
    }
    return config
