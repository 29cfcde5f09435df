"""Forms for what the decision obliges: recording an order or a recommendation, and what was done."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import timekeeping
from mediation.cases.model import Disagreement
from mediation.errors import NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.tribunal import law
from mediation.tribunal.commands import appeal_row
from mediation.tribunal.duties import duty_for, record_action, record_order, record_recommendation
from mediation.tribunal.errors import NoAppeal
from mediation.tribunal.pages import base_context, case_for, read_dates
from mediation.tribunal.schemas import ActionInput, OrderInput, RecommendationInput
from mediation.tribunal.service import duty_status
from mediation.tribunal.tracker import period
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors

ORDER_DATES = {"made_on": "Date the order was made", "sent_on": "Date the tribunal sent the order"}
RECOMMENDATION_DATES = {
    "made_on": "Date the recommendation was made",
    "received_on": "Date the recommendation was received",
}


async def _require_appeal(case_id: int) -> None:
    try:
        await appeal_row(case_id)
    except NoAppeal as exc:
        raise NotFound(str(exc)) from exc


def _page(
    template: str,
    title: str,
    user: CurrentUser,
    case: Disagreement,
    values: dict,
    errors: dict[str, str],
    status: int = 200,
    **extra: object,
) -> Template:
    return Template(
        f"tribunal/{template}.html",
        context={**base_context(user, case), "title": title, "values": values, "errors": errors, **extra},
        status_code=status,
    )


def _back(request: Request, reference: str, saved: str) -> Redirect:
    confirm(request, saved)
    return Redirect(f"/cases/{reference}/tribunal", status_code=303)


ORDER_TITLE = "Record a tribunal order"
RECOMMENDATION_TITLE = "Record a health or social care recommendation"


@get("/cases/{reference:str}/tribunal/orders", name="tribunal_order_form", opt={"action": "order_made"})
async def order_form(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "order_made")
    await _require_appeal(case.id)
    return _page("order", ORDER_TITLE, user, case, {}, {})


@post("/cases/{reference:str}/tribunal/orders", name="tribunal_order_submit", opt={"action": "order_made"})
async def order_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "order_made")
    await _require_appeal(case.id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    if not values.get("order_type"):
        errors["order_type"] = "Select what the tribunal ordered"
    dates = read_dates(values, ORDER_DATES, errors, required=("made_on",))
    if not errors:
        try:
            data = OrderInput(
                order_type=values["order_type"],
                made_on=dates["made_on"],  # type: ignore[arg-type]  # required: no errors means it is set
                sent_on=dates["sent_on"],
            )
            await record_order(case, data, actor=user)
            return _back(request, reference, "Tribunal order recorded")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return _page("order", ORDER_TITLE, user, case, values, errors, status=status)
    return _page("order", ORDER_TITLE, user, case, values, errors, status=400)


@get(
    "/cases/{reference:str}/tribunal/recommendations",
    name="tribunal_recommendation_form",
    opt={"action": "recommendation_made"},
)
async def recommendation_form(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "recommendation_made")
    await _require_appeal(case.id)
    return _page("recommendation", RECOMMENDATION_TITLE, user, case, {"sections": []}, {})


@post(
    "/cases/{reference:str}/tribunal/recommendations",
    name="tribunal_recommendation_submit",
    opt={"action": "recommendation_made"},
)
async def recommendation_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "recommendation_made")
    await _require_appeal(case.id)
    form = await request.form()
    values: dict = await form_values(request)
    values["sections"] = [str(v) for v in form.getall("sections", [])]
    errors: dict[str, str] = {}
    if not values.get("body"):
        errors["body"] = "Select who the recommendation is addressed to"
    dates = read_dates(values, RECOMMENDATION_DATES, errors, required=("made_on",))
    if not errors:
        try:
            data = RecommendationInput(
                body=values["body"],
                sections=values["sections"],
                details=values.get("details", ""),
                made_on=dates["made_on"],  # type: ignore[arg-type]  # required: no errors means it is set
                received_on=dates["received_on"],
            )
            await record_recommendation(case, data, actor=user)
            return _back(request, reference, "Tribunal recommendation recorded")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return _page("recommendation", RECOMMENDATION_TITLE, user, case, values, errors, status=status)
    return _page("recommendation", RECOMMENDATION_TITLE, user, case, values, errors, status=400)


async def _duty(request: Request, reference: str, duty_id: int) -> tuple[CurrentUser, Disagreement, dict]:
    user, case = await case_for(request, reference, "act_on_duty")
    duty = await duty_for(case, duty_id, user)
    if duty is None:
        raise NotFound("There is no such duty for your organisation on this case")
    return user, case, duty


def _duty_page(
    user: CurrentUser, case: Disagreement, duty: dict, values: dict, errors: dict[str, str], status: int = 200
) -> Template:
    title = law.duty_label(duty["rule"])
    return _page(
        "duty",
        title,
        user,
        case,
        values,
        errors,
        status,
        duty=duty,
        duty_state=duty_status(duty["status"], duty["due"], timekeeping.today()),
        kind_label=law.KIND_LABELS[duty["kind"]],
        period=period(duty["rule"]),
        action_options=[(a, law.ACTIONS[a].label) for a in law.actions_for(duty["rule"])],
    )


@get(
    "/cases/{reference:str}/tribunal/duties/{duty_id:int}",
    name="tribunal_duty",
    opt={"action": "act_on_duty"},
)
async def duty_page(request: Request, reference: FromPath[str], duty_id: FromPath[int]) -> Template:
    user, case, duty = await _duty(request, reference, duty_id)
    return _duty_page(user, case, duty, {}, {})


@post(
    "/cases/{reference:str}/tribunal/duties/{duty_id:int}",
    name="tribunal_duty_submit",
    opt={"action": "act_on_duty"},
)
async def duty_submit(
    request: Request, reference: FromPath[str], duty_id: FromPath[int]
) -> Template | Redirect:
    user, case, duty = await _duty(request, reference, duty_id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    if not values.get("action"):
        errors["action"] = "Select what was done"
    dates = read_dates(values, {"done_on": "Date it was done"}, errors, required=("done_on",))
    if not errors:
        try:
            data = ActionInput(action=values["action"], done_on=dates["done_on"], note=values.get("note", ""))  # type: ignore[arg-type]  # required: no errors means it is set
            await record_action(case, duty, data, actor=user)
            return _back(request, reference, "What was done about the duty recorded")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return _duty_page(user, case, duty, values, errors, status=status)
    return _duty_page(user, case, duty, values, errors, status=400)


ROUTES = [
    order_form,
    order_submit,
    recommendation_form,
    recommendation_submit,
    duty_page,
    duty_submit,
]
