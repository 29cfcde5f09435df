"""Password pages: forgotten password (an emailed link), reset, and change when signed in.

After a reset the person is sent to sign in with the new password (the link proves the inbox, and
every sign-in stays on the throttled path); after a change when signed in they stay signed in, on a
new session id, and every other session of theirs has ended.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.accounts import password_reset as reset
from mediation.settings import settings
from mediation.web.auth import CHANGE_PASSWORD_PATH, begin_session, current_user
from mediation.web.forms import client_of, form_values
from mediation.web.sessions import end_sessions_of

INVALID_LINK = "accounts/reset_link_invalid.html"


@get("/forgot-password", name="forgot_password", opt={"action": "sign_in"})
async def forgot_password_page() -> Template:
    return Template("accounts/forgot_password.html", context={"values": {}, "errors": {}})


@post("/forgot-password", name="forgot_password_submit", opt={"action": "sign_in"})
async def forgot_password_submit(request: Request) -> Template:
    values = await form_values(request)
    email = values.get("email", "").strip()
    problem = reset.email_problem(email)
    if problem is None:
        try:
            await reset.request_reset(email, client_of(request), settings.base_url)
        except reset.Throttled as exc:
            return Template(
                "accounts/forgot_password.html",
                context={"values": {"email": email}, "errors": {"email": exc.message}},
                status_code=429,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return Template("accounts/reset_sent.html", context={"email": email})
    return Template(
        "accounts/forgot_password.html",
        context={"values": {"email": email}, "errors": {"email": problem}},
        status_code=400,
    )


@get("/reset-password/{token:str}", name="reset_password", opt={"action": "sign_in"})
async def reset_password_page(token: FromPath[str]) -> Template:
    target = await reset.reset_target(token)
    if target is None:
        return Template(INVALID_LINK, status_code=400)
    return Template("accounts/reset_password.html", context={"token": token, "errors": {}, "target": target})


@post("/reset-password/{token:str}", name="reset_password_submit", opt={"action": "sign_in"})
async def reset_password_submit(request: Request, token: FromPath[str]) -> Template | Redirect:
    target = await reset.reset_target(token)
    if target is None:
        return Template(INVALID_LINK, status_code=400)
    errors = await reset.complete_reset(target, await form_values(request), client_of(request))
    if errors is None:
        return Template(INVALID_LINK, status_code=400)
    if errors:
        return Template(
            "accounts/reset_password.html",
            context={"token": token, "errors": errors, "target": target},
            status_code=400,
        )
    # Every session of the account ends now: they keep a snapshot of the person (web/auth.py), so the
    # raised session generation alone would reach them only at their next re-check.
    await end_sessions_of(target.account_id, request.app.stores.get("sessions"))
    if current_user(request) is not None:
        request.clear_session()  # whoever was signed in on this browser: every session has ended
    return Redirect("/password-reset-complete", status_code=303)


@get("/password-reset-complete", name="password_reset_complete", opt={"action": "sign_in"})
async def password_reset_complete() -> Template:
    return Template("accounts/password_reset_complete.html")


@get(CHANGE_PASSWORD_PATH, name="change_password", opt={"action": "signed_in"})
async def change_password_page(request: Request) -> Template:
    user = current_user(request)
    return Template(
        "accounts/change_password.html", context={"errors": {}, "forced": user and user.must_change_password}
    )


@post(CHANGE_PASSWORD_PATH, name="change_password_submit", opt={"action": "signed_in"})
async def change_password_submit(request: Request) -> Template | Redirect:
    user = current_user(request)
    assert user is not None
    values = await form_values(request)
    errors = await reset.change_password(user, values, client_of(request))
    if errors:
        return Template(
            "accounts/change_password.html",
            context={"errors": errors, "forced": user.must_change_password},
            status_code=429 if errors.get("current_password", "").startswith(reset.TOO_MANY) else 400,
        )
    await end_sessions_of(user.id, request.app.stores.get("sessions"))  # every other one, at once
    await begin_session(request, user.id)  # this browser stays signed in, on a new session id
    return Redirect(f"{CHANGE_PASSWORD_PATH}/changed", status_code=303)


@get(f"{CHANGE_PASSWORD_PATH}/changed", name="password_changed", opt={"action": "signed_in"})
async def password_changed() -> Template:
    return Template("accounts/password_changed.html")


ROUTES = [
    forgot_password_page,
    forgot_password_submit,
    reset_password_page,
    reset_password_submit,
    password_reset_complete,
    change_password_page,
    change_password_submit,
    password_changed,
]
