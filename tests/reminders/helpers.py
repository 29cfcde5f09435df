"""A dedicated local authority (with its ICB, mediation service, contacts and staff) and cases with
clocks inserted at chosen dates, so the sweeps can be driven day by day without touching other data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from mediation.accounts.service import NewAccount, create_account
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.organisations.service import create_organisation, link_la_to_icb, save_contacts
from mediation.organisations.tables import OrganisationClosure

PASSWORD = "Reminder-test-password-2027"


@dataclasses.dataclass
class Place:
    tag: str
    la: int
    icb: int
    service: int
    coordinators: list[str]
    icb_officer: str
    mediator: str
    family: int
    family_email: str
    cases: list[int] = dataclasses.field(default_factory=list)

    def email(self, who: str) -> str:
        return f"{who}@{self.tag}.example"


async def _account(email: str, name: str, role: str, org: int | None) -> int:
    return await create_account(
        NewAccount(
            email=email,
            full_name=name,
            role=role,
            password=PASSWORD,
            organisation_id=org,
            family_relationship="parent_carer" if role == "family" else None,
            email_confirmed=True,
        ),
        actor=None,
    )


async def make_place(*, with_contacts: bool = True) -> Place:
    """A new LA, ICB and mediation service nobody else's tests use, each with its staff."""
    tag = f"rem{uuid.uuid4().hex[:10]}"
    domain = f"{tag}.example"
    la = await create_organisation(
        name=f"Testshire Council {tag}", kind="local_authority", code=f"LA-{tag}", email=f"council@{domain}"
    )
    icb = await create_organisation(name=f"Testshire ICB {tag}", kind="icb", code=f"ICB-{tag}")
    service = await create_organisation(
        name=f"Testshire Mediation {tag}", kind="mediation_service", code=f"MS-{tag}"
    )
    await link_la_to_icb(la, icb)
    if with_contacts:
        await save_contacts(
            la,
            {
                "send_team": {"name": "SEND Team", "email": f"send.team@{domain}"},
                "send_manager": {"name": "Head of SEND", "email": f"send.manager@{domain}"},
                "mediation_adviser": {"name": "Adviser line", "email": f"adviser@{domain}"},
            },
            actor=None,
        )
        await save_contacts(
            icb, {"designated_officer": {"name": "DCO", "email": f"dco@{domain}"}}, actor=None
        )
    coordinators = [f"coordinator1@{domain}", f"coordinator2@{domain}"]
    for n, email in enumerate(coordinators, 1):
        await _account(email, f"Coordinator {n}", "la_coordinator", la)
    await _account(f"officer@{domain}", "ICB Officer", "health_commissioner", icb)
    await _account(f"mediator@{domain}", "A Mediator", "mediator", service)
    family = await _account(f"parent@{domain}", "Pat Parent", "family", None)
    return Place(
        tag,
        la,
        icb,
        service,
        coordinators,
        f"officer@{domain}",
        f"mediator@{domain}",
        family,
        f"parent@{domain}",
    )


async def make_case(
    place: Place,
    *,
    child_name: str = "Morgan Example",
    icb: bool = False,
    service: bool = False,
    contact_by: str = "email",
    contact_email: str | None = None,
    postal_address: str = "",
) -> tuple[int, str]:
    now = dt.datetime.now(dt.UTC)
    reference = f"SM-{uuid.uuid4().hex[:8].upper()}"
    row = Disagreement(
        reference=reference,
        family=place.family,
        local_authority=place.la,
        icb=place.icb if icb else None,
        mediation_service=place.service if service else None,
        child_name=child_name,
        child_date_of_birth=dt.date(2015, 1, 1),
        decision="plan_contents",
        decision_notice_sent=dt.date(2027, 1, 4),
        sections="B,F",
        scope="education",
        arranged_by="local_authority",
        state="lodged",
        created_at=now,
        updated_at=now,
        contact_by=contact_by,
        contact_email=place.family_email if contact_email is None else contact_email,
        postal_address=postal_address,
    )
    await row.save()
    place.cases.append(int(row.id))
    return int(row.id), reference


async def add_clock(
    case_id: int,
    rule: str,
    *,
    due: dt.date,
    started_on: dt.date,
    actor: str = "local_authority",
    status: str = "running",
    stopped_on: dt.date | None = None,
    version: int = 1,
    citation: str = "SEND Regulations 2014 reg 37",
) -> int:
    now = dt.datetime.now(dt.UTC)
    row = StatutoryClock(
        disagreement=case_id,
        rule=rule,
        actor=actor,
        started_on=started_on,
        due=due,
        status=status,
        citation=citation,
        rule_status="S",
        explanation=[],
        started_by="test",
        stopped_on=stopped_on,
        version=version,
        created_at=now,
        updated_at=now,
    )
    await row.save()
    return int(row.id)


async def add_closure(org: int, day: dt.date, reason: str = "Council closure day") -> None:
    await OrganisationClosure.insert(OrganisationClosure(organisation=org, day=day, reason=reason))


async def cases_owed_reminders(place: Place, n: int) -> list[int]:
    """n cases each owed a 2-day reminder on Wed 24 Mar 2027 (3 recipients), and every other case an
    overdue clock (1 escalation)."""
    d = dt.date
    ids = []
    for i in range(n):
        case_id, _ = await make_case(place)
        ids.append(case_id)
        await add_clock(case_id, "mediation_held_by_la", due=d(2027, 3, 30), started_on=d(2027, 3, 1))
        if i % 2 == 0:
            await add_clock(case_id, "order_amend_plan", due=d(2027, 3, 18), started_on=d(2027, 2, 11))
    return ids
