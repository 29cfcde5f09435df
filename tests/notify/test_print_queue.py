"""The print queue (issue 15): an organisation's letters to post, each one PDF with its enclosures merged,
a batch of everything waiting, "Mark as posted" with a date that is checked and audited; nobody sees
another organisation's letters."""

from __future__ import annotations

import datetime as dt
import io
import re

import httpx
import pytest
from pypdf import PdfReader

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import CaseDocument
from mediation.notify.tables import Notification
from tests.conftest import DEMO_EMAILS, csrf_token, sign_in
from tests.mediation.helpers import make_world, person
from tests.notify.print_helpers import certificate_letter, print_now, structure

pytestmark = pytest.mark.anyio


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )


def _date(day: dt.date, prefix: str = "posted") -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def test_a_letter_to_a_family_who_asked_for_post_is_in_its_senders_queue_as_one_merged_pdf(app):
    world, letter = await certificate_letter()
    certificate = (
        await CaseDocument.select(CaseDocument.content)
        .where((CaseDocument.disagreement == world.case_id) & (CaseDocument.kind == "mediation_certificate"))
        .first()
    )
    enclosure_pages = len(PdfReader(io.BytesIO(bytes(certificate["content"]))).pages)
    async with _client(app) as mediator:
        await sign_in(mediator, world.mediator.email)
        home = (await mediator.get("/home")).text
        assert 'href="/print-queue"' in home  # in the service navigation: findable without its address
        page = await mediator.get("/print-queue")
        assert page.status_code == 200
        ids = re.findall(r'\sid="([^"]+)"', page.text)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert f'href="/print-queue/letters/{letter}/pdf"' in page.text
        assert "Your mediation certificate" in page.text and "mediation-certificate-" in page.text
        download = await mediator.get(f"/print-queue/letters/{letter}/pdf")
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    merged = PdfReader(io.BytesIO(download.content))
    text = "".join(p.extract_text() for p in merged.pages)
    assert "Your mediation certificate" in text  # the letter first
    assert "Mediation certificate" in text and world.reference in text  # then the certificate enclosed
    assert len(merged.pages) >= 1 + enclosure_pages
    found = structure(download.content)
    assert found["tagged"] and found["lang"] == "en-GB" and found["display_title"]
    assert found["tags"].count("/H1") >= 2  # the letter's heading and the certificate's


async def test_only_the_organisations_own_staff_see_its_letters(app):
    world, letter = await certificate_letter()
    other = await make_world()  # another mediation service, and the LA and ICB of the first case
    async with _client(app) as stranger, _client(app) as la, _client(app) as family:
        await sign_in(stranger, other.mediator.email)
        assert f"/print-queue/letters/{letter}/pdf" not in (await stranger.get("/print-queue")).text
        assert (await stranger.get(f"/print-queue/letters/{letter}/pdf")).status_code == 404
        token = await csrf_token(stranger, "/print-queue")
        refused = await stranger.post(
            "/print-queue/posted",
            data={"_csrf_token": token, "letters": str(letter), **_date(timekeeping.today())},
        )
        assert refused.status_code == 400  # not in its queue: nothing to mark
        await sign_in(la, world.la.email)  # the case's own LA: the certificate letter is the service's
        assert (await la.get(f"/print-queue/letters/{letter}/pdf")).status_code == 404
        await sign_in(family, world.family.email)
        assert (await family.get("/print-queue")).status_code == 403
        assert (await family.get(f"/print-queue/letters/{letter}/pdf")).status_code == 403
    row = await Notification.select(Notification.posted_on).where(Notification.id == letter).first()
    assert row["posted_on"] is None


async def test_mark_as_posted_checks_the_date_records_it_and_moves_the_letter_to_posted(app):
    world, letter = await certificate_letter()
    today = timekeeping.today()
    async with _client(app) as mediator:
        await sign_in(mediator, world.mediator.email)
        token = await csrf_token(mediator, "/print-queue")

        async def mark(**fields: str) -> httpx.Response:
            return await mediator.post("/print-queue/posted", data={"_csrf_token": token, **fields})

        none_chosen = await mark(**_date(today))
        assert none_chosen.status_code == 400 and 'href="#letters"' in none_chosen.text
        future = await mark(letters=str(letter), **_date(today + dt.timedelta(days=1)))
        assert future.status_code == 400 and "must be today or in the past" in future.text
        assert 'href="#posted-day"' in future.text
        before = await mark(letters=str(letter), **_date(today - dt.timedelta(days=3)))
        assert before.status_code == 400 and "the day the latest of them was made" in before.text
        not_a_date = await mark(
            letters=str(letter), **{"posted-day": "31", "posted-month": "2", "posted-year": "2027"}
        )
        assert not_a_date.status_code == 400 and "must be a real date" in not_a_date.text
        assert 'value="31"' in not_a_date.text  # what was typed is kept
        done = await mark(letters=str(letter), **_date(today))
        assert done.status_code == 303
        page = (await mediator.get(done.headers["location"])).text
        assert "1 letter marked as posted" in page
        waiting_part, posted_part = page.split('id="posted-letters"', 1)
        assert f'value="{letter}"' not in waiting_part
        assert f'id="posted-{letter}"' in posted_part
        again = await mark(letters=str(letter), **_date(today))
        assert again.status_code == 400 and "already been posted" in again.text
    row = (
        await Notification.select(Notification.posted_on, Notification.posted_by)
        .where(Notification.id == letter)
        .first()
    )
    assert row == {"posted_on": today, "posted_by": world.mediator.id}
    logged = await AuditEvent.select(AuditEvent.actor, AuditEvent.summary, AuditEvent.disagreement_id).where(
        (AuditEvent.action == "letter_posted") & (AuditEvent.entity_id == str(letter))
    )
    assert len(logged) == 1 and logged[0]["actor"] == world.mediator.id
    assert logged[0]["disagreement_id"] == world.case_id and "Letter posted on" in logged[0]["summary"]


