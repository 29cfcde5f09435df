"""Recording what a mediation meeting agreed, issue by issue."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.lookup import date_of, require, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.errors import Invalid, ServiceError
from mediation.outcomes.service import OUTCOMES, IssueResult, OutcomeForm, issues_of, record_outcome
from mediation.rules.catalogue import ORDER_RULE_IDS
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors


async def _outcome_page(
    case: Disagreement, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Template:
    return Template(
        "mediation/outcome.html",
        context={
            "title": f"Record the outcome of mediation, case {case.reference}",
            "case": case,
            "issues": await issues_of(case),
            "outcomes": OUTCOMES,
            "orders": ORDER_RULE_IDS,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation/outcome", name="mediation_outcome", opt={"action": "mediation_held"})
async def outcome_page(request: Request, reference: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    require(user_of(request), "mediation_held", case)
    return await _outcome_page(case, {}, {})


@post(
    "/cases/{reference:str}/mediation/outcome",
    name="mediation_outcome_save",
    opt={"action": "mediation_held"},
)
async def outcome_save(request: Request, reference: FromPath[str]) -> Template | Redirect:
    case = await visible_case(request, reference)
    require(user_of(request), "mediation_held", case)
    v = await form_values(request)
    errors: dict[str, str] = {}
    held = date_of(v, "held", "The date the mediation was held", errors)
    agreed_on = date_of(v, "agreement", "The date of the written agreement", errors)
    agreed_due = date_of(v, "agreed_due", "The agreed date", errors)
    results = [
        IssueResult(i.issue, v.get(f"outcome-{i.issue}", ""), v.get(f"note-{i.issue}", "")[:2000])
        for i in await issues_of(case)
    ]
    form = OutcomeForm(
        held_on=held,
        results=results,
        agreement_text=v.get("agreement_text", ""),
        agreement_date=agreed_on,
        order=v.get("order", ""),
        agreed_due=agreed_due,
    )
    try:
        if errors:
            raise Invalid(errors)
        await record_outcome(case, form, actor=user_of(request))
    except ServiceError as exc:
        found, status = page_errors(exc)
        fresh = await visible_case(request, reference)
        return await _outcome_page(fresh, {**found, **errors}, v, status=status)
    confirm(request, "Outcome of mediation recorded")
    return Redirect(f"/cases/{reference}/mediation", status_code=303)


ROUTES = [outcome_page, outcome_save]
