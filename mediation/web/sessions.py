"""Server-side sessions in the database (or Redis), so any app process serves any signed-in user."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message

from mediation import query_building
from mediation.accounts.tables import HttpSession

ROTATE_FLAG = "rotate_session"
LOADED_KEY = "_session_as_loaded"
# Ids this service issues are hex (`secrets.token_hex`); a cookie holding anything else (a NUL, which
# PostgreSQL refuses outright) names no session and is never looked up.
_SESSION_ID = re.compile(r"[0-9A-Za-z_-]{16,256}")


def well_formed_session_id(value: str | None) -> bool:
    return bool(value) and _SESSION_ID.fullmatch(str(value)) is not None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _expiry(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, dt.timedelta) else expires_in
    return _now() + dt.timedelta(seconds=seconds)


class DatabaseSessionStore(Store):
    """A Litestar Store backed by the http_session table."""

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        updated = (
            await HttpSession.update({HttpSession.data: data, HttpSession.expires_at: expires_at})
            .where(HttpSession.key == key)
            .returning(HttpSession.id)
        )
        if not updated:
            await HttpSession.insert(HttpSession(key=key, data=data, expires_at=expires_at)).on_conflict(
                target=HttpSession.key,
                action="DO UPDATE",
                values=[HttpSession.data, HttpSession.expires_at],
            )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        row = await query_building.built_once(  # read on every signed-in request
            "session",
            HttpSession.select(HttpSession.data, HttpSession.expires_at)
            .where(HttpSession.key == key)
            .first(),
        )
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= _now():
            await self.delete(key)
            return None
        if renew_for is not None:
            await HttpSession.update({HttpSession.expires_at: _expiry(renew_for)}).where(
                HttpSession.key == key
            )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await HttpSession.delete().where(HttpSession.key == key)

    async def delete_all(self) -> None:
        await HttpSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await HttpSession.select(HttpSession.expires_at).where(HttpSession.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, int((row["expires_at"] - _now()).total_seconds()))


async def delete_expired_sessions() -> int:
    rows = await HttpSession.delete().where(HttpSession.expires_at < _now()).returning(HttpSession.id)
    return len(rows)


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions that write only when needed and get a fresh id on sign-in.

    Anonymous visitors get no session row (bots cannot fill the table); an unchanged session is not
    rewritten (no write per request); signing in issues a new id and deletes the old one, so a session
    id planted before sign-in (session fixation) is worthless.
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        cookie = connection.cookies.get(self.config.key)
        data = (
            await super().load_from_connection(connection)
            if well_formed_session_id(cookie) or not cookie
            else {}
        )
        connection.scope.setdefault("state", {})[LOADED_KEY] = dict(data)
        return data

    async def store_in_message(
        self, scope_session: Any, message: Message, connection: ASGIConnection
    ) -> None:
        state = connection.scope.get("state", {})
        rotating = bool(state.get(ROTATE_FLAG))
        old_id = connection.cookies.get(self.config.key)
        old_id = old_id if well_formed_session_id(old_id) else None
        if scope_session is not Empty and not rotating:
            if not scope_session and not old_id:
                return
            if scope_session == state.get(LOADED_KEY):
                return
        await super().store_in_message(scope_session, message, connection)
        if rotating and old_id:
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.get("state", {})
        if state.get(ROTATE_FLAG):
            new_id = state.get("_rotated_session_id")
            if not new_id:
                new_id = self.generate_session_id()
                state["_rotated_session_id"] = new_id
            return str(new_id)
        session_id = super().get_session_id(connection)
        if not well_formed_session_id(session_id):  # a planted, malformed cookie: issue a real id instead
            session_id = state.get("_replacement_session_id") or self.generate_session_id()
            connection.scope.setdefault("state", {})["_replacement_session_id"] = session_id
        return str(session_id)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def _session_account(data: bytes | str | None) -> object:
    import json

    try:
        loaded = json.loads(data or b"{}")
    except ValueError:
        return None
    return loaded.get("account_id") if isinstance(loaded, dict) else None


async def end_sessions_of(account_id: int, store: Store | None = None) -> int:
    """Delete every session signed in as this account, in the database or in Redis (`REDIS_URL`), so a
    disabled account's sessions end at once and re-enabling it never brings them back."""
    if store is None or isinstance(store, DatabaseSessionStore):
        rows = await HttpSession.select(HttpSession.key, HttpSession.data)
        keys = [r["key"] for r in rows if _session_account(bytes(r["data"])) == account_id]
        if keys:
            await HttpSession.delete().where(HttpSession.key.is_in(keys))
        return len(keys)
    redis = getattr(store, "_redis", None)
    make_key = getattr(store, "_make_key", None)
    if redis is None or make_key is None:
        return 0
    ended = 0
    async for key in redis.scan_iter(match=make_key("*")):
        if _session_account(await redis.get(key)) == account_id:
            await redis.delete(key)
            ended += 1
    return ended
