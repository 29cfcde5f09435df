"""Each LA's notice fields: versions that are never changed, the first made from the LA's record.

Versions saved before notices were built from fields hold free text (`body`, `fields` empty): they stay
in the history for the record and are never rendered again. An LA whose newest version is one of them
gets a fields version made from its record the first time its notices are needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.db import is_unique_violation, transaction
from mediation.errors import Conflict, Invalid, NotFound
from mediation.identity import CurrentUser
from mediation.notices.content import NoticeInput, missing_contacts, notice_context, notice_deadlines
from mediation.notices.fields import changed, default_fields, stored, validate_fields
from mediation.notices.tables import NoticeTemplate
from mediation.organisations.service import (
    CONTACT_LABELS,
    Contact,
    OrganisationDetail,
    get_organisation,
    icb_for_la,
)
from mediation.organisations.tables import Organisation

MAX_NOTE = 300
FIRST_NOTE = "The service's default notice fields, from the council's record"
MOVED_NOTE = "Notices are now built from fields: earlier free-text versions are kept but no longer used"


class TemplateVersion(msgspec.Struct):
    id: int
    version: int
    note: str
    changed: list[str]  # the labels of the fields this version changed; empty for a free-text version
    free_text: bool  # saved before notices were built from fields: shown, never used
    created_by: str
    created_at: dt.datetime


async def _latest(la_id: int) -> dict[str, Any] | None:
    return (
        await NoticeTemplate.select(NoticeTemplate.id, NoticeTemplate.version, NoticeTemplate.fields)
        .where(NoticeTemplate.local_authority == la_id)
        .order_by(NoticeTemplate.version, ascending=False)
        .output(load_json=True)
        .first()
    )


async def _add_version(
    la_id: int,
    version: int,
    fields: dict[str, str],
    note: str,
    *,
    actor: CurrentUser | None,
    before: dict[str, Any] | None,
    client: str = "",
) -> None:
    """Store a version and its audit entry; call inside a transaction."""
    row = NoticeTemplate(
        local_authority=la_id,
        version=version,
        body="",
        fields=fields,
        note=note,
        created_by=actor.id if actor else None,
        created_at=timekeeping.now(),
    )
    await row.save()
    await audit.record(
        actor=actor,
        action="update" if actor else "create",
        entity="notice_template",
        entity_id=f"{la_id}:{version}",
        summary=f"Notice fields version {version} saved" + (f": {note}" if note else ""),
        before=before,
        after={"version": version, "note": note, "changed": changed(before and before.get("fields"), fields)},
        client=client,
    )


async def seed_fields(la_id: int, fields: dict[str, str] | None = None) -> None:
    """Give the LA a fields version if its newest version is not one: `fields`, or the defaults from its
    record. Safe to call at the same time from two requests (one version number per LA)."""
    try:
        async with transaction():
            latest = await _latest(la_id)
            if latest is not None and latest["fields"] is not None:
                return
            if fields is None:
                la = await get_organisation(la_id)
                if la is None:
                    raise NotFound("Local authority not found")
                fields = default_fields(la)
            fields, errors = validate_fields(fields)
            if errors:
                raise Invalid(errors)
            await _add_version(
                la_id,
                (latest["version"] if latest else 0) + 1,
                fields,
                MOVED_NOTE if latest else FIRST_NOTE,
                actor=None,
                before={"version": latest["version"]} if latest else None,
            )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # Another request made it first; theirs stands.


async def current_template(la_id: int) -> dict[str, Any]:
    """The LA's newest fields version ({id, version, fields}), made from its record on first use."""
    found = await _latest(la_id)
    if found is None or found["fields"] is None:
        await seed_fields(la_id)
        found = await _latest(la_id)
    if found is None or found["fields"] is None:  # pragma: no cover - the seed failed for another reason
        raise RuntimeError(f"could not create notice fields for organisation {la_id}")
    return {**found, "fields": stored(found["fields"])}


async def list_versions(la_id: int) -> list[TemplateVersion]:
    rows = (
        await NoticeTemplate.select(
            NoticeTemplate.id,
            NoticeTemplate.version,
            NoticeTemplate.note,
            NoticeTemplate.fields,
            NoticeTemplate.created_by.full_name.as_alias("author"),
            NoticeTemplate.created_at,
        )
        .where(NoticeTemplate.local_authority == la_id)
        .order_by(NoticeTemplate.version)
        .output(load_json=True)
    )
    versions = []
    previous: dict[str, Any] | None = None
    for r in rows:
        free_text = r["fields"] is None
        versions.append(
            TemplateVersion(
                id=r["id"],
                version=r["version"],
                note=r["note"],
                changed=[] if free_text else changed(previous, r["fields"]),
                free_text=free_text,
                created_by=r["author"] or "The service",
                created_at=r["created_at"],
            )
        )
        previous = None if free_text else r["fields"]
    return versions[::-1]


