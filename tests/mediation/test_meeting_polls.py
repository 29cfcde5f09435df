"""Finding a time with everyone: the coordinator proposes times the slot finder allows, each invitee answers
by their own link without an account, the best time is highlighted, and booking from the poll checks every
rule again and records who attends for the local authority and whether they can agree a settlement."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.notify.tables import Notification
from mediation.organisations.service import create_organisation
from mediation.polls.replies import remind_unanswered
from mediation.polls.service import best_slot, reply_by_for
from mediation.polls.tables import MeetingPoll, PollInvitee
from mediation.scheduling.slots import LONDON, latest_notice_date
from mediation.scheduling.tables import MediationSession
from mediation.sessions.service import book
from tests.mediation.helpers import World, make_world, person
from tests.mediation.test_mediation_pages import as_user, post, search_query, slot_keys

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()
ADVOCATE = "Ada Advocate"


def _slot(day: int, hour: int) -> dict[str, str]:
    start = dt.datetime(2027, 3, day, hour, tzinfo=dt.UTC)
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=3)).isoformat()}


def _key(slot: dict[str, str]) -> str:
    return f"{slot['starts_at']}/{slot['ends_at']}"


def _said(*answers: dict[str, str]) -> list[dict]:
    return [{"answers": a, "answered_at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC)} for a in answers]


async def test_the_best_time_has_most_yes_then_fewest_no_then_is_earliest():
    early, middle, late = _slot(1, 10), _slot(2, 10), _slot(3, 10)
    slots = [early, middle, late]
    # middle and late have 2 yes each; late has fewer no, so late beats middle and early (1 yes).
    invitees = _said(
        {_key(early): "yes", _key(middle): "yes", _key(late): "yes"},
        {_key(early): "no", _key(middle): "yes", _key(late): "yes"},
        {_key(early): "no", _key(middle): "no", _key(late): "maybe"},
    )
    assert best_slot(slots, invitees) == _key(late)
    # A tie on yes and no goes to the earliest.
    tie = _said({_key(early): "yes", _key(middle): "yes", _key(late): "no"})
    assert best_slot(slots, tie) == _key(early)
    assert best_slot(slots, [{"answers": {}, "answered_at": None}]) is None


async def test_the_reply_by_date_leaves_the_notice_period_before_the_first_time():
    first = dt.datetime(2027, 3, 15, 10, tzinfo=dt.UTC)  # a Monday
    reply_by = reply_by_for(first, shorter_notice=False)
    assert reply_by < latest_notice_date(first.astimezone(LONDON).date())
    assert reply_by == dt.date(2027, 3, 5)  # the working day before Monday 8 March, 5 working days before


async def _poll_world(app) -> tuple[World, httpx.AsyncClient, list[str], int]:
    w = await make_world(notice_days_ago=2)
    la = await as_user(app, w.la.email)
    advice = await post(
        la,
        f"/cases/{w.reference}/mediation/advice",
        {
            "contacted-day": str(TODAY.day),
            "contacted-month": str(TODAY.month),
            "contacted-year": str(TODAY.year),
        }
        | {"choice": "mediate"},
    )
    assert advice.status_code == 303, advice.text
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))).text)
    # Times late enough in the window that everyone has a few days to answer.
    chosen = [
        k
        for k in keys
        if reply_by_for(dt.datetime.fromisoformat(k.split("/")[0]), shorter_notice=False) >= TODAY
    ]
    assert len(chosen) >= 3, keys
    response = await la.post(
        f"/cases/{w.reference}/mediation/sessions",
        data={
            **search_query(w),
            "slots": chosen[-3:],
            "action": "poll",
            "guest_role": "advocate",
            "guest_name": ADVOCATE,
            "guest_email": "ada@advocacy.example",
            "_csrf_token": la.cookies.get("csrftoken"),
        },
    )
    assert response.status_code == 303, response.text
    poll_id = int(response.headers["location"].rsplit("/", 1)[1])
    return w, la, chosen[-3:], poll_id


async def _link(poll_id: int, role: str) -> str:
    invitee = (
        await PollInvitee.select().where((PollInvitee.poll == poll_id) & (PollInvitee.role == role)).first()
    )
    message = (
        await Notification.select(Notification.body_text)
        .where(Notification.dedupe_key == f"meeting-poll:{poll_id}:{invitee['id']}:invite")
        .first()
    )
    return re.search(r"/meeting-polls/\S+", message["body_text"]).group(0)


def _anonymous(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")


async def _answer(client: httpx.AsyncClient, link: str, answers: list[str], **extra: str) -> httpx.Response:
    page = await client.get(link)
    assert page.status_code == 200, page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    data = {f"slot-{n}": a for n, a in enumerate(answers) if a} | extra
    return await client.post(link, data={**data, "_csrf_token": token})


async def test_everyone_answers_by_their_own_link_and_the_coordinator_books_the_best_time(app):
    w, la, keys, poll_id = await _poll_world(app)
    invitees = await PollInvitee.select().where(PollInvitee.poll == poll_id).order_by(PollInvitee.id)
    assert [i["role"] for i in invitees] == ["family", "la_officer", "advocate"]
    assert invitees[2]["account"] is None and invitees[2]["name"] == ADVOCATE
    poll = await MeetingPoll.select().where(MeetingPoll.id == poll_id).first()
    first_day = dt.datetime.fromisoformat(keys[0].split("/")[0]).astimezone(LONDON).date()
    assert TODAY <= poll["reply_by"] < latest_notice_date(first_day)
    # No invitation names the child.
    sent = await Notification.select().where(Notification.dedupe_key.like(f"meeting-poll:{poll_id}:%"))
    child = (await w.case()).child_name
    assert len(sent) == 3 and all(child not in m["body_text"] + m["subject"] for m in sent)

    anonymous = _anonymous(app)
    missing = await _answer(anonymous, await _link(poll_id, "family"), ["yes", "", "no"])
    assert missing.status_code == 400 and 'href="#slot-1"' in missing.text
    family = await _answer(anonymous, await _link(poll_id, "family"), ["no", "yes", "yes"])
    assert family.status_code == 200 and "we have your answer" in family.text
    officer = await _answer(anonymous, await _link(poll_id, "la_officer"), ["yes", "maybe", "yes"])
    assert officer.status_code == 200
    forged = await anonymous.get("/meeting-polls/forged.token")
    assert forged.status_code == 410 and "This link does not work any more" in forged.text
    await anonymous.aclose()

    page = await la.get(f"/cases/{w.reference}/mediation/polls/{poll_id}")
    assert page.status_code == 200 and "Best time" in page.text and ADVOCATE in page.text
    best = re.search(r'<strong>([^<]+)</strong> <strong class="govuk-tag govuk-tag--green">', page.text)
    assert best is not None  # the third time: 2 yes, no no
    # Booking asks who attends for the local authority and whether they can agree a settlement.
    url = f"/cases/{w.reference}/mediation/polls/{poll_id}/book"
    officer_row = str(invitees[1]["id"])
    unanswered = await post(la, url, {"slot": keys[2], "la_officer": officer_row})
    assert unanswered.status_code == 400 and 'href="#can_agree"' in unanswered.text
    refused = await post(la, url, {"slot": keys[2], "la_officer": officer_row, "can_agree": "no"})
    assert refused.status_code == 400 and "must send an officer who can agree" in refused.text
    booked = await post(la, url, {"slot": keys[2], "la_officer": officer_row, "can_agree": "yes"})
    assert booked.status_code == 303, booked.text
    session_id = int(booked.headers["location"].rsplit("/", 1)[1])
    session = await MediationSession.select().where(MediationSession.id == session_id).first()
    assert session["starts_at"] == dt.datetime.fromisoformat(keys[2].split("/")[0])
    assert session["la_attending_officer"] == w.la.full_name and session["la_officer_can_agree"] is True
    meeting = await la.get(booked.headers["location"])
    assert (
        "Attends for the local authority" in meeting.text and "Can they agree a settlement?" in meeting.text
    )
    assert ADVOCATE in meeting.text  # the advocate attends, without an account
    assert (await w.case()).state == "session_arranged"
    assert (await MeetingPoll.select().where(MeetingPoll.id == poll_id).first())["status"] == "booked"
    told = await Notification.select().where(
        Notification.dedupe_key.like(f"meeting-poll:{poll_id}:%:booked:%")
    )
    assert len(told) == 3
    again = await post(la, url, {"slot": keys[0], "la_officer": officer_row, "can_agree": "yes"})
    assert again.status_code == 400 and "This poll is closed" in again.text
    closed = await _anonymous(app).get(await _link(poll_id, "advocate"))
    assert closed.status_code == 410
    await la.aclose()


async def test_a_link_answers_only_for_its_own_invitee(app):
    w, la, keys, poll_id = await _poll_world(app)
    await la.aclose()
    rows = {r["role"]: r for r in await PollInvitee.select().where(PollInvitee.poll == poll_id)}
    client = _anonymous(app)
    # Naming another invitee in the form changes nothing: the link alone says who is answering.
    response = await _answer(
        client, await _link(poll_id, "advocate"), ["yes", "yes", "yes"], invitee=str(rows["family"]["id"])
    )
    assert response.status_code == 200
    after = {
        r["role"]: r
        for r in await PollInvitee.select().where(PollInvitee.poll == poll_id).output(load_json=True)
    }
    assert after["family"]["answered_at"] is None and after["family"]["answers"] == {}
    assert set(after["advocate"]["answers"].values()) == {"yes"}
    # A link signed for the right invitee but carrying another invitee's id fails the signature; one whose
    # nonce no longer matches (a new link was issued) is refused too.
    from mediation.accounts.tokens import make_token

    stolen = make_token("meeting_poll", f"{rows['family']['id']}.{rows['advocate']['nonce']}")
    assert (await client.get(f"/meeting-polls/{stolen}")).status_code == 410
    # The family's own link, once expired, is a clear page too, never a 500.
    own = f"{rows['family']['id']}.{rows['family']['nonce']}"
    expired = make_token("meeting_poll", own, valid_for_seconds=60, now=time.time() - 3600)
    page = await client.get(f"/meeting-polls/{expired}")
    assert page.status_code == 410 and "This link does not work any more" in page.text
    late = await client.post(f"/meeting-polls/{expired}", data={"slot-0": "yes"})
    assert late.status_code in {403, 410}  # no CSRF token from a page that never showed a form
    answered = await AuditEvent.select().where(
        (AuditEvent.action == "meeting_poll_answered") & (AuditEvent.disagreement_id == w.case_id)
    )
    assert len(answered) == 1 and ADVOCATE in answered[0]["summary"]
    await client.aclose()


async def test_other_families_and_other_bodies_cannot_see_the_poll(app):
    w, la, _keys, poll_id = await _poll_world(app)
    await la.aclose()
    url = f"/cases/{w.reference}/mediation/polls/{poll_id}"
    other = await make_world()
    for email, status in ((other.family.email, 403), (w.family.email, 403), (w.icb.email, 404)):
        client = await as_user(app, email)
        assert (await client.get(url)).status_code == status, email
        await client.aclose()
    # An officer of another local authority: the case does not exist for them.
    la_id = await create_organisation(
        name=f"Elsewhere Council {w.case_id}", kind="local_authority", code=f"E9{w.case_id:07d}"
    )
    elsewhere = await person("la_coordinator", la_id, "Elsewhere Officer")
    client = await as_user(app, elsewhere.email)
    assert (await client.get(url)).status_code == 404
    await client.aclose()
    # The mediation page lists the poll only for those who may read it.
    family = await as_user(app, w.family.email)
    assert f"/mediation/polls/{poll_id}" not in (await family.get(f"/cases/{w.reference}/mediation")).text
    await family.aclose()


async def test_booking_from_the_poll_checks_the_mediator_is_still_free(app):
    w, la, keys, poll_id = await _poll_world(app)
    other = await make_world()
    from mediation.advice.service import assign_service, record_advice
    from mediation.scheduling.service import SessionPlan

    await assign_service(await other.case(), w.service_id, actor=other.la)
    await record_advice(await other.case(), contacted_on=TODAY, choice="mediate", actor=other.la)
    start, end = (dt.datetime.fromisoformat(x) for x in keys[0].split("/"))
    plan = SessionPlan(
        mediator_id=w.profile_id,
        remote=True,
        la_officer_id=other.la.id,
        authority_confirmed=True,
        starts_at=start,
        ends_at=end,
    )
    await book(await other.case(), plan, actor=other.la)
    officer = (
        await PollInvitee.select()
        .where((PollInvitee.poll == poll_id) & (PollInvitee.role == "la_officer"))
        .first()
    )
    taken = await post(
        la,
        f"/cases/{w.reference}/mediation/polls/{poll_id}/book",
        {"slot": keys[0], "la_officer": str(officer["id"]), "can_agree": "yes"},
    )
    assert taken.status_code == 409 and "The mediator is already booked at that time" in taken.text
    assert (await MeetingPoll.select().where(MeetingPoll.id == poll_id).first())["status"] == "open"
    await la.aclose()


async def test_reminders_go_once_to_those_who_have_not_answered(app):
    w, la, _keys, poll_id = await _poll_world(app)
    await la.aclose()
    await _answer(_anonymous(app), await _link(poll_id, "la_officer"), ["yes", "yes", "yes"])
    poll = await MeetingPoll.select().where(MeetingPoll.id == poll_id).first()
    scope = [w.la_id]
    before = dt.date(2000, 1, 1)
    assert await remind_unanswered(before, local_authorities=scope) == 0  # no poll is due a reminder then
    reply_by = poll["reply_by"]
    assert await remind_unanswered(reply_by, local_authorities=scope) >= 2
    again = await remind_unanswered(reply_by, local_authorities=scope)  # a second process, or a second run
    reminders = await Notification.select().where(Notification.dedupe_key.like("meeting-poll-reminder:%"))
    ours = [r for r in reminders if r["disagreement_id"] == w.case_id]
    assert again == 0 and len(ours) == 2
    assert {r["recipient_name"] for r in ours} >= {ADVOCATE} and w.la.full_name not in {
        r["recipient_name"] for r in ours
    }
    assert all(r["subject"].startswith("Reminder:") for r in ours)


async def test_times_too_soon_to_wait_for_answers_are_refused_with_the_reason(app):
    from mediation.errors import Invalid
    from mediation.polls.service import open_poll
    from mediation.scheduling.service import search
    from tests.mediation.test_booking import plan_for, requested

    w = await requested(notice_days_ago=2)
    plan = plan_for(w)
    found = await search(await w.case(), plan)
    keys = [f"{s.isoformat()}/{e.isoformat()}" for s, e in found.slots[:2]]  # the first legal day
    with pytest.raises(Invalid) as refused:
        await open_poll(await w.case(), plan, keys, {}, actor=w.la)
    assert "too soon to wait for answers" in refused.value.errors["slots"]
    assert await MeetingPoll.count().where(MeetingPoll.disagreement == w.case_id) == 0


async def test_a_meeting_booked_another_way_closes_the_poll_and_its_links(app):
    w, la, keys, poll_id = await _poll_world(app)
    link = await _link(poll_id, "advocate")
    booked = await post(la, f"/cases/{w.reference}/mediation/sessions", {**search_query(w), "slots": keys[0]})
    assert booked.status_code == 303, booked.text
    await la.aclose()
    assert (await MeetingPoll.select().where(MeetingPoll.id == poll_id).first())["status"] == "closed"
    client = _anonymous(app)
    assert (await client.get(link)).status_code == 410
    await client.aclose()
    poll = await MeetingPoll.select().where(MeetingPoll.id == poll_id).first()
    await remind_unanswered(poll["reply_by"], local_authorities=[w.la_id])
    sent = await Notification.select().where(Notification.dedupe_key.like("meeting-poll-reminder:%"))
    assert not [r for r in sent if r["disagreement_id"] == w.case_id]


async def test_a_withdrawn_case_chases_nobody_and_its_links_stop_working(app):
    from mediation.cases.commands import withdraw_case

    w, la, _keys, poll_id = await _poll_world(app)
    await la.aclose()
    link = await _link(poll_id, "family")
    await withdraw_case(await w.case(), "We sorted it out with the school", actor=w.family)
    poll = await MeetingPoll.select().where(MeetingPoll.id == poll_id).first()
    assert await remind_unanswered(poll["reply_by"], local_authorities=[w.la_id]) >= 0
    sent = await Notification.select().where(Notification.dedupe_key.like("meeting-poll-reminder:%"))
    assert not [r for r in sent if r["disagreement_id"] == w.case_id]
    client = _anonymous(app)
    assert (await client.get(link)).status_code == 410
    await client.aclose()
