"""Bulk issue: a malformed file is refused whole; after that each row stands alone; nothing is sent twice."""

import datetime as dt
import re
import uuid

import httpx
import pytest

from mediation.notices import batches
from mediation.notices.batches import claim_rows, process_batches
from mediation.notices.tables import DecisionNotice, NoticeBatch, NoticeBatchRow
from mediation.notify.tables import Notification
from tests.confirmations import confirmation_after
from tests.conftest import client_as
from tests.notices.helpers import PDF, own_la, second_la_with_coordinator

pytestmark = pytest.mark.anyio

HEADER = (
    "child_name,child_date_of_birth,family_name,email,postal_address,decision,plan_kind,decision_date,"
    "sections,filename"
)


def _tag() -> str:
    return uuid.uuid4().hex[:6].capitalize()


def good_csv(tag: str) -> str:
    return "\n".join(
        [
            HEADER,
            f"Ada {tag},2015-12-10,Anne Lovelace,anne.{tag}@example.com,,plan_contents,final,2026-03-10,"
            "A B C F G I,ada.pdf",
            f'Alan {tag},23/06/2016,Sara Turing,,"1 Example Road, Wilmslow, SK9 1AA",refuse_assessment,,'
            "10/03/2026,,",
            f"Grace {tag},2014-01-02,Mary Hopper,mary.{tag}@example.com,,plan_contents,amended,2026-03-01,I,",
            f"Bad Date {tag},30.02.2015,Some Parent,p.{tag}@example.com,,refuse_plan,,2026-03-01,,",
            f"Bad Decision {tag},2015-01-01,Some Parent,q.{tag}@example.com,,think_about_it,,2026-03-01,,",
            f"No File {tag},2015-01-01,Some Parent,r.{tag}@example.com,,refuse_plan,,2026-03-01,,missing.pdf",
        ]
    )


async def upload(
    client: httpx.AsyncClient, content: bytes, pdfs: dict[str, bytes] | None = None
) -> httpx.Response:
    files = [("csv", ("notices.csv", content, "text/csv"))]
    files += [("pdfs", (name, data, "application/pdf")) for name, data in (pdfs or {}).items()]
    return await client.post(
        "/notices/bulk", data={"_csrf_token": client.cookies.get("csrftoken")}, files=files
    )


def batch_id_from(response: httpx.Response) -> int:
    match = re.match(r"/notices/batches/(\d+)$", response.headers.get("location", ""))
    assert match, (response.status_code, response.text[-2000:])
    return int(match.group(1))


async def drain() -> None:
    while (await process_batches(limit=50)).claimed:
        pass


MALFORMED = [
    (b"", "Select a CSV file of notices"),  # an empty upload is no file at all to the browser
    (b"  \n", "The selected CSV file is empty"),
    (PDF, "The selected file must be a CSV file"),
    ("child_name,family_name\nJosé,Ana".encode("latin-1"), "The CSV file must be saved as UTF-8"),
    (b"child_name,family_name,email\nAda,Anne,a@example.com",
     "missing the columns child_date_of_birth, decision"),
    (HEADER.encode(), "The CSV file has column names but no rows of notices"),
    (b"child_name,child_date_of_birth,family_name,decision,decision_date\nA,2015-01-01,B,refuse_plan,2026-01-01",
     "needs an email column, a postal_address column, or both"),
    (b"child_name,child_name,child_date_of_birth,family_name,email,decision,decision_date\n",
     "more than once"),
    ((HEADER + '\nAda,2015-01-01,"unclosed').encode(), "could not be read at line"),
    ((HEADER + "\n" + "\n".join(f"C{i},2015-01-01,P,p{i}@example.com,,refuse_plan,,2026-01-01,,"
                                   for i in range(501))).encode(),
     "upload at most 500 at a time"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "message"), MALFORMED)
async def test_a_malformed_upload_is_refused_whole_with_a_clear_message(app, content, message):
    client = await client_as(app, "la_coordinator")
    before = await NoticeBatch.count()
    if content == b"":
        response = await client.post("/notices/bulk", data={"_csrf_token": client.cookies.get("csrftoken")})
    else:
        response = await upload(client, content)
    assert response.status_code == 400
    assert message in response.text.replace("&#39;", "'")
    assert 'href="#csv"' in response.text
    assert await NoticeBatch.count() == before
    await client.aclose()


