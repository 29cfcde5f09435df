"""A merger under a running service (ICBs went from 42 to 36 on 1 April 2026): ICB A ends on 31 March with
B as its successor. New cases go to B; open cases pass to B from 1 April through the case-events write
path (B's officers see them, owe their running clocks and open duties); closed cases keep A."""

from __future__ import annotations

import datetime as dt
import secrets

import httpx
import pytest

from mediation import access
from mediation.advice.service import notify_icb
from mediation.audit.tables import AuditEvent
from mediation.cases.commands import Matter, NewCase, close_case, create_case, withdraw_case
from mediation.cases.repository import find_case, load_case
from mediation.cases.succession import apply_successions
from mediation.clocks.tables import StatutoryClock
from mediation.organisations.service import (
    OrganisationInput,
    add_link,
    create_organisation,
    edit_organisation,
    end_link,
    icb_for_la,
    links_of,
)
from mediation.organisations.tables import Organisation
from mediation.timekeeping import use_clock
from tests.conftest import sign_in
from tests.mediation.helpers import person

pytestmark = pytest.mark.anyio

LAST_DAY_OF_A = dt.date(2026, 3, 31)
FIRST_DAY_OF_B = dt.date(2026, 4, 1)


async def free_code(prefix: str, length: int) -> str:
    """A code in the official format that no organisation of this run has yet."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789" if prefix == "Q" else "0123456789"
    while True:
        code = prefix + "".join(secrets.choice(alphabet) for _ in range(length))
        if not await Organisation.exists().where(Organisation.code == code):
            return code


async def _merger_world():  # type: ignore[no-untyped-def]
    tag = secrets.token_hex(3).upper()
    la = await create_organisation(name=f"Mergeshire {tag}", kind="local_authority", code=f"MLA{tag}")
    a = await create_organisation(name=f"ICB A {tag}", kind="icb", code=f"MA{tag}")
    b = await create_organisation(name=f"ICB B {tag}", kind="icb", code=f"MB{tag}")
    # X is linked to A until 31 March and to B from 1 April; A ends on 31 March with B as its successor.
    with use_clock(dt.date(2026, 1, 5)):
        assert await add_link(la, a, None, None, actor=None) == {}
        [link] = await links_of(la)
        assert await end_link(la, link.id, LAST_DAY_OF_A, actor=None) == {}
        assert await add_link(la, b, FIRST_DAY_OF_B, None, actor=None) == {}
        data = OrganisationInput(
            kind="icb",
            name=f"ICB A {tag}",
            code=await free_code("Q", 2),
            valid_to=LAST_DAY_OF_A,
            successor_id=b,
        )
        assert await edit_organisation(a, data, actor=None) == {}
    family = await person("family", None, "Pat Merger")
    return tag, la, a, b, family


def _new_case(family_id: int, la: int, notice: dt.date, sections: tuple[str, ...]) -> NewCase:
    return NewCase(
        family_id=family_id,
        local_authority_id=la,
        child_name=f"Kit Merger{secrets.token_hex(2)}",
        child_date_of_birth=dt.date(2014, 5, 1),
        decision="plan_contents",
        decision_notice_sent=notice,
        received_on=notice,
        matters=[Matter(section=s, disagreement_text="wrong", wanted_text="right") for s in sections],
        health_provision_sought="Therapy",
        wants_mediation=True,
        contact_email="family@example.com",
    )


async def test_a_merger_moves_new_and_open_cases_to_the_successor_and_leaves_closed_ones(app):
    _tag, la, a, b, family = await _merger_world()
    a_officer = await person("health_commissioner", a, "Ada Aofficer")
    b_officer = await person("health_commissioner", b, "Bea Bofficer")
    la_officer = await person("la_coordinator", la, "Lee Mergeofficer")
    with use_clock(dt.date(2026, 3, 20)):
        assert await icb_for_la(la) == a
        # A health-only case: the ICB arranges mediation and owes its clocks.
        open_case = await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("G",)), actor=None)
        open_case = await notify_icb(open_case, notified_on=dt.date(2026, 3, 18), actor=la_officer)
        ended = await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("B", "G")), actor=None)
        ended = await withdraw_case(ended, "The family settled it", actor=la_officer)
        ended = await close_case(ended, "Withdrawn", actor=la_officer)
    assert open_case.icb_id == a and ended.icb_id == a
    icb_clocks = [c.rule for c in open_case.running_clocks if c.actor == "health_commissioner"]
    assert icb_clocks, open_case.running_clocks

    with use_clock(dt.date(2026, 4, 2)):
        # A case lodged on 2 April with X goes to B: the link of the day, and A no longer exists.
        assert await icb_for_la(la) == b
        new_case = await create_case(_new_case(family.id, la, dt.date(2026, 3, 30), ("G",)), actor=None)
        assert new_case.icb_id == b
        # Before the sweep, the open case still names A and the lifecycle says a succession is due.
        assert "succeeded" in (await load_case(open_case.id)).allowed_events
        report = await apply_successions()
        assert report.passed >= 1  # other tests' mergers may have open cases too
        moved = await load_case(open_case.id)
        assert moved.icb_id == b
        assert moved.successions == ()
        # B's officers see it in their queue and owe its running clocks; A's no longer see it.
        assert await find_case(b_officer, open_case.reference) is not None
        assert await find_case(a_officer, open_case.reference) is None
        for rule in icb_clocks:
            assert access.may(b_officer, "duty_done", moved, rule)
        # The clocks themselves carry on unchanged (same due dates, still running).
        running = await StatutoryClock.select(StatutoryClock.rule, StatutoryClock.status).where(
            StatutoryClock.disagreement == open_case.id
        )
        assert {r["rule"] for r in running if r["status"] == "running"} >= set(icb_clocks)
        # The closed case keeps the body responsible when it was lodged.
        assert (await load_case(ended.id)).icb_id == a
        # Running it again (another process, the next hour) changes nothing.
        again = await apply_successions()
        assert again.passed == 0

    log = (
        await AuditEvent.select()
        .where((AuditEvent.disagreement_id == open_case.id) & (AuditEvent.action == "succeeded"))
        .output(load_json=True)
    )
    assert len(log) == 1
    assert log[0]["after"]["on"] == "2026-04-01"
    assert log[0]["before"] == {"icb": a}
    assert "to ICB B" in log[0]["summary"] and "1 April 2026" in log[0]["summary"]
    # B's officer reads the case and its history; the family's timeline says who answers for it now.
    for who in (b_officer, family):
        browser = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver.local",
            follow_redirects=False,
        )
        await sign_in(browser, who.email)
        page = await browser.get(f"/cases/{open_case.reference}")
        assert page.status_code == 200
        assert "Responsibility passed from ICB A" in page.text, who.role
        await browser.aclose()


async def test_a_second_run_racing_the_first_finds_nothing_left(app):
    """Two processes load the case before either records: the second is refused under the lock."""
    from mediation.cases.succession import pass_to_successors
    from mediation.errors import Conflict

    _tag, la, a, b, family = await _merger_world()
    with use_clock(dt.date(2026, 3, 20)):
        case = await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("G",)), actor=None)
    with use_clock(dt.date(2026, 4, 3)):
        seen_by_first = await load_case(case.id)
        seen_by_second = await load_case(case.id)
        await pass_to_successors(seen_by_first, actor=None)
        with pytest.raises(Conflict):
            await pass_to_successors(seen_by_second, actor=None)
        assert (await load_case(case.id)).icb_id == b
    count = await AuditEvent.count().where(
        (AuditEvent.disagreement_id == case.id) & (AuditEvent.action == "succeeded")
    )
    assert count == 1


async def test_before_the_successor_s_first_day_nothing_moves(app):
    _tag, la, a, _b, family = await _merger_world()
    with use_clock(dt.date(2026, 3, 20)):
        case = await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("G",)), actor=None)
    with use_clock(LAST_DAY_OF_A):
        assert "succeeded" not in (await load_case(case.id)).allowed_events
        await apply_successions()
        assert (await load_case(case.id)).icb_id == a


async def test_a_council_that_has_ended_is_not_offered_and_its_new_cases_go_to_its_successor(app):
    """Councils are reorganised (Surrey into two councils in April 2027): the old one takes no new case."""
    from mediation.advice.service import mediation_services
    from mediation.lodging.service import local_authorities

    tag = secrets.token_hex(3).upper()
    old = await create_organisation(name=f"Oldshire {tag}", kind="local_authority", code=f"OLD{tag}")
    new = await create_organisation(name=f"Newshire {tag}", kind="local_authority", code=f"NEW{tag}")
    service = await create_organisation(
        name=f"Old Mediation {tag}", kind="mediation_service", code=f"OM{tag}"
    )
    await Organisation.update(
        {Organisation.valid_to: dt.date(2027, 3, 31), Organisation.successor: new}
    ).where(Organisation.id == old)
    await Organisation.update({Organisation.valid_to: dt.date(2027, 3, 31)}).where(Organisation.id == service)
    family = await person("family", None, "Pat Reorganised")
    with use_clock(dt.date(2027, 3, 31)):
        assert old in {r["id"] for r in await local_authorities()}
        assert service in {r["id"] for r in await mediation_services()}
    with use_clock(dt.date(2027, 4, 1)):
        offered = {r["id"] for r in await local_authorities()}
        assert old not in offered and new in offered
        assert service not in {r["id"] for r in await mediation_services()}
        # A client that still sends the old council (the API by code, a draft started before) lodges with
        # the successor.
        case = await create_case(_new_case(family.id, old, dt.date(2027, 3, 29), ("B",)), actor=None)
        assert case.local_authority_id == new


async def test_an_open_tribunal_duty_owed_by_the_old_icb_passes_to_the_successor(app):
    from mediation.tribunal.commands import record_appeal
    from mediation.tribunal.duties import record_recommendation
    from mediation.tribunal.schemas import AppealInput, RecommendationInput
    from mediation.tribunal.tables import TribunalObligation

    _tag, la, a, b, family = await _merger_world()
    la_officer = await person("la_coordinator", la, "Lee Tribunalofficer")
    with use_clock(dt.date(2026, 3, 20)):
        case = await create_case(_new_case(family.id, la, dt.date(2026, 1, 20), ("B", "F", "G")), actor=None)
        case = await record_appeal(
            case,
            AppealInput(
                lodged_on=dt.date(2026, 2, 10), matters=["B", "F"], certificate_issued_on=dt.date(2026, 2, 3)
            ),
            actor=la_officer,
        )
        case = await record_recommendation(
            case,
            RecommendationInput(
                body="health", sections=["G"], details="Review therapy.", made_on=dt.date(2026, 3, 10)
            ),
            actor=la_officer,
        )
    duty = await TribunalObligation.select().where(TribunalObligation.disagreement == case.id).first()
    assert duty["owed_by"] == a and duty["status"] == "open"
    with use_clock(dt.date(2026, 4, 2)):
        assert (await apply_successions()).passed >= 1
    moved = await TribunalObligation.select().where(TribunalObligation.id == duty["id"]).first()
    assert moved["owed_by"] == b and moved["due"] == duty["due"]


async def test_two_sweeps_at_once_pass_each_case_once(app):
    """Two scheduler processes (or the job and an admin's button) at the same moment."""
    import anyio

    _tag, la, _a, b, family = await _merger_world()
    with use_clock(dt.date(2026, 3, 20)):
        cases = [
            await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("G",)), actor=None)
            for _ in range(3)
        ]
    reports = []

    async def sweep() -> None:
        with use_clock(dt.date(2026, 4, 6)):
            reports.append(await apply_successions())

    async with anyio.create_task_group() as group:
        group.start_soon(sweep)
        group.start_soon(sweep)
    assert sum(r.passed for r in reports) >= len(cases)  # between them (others' mergers may add more)
    for case in cases:
        assert (await load_case(case.id)).icb_id == b
        count = await AuditEvent.count().where(
            (AuditEvent.disagreement_id == case.id) & (AuditEvent.action == "succeeded")
        )
        assert count == 1


async def test_the_family_is_told_by_email_when_the_body_handling_their_case_changes(app):
    from mediation.notify.tables import Notification

    _tag, la, a, b, family = await _merger_world()
    with use_clock(dt.date(2026, 3, 20)):
        case = await create_case(_new_case(family.id, la, dt.date(2026, 3, 16), ("G",)), actor=None)
    with use_clock(dt.date(2026, 4, 2)):
        await apply_successions()
        await apply_successions()  # a second run (another process) tells nobody twice
    told = await Notification.select().where(
        (Notification.disagreement_id == case.id)
        & Notification.dedupe_key.like(f"succeeded:{case.reference}:%")
    )
    assert len(told) == 1
    [message] = told
    assert message["channel"] == "email" and message["recipient_email"] == "family@example.com"
    assert message["subject"] == f"Who handles your disagreement {case.reference} has changed"
    names = await Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.is_in([a, b]))
    name = {r["id"]: r["name"] for r in names}
    body = message["body_text"]
    assert f"From Wednesday 1 April 2026, the NHS body for your area is {name[b]}." in body
    assert f"It took over from {name[a]}, which has closed or merged." in body
    assert "Your dates stay the same." in body and f"/cases/{case.reference}" in body
    assert case.child_name not in message["subject"]
