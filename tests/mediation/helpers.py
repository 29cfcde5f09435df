"""A fresh little world per test: its own family, officers, mediation service, mediator, room and case,
so that bookings made by other tests never change what this test sees."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from mediation import timekeeping
from mediation.accounts.service import NewAccount, create_account, load_user
from mediation.advice.service import assign_service
from mediation.cases.commands import Matter, NewCase, create_case
from mediation.cases.model import Disagreement as Case
from mediation.cases.repository import load_case
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.identity import CurrentUser
from mediation.organisations.service import create_organisation
from mediation.organisations.tables import Organisation
from mediation.services.tables import MediatorProfile, Venue, WorkingHours
from tests.conftest import DEMO_PASSWORD


@dataclass
class World:
    reference: str
    case_id: int
    family: CurrentUser
    la: CurrentUser
    icb: CurrentUser
    mediator: CurrentUser
    profile_id: int
    venue_id: int
    service_id: int
    la_id: int
    icb_id: int

    async def case(self) -> Case:
        """The case as the service loads it, now."""
        return await load_case(self.case_id)

    async def row(self) -> dict[str, Any]:
        """The case's table row, for checking what was stored."""
        row = (
            await Disagreement.select().where(Disagreement.id == self.case_id).output(load_json=True).first()
        )
        assert row is not None
        return row

    async def clocks(self) -> dict[str, dict[str, Any]]:
        """rule -> the newest clock row of that rule."""
        rows = (
            await StatutoryClock.select()
            .where(StatutoryClock.disagreement == self.case_id)
            .order_by(StatutoryClock.id)
        )
        return {r["rule"]: r for r in rows}


async def person(role: str, org_id: int | None, name: str) -> CurrentUser:
    tag = secrets.token_hex(4)
    account = await create_account(
        NewAccount(
            email=f"{role}.{tag}@example.com",
            full_name=f"{name} {tag}",
            role=role,
            password=DEMO_PASSWORD,
            organisation_id=org_id,
            email_confirmed=True,
            family_relationship="parent_carer" if role == "family" else None,
        ),
        actor=None,
    )
    user = await load_user(account)
    assert user is not None
    return user


async def org_id(code: str) -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    return int(row["id"])


async def make_world(
    *,
    sections: tuple[str, ...] = ("B", "F"),
    decision: str = "plan_contents",
    wants_mediation: bool | None = True,
    accessibility: dict[str, str] | None = None,
    notice_days_ago: int = 10,
    contact_by: str = "email",
    hours: tuple[tuple[int, str, str], ...] = tuple((d, "09:00", "17:00") for d in range(5)),
) -> World:
    la_id, icb_id = await org_id("E06000042"), await org_id("QHG")
    tag = secrets.token_hex(3).upper()
    service_id = await create_organisation(
        name=f"Test Mediation {tag}", kind="mediation_service", code=f"TM{tag}", email=f"tm{tag}@example.com"
    )
    family = await person("family", None, "Pat Family")
    la = await person("la_coordinator", la_id, "Lee Officer")
    icb = await person("health_commissioner", icb_id, "Ira Health")
    mediator = await person("mediator", service_id, "Mo Mediator")
    now = dt.datetime.now(dt.UTC)
    profile = MediatorProfile(account=mediator.id, service=service_id, created_at=now, updated_at=now)
    await profile.save()
    if hours:
        await WorkingHours.insert(
            *[
                WorkingHours(
                    mediator=profile.id,
                    weekday=d,
                    starts=dt.time.fromisoformat(a),
                    ends=dt.time.fromisoformat(b),
                )
                for d, a, b in hours
            ]
        )
    venue = Venue(
        service=service_id,
        name=f"Room {tag}",
        address="1 Test Street, Milton Keynes",
        capacity=8,
        step_free=True,
        hearing_loop=False,
        quiet_room=True,
    )
    await venue.save()
    notice = timekeeping.today() - dt.timedelta(days=notice_days_ago)
    created = await create_case(
        NewCase(
            family_id=family.id,
            local_authority_id=la_id,
            child_name=f"Kit Child{tag}",
            child_date_of_birth=dt.date(2014, 5, 1),
            decision=decision,
            decision_notice_sent=notice,
            received_on=notice,  # received the day the notice went out, so any later event can be recorded
            matters=[
                Matter(section=s, disagreement_text=f"{s} is wrong", wanted_text=f"{s} put right")
                for s in sections
            ]
            if decision == "plan_contents"
            else [],
            health_provision_sought="Therapy" if {"C", "G"} & set(sections) else "",
            wants_mediation=wants_mediation,
            accessibility=accessibility or {},
            contact_by=contact_by,
            contact_email=family.email if contact_by == "email" else "",
            postal_address="1 Family Road\nMilton Keynes\nMK1 1AA" if contact_by == "post" else "",
        ),
        actor=None,
    )
    world = World(
        created.reference,
        created.id,
        family,
        la,
        icb,
        mediator,
        int(profile.id),
        int(venue.id),
        service_id,
        la_id,
        icb_id,
    )
    case = await world.case()
    if case.arranged_by is not None:  # no mediation on a disability discrimination claim
        await assign_service(case, service_id, actor=icb if case.health_only else la)
    return world


