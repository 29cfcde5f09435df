"""Cases, people and appeals for the tribunal tests, made through the same services the pages use."""

from __future__ import annotations

import datetime as dt
import hashlib

from mediation.accounts.service import NewAccount, create_account, load_user
from mediation.accounts.tables import Account
from mediation.cases.commands import Matter, NewCase, create_case
from mediation.cases.model import Disagreement as Case
from mediation.cases.repository import load_case
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.identity import CurrentUser
from mediation.organisations.service import create_organisation, link_la_to_icb
from mediation.organisations.tables import Organisation
from mediation.tribunal.commands import record_appeal
from mediation.tribunal.duties import record_recommendation
from mediation.tribunal.schemas import AppealInput, RecommendationInput
from mediation.tribunal.tables import TribunalObligation
from tests.conftest import DEMO_EMAILS, DEMO_PASSWORD

D = dt.date


async def org_id(code: str) -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    return int(row["id"])


async def person(role_or_email: str) -> CurrentUser:
    email = DEMO_EMAILS.get(role_or_email, role_or_email)
    row = await Account.select(Account.id).where(Account.email == email).first()
    user = await load_user(row["id"])
    assert user is not None
    return user


async def other_bodies() -> dict[str, str]:
    """A second LA with its own ICB and staff, for 'another body cannot see it' tests (made once)."""
    emails = {"la": "coordinator@other-la.example", "icb": "commissioner@other-icb.example"}
    if await Organisation.exists().where(Organisation.code == "E09TRIB"):
        return emails
    la = await create_organisation(name="Other Borough Council", kind="local_authority", code="E09TRIB")
    icb = await create_organisation(name="Other Integrated Care Board", kind="icb", code="QTRIB")
    await link_la_to_icb(la, icb)
    for email, name, role, org in (
        (emails["la"], "Other Coordinator", "la_coordinator", la),
        (emails["icb"], "Other Commissioner", "health_commissioner", icb),
    ):
        await create_account(
            NewAccount(
                email=email,
                full_name=name,
                role=role,
                password=DEMO_PASSWORD,
                organisation_id=org,
                email_confirmed=True,
            ),
            actor=None,
        )
    return emails


def child(label: str) -> str:
    """A made-up one-word child's name from a test label: real words ("Tribunal", "Order") could clash with
    notification subjects, which must never contain a child's name."""
    return "Xq" + hashlib.sha1(label.encode()).hexdigest()[:10]  # noqa: S324 - a name, not security


async def make_case(
    label: str,
    *,
    decision: str = "plan_contents",
    sections: tuple[str, ...] = ("B", "F"),
    notice: dt.date | None = None,
    service: bool = False,
) -> Case:
    """A case for the demo family at the demo LA; `sections` with C or G make the ICB a party. It was
    received the day the notice was sent, so the tests can date events from then on."""
    family = await person("family")
    la = await org_id("E06000042")
    matters = [Matter(section=s, disagreement_text="x", wanted_text="y") for s in sections]
    sent = notice or D(2026, 6, 1)
    return await create_case(
        NewCase(
            family_id=family.id,
            local_authority_id=la,
            child_name=child(label),
            child_date_of_birth=D(2015, 1, 1),
            decision=decision,
            decision_notice_sent=sent,
            received_on=sent,
            matters=matters if decision == "plan_contents" else [],
            wants_mediation=False,
            contact_email="family@example.com",
            mediation_service_id=await org_id("IMS-DEMO") if service else None,
        ),
        actor=None,
    )


async def case_row(case_id: int) -> dict:
    """The case's table row, for checking what was stored."""
    return await Disagreement.select().where(Disagreement.id == case_id).output(load_json=True).first()


async def fresh(case: Case) -> Case:
    return await load_case(case.id)


async def appealed_case(label: str, *, lodged: dt.date | None = None, **kwargs) -> Case:
    case = await make_case(label, **kwargs)
    lodged = lodged or D(2026, 7, 1)
    sections = [s for s in case.sections if s in ("B", "F", "I")]
    matters = sections if case.decision == "plan_contents" else [case.decision]
    return await record_appeal(
        case,
        AppealInput(lodged_on=lodged, matters=matters, certificate_issued_on=lodged - dt.timedelta(days=7)),
        actor=await person("la_coordinator"),
    )


async def clocks(case_id: int, rule_prefix: str = "") -> dict[str, dict]:
    rows = (
        await StatutoryClock.select()
        .where(StatutoryClock.disagreement == case_id)
        .order_by(StatutoryClock.id)
        .output(load_json=True)
    )
    return {r["rule"]: r for r in rows if r["rule"].startswith(rule_prefix)}


async def duties(case_id: int) -> list[dict]:
    return (
        await TribunalObligation.select()
        .where(TribunalObligation.disagreement == case_id)
        .order_by(TribunalObligation.id)
    )


async def matrix_ids() -> dict[str, object]:
    """The authorisation matrix's tribunal case: appealed, with a recommendation to the demo ICB."""
    row = (
        await Disagreement.select(Disagreement.id, Disagreement.reference)
        .where(Disagreement.child_name == child("Matrix Tribunal"))
        .first()
    )
    if row is None:
        case = await appealed_case(
            "Matrix Tribunal",
            sections=("B", "F", "G"),
            notice=D(2026, 9, 1),
            lodged=D(2026, 10, 1),
            service=True,
        )
        await record_recommendation(
            case,
            RecommendationInput(
                body="health", sections=["G"], details="Review therapy termly.", made_on=D(2026, 11, 2)
            ),
            actor=await person("la_coordinator"),
        )
        row = {"id": case.id, "reference": case.reference}
    duty = (
        await TribunalObligation.select(TribunalObligation.id)
        .where(TribunalObligation.disagreement == row["id"])
        .first()
    )
    return {"tcase": row["reference"], "tduty": duty["id"]}
