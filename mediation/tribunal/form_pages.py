"""Forms for the appeal itself: recording it, its timetable, the outcome, and an unopposed appeal."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.model import Disagreement
from mediation.errors import NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.tribunal.commands import appeal_row, appealable_matters, matters_in_dispute, record_appeal
from mediation.tribunal.decisions import record_outcomes, record_unopposed
from mediation.tribunal.errors import NoAppeal
from mediation.tribunal.pages import base_context, case_for, date_values, read_dates
from mediation.tribunal.schemas import AppealInput, OutcomesInput, TimetableInput, UnopposedInput
from mediation.tribunal.service import appeal_matters
from mediation.tribunal.timetable import TIMETABLE_LABELS, save_timetable
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors

APPEAL_DATES = {
    "lodged_on": "Date the appeal was sent to the tribunal",
    "registered_on": "Date the tribunal registered the appeal",
    "certificate_issued_on": "Date the mediation certificate was issued",
}
TIMETABLE_DATES = {
    name: label[0].upper() + label[1:]
    for name, label in TIMETABLE_LABELS.items()
    if name != "tribunal_reference"
}
TITLES = {
    "appeal": "Record an appeal to the tribunal",
    "timetable": "Update the tribunal timetable",
    "outcomes": "Record the tribunal's decision",
    "unopposed": "Record that the local authority will not oppose the appeal",
}


async def _form(
    reference: str,
    step: str,
    user: CurrentUser,
    case: Disagreement,
    values: dict,
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    matters = []
    if step == "outcomes":
        appeal = await appeal_row(case.id)
        matters = await appeal_matters(appeal["id"])
    return Template(
        f"tribunal/{step}.html",
        context={
            **base_context(user, case),
            "title": TITLES[step],
            "values": values,
            "errors": errors,
            "matter_options": appealable_matters(case.decision),
            "appeal_matters": matters,
        },
        status_code=status,
    )


async def _appeal_or_404(case_id: int) -> dict:
    try:
        return await appeal_row(case_id)
    except NoAppeal as exc:
        raise NotFound(str(exc)) from exc


def _back(request: Request, reference: str, saved: str) -> Redirect:
    confirm(request, saved)
    return Redirect(f"/cases/{reference}/tribunal", status_code=303)


@get("/cases/{reference:str}/tribunal/appeal", name="tribunal_appeal_form", opt={"action": "appeal_made"})
async def appeal_form(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "appeal_made")
    if case.appeal is not None:
        return Redirect(f"/cases/{reference}/tribunal")
    defaults = {"matters": matters_in_dispute(case)}
    return await _form(reference, "appeal", user, case, defaults, {})


@post("/cases/{reference:str}/tribunal/appeal", name="tribunal_appeal_submit", opt={"action": "appeal_made"})
async def appeal_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "appeal_made")
    form = await request.form()
    values: dict = await form_values(request)
    values["matters"] = [str(v) for v in form.getall("matters", [])]
    values["recommendations_requested"] = [str(v) for v in form.getall("recommendations_requested", [])]
    errors: dict[str, str] = {}
    dates = read_dates(values, APPEAL_DATES, errors, required=("lodged_on",))
    if not values["matters"]:
        errors["matters"] = "Select what the appeal challenges"
    if not errors:
        try:
            await record_appeal(
                case,
                AppealInput(
                    lodged_on=dates["lodged_on"],  # type: ignore[arg-type]  # required: no errors means it is set
                    matters=values["matters"],
                    tribunal_reference=values.get("tribunal_reference", ""),
                    registered_on=dates["registered_on"],
                    recommendations_requested=values["recommendations_requested"],
                    certificate_issued_on=dates["certificate_issued_on"],
                ),
                actor=user,
            )
            return _back(request, reference, "Appeal to the tribunal recorded")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return await _form(reference, "appeal", user, case, values, _ordered(errors), status=status)
    return await _form(reference, "appeal", user, case, values, _ordered(errors), status=400)


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    """The appeal form's errors in the order its fields appear."""
    order = ["event", "lodged_on-day", "matters", "recommendations_requested", "tribunal_reference"]
    return dict(sorted(errors.items(), key=lambda e: order.index(e[0]) if e[0] in order else len(order)))


