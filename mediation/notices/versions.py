"""Each LA's notice template: versions that are never changed, seeded from the file template, and the
checks that keep an edited template lawful (it must still say everything reg 32 requires)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.notices.content import NoticeInput, notice_context, notice_deadlines
from mediation.notices.rendering import NoticeTemplateError, default_template_text, render_body, to_text
from mediation.notices.tables import NoticeTemplate
from mediation.organisations.service import CONTACT_LABELS, Contact, OrganisationDetail
from mediation.web.templating import day_date

MAX_NOTE = 300


class TemplateVersion(msgspec.Struct):
    id: int
    version: int
    note: str
    created_by: str
    created_at: dt.datetime


async def _latest(la_id: int) -> dict[str, Any] | None:
    return (
        await NoticeTemplate.select(NoticeTemplate.id, NoticeTemplate.version, NoticeTemplate.body)
        .where(NoticeTemplate.local_authority == la_id)
        .order_by(NoticeTemplate.version, ascending=False)
        .first()
    )


async def _seed(la_id: int) -> None:
    """Version 1 is the file template; call inside a transaction."""
    row = NoticeTemplate(
        local_authority=la_id,
        version=1,
        body=default_template_text(),
        note="The service's default notice text",
        created_at=timekeeping.now(),
    )
    await row.save()
    await audit.record(
        actor=None,
        action="create",
        entity="notice_template",
        entity_id=f"{la_id}:1",
        summary="Notice template version 1 created from the default text",
    )


async def current_template(la_id: int) -> dict[str, Any]:
    """The LA's newest version ({id, version, body}), creating version 1 on first use."""
    found = await _latest(la_id)
    if found is not None:
        return found
    try:
        async with transaction():
            if await _latest(la_id) is None:
                await _seed(la_id)
    except Exception:  # noqa: BLE001, S110 - another process seeded it first (unique index); read theirs
        pass
    found = await _latest(la_id)
    if found is None:  # pragma: no cover - the seed failed for another reason
        raise RuntimeError(f"could not create a notice template for organisation {la_id}")
    return found


async def list_versions(la_id: int) -> list[TemplateVersion]:
    rows = (
        await NoticeTemplate.select(
            NoticeTemplate.id,
            NoticeTemplate.version,
            NoticeTemplate.note,
            NoticeTemplate.created_by.full_name.as_alias("author"),
            NoticeTemplate.created_at,
        )
        .where(NoticeTemplate.local_authority == la_id)
        .order_by(NoticeTemplate.version, ascending=False)
    )
    return [
        TemplateVersion(
            id=r["id"],
            version=r["version"],
            note=r["note"],
            created_by=r["author"] or "The service (default text)",
            created_at=r["created_at"],
        )
        for r in rows
    ]


async def save_version(
    la_id: int, body: str, note: str, *, actor: CurrentUser, client: str = ""
) -> tuple[int | None, dict[str, str]]:
    """Check the text, then store it as the LA's next version. Returns (version, field errors)."""
    body = body.replace("\r\n", "\n")
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = "Enter the notice text"
    else:
        problems = check_template(body)
        if problems:
            errors["body"] = problems[0]
    if len(note) > MAX_NOTE:
        errors["note"] = f"The description of the change must be {MAX_NOTE} characters or fewer"
    if errors:
        return None, errors
    await current_template(la_id)  # the default is version 1, so an edit is never mistaken for it
    async with transaction():
        latest = await _latest(la_id)
        assert latest is not None
        if latest["body"] == body:
            return None, {"body": "The notice text has not changed"}
        version = latest["version"] + 1
        row = NoticeTemplate(
            local_authority=la_id,
            version=version,
            body=body,
            note=note.strip(),
            created_by=actor.id,
            created_at=timekeeping.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="update",
            entity="notice_template",
            entity_id=f"{la_id}:{version}",
            summary=f"Notice template version {version} saved"
            + (f": {note.strip()}" if note.strip() else ""),
            before={"version": latest["version"]},
            after={"version": version, "note": note.strip()},
            client=client,
        )
    return version, {}