async def matrix_ids() -> dict[str, object]:
    """Rows on the demo case for the authorisation matrix: a cancelled session (it holds no time, so it
    blocks nobody) and a certificate, both inserted directly so the case's state does not move."""
    import hashlib

    from mediation.accounts.tables import Account
    from mediation.cases.tables import CaseDocument
    from mediation.certificates.tables import MediationCertificate
    from mediation.scheduling.tables import MediationSession
    from tests.test_authorisation_matrix import matrix_case

    reference = await matrix_case()
    case = (
        await Disagreement.select(Disagreement.id, Disagreement.mediation_service)
        .where(Disagreement.reference == reference)
        .first()
    )
    session = (
        await MediationSession.select(MediationSession.id)
        .where(MediationSession.uid == "matrix@test")
        .first()
    )
    if session is None:
        mediator = (
            await Account.select(Account.id)
            .where(Account.email == "mediator@independent-mediation.example")
            .first()
        )
        profile = (
            await MediatorProfile.select(MediatorProfile.id)
            .where(MediatorProfile.account == mediator["id"])
            .first()
        )
        now = dt.datetime.now(dt.UTC)
        if profile is None:
            row = MediatorProfile(
                account=mediator["id"], service=case["mediation_service"], created_at=now, updated_at=now
            )
            await row.save()
            profile = {"id": row.id}
        start = dt.datetime(2099, 1, 5, 10, tzinfo=dt.UTC)
        created = MediationSession(
            disagreement=case["id"],
            mediator=profile["id"],
            remote=True,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            status="cancelled",
            uid="matrix@test",
            created_at=now,
            updated_at=now,
        )
        await created.save()
        content = b"%PDF-1.4\n%matrix certificate\n%%EOF\n"
        document = CaseDocument(
            disagreement=case["id"],
            kind="mediation_certificate",
            filename="matrix-cert.pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_at=now,
        )
        await document.save()
        await MediationCertificate.insert(
            MediationCertificate(
                disagreement=case["id"],
                kind="after_mediation",
                number="MATRIX-1999-0001",
                service=case["mediation_service"],
                year=1999,
                sequence=1,
                issued_on=dt.date(1999, 1, 1),
                document=document.id,
                html="<h1>Mediation certificate</h1>",
                created_at=now,
            )
        )
        session = {"id": created.id}
    return {"msession": session["id"], "mcertificate": "MATRIX-1999-0001", "mpoll": await _matrix_poll(case)}


async def _matrix_poll(case: dict[str, Any]) -> int:
    """An open meeting poll on the matrix case with no times and nobody asked, inserted directly."""
    from mediation.accounts.tables import Account
    from mediation.polls.tables import MeetingPoll

    found = await MeetingPoll.select(MeetingPoll.id).where(MeetingPoll.disagreement == case["id"]).first()
    if found is not None:
        return int(found["id"])
    la = await Account.select(Account.id).where(Account.role == "la_coordinator").first()
    poll = MeetingPoll(
        disagreement=case["id"],
        plan={},
        slots=[],
        status="open",
        reply_by=dt.date(2099, 1, 1),
        created_by=la["id"],
        created_at=dt.datetime.now(dt.UTC),
    )
    await poll.save()
    return int(poll.id)
