"""A dedicated local authority and ICB with hand-counted clocks and case events (see `Fixture`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from mediation.accounts.service import NewAccount, create_account
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from mediation.organisations.service import create_organisation, link_la_to_icb
from tests.reminders.helpers import add_clock

PASSWORD = "Ledger-harbour-quince-2026"  # not the accounts' name ("Report Tester")
D = dt.date
MAY_1ST = D(2026, 5, 1)


@dataclasses.dataclass
class Fixture:
    la: int
    icb: int
    other_la: int
    coordinator: str
    icb_officer: str


async def _case(la: int, icb: int | None, family: int) -> int:
    now = dt.datetime.now(dt.UTC)
    row = Disagreement(
        reference=f"SM-{uuid.uuid4().hex[:8].upper()}",
        family=family,
        local_authority=la,
        icb=icb,
        child_name="Report Child",
        child_date_of_birth=D(2014, 5, 5),
        decision="plan_contents",
        decision_notice_sent=D(2026, 5, 1),
        state="lodged",
        created_at=now,
        updated_at=now,
    )
    await row.save()
    return int(row.id)


async def _event(case_id: int, action: str, at: dt.datetime) -> None:
    await AuditEvent.insert(
        AuditEvent(
            at=at, action=action, entity="disagreement", entity_id=str(case_id), disagreement_id=case_id
        )
    )


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


async def _account(email: str, role: str, org: int | None) -> int:
    return await create_account(
        NewAccount(
            email=email,
            full_name="Report Tester",
            role=role,
            password=PASSWORD,
            organisation_id=org,
            family_relationship="parent_carer" if role == "family" else None,
            email_confirmed=True,
        ),
        actor=None,
    )


@pytest.fixture(scope="session")
async def figures(app: object) -> Fixture:
    """Range 1 Jun to 31 Aug 2026 (British Summer Time: London midnight is 23:00 UTC the day before).

    Hand count for the LA: certificates 2 of 3 on time (Jun 1/1, Jul 1/2, Aug 0/0); mediations 1 of 2
    (Jun 1/1, Aug 0/1); deemed certificates 2 (Jul, Aug); agreements 2 (Jun, Aug); appeals after
    mediation 1 (Jul); orders 2 of 3 (Jun 1/1, Jul 1/1, Aug 0/1); open breaches 3 (LA 1, adviser 2).
    For the ICB (party to case B only): mediations 1 of 2, deemed 1, agreements 1, orders 0 of 1,
    breaches 1 (adviser 1), nothing else.
    """
    tag = uuid.uuid4().hex[:10]
    la = await create_organisation(name=f"Reportshire {tag}", kind="local_authority", code=f"RLA-{tag}")
    icb = await create_organisation(name=f"Reportshire ICB {tag}", kind="icb", code=f"RICB-{tag}")
    other = await create_organisation(name=f"Elsewhere {tag}", kind="local_authority", code=f"RLB-{tag}")
    await link_la_to_icb(la, icb)
    family = await _account(f"family-{tag}@reports.example", "family", None)
    coordinator = f"coordinator-{tag}@reports.example"
    officer = f"officer-{tag}@reports.example"
    await _account(coordinator, "la_coordinator", la)
    await _account(officer, "health_commissioner", icb)
    a, b, c = await _case(la, None, family), await _case(la, icb, family), await _case(la, None, family)
    elsewhere = await _case(other, None, family)

    async def clock(case, rule, due, *, started=MAY_1ST, stopped=None, status="met", actor="local_authority"):
        await add_clock(
            case, rule, due=due, started_on=started, actor=actor, status=status, stopped_on=stopped
        )

    # Certificates (stopped_on in range, met only).
    await clock(a, "certificate_after_decline", D(2026, 6, 4), stopped=D(2026, 6, 4))  # Jun, on time
    await clock(a, "certificate_after_mediation", D(2026, 7, 10), stopped=D(2026, 7, 13))  # Jul, late
    await clock(
        a, "certificate_unable_to_arrange", D(2026, 7, 23), started=D(2026, 7, 20), stopped=D(2026, 7, 22)
    )
    await clock(a, "certificate_after_decline", D(2026, 7, 1), stopped=D(2026, 7, 1), status="cancelled")
    await clock(a, "certificate_after_decline", D(2026, 5, 29), stopped=D(2026, 5, 29))  # before the range
    await clock(a, "certificate_after_decline", D(2026, 9, 1), stopped=D(2026, 9, 1))  # after the range
    await clock(elsewhere, "certificate_after_decline", D(2026, 6, 4), stopped=D(2026, 6, 4))  # another LA
    # Mediations.
    await clock(b, "mediation_held_by_la", D(2026, 6, 19), stopped=D(2026, 6, 19))  # Jun, on time
    await clock(b, "mediation_held_by_icb", D(2026, 8, 1), stopped=D(2026, 8, 5), actor="health_commissioner")
    # Deemed certificates: clocks started in range, whatever became of them.
    await clock(
        b,
        "certificate_unable_to_arrange",
        D(2026, 8, 13),
        started=D(2026, 8, 10),
        status="running",
        actor="mediation_adviser",
    )  # Aug; still running, so also an open breach
    # Agreements: each case once, in the month it first happened.
    await _event(a, "mediation_held.agreement", utc(2026, 5, 31, 23, 30))  # 00:30 on 1 Jun in London
    await clock(a, "agreement_non_appealable", D(2026, 6, 16), started=D(2026, 6, 2), status="running")
    await clock(b, "agreement_appealable", D(2026, 10, 5), started=D(2026, 8, 31), status="cancelled")
    await _event(c, "mediation_held.agreement", utc(2026, 8, 31, 23, 30))  # 00:30 on 1 Sep in London: out
    await _event(elsewhere, "mediation_held.agreement", utc(2026, 7, 1, 12))
    # Appeals after a mediation was held.
    await _event(a, "mediation_held.no_agreement", utc(2026, 6, 10, 10))
    await _event(a, "appeal_made", utc(2026, 7, 15, 10))  # Jul
    await _event(b, "appeal_made", utc(2026, 7, 1, 10))
    await _event(b, "mediation_held.no_agreement", utc(2026, 7, 2, 10))  # held after the appeal: not counted
    await _event(c, "mediation_held.no_agreement", utc(2026, 5, 1, 10))
    await _event(c, "appeal_made", utc(2026, 9, 2, 10))  # after the range
    # Tribunal orders and unopposed appeals.
    await clock(a, "order_amend_plan", D(2026, 7, 15), stopped=D(2026, 7, 15))  # Jul, on time
    await clock(b, "unopposed_section_i", D(2026, 8, 1), stopped=D(2026, 8, 2))  # Aug, late
    await clock(c, "order_cease", D(2026, 6, 10), stopped=D(2026, 6, 9))  # Jun, early
    # Open breaches today (the agreement clock on A above is running and past due too: LA).
    await clock(a, "certificate_after_decline", D(2026, 10, 1), status="running", actor="mediation_adviser")
    await clock(
        c, "appeal", D(2026, 10, 1), status="running", actor="family"
    )  # the family's own: not counted
    await clock(c, "order_issue_final_plan", D(2099, 1, 1), status="running")  # not yet due
    return Fixture(la, icb, other, coordinator, officer)
