"""The family's lodging journey: one question per page, check your answers, confirmation."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import timekeeping
from mediation.cases.family_view import family_case
from mediation.cases.repository import find_case
from mediation.errors import NotFound
from mediation.identity import CurrentUser
from mediation.lodging import questions as q
from mediation.lodging import service
from mediation.rules.wording import FAMILY_DECISIONS, FAMILY_SECTIONS
from mediation.settings import settings
from mediation.web.auth import current_user
from mediation.web.edge import CONTROL_CHARACTERS
from mediation.web.forms import whole_number

FIELDS = {
    "who": ["lodged_by", "represented_person", "advocate_consent"],
    "child": ["child_name", "dob-day", "dob-month", "dob-year", "local_authority"],
    "decision": ["decision", "notice-day", "notice-month", "notice-year"],
    "sections": ["sections"],
    "mediation": ["wants_mediation"],
    "access": ["access", "interpreter_language", "access_other"],
    "contact": ["contact_email", "contact_phone", "postal_address", "contact_by", "large_print"],
}
LIST_FIELDS = {"sections", "access", "advocate_consent", "large_print"}


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None
    return user


async def _draft(request: Request, draft_id: int) -> dict[str, Any]:
    draft = await service.get_draft(_user(request), draft_id)
    if draft is None:
        raise NotFound("Draft not found")
    return draft


def _fields(step: str, answers: q.Answers) -> list[str]:
    if step == "details":
        sections = q.selected_sections(answers)
        return [f"{s}-{part}" for s in sections for part in ("disagree", "wanted")] + ["health_provision"]
    return FIELDS[step]


async def _step_page(draft: dict[str, Any], step: str, errors: dict[str, str], status: int = 200) -> Template:
    answers = draft["answers"]
    return Template(
        f"lodging/{step}.html",
        context={
            "draft": draft,
            "step": step,
            "title": q.STEP_TITLES[step],
            "a": answers,
            "errors": errors,
            "back": q.previous_step(step, answers),
            "lodged_by": q.LODGED_BY,
            "access_needs": q.ACCESS_NEEDS,
            "decisions": FAMILY_DECISIONS,
            "section_labels": FAMILY_SECTIONS,
            "selected_sections": q.selected_sections(answers),
            "health_sections": q.HEALTH_SECTIONS,
            "local_authorities": await service.local_authorities() if step == "child" else [],
            "documents": await service.draft_documents(draft["id"]) if step == "decision" else [],
            "as_list": q.as_list,
        },
        status_code=status,
    )


@get("/lodge", name="lodge_start", opt={"action": "lodge"})
async def lodge_start(request: Request) -> Template:
    return Template("lodging/start.html", context={"drafts": await service.open_drafts(_user(request))})


@post("/lodge", name="lodge_new", opt={"action": "lodge"})
async def lodge_new(request: Request) -> Redirect:
    draft_id = await service.new_draft(_user(request))
    return Redirect(f"/lodge/{draft_id}/who", status_code=303)


@get("/lodge/{draft_id:int}/{step:str}", name="lodge_step", opt={"action": "lodge"})
async def lodge_step(request: Request, draft_id: FromPath[int], step: FromPath[str]) -> Template | Redirect:
    draft = await _draft(request, draft_id)
    if draft["submitted"]:
        return Redirect(f"/lodge/{draft_id}/confirmation")
    if step == "check":
        return await _check_page(draft, {})
    if step not in q.applicable_steps(draft["answers"]):
        raise NotFound("No such question")
    return await _step_page(draft, step, {})


@post("/lodge/{draft_id:int}/{step:str}", name="lodge_answer", opt={"action": "lodge"})
async def lodge_answer(request: Request, draft_id: FromPath[int], step: FromPath[str]) -> Template | Redirect:
    user = _user(request)
    draft = await _draft(request, draft_id)
    if draft["submitted"]:
        return Redirect(f"/lodge/{draft_id}/confirmation", status_code=303)
    if step == "check":
        return await _submit(draft, user)
    if step not in q.applicable_steps(draft["answers"]):
        raise NotFound("No such question")
    form = await request.form()
    updates: dict[str, Any] = {}
    for field in _fields(step, draft["answers"]):
        updates[field] = (
            [str(v) for v in form.getall(field, [])] if field in LIST_FIELDS else str(form.get(field, ""))
        )
    if "advocate_consent" in updates:
        updates["advocate_consent"] = "yes" if "yes" in updates["advocate_consent"] else ""
    draft["answers"] = await service.save_answers(draft, updates)
    la_ids = [la["id"] for la in await service.local_authorities()]
    errors = q.validate(step, draft["answers"], la_ids=la_ids, today=timekeeping.today())
    upload = form.get("decision_letter")
    if step == "decision" and isinstance(upload, UploadFile) and upload.filename:
        try:
            await service.store_upload(
                draft_id, user, upload.filename, await upload.read(), "decision_letter"
            )
        except service.UploadError as exc:
            errors["decision_letter"] = str(exc)
    if errors:
        return await _step_page(draft, step, errors, status=400)
    if form.get("return_to") == "check":
        # A change can open new questions (new sections need details): ask those before the check page.
        gap = q.first_unanswered(draft["answers"], la_ids=la_ids, today=timekeeping.today())
        target = f"/lodge/{draft_id}/{gap}?return_to=check" if gap else f"/lodge/{draft_id}/check"
        return Redirect(target, status_code=303)
    following = q.next_step(step, draft["answers"])
    return Redirect(f"/lodge/{draft_id}/{following or 'check'}", status_code=303)


def _long(answers: q.Answers, prefix: str) -> str:
    day, error = q.read_date(answers, prefix, "date")
    return "" if day is None or error else f"{day.day} {day:%B %Y}"


async def _check_page(
    draft: dict[str, Any], problems: dict[str, tuple[str, str]], status: int = 200
) -> Template:
    answers = draft["answers"]
    la_names = {la["id"]: la["name"] for la in await service.local_authorities()}
    return Template(
        "lodging/check.html",
        context={
            "draft": draft,
            "title": "Check your answers before you send them",
            "a": answers,
            "steps": q.applicable_steps(answers),
            "step_titles": q.STEP_TITLES,
            "errors": {},  # the check page's own summary links to the page of each problem
            "dates": {key: _long(answers, key) for key in ("dob", "notice")},
            "problems": problems,
            "lodged_by": q.LODGED_BY,
            "access_needs": q.ACCESS_NEEDS,
            "decisions": FAMILY_DECISIONS,
            "section_labels": FAMILY_SECTIONS,
            "selected_sections": q.selected_sections(answers),
            "la_name": la_names.get(whole_number(answers.get("local_authority")) or 0, ""),
            "documents": await service.draft_documents(draft["id"]),
            "as_list": q.as_list,
        },
        status_code=status,
    )


UNSTORABLE = "Change this answer: it contains a character that cannot be saved (a control character)"


def _unstorable(answers: q.Answers) -> dict[str, tuple[str, str]]:
    """Answers holding a control character (saved before they were refused at the edge): the case could
    not be stored with them, so the check page sends the family back to that question instead."""
    problems: dict[str, tuple[str, str]] = {}
    for step in q.applicable_steps(answers):
        for field in _fields(step, answers):
            value = answers.get(field)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and CONTROL_CHARACTERS.search(text):
                    problems.setdefault(field, (step, UNSTORABLE))
    return problems


async def _submit(draft: dict[str, Any], user: CurrentUser) -> Template | Redirect:
    problems = q.validate_all(
        draft["answers"],
        la_ids=[la["id"] for la in await service.local_authorities()],
        today=timekeeping.today(),
    )
    problems = _unstorable(draft["answers"]) | problems
    if problems:
        return await _check_page(draft, problems, status=400)
    await service.submit(user, draft, settings.base_url)
    return Redirect(f"/lodge/{draft['id']}/confirmation", status_code=303)


@get("/lodge/{draft_id:int}/confirmation", name="lodge_confirmation", opt={"action": "lodge"})
async def lodge_confirmation(request: Request, draft_id: FromPath[int]) -> Template | Redirect:
    draft = await _draft(request, draft_id)
    if not draft["submitted"]:
        return Redirect(f"/lodge/{draft_id}/check")
    case = await find_case(_user(request), draft["reference"])
    if case is None:
        raise NotFound("Case not found")
    return Template(
        "lodging/confirmation.html",
        context={"case": case, "family": await family_case(case), "title": "We have your disagreement"},
    )


ROUTES = [lodge_start, lodge_new, lodge_confirmation, lodge_step, lodge_answer]