async def test_each_row_becomes_its_own_notice_and_bad_rows_do_not_stop_the_others(app):
    client = await client_as(app, "la_coordinator")
    tag = _tag()
    uploaded = await upload(client, good_csv(tag).encode(), {"ada.pdf": PDF})
    batch_id = batch_id_from(uploaded)
    assert (
        await confirmation_after(client, uploaded)
        == "Spreadsheet uploaded: its notices are issued row by row"
    )
    page = await client.get(f"/notices/batches/{batch_id}")
    assert page.status_code == 200
    assert "Refresh this page" in page.text
    assert (
        "child_date_of_birth: enter a date like 2027-03-10 or 10/03/2027, not &#39;30.02.2015&#39;"
        in page.text
    )
    assert "decision: Select the decision or plan the notice is for" in page.text
    assert "filename: no uploaded PDF is called missing.pdf" in page.text
    await drain()
    view = await batches.get_batch(await _coordinator(), batch_id)
    assert view.counts == {"queued": 0, "issuing": 0, "issued": 3, "failed": 3}
    issued = {r.child_name: r.notice_reference for r in view.rows if r.notice_reference}
    assert set(issued) == {f"Ada {tag}", f"Alan {tag}", f"Grace {tag}"}
    ada = await DecisionNotice.select().where(DecisionNotice.reference == issued[f"Ada {tag}"]).first()
    assert ada["plan_document"] is not None and ada["batch"] == batch_id and ada["channel"] == "email"
    assert "ICB" in ada["body_text"]  # sections C and G bring in the ICB
    alan = await DecisionNotice.select().where(DecisionNotice.reference == issued[f"Alan {tag}"]).first()
    assert alan["channel"] == "letter" and alan["plan_document"] is None
    assert alan["postal_address"] == "1 Example Road, Wilmslow, SK9 1AA"
    grace = await DecisionNotice.select().where(DecisionNotice.reference == issued[f"Grace {tag}"]).first()
    assert "You do not need a mediation certificate to appeal" in grace["body_text"]
    page = await client.get(f"/notices/batches/{batch_id}")
    assert "Refresh this page" not in page.text
    assert issued[f"Ada {tag}"] in page.text
    api = await client.get(f"/api/v1/notice-batches/{batch_id}")
    assert api.json()["counts"]["issued"] == 3
    await client.aclose()


async def _coordinator():
    from mediation.accounts.service import load_user
    from mediation.accounts.tables import Account

    row = await Account.select(Account.id).where(Account.email == "coordinator@milton-keynes.example").first()
    return await load_user(row["id"])


async def _messages_for(batch_id: int) -> int:
    references = [
        r["reference"]
        for r in await DecisionNotice.select(DecisionNotice.reference).where(DecisionNotice.batch == batch_id)
    ]
    return await Notification.count().where(
        Notification.dedupe_key.is_in([f"notice:{r}" for r in references] or ["-"])
    )


async def test_re_running_retrying_or_re_uploading_a_batch_never_sends_a_notice_twice(app):
    client = await client_as(app, "la_coordinator")
    tag = _tag()
    content = good_csv(tag).encode()
    batch_id = batch_id_from(await upload(client, content, {"ada.pdf": PDF}))
    await drain()
    assert await _messages_for(batch_id) == 3
    await drain()  # the sweep again
    retried = await client.post(
        f"/notices/batches/{batch_id}/retry", data={"_csrf_token": client.cookies.get("csrftoken")}
    )
    assert retried.status_code == 303
    await drain()  # the failed rows again: bad data fails again, nothing is re-sent
    assert await _messages_for(batch_id) == 3
    assert await DecisionNotice.count().where(DecisionNotice.batch == batch_id) == 3
    again = batch_id_from(await upload(client, content, {"ada.pdf": PDF}))  # the same file uploaded twice
    await drain()
    view = await batches.get_batch(await _coordinator(), again)
    assert view.counts["issued"] == 0
    assert sum("already issued" in r.error for r in view.rows) == 3
    assert await _messages_for(again) == 0
    await client.aclose()


