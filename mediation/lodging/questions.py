"""The lodging journey as data: its pages in order, which apply, and the checks on each answer.

Answers are kept as the strings people typed (lists for checkboxes), so a page with an error can be
shown again exactly as it was sent, and a draft survives sign-out with nothing lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mediation.cases.contact import as_list, check_contact
from mediation.rules.routing import DECISION_LABELS, SECTION_LABELS

Answers = Mapping[str, Any]

STEPS = ["who", "child", "decision", "sections", "details", "mediation", "access", "contact"]
STEP_TITLES = {
    "who": "Who is telling us about the disagreement?",
    "child": "About the child or young person",
    "decision": "The decision you disagree with",
    "sections": "Which parts of the EHC plan do you disagree with?",
    "details": "What you disagree with and what you want instead",
    "mediation": "Do you want mediation?",
    "access": "Do you need anything to take part?",
    "contact": "How should we contact you?",
}
LODGED_BY = {
    "parent_carer": "I am the child's parent or carer",
    "young_person": "I am the young person (aged 16 to 25)",
    "advocate": "I am an advocate acting for the parent or young person",
}
ACCESS_NEEDS = {
    "interpreter": "A spoken language interpreter",
    "bsl": "A British Sign Language interpreter",
    "step_free": "A venue with step-free access",
    "remote": "To take part remotely (by video or phone)",
    "breaks": "Regular breaks",
}
HEALTH_SECTIONS = {"C", "G"}
MAX_TEXT = 5000


def selected_sections(answers: Answers) -> list[str]:
    if answers.get("decision") != "plan_contents":
        return []
    return [s for s in SECTION_LABELS if s in as_list(answers.get("sections"))]


def applicable_steps(answers: Answers) -> list[str]:
    steps = list(STEPS)
    if answers.get("decision") != "plan_contents":
        steps.remove("sections")
        steps.remove("details")
    if answers.get("decision") == "disability_discrimination":
        steps.remove("mediation")  # no mediation route (Equality Act 2010 Sch 17)
    return steps


def next_step(step: str, answers: Answers) -> str | None:
    steps = applicable_steps(answers)
    later = steps[steps.index(step) + 1 :] if step in steps else []
    return later[0] if later else None


def previous_step(step: str, answers: Answers) -> str | None:
    steps = applicable_steps(answers)
    earlier = steps[: steps.index(step)] if step in steps else []
    return earlier[-1] if earlier else None


def read_date(answers: Answers, prefix: str, label: str) -> tuple[dt.date | None, str | None]:
    day, month, year = (str(answers.get(f"{prefix}-{p}", "")).strip() for p in ("day", "month", "year"))
    if not (day or month or year):
        return None, f"Enter {label}"
    missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        return None, f"{label[0].upper()}{label[1:]} must include a {' and a '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, f"{label[0].upper()}{label[1:]} must be a real date, for example 27 3 2026"
    try:
        return dt.date(int(year), int(month), int(day)), None
    except ValueError:
        return None, f"{label[0].upper()}{label[1:]} must be a real date"


def _text(answers: Answers, key: str, missing: str, errors: dict[str, str], *, required: bool = True) -> None:
    value = str(answers.get(key, "")).strip()
    if required and not value:
        errors[key] = missing
    elif len(value) > MAX_TEXT:
        errors[key] = f"Must be {MAX_TEXT} characters or fewer"


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def validate(step: str, answers: Answers, *, la_ids: Sequence[int], today: dt.date) -> dict[str, str]:
    """Field errors for one page, keyed by the id of the input to link to."""
    errors: dict[str, str] = {}
    if step == "who":
        if answers.get("lodged_by") not in LODGED_BY:
            errors["lodged_by"] = "Select who is telling us about the disagreement"
        elif answers.get("lodged_by") == "advocate":
            _text(
                answers,
                "represented_person",
                "Enter the name of the parent or young person you act for",
                errors,
            )
            if answers.get("advocate_consent") != "yes":
                errors["advocate_consent"] = "Confirm that you have their consent to act for them"
    elif step == "child":
        _text(answers, "child_name", "Enter the full name of the child or young person", errors)
        born, error = read_date(answers, "dob", "their date of birth")
        if error:
            errors["dob-day"] = error
        elif born is not None and born > today:
            errors["dob-day"] = "Their date of birth must be in the past"
        la = str(answers.get("local_authority", ""))
        if not (la.isascii() and la.isdigit()) or int(la) not in la_ids:
            errors["local_authority"] = "Select the local authority that made the decision"
    elif step == "decision":
        if answers.get("decision") not in DECISION_LABELS:
            errors["decision"] = "Select the decision you disagree with"
        sent, error = read_date(answers, "notice", "the date the decision notice was sent")
        if error:
            errors["notice-day"] = error
        elif sent is not None:
            errors.update(_check_notice_date(sent, answers, today))
    elif step == "sections":
        chosen = as_list(answers.get("sections"))
        if not chosen:
            errors["sections"] = "Select at least one part of the plan you disagree with"
        elif unknown := [s for s in chosen if s not in SECTION_LABELS]:
            errors["sections"] = f"Unknown plan section {unknown[0]}"
    elif step == "details":
        for section in selected_sections(answers):
            _text(answers, f"{section}-disagree", f"Section {section}: say what you disagree with", errors)
            _text(answers, f"{section}-wanted", f"Section {section}: say what you want instead", errors)
        if HEALTH_SECTIONS & set(selected_sections(answers)):
            _text(
                answers, "health_provision", "Say what health provision you want the plan to specify", errors
            )
    elif step == "mediation":
        if answers.get("wants_mediation") not in {"yes", "no"}:
            errors["wants_mediation"] = "Select yes if you want mediation"
    elif step == "access":
        needs = as_list(answers.get("access"))
        if "interpreter" in needs:
            _text(answers, "interpreter_language", "Enter the language you need an interpreter for", errors)
        _text(answers, "access_other", "", errors, required=False)
    elif step == "contact":
        errors.update(check_contact(answers)[1])
    return errors


def _check_notice_date(sent: dt.date, answers: Answers, today: dt.date) -> dict[str, str]:
    if sent > today:
        return {"notice-day": "The date the decision notice was sent must be today or in the past"}
    born, _ = read_date(answers, "dob", "date of birth")
    if born is None:
        return {}
    if born > sent:
        return {"notice-day": "The decision must be after the child or young person was born"}
    if age_on(born, sent) > 25:
        return {"notice-day": "The young person must have been 25 or under on the date of the decision"}
    if answers.get("lodged_by") == "young_person" and age_on(born, sent) < 16:
        return {
            "notice-day": "A young person lodging for themselves must have been 16 or over "
            "on the date of the decision"
        }
    return {}


def validate_all(answers: Answers, *, la_ids: Sequence[int], today: dt.date) -> dict[str, tuple[str, str]]:
    """Every problem in the whole journey: field id -> (step to fix it on, message)."""
    problems: dict[str, tuple[str, str]] = {}
    for step in applicable_steps(answers):
        for field, message in validate(step, answers, la_ids=la_ids, today=today).items():
            problems[field] = (step, message)
    return problems


def first_unanswered(answers: Answers, *, la_ids: Sequence[int], today: dt.date) -> str | None:
    """The first page of the journey that still has a problem, or None when it is ready to check."""
    for step in applicable_steps(answers):
        if validate(step, answers, la_ids=la_ids, today=today):
            return step
    return None
