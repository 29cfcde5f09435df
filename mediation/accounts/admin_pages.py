"""Admins create and list staff accounts (families register themselves), and list and revoke API tokens."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.accounts import api_tokens
from mediation.accounts.service import AccountError, NewAccount, create_account
from mediation.accounts.tables import ROLE_LABELS, Account, Role
from mediation.organisations.service import list_organisations
from mediation.web.auth import current_user
from mediation.web.forms import client_of, form_values, whole_number

STAFF_ROLES = {role.value: label for role, label in ROLE_LABELS.items() if role is not Role.family}


@get("/admin/accounts", name="admin_accounts", opt={"action": "administer"})
async def accounts_page(request: Request) -> Template:
    rows = (
        await Account.select(
            Account.id,
            Account.email,
            Account.full_name,
            Account.role,
            Account.active,
            Account.organisation.name.as_alias("organisation_name"),
        )
        .where(Account.role != Role.family.value)
        .order_by(Account.role)
        .order_by(Account.full_name)
    )
    created = request.query_params.get("created")
    return Template(
        "admin/accounts.html", context={"accounts": rows, "role_labels": STAFF_ROLES, "created": created}
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
    return Redirect(f"/admin/accounts?created={values.get('email', '').strip().lower()}", status_code=303)


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
        raise NotFoundException("API token not found")
    return Redirect(f"/admin/api-tokens?revoked={token.prefix}", status_code=303)


ROUTES = [accounts_page, new_account_page, create_account_submit, api_tokens_page, revoke_api_token]
