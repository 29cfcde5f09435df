"""The staff case page's own forms: assign the case to an officer, add an internal note, withdraw or
close the case with a reason. Each calls the same use case as the API's event, then returns to the case;
a refusal redraws the case page with the GOV.UK error summary and what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.commands import close_case, withdraw_case
from mediation.cases.model import Disagreement
from mediation.cases.pages import current_user_of, render_case
from mediation.cases.repository import find_case
from mediation.cases.work import add_note, assign_case
from mediation.errors import NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors

Change = Callable[[Disagreement, dict[str, str], CurrentUser], Awaitable[Disagreement]]


async def _change(
    request: Request, reference: str, change: Change, *, saved: str, fields: dict[str, str]
) -> Template | Redirect:
    """Run `change` with the submitted form; `fields` renames a use case's field to the form's own id.

    On success the case page opens at the top with `saved` in the confirmation banner."""
    user = current_user_of(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFound("Case not found")
    values = await form_values(request)
    try:
        await change(case, values, user)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        shown = {fields.get(key, key): message for key, message in errors.items()}
        kept: dict[str, object] = {"sections": list(case.sections)} | {
            fields.get(k, k): v for k, v in values.items()
        }
        return await render_case(request, reference, errors=shown, values=kept, status=status)
    confirm(request, saved)
    return Redirect(f"/cases/{reference}", status_code=303)


@post("/cases/{reference:str}/assign", name="case_assign", opt={"action": "assigned"})
async def case_assign(request: Request, reference: FromPath[str]) -> Template | Redirect:
    async def change(case: Disagreement, values: dict[str, str], user: CurrentUser) -> Disagreement:
        return await assign_case(case, values.get("officer", ""), actor=user)

    return await _change(request, reference, change, saved="Case assigned", fields={})


@post("/cases/{reference:str}/notes", name="case_note", opt={"action": "note_added"})
async def case_note(request: Request, reference: FromPath[str]) -> Template | Redirect:
    async def change(case: Disagreement, values: dict[str, str], user: CurrentUser) -> Disagreement:
        return await add_note(case, values.get("note_text", ""), actor=user)

    return await _change(
        request, reference, change, saved="Internal note added", fields={"text": "note_text"}
    )


@post("/cases/{reference:str}/withdraw", name="case_withdraw", opt={"action": "withdrawn"})
async def case_withdraw(request: Request, reference: FromPath[str]) -> Template | Redirect:
    async def change(case: Disagreement, values: dict[str, str], user: CurrentUser) -> Disagreement:
        return await withdraw_case(case, values.get("withdraw_reason", ""), actor=user)

    return await _change(
        request, reference, change, saved="Case withdrawn", fields={"reason": "withdraw_reason"}
    )


@post("/cases/{reference:str}/close", name="case_close", opt={"action": "closed"})
async def case_close(request: Request, reference: FromPath[str]) -> Template | Redirect:
    async def change(case: Disagreement, values: dict[str, str], user: CurrentUser) -> Disagreement:
        return await close_case(case, values.get("close_reason", ""), actor=user)

    return await _change(request, reference, change, saved="Case closed", fields={"reason": "close_reason"})


ROUTES = [case_assign, case_note, case_withdraw, case_close]
