"""What a notice says: its checked input, its dates and routing, and the data the fixed notice text is given.

Everything the notice text shows comes from `notice_context`, as plain dicts and lists, and from the LA's
plain-text fields (`fields.py`). Dates come only from `compute_deadline`; routing only from `route`
(statute.md sections 2 and 3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec

from mediation.accounts.service import normalise_email
from mediation.lodging.questions import age_on, as_list, read_date
from mediation.organisations.service import OrganisationDetail
from mediation.rules.deadlines import Deadline, compute_deadline
from mediation.rules.routing import (
    APPEALABLE_SECTIONS,
    DECISION_LABELS,
    HEALTH_SECTIONS,
    SECTION_LABELS,
    SOCIAL_CARE_SECTIONS,
    route,
)

NOTICE_DECISIONS = {k: v for k, v in DECISION_LABELS.items() if k != "disability_discrimination"}
PLAN_KINDS = {"final": "A final EHC plan", "amended": "An amended EHC plan, after a review"}
NOTICE_TITLES = {
    "refuse_assessment": "Decision not to carry out an EHC needs assessment",
    "refuse_plan": "Decision not to issue an EHC plan",
    "final": "Final EHC plan issued",
    "amended": "Amended EHC plan issued",
    "refuse_reassessment": "Decision not to carry out an EHC needs re-assessment",
    "refuse_amendment": "Decision not to amend the EHC plan",
    "cease_to_maintain": "Decision to stop maintaining the EHC plan",
}
DEADLINE_TITLES = {
    "contact_mediation_adviser": "Contact the mediation adviser",
    "appeal": "Appeal to the First-tier Tribunal (SEND)",
}
STATUS_LABELS = {
    "P": "read in the law itself",
    "S": "from reliable guidance",
    "U": "unconfirmed: check with an adviser",
}
CONTACT_FIELDS = ("name", "email", "phone", "address", "website")
MAX_NAME = 200
MAX_ADDRESS = 1000


class NoticeInput(msgspec.Struct, kw_only=True):
    decision: str
    plan_kind: str  # "" unless plan_contents
    decision_date: dt.date
    sections: list[str]
    child_name: str
    child_date_of_birth: dt.date
    family_name: str
    family_email: str
    postal_address: str
    large_print: bool = False  # the family asked for large print: the notice's PDF and posted letter

    @property
    def title(self) -> str:
        return NOTICE_TITLES[self.plan_kind or self.decision]

    def fingerprint(self, la_id: int) -> str:
        """The same child, decision, date and family: used to warn before issuing a notice twice."""
        parts = [
            str(la_id),
            " ".join(self.child_name.split()).casefold(),
            self.child_date_of_birth.isoformat(),
            self.decision,
            self.plan_kind,
            self.decision_date.isoformat(),
            self.family_email or " ".join(self.postal_address.split()).casefold(),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _text(values: Mapping[str, Any], key: str) -> str:
    return str(values.get(key) or "").strip()


def parse_sections(value: Any) -> list[str]:
    """Sections from checkboxes (a list) or one CSV cell ("B F I", "B;F;I", "B,F,I")."""
    raw: list[str] = []
    for item in as_list(value):
        raw += item.replace(";", " ").replace(",", " ").split()
    return [s.upper() for s in raw]


def validate_notice(
    values: Mapping[str, Any], *, today: dt.date
) -> tuple[NoticeInput | None, dict[str, str]]:
    """Check an issue form (or one CSV row in the same shape); errors keyed by the field to fix."""
    errors: dict[str, str] = {}
    decision = _text(values, "decision")
    if decision not in NOTICE_DECISIONS:
        errors["decision"] = "Select the decision or plan the notice is for"
    plan_kind = _text(values, "plan_kind") if decision == "plan_contents" else ""
    if decision == "plan_contents" and plan_kind not in PLAN_KINDS:
        errors["plan_kind"] = "Select whether this is a final plan or an amended plan"
    sections = parse_sections(values.get("sections"))
    if unknown := [s for s in sections if s not in SECTION_LABELS]:
        errors["sections"] = f"Unknown plan section {unknown[0]}: use A to K, H1 or H2"
    elif decision == "plan_contents" and not sections:
        errors["sections"] = "Select the sections of the plan you are issuing"
    elif decision in NOTICE_DECISIONS and decision != "plan_contents" and sections:
        errors["sections"] = "Only select plan sections when you are issuing a final or amended plan"
    sections = [s for s in SECTION_LABELS if s in sections]
    child_name = _text(values, "child_name")
    if not child_name:
        errors["child_name"] = "Enter the child or young person's full name"
    elif len(child_name) > MAX_NAME:
        errors["child_name"] = f"The child or young person's name must be {MAX_NAME} characters or fewer"
    born, error = read_date(values, "dob", "the child or young person's date of birth")
    if error:
        errors["dob-day"] = error
    elif born is not None and born > today:
        errors["dob-day"] = "The child or young person's date of birth must be in the past"
    decided, error = read_date(values, "decision", "the date of the decision")
    if error:
        errors["decision-day"] = error
    elif decided is not None and decided > today:
        errors["decision-day"] = "The date of the decision must be today or in the past"
    elif decided is not None and born is not None and born <= today:
        if decided < born:
            errors["decision-day"] = "The date of the decision must be after the child's date of birth"
        elif age_on(born, decided) > 25:
            errors["decision-day"] = "The young person must have been 25 or under on the date of the decision"
    family_name = _text(values, "family_name")
    if not family_name:
        errors["family_name"] = "Enter the name of the parent, carer or young person"
    elif len(family_name) > MAX_NAME:
        errors["family_name"] = f"The name must be {MAX_NAME} characters or fewer"
    email = normalise_email(_text(values, "family_email"))
    address = _text(values, "postal_address").replace("\r\n", "\n")
    if email and ("@" not in email or " " in email or "." not in email.split("@")[-1] or len(email) > 254):
        errors["family_email"] = "Enter an email address in the correct format, like name@example.com"
    elif not email and not address:
        errors["family_email"] = "Enter the family's email address or their postal address"
    if len(address) > MAX_ADDRESS:
        errors["postal_address"] = f"The postal address must be {MAX_ADDRESS} characters or fewer"
    if errors or born is None or decided is None:
        return None, errors
    return (
        NoticeInput(
            decision=decision,
            plan_kind=plan_kind,
            decision_date=decided,
            sections=sections,
            child_name=child_name,
            child_date_of_birth=born,
            family_name=family_name,
            family_email=email,
            postal_address=address,
            large_print=_text(values, "large_print") == "yes",
        ),
        {},
    )


def _contact(org: OrganisationDetail | None, purpose: str) -> dict[str, str] | None:
    if org is None:
        return None
    for contact in org.contacts:
        if contact.purpose == purpose and contact.name:
            return {field: getattr(contact, field) for field in CONTACT_FIELDS}
    return None


def la_contact(la: OrganisationDetail) -> dict[str, str] | None:
    """The person acting for the LA (Regs 32(f)): the SEND team, else the LA's own details."""
    found = _contact(la, "send_team")
    if found is None and (la.email or la.phone or la.address):
        found = {"name": f"{la.name} SEND team", "email": la.email, "phone": la.phone}
        found |= {"address": la.address, "website": la.website}
    return found


