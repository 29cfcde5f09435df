"""The signed-in person, as the API sees them."""

from __future__ import annotations

from litestar import Request, get

from mediation.identity import CurrentUser
from mediation.web.auth import current_user, requires_sign_in


@get("/api/v1/me", name="api_me", guards=[requires_sign_in], tags=["accounts"], summary="Who is signed in")
async def api_me(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None
    return user


ROUTES = [api_me]