async def save_version(
    la_id: int,
    values: dict[str, str],
    note: str,
    *,
    actor: CurrentUser,
    based_on: int | None = None,
    client: str = "",
) -> int:
    """Check the fields, then store them as the LA's next version; raises Invalid with field errors, and
    Conflict if someone saved a version after `based_on` (the one the editor started from), so neither
    editor's changes are lost without them seeing it."""
    fields, errors = validate_fields(values)
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        errors["note"] = f"What you changed must be {MAX_NOTE} characters or fewer"
    if errors:
        raise Invalid(errors)
    await current_template(la_id)  # version 1 is the default, so an edit is never taken for it
    try:
        async with transaction():
            latest = await _latest(la_id)
            assert latest is not None and latest["fields"] is not None
            if based_on is not None and latest["version"] != based_on:
                raise Conflict(
                    f"Version {latest['version']} was saved after you started editing version {based_on}. "
                    "Check its changes in the version history, then save yours again"
                )
            if stored(latest["fields"]) == fields:
                raise Invalid("You have not changed any of the notice fields")
            version = latest["version"] + 1
            await _add_version(
                la_id, version, fields, note, actor=actor,
                before={"version": latest["version"], "fields": stored(latest["fields"])}, client=client,
            )  # fmt: skip
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        raise Conflict("Someone else saved the fields at the same moment: check them and save again") from exc
    return version


# Sample notices: the preview shows the first; tests check the fixed text says everything reg 32 (and regs
# 5(3), 10(3), 31(3)) requires in each.
_SAMPLE_SENT = dt.date(2027, 6, 30)  # the adviser and appeal dates differ (August)
SAMPLES = {
    "a final plan with health provision": ("plan_contents", "final", ["A", "B", "C", "F", "G", "I"]),
    "an amended plan changing section I only": ("plan_contents", "amended", ["I"]),
    "a refusal to assess": ("refuse_assessment", "", []),
    "a plan issuing health sections only": ("plan_contents", "final", ["C", "G"]),
}
PREVIEW_SAMPLE = SAMPLES["a final plan with health provision"]


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


def sample_context(
    decision: str,
    plan_kind: str,
    sections: list[str],
    *,
    la: OrganisationDetail | None = None,
    icb: OrganisationDetail | None = None,
) -> dict[str, Any]:
    """The data of a sample notice (a sample child, sent on a fixed day), for `la` or a sample council."""
    if la is not None:
        return _sample_notice(decision, plan_kind, sections, la, icb)
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
    return _sample_notice(decision, plan_kind, sections, la, icb)


def _sample_notice(
    decision: str,
    plan_kind: str,
    sections: list[str],
    la: OrganisationDetail,
    icb: OrganisationDetail | None,
) -> dict[str, Any]:
    notice = NoticeInput(
        decision=decision, plan_kind=plan_kind, decision_date=_SAMPLE_SENT, sections=sections,
        child_name="Sample Child", child_date_of_birth=dt.date(2015, 1, 1), family_name="Sample Parent",
        family_email="parent@sample.example", postal_address="",
    )  # fmt: skip
    deadlines = notice_deadlines(decision, sections, _SAMPLE_SENT)
    return notice_context(
        notice, reference="DN-SAMPLE1", sent_on=_SAMPLE_SENT, la=la, icb=icb, deadlines=deadlines
    )


async def preview_context(la_id: int) -> tuple[dict[str, Any], list[str]]:
    """A sample notice from the LA's own record (its contacts and ICB) for a sample child, and what the
    record lacks; with gaps, the sample council's contacts stand in so the preview still shows."""
    la = await get_organisation(la_id)
    missing = missing_contacts(la) if la is not None else ["a record"]
    icb_id = await icb_for_la(la_id)
    icb = await get_organisation(icb_id) if icb_id else None
    return sample_context(*PREVIEW_SAMPLE, la=None if missing else la, icb=icb), missing


async def local_authority(la_id: int) -> dict[str, Any] | None:
    """The LA's id and name, or None when the id is not a local authority."""
    return (
        await Organisation.select(Organisation.id, Organisation.name)
        .where((Organisation.id == la_id) & (Organisation.kind == "local_authority"))
        .first()
    )


async def template_version_row(la_id: int, version: int) -> dict[str, Any] | None:
    """One saved version of an LA's notice text, with its author's name."""
    return (
        await NoticeTemplate.select(
            NoticeTemplate.version,
            NoticeTemplate.body,
            NoticeTemplate.fields,
            NoticeTemplate.note,
            NoticeTemplate.created_at,
            NoticeTemplate.created_by.full_name.as_alias("author"),
        )
        .where((NoticeTemplate.local_authority == la_id) & (NoticeTemplate.version == version))
        .output(load_json=True)
        .first()
    )