async def test_a_worker_whose_lease_ran_out_cannot_issue_a_row_a_second_time(app):
    client = await client_as(app, "la_coordinator")
    tag = _tag()
    csv_text = f"{HEADER}\nLease {tag},2015-01-01,Pat Parent,pat.{tag}@example.com,,refuse_plan,,2026-03-01,,"
    batch_id = batch_id_from(await upload(client, csv_text.encode()))
    now = dt.datetime.now(dt.UTC)
    first_claim = await claim_rows(now, 500)
    later = now + batches.LEASE + dt.timedelta(seconds=1)  # the slow worker's lease has run out
    second_claim = await claim_rows(later, 500)
    others = [r["id"] for r in first_claim + second_claim if r["batch"] != batch_id]
    if others:  # rows of other tests' batches: hand them back rather than leave them leased
        await NoticeBatchRow.update({NoticeBatchRow.status: "queued"}).where(NoticeBatchRow.id.is_in(others))
    slow = [r for r in first_claim if r["batch"] == batch_id]
    fresh = [r for r in second_claim if r["batch"] == batch_id]
    assert [r["id"] for r in slow] == [r["id"] for r in fresh]
    assert await batches._issue_row(fresh[0], await _la(), None) == "issued"
    assert await batches._issue_row(slow[0], await _la(), None) == "lost"  # its claim no longer holds
    assert await DecisionNotice.count().where(DecisionNotice.batch == batch_id) == 1
    assert await _messages_for(batch_id) == 1
    await client.aclose()


async def _la() -> int:
    from tests.notices.helpers import demo_la

    return await demo_la()


async def test_an_unexpected_failure_on_one_row_is_retried_and_the_others_are_issued(app, monkeypatch):
    client = await client_as(app, "la_coordinator")
    tag = _tag()
    rows = [
        f"Row{i} {tag},2015-01-01,Pat Parent,pat{i}.{tag}@example.com,,refuse_plan,,2026-03-01,,"
        for i in range(3)
    ]
    batch_id = batch_id_from(await upload(client, "\n".join([HEADER, *rows]).encode()))
    real = batches.issue_notice

    async def flaky(notice, **kwargs):
        if notice.child_name.startswith("Row1 "):
            raise RuntimeError("the database went away")
        return await real(notice, **kwargs)

    monkeypatch.setattr(batches, "issue_notice", flaky)
    await process_batches(limit=500)
    view = await batches.get_batch(await _coordinator(), batch_id)
    statuses = {r.child_name.split()[0]: (r.status, r.error) for r in view.rows}
    assert statuses["Row0"][0] == "issued" and statuses["Row2"][0] == "issued"
    assert statuses["Row1"] == ("queued", "Will try again: the database went away")
    monkeypatch.setattr(batches, "issue_notice", real)
    await drain()
    view = await batches.get_batch(await _coordinator(), batch_id)
    assert view.counts["issued"] == 3
    await client.aclose()


async def test_rows_are_read_in_order_with_their_line_numbers(app):
    client = await client_as(app, "la_coordinator")
    tag = _tag()
    batch_id = batch_id_from(await upload(client, good_csv(tag).encode(), {"ada.pdf": PDF}))
    numbers = [
        r["row_number"]
        for r in await NoticeBatchRow.select(NoticeBatchRow.row_number)
        .where(NoticeBatchRow.batch == batch_id)
        .order_by(NoticeBatchRow.row_number)
    ]
    assert numbers == [2, 3, 4, 5, 6, 7]
    await drain()
    await client.aclose()


async def test_bulk_rows_are_issued_from_the_fixed_text_and_the_fields_current_when_they_are_issued(app):
    from mediation.accounts.service import load_user
    from mediation.notices.versions import current_template, save_version

    client = await client_as(app, "anonymous")
    la = await second_la_with_coordinator(client, await own_la())
    coordinator = await load_user((await client.get("/api/v1/me")).json()["id"])
    tag = _tag()
    batch_id = batch_id_from(await upload(client, good_csv(tag).encode(), {"ada.pdf": PDF}))
    before = (await current_template(la))["fields"]
    opening = f"Batch opening {tag} {{{{ 7 * 7 }}}}"
    version = await save_version(la, {**before, "opening": opening}, "", actor=coordinator)
    await drain()
    rows = await DecisionNotice.select(
        DecisionNotice.body_text, DecisionNotice.template.version.as_alias("v")
    ).where(DecisionNotice.batch == batch_id)
    assert len(rows) == 3
    for row in rows:
        assert row["v"] == version == 2
        assert opening in row["body_text"]
    await client.aclose()
