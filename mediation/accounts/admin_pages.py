"""Admins create and list staff accounts (families register themselves), and list and revoke API tokens."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.accounts import api_tokens, staff
from mediation.accounts.service import (
    ROLE_LABELS,
    AccountError,
    NewAccount,
    Role,
    create_account,
    staff_accounts,
)
from mediation.errors import NotFound, ServiceError
from mediation.organisations.service import list_organisations
from mediation.web.auth import current_user
from mediation.web.confirmations import confirm
from mediation.web.forms import client_of, form_values, page_errors, whole_number

STAFF_ROLES = {role.value: label for role, label in ROLE_LABELS.items() if role is not Role.family}


@get("/admin/accounts", name="admin_accounts", opt={"action": "administer"})
async def accounts_page(request: Request) -> Template:
    rows = await staff_accounts()
    # Only a real account's address gets the banner, so a crafted link cannot put words on the page.
    changed = next((r for r in rows if r["email"] == request.query_params.get("changed")), None)
    return Template(
        "admin/accounts.html",
        context={"accounts": rows, "role_labels": STAFF_ROLES, "changed": changed},
    )


async def _form_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, object]:
    return {
        "values": values,
        "errors": errors,
        "roles": STAFF_ROLES,
        "organisations": await list_organisations(),
    }


@get("/admin/accounts/new", name="admin_account_new", opt={"action": "administer"})
async def new_account_page() -> Template:
    return Template("admin/account_new.html", context=await _form_context({}, {}))


@post("/admin/accounts/new", name="admin_account_create", opt={"action": "administer"})
async def create_account_submit(request: Request) -> Template | Redirect:
    values = await form_values(request)
    role = values.get("role", "")
    errors: dict[str, str] = {}
    if role not in STAFF_ROLES:
        errors["role"] = "Select the person's role"
    org_raw = values.get("organisation", "")
    org_id = whole_number(org_raw)
    if not errors:
        try:
            await create_account(
                NewAccount(
                    email=values.get("email", ""),
                    full_name=values.get("full_name", ""),
                    role=role,
                    password=values.get("password", ""),
                    organisation_id=org_id,
                    email_confirmed=True,
                    must_change_password=True,  # a temporary password: changed at the first sign-in
                ),
                actor=current_user(request),
                client=client_of(request),
            )
        except AccountError as exc:
            errors = exc.errors
    if errors:
        values.pop("password", None)
        return Template(
            "admin/account_new.html", context=await _form_context(values, errors), status_code=400
        )
    # In the session, not the address: a link with ?created= could announce an account nobody created.
    confirm(request, f"Account created for {values.get('email', '').strip().lower()}")
    return Redirect("/admin/accounts", status_code=303)


@get("/admin/api-tokens", name="admin_api_tokens", opt={"action": "administer"})
async def api_tokens_page(request: Request) -> Template:
    tokens = await api_tokens.list_tokens()
    # Only a real token's prefix gets the banner, so a crafted link cannot put words on the page.
    revoked = next((t for t in tokens if t.prefix == request.query_params.get("revoked")), None)
    return Template(
        "admin/api_tokens.html",
        context={
            "tokens": tokens,
            "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
            "revoked": revoked,
        },
    )


@post("/admin/api-tokens/{token_id:int}/revoke", name="admin_api_token_revoke", opt={"action": "administer"})
async def revoke_api_token(request: Request, token_id: FromPath[int]) -> Redirect:
    token = await api_tokens.revoke_token(token_id, actor=current_user(request), client=client_of(request))
    if token is None:
        raise NotFound("API token not found")
    return Redirect(f"/admin/api-tokens?revoked={token.prefix}", status_code=303)


async def _staff_page(
    account_id: int, values: dict[str, str] | None, errors: dict[str, str], *, status: int = 200
) -> Template:
    account = await staff.get_staff(account_id)
    shown = {
        "full_name": account.full_name,
        "email": account.email,
        "role": account.role,
        "organisation": str(account.organisation_id or ""),
    }
    shown.update(values or {})  # what was typed wins, so nothing is lost on an error
    context = await _form_context(shown, errors)
    return Template("admin/account_edit.html", context={**context, "account": account}, status_code=status)


@get("/admin/accounts/{account_id:int}", name="admin_account", opt={"action": "administer"})
async def account_page(account_id: FromPath[int]) -> Template:
    return await _staff_page(account_id, None, {})  # NotFound (a family's or no account) is the 404 page


@post("/admin/accounts/{account_id:int}", name="admin_account_save", opt={"action": "administer"})
async def account_save(request: Request, account_id: FromPath[int]) -> Template | Redirect:
    values = await form_values(request)
    user = current_user(request)
    assert user is not None
    org_raw = values.get("organisation", "")
    try:
        account = await staff.edit_staff(
            account_id,
            full_name=values.get("full_name", ""),
            email=values.get("email", ""),
            role=values.get("role", ""),
            organisation_id=whole_number(org_raw) if org_raw else None,
            actor=user,
            client=client_of(request),
        )
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return await _staff_page(account_id, values, errors, status=status)
    return Redirect(f"/admin/accounts?changed={account.email}", status_code=303)


@post(
    "/admin/accounts/{account_id:int}/{change:str}",
    name="admin_account_status",
    opt={"action": "administer"},
)
async def account_status(
    request: Request, account_id: FromPath[int], change: FromPath[str]
) -> Template | Redirect:
    """`disable` (sessions end, API tokens revoked) or `enable` (the tokens stay revoked)."""
    user = current_user(request)
    assert user is not None
    try:
        if change == "disable":
            account = await staff.disable_staff(
                account_id, actor=user, client=client_of(request), store=request.app.stores.get("sessions")
            )
        elif change == "enable":
            account = await staff.enable_staff(account_id, actor=user, client=client_of(request))
        else:
            raise NotFound("No such change")
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return await _staff_page(account_id, None, errors, status=status)
    return Redirect(f"/admin/accounts?changed={account.email}", status_code=303)


@post("/admin/api-tokens", name="admin_api_token_create", opt={"action": "administer"})
async def create_api_token(request: Request) -> Template:
    """Make a token for an active account: the page shows it this once, and it is never shown again."""
    values = await form_values(request)
    errors: dict[str, str] = {}
    email = values.get("email", "").strip()
    name = values.get("name", "").strip()
    if not email:
        errors["email"] = "Enter the email address of the account the token acts as"
    if not name:
        errors["name"] = "Enter what the token is for, like Case management system"
    elif len(name) > 100:
        errors["name"] = "What the token is for must be 100 characters or fewer"
    made = None
    if not errors:
        try:
            made = await api_tokens.create_token(
                email, name=name, actor=current_user(request), client=client_of(request)
            )
        except api_tokens.ApiTokenError as exc:
            errors["email"] = str(exc)
    return Template(
        "admin/api_tokens.html",
        context={
            "tokens": await api_tokens.list_tokens(),
            "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
            "revoked": None,
            "made": made,
            "values": {} if made else values,
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


ROUTES = [
    accounts_page,
    new_account_page,
    create_account_submit,
    api_tokens_page,
    revoke_api_token,
    account_page,
    account_save,
    account_status,
    create_api_token,
]
