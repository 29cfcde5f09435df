"""Shared set-up for notice tests: the demo LA, unique children, issuing through the service or the form."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid

import httpx

from mediation.accounts.service import NewAccount, create_account
from mediation.notices.content import NoticeInput
from mediation.notices.service import PlanFile, issue_notice
from mediation.organisations.service import create_organisation
from mediation.organisations.tables import Organisation
from tests.conftest import DEMO_PASSWORD, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SENT = dt.date(2027, 3, 10)  # statute.md section 4: notice sent 10 Mar 2027 -> appeal Mon 10 May 2027
ICB_NAME = "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board"


async def demo_la() -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    return row["id"]


def child() -> str:
    """A unique child's name, so notices in a shared test database never look like repeats."""
    return f"Robin {uuid.uuid4().hex[:8].capitalize()}"


def notice_input(
    decision: str = "plan_contents",
    sections: list[str] | None = None,
    *,
    plan_kind: str | None = None,
    email: str = "parent@example.com",
    address: str = "",
    name: str | None = None,
    decided: dt.date = dt.date(2027, 3, 1),
) -> NoticeInput:
    if sections is None:
        sections = ["B", "F", "I"] if decision == "plan_contents" else []
    return NoticeInput(
        decision=decision,
        plan_kind=(plan_kind or "final") if decision == "plan_contents" else "",
        decision_date=decided,
        sections=sections,
        child_name=name or child(),
        child_date_of_birth=dt.date(2015, 6, 14),
        family_name="Sam Parent",
        family_email=email,
        postal_address=address,
    )


async def issue(notice: NoticeInput, *, sent_on: dt.date | None = SENT, la_id: int | None = None) -> str:
    reference, created = await issue_notice(
        notice,
        la_id=la_id or await demo_la(),
        actor=None,
        dedupe_key=f"test:{uuid.uuid4().hex}",
        plan=PlanFile("plan.pdf", PDF),
        sent_on=sent_on,
    )
    assert created
    return reference


def form(**overrides: object) -> dict[str, object]:
    """The issue form as a coordinator fills it in: a final plan for a unique child, sent by email."""
    values: dict[str, object] = {
        "issuing": "final_plan",
        "decision-day": "1",
        "decision-month": "3",
        "decision-year": "2026",
        "sections": ["B", "F", "I"],
        "child_name": child(),
        "dob-day": "14",
        "dob-month": "6",
        "dob-year": "2015",
        "family_name": "Sam Parent",
        "family_email": "parent@example.com",
        "postal_address": "",
        "form_id": secrets.token_urlsafe(18),
    }
    values.update(overrides)
    return values


async def post_form(
    client: httpx.AsyncClient, values: dict[str, object], pdf: bytes | None = PDF, filename: str = "plan.pdf"
) -> httpx.Response:
    files = {"plan": (filename, pdf, "application/pdf")} if pdf is not None else None
    data = {**values, "_csrf_token": client.cookies.get("csrftoken")}
    return await client.post("/notices/new", data=data, files=files)


def reference_from(response: httpx.Response) -> str:
    match = re.match(r"/notices/(DN-[0-9A-F]{8})", response.headers.get("location", ""))
    assert match, (response.status_code, response.text[-2000:])
    return match.group(1)


async def own_la(**fields: str) -> int:
    """A fresh LA with the contacts a notice needs (so version numbers do not depend on other tests), and
    `fields` saved over its first notice fields as version 2."""
    from mediation.accounts.service import load_user
    from mediation.accounts.tables import Account
    from mediation.notices.versions import current_template, save_version
    from mediation.organisations.service import save_contacts

    code = f"E1{secrets.randbelow(10**7):07d}"
    la = await create_organisation(
        name=f"Template Council {code}",
        kind="local_authority",
        code=code,
        address="1 Council Street\nTemplate Town\nTT1 1AA",
    )
    await save_contacts(
        la,
        {
            "mediation_adviser": {"name": "Adviser", "email": "adviser@template.example"},
            "send_team": {"name": "SEND Team", "email": "send@template.example"},
        },
        actor=None,
    )
    if fields:
        admin = await Account.select(Account.id).where(Account.role == "admin").first()
        actor = await load_user(admin["id"])
        assert actor is not None
        current = (await current_template(la))["fields"]
        await save_version(la, {**current, **fields}, "", actor=actor)
    return la


async def second_la_with_coordinator(client: httpx.AsyncClient, la: int | None = None) -> int:
    """Another LA (or `la`), with a coordinator signed in on `client`: it must see none of the demo LA's
    notices."""
    code = f"E0{secrets.randbelow(10**7):07d}"
    if la is None:
        la = await create_organisation(name=f"Other Council {code}", kind="local_authority", code=code)
    email = f"coordinator.{code.lower()}@other.example"
    await create_account(
        NewAccount(
            email=email,
            full_name="Other Coordinator",
            role="la_coordinator",
            password=DEMO_PASSWORD,
            organisation_id=la,
            email_confirmed=True,
        ),
        actor=None,
    )
    await sign_in(client, email)
    return la


async def matrix_ids() -> dict[str, object]:
    """For the authorisation matrix: a notice sent to the demo family by the demo LA, and a batch of it."""
    import datetime as dt

    from mediation.accounts.tables import Account
    from mediation.notices.tables import DecisionNotice, NoticeBatch

    la = await demo_la()
    await ensure_demo_contacts()
    notice = (
        await DecisionNotice.select(DecisionNotice.reference)
        .where(DecisionNotice.dedupe_key == "matrix")
        .first()
    )
    if notice is None:
        reference, _ = await issue_notice(
            notice_input(email="family@example.com", name="Matrix Child"),
            la_id=la, actor=None, dedupe_key="matrix", plan=PlanFile("matrix-plan.pdf", PDF), sent_on=None,
        )  # fmt: skip
        notice = {"reference": reference}
    batch = await NoticeBatch.select(NoticeBatch.id).where(NoticeBatch.filename == "matrix.csv").first()
    if batch is None:
        coordinator = await Account.select(Account.id).where(Account.role == "la_coordinator").first()
        row = NoticeBatch(
            local_authority=la, uploaded_by=coordinator["id"], filename="matrix.csv", total=0,
            created_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        await row.save()
        batch = {"id": row.id}
    return {"notice": notice["reference"], "batch": batch["id"]}


DEMO_CONTACTS = {  # as mediation/demo.py seeds them
    "mediation_adviser": {"name": "Independent SEND Mediation advice line",
                          "email": "advice@independent-mediation.example"},
    "sendiass": {"name": "Milton Keynes SENDIAS Service", "email": "sendias@milton-keynes.example"},
    "disagreement_resolution": {"name": "Independent SEND Mediation disagreement resolution",
                                "email": "resolution@independent-mediation.example"},
    "send_team": {"name": "SEND Team", "email": "send.team@milton-keynes.example"},
}  # fmt: skip


async def ensure_demo_contacts() -> None:
    """Other tests edit the demo LA's contacts through the admin form (which blanks those not posted):
    put back any a notice needs, so these tests do not depend on the order tests run in."""
    from mediation.organisations.service import get_organisation, save_contacts

    la = await get_organisation(await demo_la())
    assert la is not None
    blank = {c.purpose for c in la.contacts if not c.name}
    missing = {purpose: values for purpose, values in DEMO_CONTACTS.items() if purpose in blank}
    if missing:
        await save_contacts(la.id, missing, actor=None)
