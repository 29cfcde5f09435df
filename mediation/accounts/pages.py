"""Signing in and out, and the landing page for each role."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.accounts import registration
from mediation.accounts.errors import SignInError, Throttled
from mediation.accounts.service import EMAIL_MAX_LENGTH, sign_in
from mediation.accounts.throttle import wait_words
from mediation.settings import settings
from mediation.web.auth import CHANGE_PASSWORD_PATH, begin_session, current_user
from mediation.web.forms import client_of, form_values, safe_next


@get("/", name="start", opt={"action": "sign_in"})
async def start_page(request: Request) -> Template | Redirect:
    if current_user(request) is not None:
        return Redirect("/home")
    return Template("start.html")


@get("/sign-in", name="sign_in", opt={"action": "sign_in"})
async def sign_in_page(request: Request) -> Template | Redirect:
    next_ = request.query_params.get("next")
    if current_user(request) is not None:
        return Redirect(safe_next(next_))
    return Template("accounts/sign_in.html", context={"values": {}, "errors": {}, "next": safe_next(next_)})


@post("/sign-in", name="sign_in_submit", opt={"action": "sign_in"})
async def sign_in_submit(request: Request) -> Template | Redirect:
    values = await form_values(request)
    email = values.get("email", "").strip()
    password = values.get("password", "")
    target = safe_next(values.get("next"))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - an error message
    status = 400
    headers: dict[str, str] = {}
    unconfirmed = False
    if not errors:
        try:
            user = await sign_in(email, password, client_of(request))
        except Throttled as exc:
            errors["email"] = exc.message
            status = 429
            headers["Retry-After"] = str(exc.retry_after)
        except SignInError as exc:
            errors["email"] = exc.message
            unconfirmed = exc.unconfirmed  # the password was right: offer the link again
        else:
            await begin_session(request, user.id)
            if user.must_change_password:
                target = CHANGE_PASSWORD_PATH  # the only page open to a temporary password
            return Redirect(target, status_code=303)
    return Template(
        "accounts/sign_in.html",
        context={"values": {"email": email}, "errors": errors, "next": target, "unconfirmed": unconfirmed},
        status_code=status,
        headers=headers,
    )


@post("/sign-out", name="sign_out", opt={"action": "signed_in"})
async def sign_out(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)


ROUTES = [start_page, sign_in_page, sign_in_submit, sign_out]


@get("/register", name="register", opt={"action": "sign_in"})
async def register_page(request: Request) -> Template | Redirect:
    if current_user(request) is not None:
        return Redirect("/home")
    return Template("accounts/register.html", context={"values": {}, "errors": {}})


@post("/register", name="register_submit", opt={"action": "sign_in"})
async def register_submit(request: Request) -> Template:
    values = await form_values(request)
    errors = await registration.register(values, settings.base_url)
    if errors:
        kept = {k: v for k, v in values.items() if "password" not in k}
        return Template("accounts/register.html", context={"values": kept, "errors": errors}, status_code=400)
    return _check_email(values.get("email", "").strip())


def _check_email(email: str, *, errors: dict[str, str] | None = None, wait: int = 0) -> Template:
    """ "Check your email", with a form to send the link again; `wait`: asked again too soon."""
    headers = {"Retry-After": str(wait)} if wait else {}
    return Template(
        "accounts/check_email.html",
        context={
            "email": email,
            "values": {"email": email},
            "errors": errors or {},
            "wait": wait_words(wait) if wait else "",
            "mailbox": settings.mailbox,
        },
        status_code=429 if wait else 400 if errors else 200,
        headers=headers,
    )


@get("/confirm-email/{token:str}", name="confirm_email", opt={"action": "sign_in"})
async def confirm_email(token: FromPath[str]) -> Template:
    if await registration.confirm(token):
        return Template("accounts/email_confirmed.html")
    return Template("accounts/link_expired.html", context={"values": {}, "errors": {}}, status_code=400)


@post("/confirm-email/resend", name="confirm_email_resend", opt={"action": "sign_in"})
async def confirm_email_resend(request: Request) -> Template:
    values = await form_values(request)
    email = values.get("email", "").strip()
    if not email:
        return _check_email(email, errors={"email": "Enter the email address you registered with"})
    if "@" not in email or any(c.isspace() for c in email) or len(email) > EMAIL_MAX_LENGTH:
        message = "Enter an email address in the correct format, like name@example.com"
        return _check_email(email, errors={"email": message})
    wait = await registration.resend(email, settings.base_url, client_of(request))
    return _check_email(email, wait=wait)


ROUTES += [register_page, register_submit, confirm_email, confirm_email_resend]