def missing_contacts(la: OrganisationDetail) -> list[str]:
    """What the LA's record lacks for a lawful notice (Regs 32(c) and (f))."""
    missing = []
    if _contact(la, "mediation_adviser") is None:
        missing.append("the mediation adviser's contact details (SEND Regulations 2014 reg 32(c))")
    if la_contact(la) is None:
        missing.append("a SEND team contact (SEND Regulations 2014 reg 32(f))")
    return missing


def notice_deadlines(decision: str, sections: list[str], sent_on: dt.date) -> dict[str, Deadline]:
    """The clocks the notice starts: the adviser contact (Regs 33) and, where one lies, the appeal. Both
    run on the national calendar: an LA's closure days never extend a time limit."""
    found = {
        "contact_mediation_adviser": compute_deadline(
            "contact_mediation_adviser", {"start": sent_on}, decision_date=sent_on
        )
    }
    if route(decision, sections).appeal_available:
        found["appeal"] = compute_deadline("appeal", {"notice_sent": sent_on}, decision_date=sent_on)
    return found


def deadline_records(deadlines: Mapping[str, Deadline]) -> list[dict[str, Any]]:
    return [
        {
            "rule": d.rule,
            "title": DEADLINE_TITLES.get(d.rule, d.rule),
            "due": d.due.isoformat(),
            "citation": d.citation,
            "status": d.status,
            "status_label": STATUS_LABELS.get(d.status, d.status),
            "explanation": list(d.explanation),
        }
        for d in deadlines.values()
    ]


def notice_context(
    notice: NoticeInput,
    *,
    reference: str,
    sent_on: dt.date,
    la: OrganisationDetail,
    icb: OrganisationDetail | None,
    deadlines: Mapping[str, Deadline],
) -> dict[str, Any]:
    """The data of one notice, as `templates/notices/notice_body.html` uses it."""
    routing = route(notice.decision, notice.sections)
    chosen = set(notice.sections)
    records = deadline_records(deadlines)
    by_rule: dict[str, Any] = {"contact_mediation_adviser": None, "appeal": None}
    by_rule |= {r["rule"]: {**r, "due": deadlines[r["rule"]].due} for r in records}
    return {
        "notice": {
            "reference": reference,
            "title": notice.title,
            "sent_on": sent_on,
            "decision": notice.decision,
            "decision_label": NOTICE_DECISIONS[notice.decision],
            "plan_kind": notice.plan_kind,
            "decision_date": notice.decision_date,
            "sections": list(notice.sections),
            "section_labels": [SECTION_LABELS[s] for s in notice.sections],
        },
        "child": {"name": notice.child_name, "date_of_birth": notice.child_date_of_birth},
        "family": {"name": notice.family_name},
        "la": {"name": la.name, "contact": la_contact(la)},
        "adviser": _contact(la, "mediation_adviser"),
        "sendiass": _contact(la, "sendiass"),
        "resolution": _contact(la, "disagreement_resolution"),
        "icb": {
            "name": icb.name if icb else "the integrated care board (ICB) for your area",
            "contact": _contact(icb, "designated_officer")
            or (
                {
                    "name": icb.name,
                    "email": icb.email,
                    "phone": icb.phone,
                    "address": icb.address,
                    "website": icb.website,
                }
                if icb and (icb.email or icb.phone)
                else None
            ),
        },  # fmt: skip
        "routing": {
            "certificate_required": routing.certificate_required,
            "appeal_available": routing.appeal_available,
            "section_i_alone": routing.appeal_available and not routing.certificate_required,
            "section_i_included": "I" in chosen and bool(chosen & (APPEALABLE_SECTIONS - {"I"})),
            "health_involved": bool(chosen & HEALTH_SECTIONS),
            "health_only": routing.scope == ("health",),
            "social_care_involved": bool(chosen & SOCIAL_CARE_SECTIONS),
            "scope": list(routing.scope),
            "arranged_by": routing.arranged_by,
            "explanation": list(routing.explanation),
        },
        "deadlines": by_rule,
        "deadline_list": [by_rule[r["rule"]] for r in records],
    }
