"""Children's data: each kind of user sees exactly the cases the access rule allows, in pages and API."""

import datetime as dt

import pytest

from mediation.accounts.service import NewAccount, create_account
from mediation.accounts.tables import Account
from mediation.cases.commands import NewCase, create_case
from mediation.cases.tables import Disagreement
from mediation.organisations.service import create_organisation
from tests.conftest import DEMO_EMAILS, DEMO_PASSWORD, client_as, sign_in

pytestmark = pytest.mark.anyio


async def _refs(client) -> set[str]:
    response = await client.get("/api/v1/cases")
    assert response.status_code == 200
    return {c["reference"] for c in response.json()}


async def _demo_cases() -> dict[str, str]:
    rows = await Disagreement.select(Disagreement.child_name, Disagreement.reference)
    return {r["child_name"]: r["reference"] for r in rows}


async def test_a_family_sees_only_its_own_cases(app):
    cases = await _demo_cases()
    family = await client_as(app, "family")
    other = await client_as(app, "other_family")
    assert {cases["Jamie Taylor"], cases["Robin Taylor"]} <= await _refs(family)
    assert cases["Casey Morgan"] not in await _refs(family)
    other_refs = await _refs(other)
    assert cases["Casey Morgan"] in other_refs
    assert not {cases["Jamie Taylor"], cases["Robin Taylor"]} & other_refs
    for path in (f"/cases/{cases['Jamie Taylor']}", f"/api/v1/cases/{cases['Jamie Taylor']}"):
        assert (await other.get(path)).status_code == 404
    await family.aclose()
    await other.aclose()


async def test_a_refused_case_looks_exactly_like_a_missing_one(app):
    cases = await _demo_cases()
    other = await client_as(app, "other_family")
    denied = await other.get(f"/api/v1/cases/{cases['Jamie Taylor']}")
    missing = await other.get("/api/v1/cases/SM-00000000")
    assert denied.status_code == missing.status_code == 404
    assert denied.json() == missing.json()
    await other.aclose()


async def test_the_icb_sees_only_cases_where_it_is_a_party(app):
    cases = await _demo_cases()
    icb = await client_as(app, "health_commissioner")
    visible = await _refs(icb)
    assert cases["Jamie Taylor"] in visible  # mixed: section G brings the ICB in
    assert cases["Casey Morgan"] in visible  # health only: the ICB arranges it
    assert cases["Robin Taylor"] not in visible  # refusal to assess: education only
    assert (await icb.get(f"/cases/{cases['Robin Taylor']}")).status_code == 404
    await icb.aclose()


async def test_a_mediator_sees_only_cases_assigned_to_their_service(app):
    # Other tests assign more cases to the demo service: compare with what the database says is assigned.
    service = (
        await Account.select(Account.organisation).where(Account.email == DEMO_EMAILS["mediator"]).first()
    )["organisation"]
    rows = await Disagreement.select(Disagreement.reference, Disagreement.mediation_service)
    assigned = {r["reference"] for r in rows if r["mediation_service"] == service}
    others = {r["reference"] for r in rows} - assigned
    assert assigned and others and len(assigned) < 200  # one page holds them all
    mediator = await client_as(app, "mediator")
    response = await mediator.get("/api/v1/cases", params={"limit": 200})
    assert response.status_code == 200, response.text
    assert {c["reference"] for c in response.json()} == assigned
    await mediator.aclose()


async def test_an_admin_manages_reference_data_but_sees_no_cases(app):
    cases = await _demo_cases()
    admin = await client_as(app, "admin")
    assert await _refs(admin) == set()
    # Refused for every reference alike (admins may view no case), so nothing about the case leaks.
    assert (await admin.get(f"/cases/{cases['Jamie Taylor']}")).status_code == 403
    assert (await admin.get("/cases/SM-00000000")).status_code == 403
    await admin.aclose()


async def test_staff_of_another_local_authority_see_none_of_this_authoritys_cases(app, client):
    other_la = await create_organisation(
        name="Bedford Borough Council", kind="local_authority", code="E06000055"
    )
    await create_account(
        NewAccount(
            email="coordinator@bedford.example",
            full_name="Lee Chan",
            role="la_coordinator",
            password=DEMO_PASSWORD,
            organisation_id=other_la,
            email_confirmed=True,
        ),
        actor=None,
    )
    await sign_in(client, "coordinator@bedford.example")
    assert await _refs(client) == set()
    cases = await _demo_cases()
    assert (await client.get(f"/cases/{cases['Jamie Taylor']}")).status_code == 404

    own = (
        await create_case(
            NewCase(
                family_id=(await _account_id(DEMO_EMAILS["other_family"])),
                local_authority_id=other_la,
                child_name="Ellis Morgan",
                child_date_of_birth=dt.date(2016, 1, 5),
                decision="refuse_plan",
                decision_notice_sent=dt.date(2026, 11, 2),
            ),
            actor=None,
        )
    ).reference
    assert await _refs(client) == {own}
    la = await client_as(app, "la_coordinator")
    assert own not in await _refs(la)
    await la.aclose()


async def _account_id(email: str) -> int:
    from mediation.accounts.tables import Account

    row = await Account.select(Account.id).where(Account.email == email).first()
    return row["id"]


async def test_case_lists_are_ordered_by_the_nearest_deadline(app):
    la = await client_as(app, "la_coordinator")
    response = await la.get("/api/v1/cases")
    dates = [c["next_due_date"] for c in response.json()]
    due = [d for d in dates if d is not None]
    assert due == sorted(due) and dates == due + [None] * (len(dates) - len(due))  # nothing due: last
    await la.aclose()