async def test_the_batch_download_holds_every_letter_waiting_each_with_its_enclosures(app):
    first, one = await certificate_letter()
    second, two = await certificate_letter()
    # Both in the first service's queue (as if it had issued the second certificate too).
    await Notification.update({Notification.organisation_id: first.service_id}).where(Notification.id == two)
    async with _client(app) as mediator:
        await sign_in(mediator, first.mediator.email)
        singles = [await mediator.get(f"/print-queue/letters/{n}/pdf") for n in (one, two)]
        batch = await mediator.get("/print-queue/batch.pdf")
    assert batch.status_code == 200
    assert re.search(
        r'filename="letters-to-post-\d{4}-\d{2}-\d{2}\.pdf"', batch.headers["content-disposition"]
    )
    pages = len(PdfReader(io.BytesIO(batch.content)).pages)
    assert pages == sum(len(PdfReader(io.BytesIO(s.content)).pages) for s in singles)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(batch.content)).pages)
    assert first.reference in text and second.reference in text


async def test_a_case_letter_goes_to_the_handling_bodys_queue_and_an_la_sees_it(app):
    """A lodging-style message to a family who asked for post: the LA handling the case posts it."""
    from mediation.notify.service import queue_for_person

    world = await make_world(contact_by="post")
    case = await world.case()
    await queue_for_person(
        email=case.written_email or None,
        name=case.family_name,
        address=case.postal_address,
        subject=f"About your disagreement {case.reference}",
        body_text="The council will write again soon.",
        dedupe_key=f"print-queue-test:{case.reference}",
        disagreement_id=case.id,
    )
    row = (
        await Notification.select()
        .where(Notification.dedupe_key == f"print-queue-test:{case.reference}")
        .first()
    )
    assert row["channel"] == "letter" and row["organisation_id"] == world.la_id
    await print_now(row["id"])
    la_staff = await person("la_coordinator", world.la_id, "Pat Printer")
    async with _client(app) as la, _client(app) as icb:
        await sign_in(la, la_staff.email)
        assert f"/print-queue/letters/{row['id']}/pdf" in (await la.get("/print-queue")).text
        await sign_in(icb, DEMO_EMAILS["health_commissioner"])
        assert f"/print-queue/letters/{row['id']}/pdf" not in (await icb.get("/print-queue")).text
        assert (await icb.get(f"/print-queue/letters/{row['id']}/pdf")).status_code == 404


async def test_an_enclosure_that_cannot_be_merged_becomes_a_page_saying_so_not_a_server_error(app):
    """Seen on PostgreSQL: a notice's plan that only looked like a PDF made the batch download a 500."""
    from mediation.notify.service import queue_for_person
    from tests.notify.conftest import add_document

    world = await make_world(contact_by="post")
    case = await world.case()
    broken = await add_document(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "final-plan.pdf")
    key = f"print-queue-broken:{case.reference}"
    await queue_for_person(
        email=None, name=case.family_name, address=case.postal_address, subject="Your final plan",
        body_text="Your plan is enclosed.", dedupe_key=key, disagreement_id=case.id,
        attachments=[{"document_id": broken, "filename": "final-plan.pdf"}],
    )  # fmt: skip
    row = await Notification.select(Notification.id).where(Notification.dedupe_key == key).first()
    await print_now(row["id"])
    la_staff = await person("la_coordinator", world.la_id, "Pat Printer")
    async with _client(app) as la:
        await sign_in(la, la_staff.email)
        single = await la.get(f"/print-queue/letters/{row['id']}/pdf")
        batch = await la.get("/print-queue/batch.pdf")
    assert single.status_code == 200 and batch.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(single.content)).pages)
    assert "Your final plan" in text and "final-plan.pdf could not be added" in text
