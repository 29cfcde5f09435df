"""The adviser stage starts and stops the right clocks; certificates are numbered documents that
recompute the appeal deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.advice.service import assign_mediator, notify_icb, record_advice, unable_to_arrange
from mediation.cases.tables import CaseDocument
from mediation.certificates.service import issue_certificate
from mediation.certificates.tables import MediationCertificate
from mediation.errors import Conflict, Invalid
from mediation.notify.tables import Notification
from mediation.rules.deadlines import compute_deadline
from mediation.rules.lifecycle import STATE_LABELS
from mediation.services.tables import MediatorProfile
from tests.mediation.helpers import make_world, person

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def certificate_number(w) -> str:  # type: ignore[no-untyped-def]
    row = (
        await MediationCertificate.select(MediationCertificate.number)
        .where(MediationCertificate.disagreement == w.case_id)
        .first()
    )
    return str(row["number"])


async def test_contacting_the_adviser_stops_the_regs_33_clock_as_met(app):
    w = await make_world(wants_mediation=None)
    await record_advice(await w.case(), contacted_on=TODAY, choice="undecided", actor=w.mediator)
    clocks = await w.clocks()
    assert clocks["contact_mediation_adviser"]["status"] == "met"
    assert clocks["contact_mediation_adviser"]["stopped_on"] == TODAY
    assert (await w.case()).state == "mediation_advice"


async def test_wanting_mediation_keeps_the_la_clock_started_at_lodging_and_tells_the_la(app):
    w = await make_world(wants_mediation=True)
    lodged = (await w.clocks())["mediation_held_by_la"]
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.mediator)
    held = (await w.clocks())["mediation_held_by_la"]
    assert (held["id"], held["due"], held["status"]) == (lodged["id"], lodged["due"], "running")
    case = await w.case()
    assert case.state == "mediation_requested" and case.wants_mediation is True
    assert await Notification.exists().where(Notification.dedupe_key == f"mediation-requested:{w.reference}")


async def test_wanting_mediation_starts_the_la_clock_from_the_day_the_family_said_so(app):
    w = await make_world(wants_mediation=None)
    told = TODAY - dt.timedelta(days=2)
    await record_advice(await w.case(), contacted_on=told, choice="mediate", actor=w.la)
    held = (await w.clocks())["mediation_held_by_la"]
    assert held["status"] == "running" and held["due"] == told + dt.timedelta(days=30)


async def test_health_only_mediation_waits_for_the_la_to_tell_the_icb(app):
    w = await make_world(sections=("C", "G"), wants_mediation=None)
    asked = TODAY - dt.timedelta(days=2)
    await record_advice(await w.case(), contacted_on=asked, choice="mediate", actor=w.la)
    clocks = await w.clocks()
    assert clocks["notify_health_commissioner"]["status"] == "running"
    assert "mediation_held_by_icb" not in clocks and "mediation_held_by_la" not in clocks
    told = TODAY - dt.timedelta(days=1)
    await notify_icb(await w.case(), notified_on=told, actor=w.la)
    clocks = await w.clocks()
    assert clocks["notify_health_commissioner"]["status"] == "met"
    assert clocks["mediation_held_by_icb"]["status"] == "running"
    assert clocks["mediation_held_by_icb"]["due"] == told + dt.timedelta(days=30)


async def test_telling_the_icb_is_refused_for_a_case_the_la_arranges(app):
    w = await make_world(sections=("B", "G"))
    with pytest.raises(Conflict) as refused:
        await notify_icb(await w.case(), notified_on=TODAY, actor=w.la)
    assert "only a health-only disagreement" in refused.value.errors["event"]


async def test_declining_starts_the_certificate_clock_and_cancels_the_mediation_clock(app):
    w = await make_world(wants_mediation=True)
    await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.mediator)
    clocks = await w.clocks()
    assert clocks["mediation_held_by_la"]["status"] == "cancelled"
    expected = compute_deadline("certificate_after_decline", {"start": TODAY}).due
    assert clocks["certificate_after_decline"]["status"] == "running"
    assert clocks["certificate_after_decline"]["due"] == expected
    assert (await w.case()).state == "mediation_declined"


async def test_a_certificate_stops_its_clock_recomputes_the_appeal_and_is_a_numbered_pdf(app):
    w = await make_world(wants_mediation=False, notice_days_ago=40)
    case = await w.case()
    await record_advice(case, contacted_on=TODAY, choice="decline", actor=w.mediator)
    after = await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    number = await certificate_number(w)
    assert number.endswith(f"-{TODAY.year}-0001")
    clocks = await w.clocks()
    assert clocks["certificate_after_decline"]["status"] == "met"
    expected = compute_deadline(
        "appeal", {"notice_sent": case.decision_notice_sent, "certificate_issued": TODAY}
    )
    assert clocks["appeal"]["due"] == expected.due
    assert clocks["appeal"]["version"] == 2  # recomputed, not a second clock
    certificate = await MediationCertificate.select().where(MediationCertificate.number == number).first()
    document = await CaseDocument.select().where(CaseDocument.id == certificate["document"]).first()
    assert bytes(document["content"]).startswith(b"%PDF-") and document["disagreement"] == w.case_id
    assert "Mediation certificate" in certificate["html"] and w.reference in certificate["html"]
    assert after.state == "certificate_issued"
    message = await Notification.select().where(Notification.dedupe_key == f"certificate:{number}").first()
    assert message["attachments"] and "Kit" not in message["subject"]


async def test_certificate_numbers_run_on_per_service_and_year(app):
    w = await make_world(wants_mediation=False)
    await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.mediator)
    await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    first = await certificate_number(w)
    # A second case at the same service continues the sequence.
    w2 = await make_world(wants_mediation=False)
    from mediation.advice.service import assign_service

    await assign_service(await w2.case(), w.service_id, actor=w2.la)
    await record_advice(await w2.case(), contacted_on=TODAY, choice="decline", actor=w.mediator)
    await issue_certificate(await w2.case(), TODAY, actor=w.mediator)
    second = await certificate_number(w2)
    assert first.endswith("-0001") and second.endswith("-0002") and first[:-5] == second[:-5]


async def test_cannot_arrange_in_30_days_starts_the_deemed_certificate_clock(app):
    w = await make_world(wants_mediation=True)
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.mediator)
    await unable_to_arrange(await w.case(), told_on=TODAY, reason="No mediator free", actor=w.la)
    clocks = await w.clocks()
    expected = compute_deadline("certificate_unable_to_arrange", {"start": TODAY}).due
    assert clocks["certificate_unable_to_arrange"]["due"] == expected
    await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    assert (await w.clocks())["certificate_unable_to_arrange"]["status"] == "met"


async def test_no_certificate_where_the_law_needs_none(app):
    w = await make_world(sections=("I",), wants_mediation=False)
    await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.mediator)
    assert "certificate_after_decline" not in await w.clocks()
    with pytest.raises(Conflict) as refused:
        await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    assert "no mediation certificate is needed" in refused.value.errors["event"]


async def test_a_certificate_cannot_be_issued_before_the_family_declines(app):
    w = await make_world(wants_mediation=None)
    with pytest.raises(Conflict) as refused:
        await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    assert "the family must first decline mediation" in refused.value.errors["event"]


async def test_a_mediator_employed_by_a_party_is_refused_as_not_independent(app):
    w = await make_world()
    conflicted = await person("mediator", w.service_id, "Cy Conflicted")
    now = dt.datetime.now(dt.UTC)
    profile = MediatorProfile(
        account=conflicted.id, service=w.service_id, employed_by=w.la_id, created_at=now, updated_at=now
    )
    await profile.save()
    with pytest.raises(Invalid) as refused:
        await assign_mediator(await w.case(), profile.id, actor=w.mediator)
    message = refused.value.errors["mediator"]
    assert "a party to this disagreement" in message and "s.56" in message
    await assign_mediator(await w.case(), w.profile_id, actor=w.mediator)


async def test_dates_in_the_future_are_refused_with_a_specific_message(app):
    w = await make_world()
    with pytest.raises(Invalid) as refused:
        await record_advice(
            await w.case(), contacted_on=TODAY + dt.timedelta(days=1), choice="bogus", actor=w.mediator
        )
    assert refused.value.errors == {
        "contacted-day": "The date the family contacted the adviser must be today or in the past",
        "choice": "Select whether the family wants mediation",
    }
    assert set(STATE_LABELS) >= {"mediation_advice"}