@get(
    "/cases/{reference:str}/tribunal/timetable",
    name="tribunal_timetable_form",
    opt={"action": "timetable_updated"},
)
async def timetable_form(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "timetable_updated")
    appeal = await _appeal_or_404(case.id)
    values = {"tribunal_reference": appeal["tribunal_reference"]}
    for name in TIMETABLE_DATES:
        values.update(date_values(name, appeal[name]))
    return await _form(reference, "timetable", user, case, values, {})


@post(
    "/cases/{reference:str}/tribunal/timetable",
    name="tribunal_timetable_submit",
    opt={"action": "timetable_updated"},
)
async def timetable_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "timetable_updated")
    await _appeal_or_404(case.id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    dates = read_dates(values, TIMETABLE_DATES, errors)
    if not errors:
        try:
            data = TimetableInput(tribunal_reference=values.get("tribunal_reference", ""), **dates)
            await save_timetable(case, data, actor=user)
            return _back(request, reference, "Tribunal timetable updated")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return await _form(reference, "timetable", user, case, values, errors, status=status)
    return await _form(reference, "timetable", user, case, values, errors, status=400)


@get(
    "/cases/{reference:str}/tribunal/outcomes",
    name="tribunal_outcomes_form",
    opt={"action": "decision_recorded"},
)
async def outcomes_form(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "decision_recorded")
    await _appeal_or_404(case.id)
    return await _form(reference, "outcomes", user, case, {}, {})


@post(
    "/cases/{reference:str}/tribunal/outcomes",
    name="tribunal_outcomes_submit",
    opt={"action": "decision_recorded"},
)
async def outcomes_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "decision_recorded")
    await _appeal_or_404(case.id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    dates = read_dates(values, {"decision_on": "Date of the decision"}, errors, required=("decision_on",))
    outcomes = {k.removeprefix("outcome-"): v for k, v in values.items() if k.startswith("outcome-")}
    if not errors:
        try:
            data = OutcomesInput(decision_on=dates["decision_on"], outcomes=outcomes)  # type: ignore[arg-type]  # required: no errors means it is set
            await record_outcomes(case, data, actor=user)
            return _back(request, reference, "Tribunal's decision recorded")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return await _form(reference, "outcomes", user, case, values, errors, status=status)
    return await _form(reference, "outcomes", user, case, values, errors, status=400)


@get("/cases/{reference:str}/tribunal/unopposed", name="tribunal_unopposed_form", opt={"action": "unopposed"})
async def unopposed_form(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "unopposed")
    await _appeal_or_404(case.id)
    return await _form(reference, "unopposed", user, case, {}, {})


@post(
    "/cases/{reference:str}/tribunal/unopposed", name="tribunal_unopposed_submit", opt={"action": "unopposed"}
)
async def unopposed_submit(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await case_for(request, reference, "unopposed")
    await _appeal_or_404(case.id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    label = "Date the local authority told the tribunal"
    dates = read_dates(values, {"notified_on": label}, errors, required=("notified_on",))
    if not errors:
        try:
            data = UnopposedInput(
                notified_on=dates["notified_on"],  # type: ignore[arg-type]  # required: no errors means it is set
                amendments_agreed=values.get("amendments_agreed") == "yes",
            )
            await record_unopposed(case, data, actor=user)
            return _back(request, reference, "Recorded that the local authority will not oppose the appeal")
        except ServiceError as exc:
            errors, status = page_errors(exc)
            return await _form(reference, "unopposed", user, case, values, errors, status=status)
    return await _form(reference, "unopposed", user, case, values, errors, status=400)


ROUTES = [
    appeal_form,
    appeal_submit,
    timetable_form,
    timetable_submit,
    outcomes_form,
    outcomes_submit,
    unopposed_form,
    unopposed_submit,
]
