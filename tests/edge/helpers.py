"""Shared by the edge tests: API tokens for the demo accounts, and the app's routes as data."""

from __future__ import annotations

import typing
from dataclasses import dataclass

import httpx

from tests.conftest import DEMO_EMAILS

_TOKENS: dict[str, str] = {}


async def token_for(role: str) -> str:
    """An API token for a demo account (made once per run)."""
    if role not in _TOKENS:
        from mediation.accounts.api_tokens import create_token

        _TOKENS[role] = (await create_token(DEMO_EMAILS[role], name=f"edge tests ({role})")).token
    return _TOKENS[role]


async def token_client(app: object, role: str) -> httpx.AsyncClient:
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {await token_for(role)}"}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
        headers=headers,
    )


@dataclass(frozen=True)
class Endpoint:
    path: str  # the route's template, /cases/{reference:str}/...
    method: str
    handler: typing.Any

    def url(self, **values: object) -> str:
        """The path with each parameter filled: by name if given, else ints as 1 and text as "x"."""
        url = self.path
        for name, kind in self.parameters().items():
            value = values.get(name, 1 if kind is int else "x")
            url = url.replace(f"{{{name}:{kind.__name__}}}", str(value))
        return url

    def parameters(self) -> dict[str, type]:
        import re

        kinds = {"int": int, "str": str, "path": str}
        return {m[1]: kinds.get(m[2], str) for m in re.finditer(r"\{(\w+):(\w+)\}", self.path)}

    def int_query_parameters(self) -> list[str]:
        """Query parameters the handler reads as int (from its signature)."""
        names = []
        path_names = set(self.parameters())
        for name, field in self.handler.parsed_fn_signature.parameters.items():
            if name in path_names or name in {"request", "data", "state", "scope", "headers", "cookies"}:
                continue
            if field.annotation is int or int in typing.get_args(field.annotation):
                kwarg = field.kwarg_definition
                query = getattr(kwarg, "query", None) if kwarg is not None else None
                if getattr(kwarg, "header", None) or getattr(kwarg, "cookie", None):
                    continue
                names.append(query or name)
        return names


def endpoints(app: typing.Any) -> list[Endpoint]:
    """Every (path, method) the app serves, except OPTIONS, static files and the schema."""
    found = []
    for route in app.routes:
        if route.path.startswith(("/assets", "/static", "/schema")):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method != "OPTIONS":
                    found.append(Endpoint(route.path, method, handler))
    return found
