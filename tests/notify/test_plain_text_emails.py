"""Every email the service sends has a plain-text part that reads well on its own (issue 13): no HTML tags
or entities, no template remnants, links written out in full (never a bare path, never "click here").

One journey sends each kind of email there is (registration, passwords, lodging, re-routing, the
arranging body told, offers, invitations, officers named, certificates, notices, reminders and digests);
every email it queued is checked, and a second test fails when the code gains a kind of email the
journey does not send.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

import pytest

from mediation import timekeeping
from mediation.accounts import password_reset, registration
from mediation.advice.service import notify_icb, record_advice, unable_to_arrange
from mediation.attendees import service as guests
from mediation.cases.commands import reroute_case
from mediation.certificates.service import issue_certificate
from mediation.notify.tables import Notification
from mediation.offers.service import make_offer
from mediation.reminders.service import run_sweeps
from mediation.scheduling.service import search
from mediation.sessions import invites
from mediation.settings import ROOT, settings
from tests.conftest import DEMO_PASSWORD, sign_in
from tests.lodging.helpers import la_id, lodge, standard_answers
from tests.mediation.helpers import make_world, person
from tests.mediation.test_booking import booked, plan_for, requested
from tests.notices.helpers import issue, notice_input

pytestmark = pytest.mark.anyio

TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
BARE_PATH = re.compile(
    r"(?<![\w/.:-])/(cases|lodge|sign-in|confirm-email|reset-password|mediation|notices|home)\b"
)
# "Click here" means nothing read aloud or in plain text; "open this link:" followed by the address is fine.
VAGUE_LINK = re.compile(
    r"\b(click|tap|press) (here|this|on|the)\b|\bfollow (this|the) link\b(?!:)", re.IGNORECASE
)
TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\$\{")
MARKDOWN_LINK = re.compile(r"\[[^\]]+\]\([^)]+\)")

# The kinds of email, by the first part of their outbox key (every `dedupe_key` the code writes).
KINDS = {
    "confirm", "already-registered", "already-confirmed", "password-reset", "password-reset-none",
    "password-changed", "lodged", "rerouted", "mediation-requested", "mediation-offer", "mediation-session",
    "mediation-guest", "certificate", "notice", "reminder", "icb-notified", "unable", "breach",
}  # fmt: skip
# Keys that are not a kind of their own: a notice issued from the form or a CSV batch is a notice email,
# and the demo's key only marks demo data.
# The officer's reminder before a meeting is `guest_message(..., "reminder")`, checked with every other
# change an officer is told about in the last test.
NOT_KINDS = {"form", "batch", "demo", "mediation-guest-reminder"}
KEY = re.compile(r'(?:dedupe_key=|key = |return |tell\(\s*change,\s*[^,]+,\s*)f?"([a-z][a-z-]*):')


def reading_problems(text: str) -> list[str]:
    """Why this plain-text body does not read well on its own ([] if it does)."""
    problems = []
    if not text.strip():
        problems.append("empty")
    for name, pattern in (
        ("an HTML tag", TAG),
        ("an HTML entity", ENTITY),
        ("a link without its address", BARE_PATH),
        ("a vague link", VAGUE_LINK),
        ("template code", TEMPLATE),
        ("a markdown link", MARKDOWN_LINK),
    ):
        if found := pattern.search(text):
            problems.append(f"{name}: {found.group(0)!r}")
    for link in re.findall(r"https?://\S+", text):
        if (
            not link.startswith(settings.base_url.rstrip("/"))
            and "example" not in link
            and ".gov.uk" not in link
        ):
            problems.append(f"a link to an unexpected address: {link}")
    return problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Dear Sam,<br>your case", "an HTML tag"),
        ("Sam &amp; Alex", "an HTML entity"),
        ("See your case at /cases/SM-1234", "a link without its address"),
        ("Click here to see your case", "a vague link"),
        ("Dear {{ name }}", "template code"),
        ("See [your case](https://x.example/cases/1)", "a markdown link"),
    ],
)
def test_the_reading_check_finds_each_fault(text: str, problem: str) -> None:
    assert any(p.startswith(problem) for p in reading_problems(text))


def test_the_reading_check_passes_a_plain_email() -> None:
    body = f"Dear Sam,\n\nSee your case and what happens next: {settings.base_url}/cases/SM-12345678\n"
    assert reading_problems(body) == []


async def _every_kind_of_email(app) -> None:  # type: ignore[no-untyped-def]
    """Send each kind of email the service has, through the use cases that send them."""
    base = settings.base_url
    tag = secrets.token_hex(4)
    # Accounts: a new registration, a second one for the same address, a resend once confirmed, password
    # reset links (for an account and for an address without one), and a password changed.
    new_email = f"plain.{tag}@example.com"
    secret = f"Quiet-harbour-{secrets.token_hex(3)}-lantern"
    values = {"email": new_email, "full_name": "Robin Reader", "password": secret, "confirm_password": secret}
    assert await registration.register(values, base) == {}
    family = await person("family", None, "Pat Plain")
    await registration.register({**values, "email": family.email}, base)  # it already has an account
    confirmed = await person("family", None, "Kim Plain")  # asks for a link it no longer needs
    await registration.resend(confirmed.email, base, f"10.9.{secrets.randbelow(200)}.1")
    await password_reset.request_reset(family.email, f"10.8.{secrets.randbelow(200)}.1", base)
    await password_reset.request_reset(f"nobody.{tag}@example.com", f"10.7.{secrets.randbelow(200)}.1", base)
    fresh = f"Amber-meadow-{secrets.token_hex(3)}-violin"
    new_password = {"current_password": DEMO_PASSWORD, "password": fresh, "confirm_password": fresh}
    changed = await password_reset.change_password(family, new_password, "10.6.0.1")
    assert changed == {}, changed
    # Lodging through the pages: the confirmation.
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as c:
        await sign_in(c, "family@example.com")
        await lodge(c, standard_answers(await la_id()))
    # A case: mediation asked for (the LA told), offered times, a booked meeting with its invitations, an
    # officer named on it, re-routed.
    world = await requested()  # asked for at lodging: the LA is told
    today = timekeeping.today()
    plan = plan_for(world)
    slots = (await search(await world.case(), plan)).slots
    await make_offer(
        await world.case(), plan, [f"{s.isoformat()}/{e.isoformat()}" for s, e in slots[:2]], actor=world.la
    )
    session_id = await booked(world)
    await guests.name_guest(await world.case(), session_id,
                            {"role": "la_officer", "name": "Ira Head", "email": f"ira.{tag}@example.com"},
                            actor=world.la)  # fmt: skip
    await reroute_case(
        await world.case(), ["B", "F", "I"], "Social care added after a review", actor=world.la
    )
    await unable_to_arrange(
        await world.case(), told_on=today, reason="No mediator free in time", actor=world.la
    )
    # Health only: the LA tells the ICB, which then arranges mediation.
    health = await make_world(sections=("G",))
    await notify_icb(await health.case(), notified_on=today, actor=health.la)
    # A certificate after the family declines.
    declined = await make_world(wants_mediation=False, notice_days_ago=40)
    await record_advice(await declined.case(), contacted_on=today, choice="decline", actor=declined.mediator)
    await issue_certificate(await declined.case(), today, actor=declined.mediator)
    # A decision notice by email, then the reminders and digests a sweep sends near the LA's deadline.
    await issue(notice_input(email=f"notice.{tag}@example.com"))
    due = min(c.due for c in (await world.case()).running_clocks if c.owed_by_body)
    await run_sweeps(dt.datetime.combine(due, dt.time(9), tzinfo=dt.UTC), local_authorities=[world.la_id])
    # A week later the deadline is missed: the breach escalation to the LA's manager.
    late = due + dt.timedelta(days=7)
    await run_sweeps(dt.datetime.combine(late, dt.time(9), tzinfo=dt.UTC), local_authorities=[world.la_id])


async def test_every_email_the_service_sends_reads_well_as_plain_text(app) -> None:
    last = await Notification.select(Notification.id).order_by(Notification.id, ascending=False).first()
    await _every_kind_of_email(app)
    rows = await Notification.select(
        Notification.dedupe_key, Notification.subject, Notification.body_text
    ).where((Notification.id > (last["id"] if last else 0)) & (Notification.channel == "email"))
    sent = {row["dedupe_key"].split(":", 1)[0] for row in rows}
    assert sent >= KINDS, f"the journey sent no {sorted(KINDS - sent)} email"
    faults = {
        f"{r['dedupe_key']} ({r['subject']})": p for r in rows if (p := reading_problems(r["body_text"]))
    }
    assert faults == {}


def test_every_kind_of_email_in_the_code_is_in_the_journey() -> None:
    """A new kind of email (a new outbox key) must be added to KINDS, and so to the journey above."""
    written = set()
    for path in (ROOT / "mediation").rglob("*.py"):
        written.update(KEY.findall(path.read_text()))
    assert written - KINDS - NOT_KINDS == set(), Path("mediation")


@pytest.mark.parametrize("change", sorted(invites.OPENINGS))
def test_what_an_officer_without_an_account_is_told_reads_well_as_plain_text(change: str) -> None:
    meeting = invites.MeetingCase(
        id=1, reference="SM-12345678", child_name="Kit Child", mediation_service_id=None
    )
    start = dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC)
    session = {"starts_at": start, "ends_at": start + dt.timedelta(hours=2), "remote": True}
    attendee = {"role": "la_officer", "name": "Ira Head"}
    subject, body = invites.guest_message(
        meeting, session, attendee, change, "Mediation Service, 0300 000 0000"
    )
    assert reading_problems(body) == []
    assert "Kit" not in subject
