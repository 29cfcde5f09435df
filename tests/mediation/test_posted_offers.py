"""Offers of meeting times sent by post (issue 15, part 2): a short code typed at a short address instead
of a long link, the handling body's phone number, a reply-by date that still leaves the notice the law
requires before the first time offered, and the body's name as the signature."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from mediation import timekeeping
from mediation.accounts.tables import LinkRequest
from mediation.notify.letters import render_letter_html
from mediation.notify.tables import Notification
from mediation.offers.service import CODE_ALPHABET, make_offer
from mediation.offers.tables import SessionOffer
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import format_long_date
from mediation.scheduling.service import search
from mediation.scheduling.slots import LONDON, latest_notice_date
from tests.mediation.test_booking import plan_for, requested

pytestmark = pytest.mark.anyio


async def _posted_offer(client_ip: str = "") -> tuple[object, dict, dict, list]:
    w = await requested(contact_by="post")
    plan = plan_for(w)
    found = await search(await w.case(), plan)
    slots = found.slots[:3]
    keys = [f"{s.isoformat()}/{e.isoformat()}" for s, e in slots]
    await make_offer(await w.case(), plan, keys, actor=w.la)
    offer = await SessionOffer.select().where(SessionOffer.disagreement == w.case_id).first()
    letter = (
        await Notification.select().where(Notification.dedupe_key == f"mediation-offer:{offer['id']}").first()
    )
    return w, offer, letter, slots


async def test_a_posted_offer_gives_a_short_code_a_phone_number_and_a_reply_by_date_with_notice(app):
    w, offer, letter, slots = await _posted_offer()
    assert letter["channel"] == "letter"
    code = offer["short_code"]
    assert code is not None and len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("IO01L")
    body = letter["body_text"]
    assert f"{code[:4]}-{code[4:]}" in body and "/reply" in body
    assert "/mediation/offers/" not in body  # no long link to type from paper
    la = await Organisation.select().where(Organisation.id == w.la_id).first()
    assert la["phone"] and la["phone"] in body
    first_day = slots[0][0].astimezone(LONDON).date()
    reply_by = latest_notice_date(first_day)
    assert offer["reply_by"] == reply_by and reply_by < first_day
    assert f"by {format_long_date(reply_by)}" in body
    assert body.rstrip().endswith(la["name"])  # signed by the body, not the software
    html = render_letter_html(
        name="Pat",
        address="1 Road",
        subject=letter["subject"],
        body_text=body,
        date=dt.date(2027, 1, 1),
        signed_by=la["name"],
    )
    sign_off = html.split('class="sign-off"', 1)[1]
    assert la["name"] in sign_off and "send-mediation" not in sign_off


async def _reply_client(app, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


async def _send_code(client: httpx.AsyncClient, code: str) -> httpx.Response:
    page = await client.get("/reply")
    assert page.status_code == 200
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    return await client.post("/reply", data={"code": code, "_csrf_token": token})


async def test_the_code_typed_at_reply_opens_the_offer_and_a_wrong_code_is_a_clear_error(app):
    _w, offer, _letter, slots = await _posted_offer()
    client = await _reply_client(app, "203.0.113.41")
    code = offer["short_code"]
    typed = f" {code[:4].lower()} - {code[4:]} "  # as a family might type it from the letter
    opened = await _send_code(client, typed)
    assert opened.status_code == 303
    page = await client.get(opened.headers["location"])
    assert page.status_code == 200 and "Choose a time for your mediation meeting" in page.text
    wrong = await _send_code(client, "ZZZZ-ZZZZ" if code != "ZZZZZZZZ" else "YYYY-YYYY")
    assert wrong.status_code == 400 and 'href="#code"' in wrong.text and "We cannot find" in wrong.text
    short = await _send_code(client, "ABC")
    assert short.status_code == 400 and "8 letters and numbers" in short.text
    await client.aclose()


async def test_guessing_codes_is_throttled_per_client(app):
    ip = "203.0.113.77"
    await LinkRequest.delete().where(LinkRequest.kind == "reply_code")
    client = await _reply_client(app, ip)
    answers = [(await _send_code(client, "ZZZZ-ZZZ" + str(n + 2))).status_code for n in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    other = await _reply_client(app, "203.0.113.78")
    assert (await _send_code(other, "ZZZZ-ZZZZ")).status_code == 400  # another client is not held up
    for c in (client, other):
        await c.aclose()


async def test_a_family_asked_by_post_about_poll_times_gets_a_code_too(app):
    from mediation.polls.service import open_poll, reply_by_for
    from mediation.polls.tables import PollInvitee

    w = await requested(contact_by="post", notice_days_ago=2)
    plan = plan_for(w)
    found = await search(await w.case(), plan)
    today = timekeeping.today()
    later = [(s, e) for s, e in found.slots if reply_by_for(s, shorter_notice=False) >= today]
    keys = [f"{s.isoformat()}/{e.isoformat()}" for s, e in later[-2:]]
    poll_id = await open_poll(await w.case(), plan, keys, {}, actor=w.la)
    family = (
        await PollInvitee.select()
        .where((PollInvitee.poll == poll_id) & (PollInvitee.role == "family"))
        .first()
    )
    code = family["short_code"]
    assert code and len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    letter = (
        await Notification.select()
        .where(Notification.dedupe_key == f"meeting-poll:{poll_id}:{family['id']}:invite")
        .first()
    )
    la = await Organisation.select().where(Organisation.id == w.la_id).first()
    assert letter["channel"] == "letter"
    body = letter["body_text"]
    assert f"{code[:4]}-{code[4:]}" in body and "/reply" in body and "/meeting-polls/" not in body
    assert la["phone"] in body and body.rstrip().endswith(la["name"])
    officer = (
        await PollInvitee.select()
        .where((PollInvitee.poll == poll_id) & (PollInvitee.role == "la_officer"))
        .first()
    )
    assert officer["short_code"] is None  # asked by email: the link is enough
    client = await _reply_client(app, "203.0.113.90")
    opened = await _send_code(client, code)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/meeting-polls/")
    page = await client.get(opened.headers["location"])
    assert page.status_code == 200 and "Which times can you come to the mediation meeting?" in page.text
    await client.aclose()
