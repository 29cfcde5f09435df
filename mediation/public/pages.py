"""Public pages for families (no login): "When is my deadline?" and "Who handles my disagreement?"."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation.public import service
from mediation.rules.calendar import format_long_date
from mediation.rules.catalogue import ORDER_RULE_IDS, all_rules, versions
from mediation.rules.errors import RuleNotInForce, RulesError
from mediation.rules.routing import DECISION_LABELS, route
from mediation.rules.wording import (
    FAMILY_DECISIONS,
    FAMILY_SECTIONS,
    family_citation,
    family_title,
    who_handles,
)
from mediation.web.forms import date_from_fields

# With no case, the bodies as a family knows them.
ANY_COUNCIL, ANY_ICB = "your council", "your local NHS (ICB)"
# The first date each kind of rule needs, in words a family uses.
MAIN_DATE_INPUT = {"appeal": "notice_sent", "mediation_notice": "mediation_date"}


def _rule_options() -> list[dict[str, str]]:
    return [
        {"value": r.id, "text": family_title(r.id)}
        for r in all_rules()
        if r.unit != "agreed"  # a timescale the parties agree (Regs 42(5)) is not calculated
    ]


def _order_options() -> list[dict[str, str]]:
    return [{"value": r.id, "text": family_title(r.id)} for r in all_rules() if r.id.startswith("order_")]


@get("/deadline-calculator", name="deadline_calculator", opt={"action": "public"})
async def deadline_calculator(request: Request) -> Template:
    values = {k: v for k, v in request.query_params.items()}
    errors: dict[str, str] = {}
    result = None
    if "rule" in values:
        rule_id = values.get("rule", "")
        start, start_error = date_from_fields(values, "start", "The date")
        certificate, certificate_error = date_from_fields(values, "certificate", "The certificate date")
        if not rule_id:
            errors["rule"] = "Select the deadline you want to work out"
        if start_error:
            errors["start-day"] = start_error
        elif start is None:
            errors["start-day"] = "Enter the date the time limit starts from"
        if certificate_error:
            errors["certificate-day"] = certificate_error
        elif rule_id == "appeal" and start and certificate and certificate < start:  # both ISO dates
            errors["certificate-day"] = (
                "The certificate date must be on or after the date the decision notice was sent"
            )
        if rule_id == "agreement_appealable" and values.get("order") not in ORDER_RULE_IDS:
            errors["order"] = "Select the tribunal order that matches the mediation agreement"
        if not errors:
            inputs = {MAIN_DATE_INPUT.get(rule_id, "start"): start or ""}
            if rule_id == "appeal" and certificate:
                inputs["certificate_issued"] = certificate
            if rule_id == "agreement_appealable":
                inputs["order"] = values.get("order", "")
            try:
                result = service.deadline(rule_id, inputs)
            except RuleNotInForce:
                first = versions(rule_id)[0].effective_from
                errors["start-day"] = (
                    f"This time limit did not apply then. Enter a date from {format_long_date(first)} on"
                )
            except RulesError as exc:
                errors["rule"] = exc.detail[0].upper() + exc.detail[1:]
    return Template(
        "public/deadline_calculator.html",
        context={
            "values": values,
            "errors": errors,
            "result": result,
            "result_title": family_title(result.rule) if result else "",
            "result_law": family_citation(result.citation) if result else "",
            "result_steps": [family_citation(step) for step in result.explanation] if result else [],
            "rules": _rule_options(),
            "orders": _order_options(),
        },
        status_code=400 if errors else 200,
    )


@get("/who-handles-my-disagreement", name="routing_checker", opt={"action": "public"})
async def routing_checker(request: Request) -> Template:
    values = {k: v for k, v in request.query_params.items()}
    sections = request.query_params.getall("sections", [])
    errors: dict[str, str] = {}
    result = None
    # "check" is the button's own value: a form sent with nothing chosen has no "decision" at all.
    if "decision" in values or "check" in values:
        decision = values.get("decision", "")
        if not decision:
            errors["decision"] = "Select the decision you disagree with"
        else:
            try:
                result = service.routing(decision, sections)
            except RulesError as exc:
                field = "sections" if decision in DECISION_LABELS else "decision"
                errors[field] = exc.detail[0].upper() + exc.detail[1:]
    return Template(
        "public/routing_checker.html",
        context={
            "values": values,
            "selected_sections": sections,
            "errors": errors,
            "result": result,
            "answer": who_handles(route(values["decision"], sections), council=ANY_COUNCIL, icb=ANY_ICB)
            if result
            else [],
            "decisions": FAMILY_DECISIONS,
            "sections": FAMILY_SECTIONS,
        },
        status_code=400 if errors else 200,
    )


ROUTES = [deadline_calculator, routing_checker]
