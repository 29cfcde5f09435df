"""The signed-in person, as the API sees them."""

from __future__ import annotations

from litestar import Request, get

from mediation.identity import CurrentUser
from mediation.web.auth import current_user


@get("/api/v1/me", name="api_me", tags=["accounts"], summary="Who is signed in", opt={"action": "signed_in"})
async def api_me(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None
    return user


ROUTES = [api_me]
