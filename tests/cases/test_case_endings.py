"""How cases end, as the model-based test found them stuck: a certificate still owed after the family
appealed, a discrimination claim nobody could close, a complied agreement the family could no longer appeal
from, and a case kept open for ever by a family time limit that has long passed."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.advice.service import record_advice
from mediation.case_events.handlers import duty_done
from mediation.cases.commands import close_case, withdraw_case
from mediation.certificates.service import issue_certificate
from mediation.errors import Conflict
from mediation.tribunal.commands import record_appeal
from mediation.tribunal.schemas import AppealInput
from tests.mediation.helpers import make_world

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def test_a_certificate_still_owed_after_the_family_appealed_can_be_issued(app):
    w = await make_world(wants_mediation=False, notice_days_ago=20)
    declined = TODAY - dt.timedelta(days=2)
    await record_advice(await w.case(), contacted_on=declined, choice="decline", actor=w.la)
    appealed = await record_appeal(
        await w.case(),
        AppealInput(lodged_on=TODAY - dt.timedelta(days=1), matters=["B", "F"]),
        actor=w.family,
    )
    assert appealed.state == "appealed" and appealed.running_clock("certificate_after_decline") is not None
    assert appealed.running_clock("contact_mediation_adviser") is None  # the appeal ends the adviser step
    issued = await issue_certificate(appealed, TODAY, actor=w.mediator)
    assert issued.state == "appealed" and issued.running_clock("certificate_after_decline") is None
    assert issued.running_clock("appeal") is None  # the appeal is made: no new appeal clock


async def test_the_la_closes_a_withdrawn_discrimination_claim(app):
    w = await make_world(decision="disability_discrimination", sections=(), wants_mediation=None)
    case = await withdraw_case(await w.case(), "Resolved with the school", actor=w.family)
    closed = await close_case(case, "The family withdrew the claim", actor=w.la)
    assert closed.state == "closed" and closed.allowed_events == ()


async def test_a_case_is_not_closed_while_the_family_can_still_appeal_and_is_once_the_time_has_passed(app):
    w = await make_world(wants_mediation=False, notice_days_ago=5)
    case = await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.la)
    case = await duty_done(case, "certificate_after_decline", TODAY, actor=w.mediator, action=None, note="")
    assert case.state == "certificate_issued"
    with pytest.raises(Conflict, match="the family's time to act has not ended"):
        await close_case(case, "Nothing more to do", actor=w.la)
    later = case.running_clock("appeal").due + dt.timedelta(days=1)
    with timekeeping.use_clock(later):
        from mediation.cases.repository import load_case

        closed = await close_case(await load_case(w.case_id), "The appeal window has passed", actor=w.la)
    assert closed.state == "closed"
    appeal = next(c for c in closed.clocks if c.rule == "appeal")
    assert appeal.status_on(later) == "cancelled" and "time limit passed" in appeal.stop_reason