# Sample notices every template must render and say everything for (reg 32; regs 5(3), 10(3), 31(3)).
_SAMPLE_SENT = dt.date(2027, 6, 30)  # the adviser and appeal dates differ (August)
_SAMPLES = {
    "a final plan with health provision": ("plan_contents", "final", ["A", "B", "C", "F", "G", "I"]),
    "an amended plan changing section I only": ("plan_contents", "amended", ["I"]),
    "a refusal to assess": ("refuse_assessment", "", []),
    "a plan issuing health sections only": ("plan_contents", "final", ["C", "G"]),
}


def _sample_org(name: str, kind: str, contacts: dict[str, str]) -> OrganisationDetail:
    return OrganisationDetail(
        id=0, name=name, kind=kind, kind_label=kind, code="SAMPLE", email="", phone="", address="",
        website="", active=True, linked=[],
        contacts=[
            Contact(purpose=p, label=label, name=contacts.get(p, ""), email=f"{p}@sample.example" if p in
                    contacts else "", phone="", address="", website="")
            for p, label in CONTACT_LABELS.items()
        ],
    )  # fmt: skip


def sample_context(decision: str, plan_kind: str, sections: list[str]) -> dict[str, Any]:
    la = _sample_org(
        "Sample Council",
        "local_authority",
        {
            "mediation_adviser": "Sample Mediation Advice",
            "sendiass": "Sample SENDIASS",
            "disagreement_resolution": "Sample Resolution Service",
            "send_team": "Sample SEND Team",
        },
    )
    icb = _sample_org("Sample ICB", "icb", {"designated_officer": "Sample Designated Officer"})
    notice = NoticeInput(
        decision=decision, plan_kind=plan_kind, decision_date=_SAMPLE_SENT, sections=sections,
        child_name="Sample Child", child_date_of_birth=dt.date(2015, 1, 1), family_name="Sample Parent",
        family_email="parent@sample.example", postal_address="",
    )  # fmt: skip
    deadlines = notice_deadlines(decision, sections, _SAMPLE_SENT)
    return notice_context(
        notice, reference="DN-SAMPLE1", sent_on=_SAMPLE_SENT, la=la, icb=icb, deadlines=deadlines
    )


def check_template(source: str) -> list[str]:
    """Why this template cannot be used (empty when it can): it must render every sample and say what
    the law requires in each."""
    problems: list[str] = []
    for label, (decision, plan_kind, sections) in _SAMPLES.items():
        context = sample_context(decision, plan_kind, sections)
        try:
            text = to_text(render_body(source, context))
        except NoticeTemplateError as exc:
            return [str(exc)]
        deadlines = context["deadlines"]
        required = [
            ("Sample Mediation Advice", "the mediation adviser's contact details (reg 32(c))"),
            ("Sample SEND Team",
             "the contact details of the person acting for the local authority (reg 32(f))"),
            (day_date(deadlines["contact_mediation_adviser"]["due"]),
             "the date by which to contact the mediation adviser or ask for mediation (regs 32(d) and 33)"),
            ("certificate", "whether a mediation certificate is needed (reg 32(b))"),
            ("health care provision",
             "that the family must say what health care provision they want (reg 32(e))"),
            ("Sample SENDIASS", "the SEND information, advice and support service (reg 5(3)(d))"),
            ("Sample Resolution Service", "the disagreement resolution service (reg 5(3)(d))"),
        ]  # fmt: skip
        if deadlines["appeal"]:
            required.append((day_date(deadlines["appeal"]["due"]), "the appeal deadline (reg 5(3)(b))"))
        if context["routing"]["health_involved"]:
            required.append(("Sample ICB", "the integrated care board's role for health provision"))
        for needle, what in required:
            if needle.casefold() not in text.casefold():
                problems.append(
                    f"The notice must show {what}, but the sample notice for {label} does not (SEND "
                    "Regulations 2014)"
                )
    return problems
