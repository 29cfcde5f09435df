"""Demo data for the embedded default: Milton Keynes, its ICB, a mediation service and a user per role.

Loaded once, on first start, when the database has no organisations. Every demo address is on
example domains so nothing is ever sent to a real inbox.
"""

from __future__ import annotations

import datetime as dt
import logging

from mediation import timekeeping
from mediation.accounts.service import NewAccount, create_account
from mediation.cases.commands import Matter, NewCase, create_case
from mediation.organisations.service import create_organisation, link_la_to_icb, save_contacts
from mediation.organisations.tables import Organisation

log = logging.getLogger(__name__)

DEMO_PASSWORD = "Demo-password-2026"  # noqa: S105 - published in the README for the demo only

DEMO_USERS = [
    ("family@example.com", "Sam Taylor", "family", None, "parent_carer"),
    ("other.family@example.com", "Alex Morgan", "family", None, "parent_carer"),
    ("coordinator@milton-keynes.example", "Priya Shah", "la_coordinator", "E06000042", None),
    ("commissioner@blmk-icb.example", "Chris Okafor", "health_commissioner", "QHG", None),
    ("mediator@independent-mediation.example", "Jo Williams", "mediator", "IMS-DEMO", None),
    ("admin@send-mediation.example", "Dana Reid", "admin", None, None),
]


async def load_demo_data() -> bool:
    """Create the demo records if the database is empty; returns whether anything was created."""
    if await Organisation.count() > 0:
        return False
    la = await create_organisation(
        name="Milton Keynes City Council",
        kind="local_authority",
        code="E06000042",
        email="send.team@milton-keynes.example",
        phone="01908 000000",
        address="Civic, 1 Saxon Gate East\nMilton Keynes\nMK9 3EJ",
    )
    icb = await create_organisation(
        name="NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board",
        kind="icb",
        code="QHG",
        email="send.health@blmk-icb.example",
    )
    service = await create_organisation(
        name="Independent SEND Mediation (demo)",
        kind="mediation_service",
        code="IMS-DEMO",
        email="bookings@independent-mediation.example",
        phone="0300 000 0000",
    )
    await link_la_to_icb(la, icb)
    await save_contacts(
        la,
        {
            "mediation_adviser": {
                "name": "Independent SEND Mediation advice line",
                "email": "advice@independent-mediation.example",
                "phone": "0300 000 0001",
            },
            "sendiass": {
                "name": "Milton Keynes SENDIAS Service",
                "email": "sendias@milton-keynes.example",
                "phone": "01908 000001",
            },
            "disagreement_resolution": {
                "name": "Independent SEND Mediation disagreement resolution",
                "email": "resolution@independent-mediation.example",
            },
            "send_team": {
                "name": "SEND Team",
                "email": "send.team@milton-keynes.example",
                "phone": "01908 000000",
                "address": "Civic, 1 Saxon Gate East, Milton Keynes MK9 3EJ",
            },
            "send_manager": {"name": "Head of SEND", "email": "send.manager@milton-keynes.example"},
        },
        actor=None,
    )
    await save_contacts(
        icb,
        {
            "designated_officer": {
                "name": "Designated Clinical Officer for SEND",
                "email": "dco@blmk-icb.example",
            }
        },
        actor=None,
    )
    codes = {"E06000042": la, "QHG": icb, "IMS-DEMO": service}
    ids = {}
    for email, name, role, org_code, relationship in DEMO_USERS:
        ids[email] = await create_account(
            NewAccount(
                email=email,
                full_name=name,
                role=role,
                password=DEMO_PASSWORD,
                organisation_id=codes.get(org_code) if org_code else None,
                family_relationship=relationship,
                email_confirmed=True,
            ),
            actor=None,
        )
    today = timekeeping.today()
    await create_case(
        NewCase(
            family_id=ids["family@example.com"],
            local_authority_id=la,
            child_name="Jamie Taylor",
            child_date_of_birth=dt.date(2015, 6, 14),
            decision="plan_contents",
            decision_notice_sent=today - dt.timedelta(days=12),
            matters=[
                Matter(
                    section="B",
                    disagreement_text="Speech and language needs are missing.",
                    wanted_text="Describe Jamie's speech, language and communication needs.",
                ),
                Matter(
                    section="F",
                    disagreement_text="No specified speech and language therapy.",
                    wanted_text="Weekly therapy from a qualified therapist, specified and quantified.",
                ),
                Matter(
                    section="G",
                    disagreement_text="Health provision is vague.",
                    wanted_text="Occupational therapy review every term.",
                ),
            ],
            health_provision_sought="Occupational therapy review every term, set out in section G.",
            wants_mediation=True,
            accessibility={"remote": "yes", "breaks": "yes"},
            contact_email="family@example.com",
            mediation_service_id=service,
        ),
        actor=None,
    )
    await create_case(
        NewCase(
            family_id=ids["family@example.com"],
            local_authority_id=la,
            child_name="Robin Taylor",
            child_date_of_birth=dt.date(2019, 2, 3),
            decision="refuse_assessment",
            decision_notice_sent=today - dt.timedelta(days=30),
            wants_mediation=False,
            contact_email="family@example.com",
        ),
        actor=None,
    )
    await create_case(
        NewCase(
            family_id=ids["other.family@example.com"],
            local_authority_id=la,
            child_name="Casey Morgan",
            child_date_of_birth=dt.date(2011, 9, 30),
            decision="plan_contents",
            decision_notice_sent=today - dt.timedelta(days=5),
            matters=[
                Matter(
                    section="C",
                    disagreement_text="Epilepsy care needs are not described.",
                    wanted_text="Describe the seizure care plan.",
                ),
                Matter(
                    section="G",
                    disagreement_text="No trained staff are specified.",
                    wanted_text="Two staff trained in rescue medication at all times.",
                ),
            ],
            health_provision_sought="Two staff trained in rescue medication at all times.",
            wants_mediation=True,
            contact_by="post",
            postal_address="12 Example Street\nMilton Keynes\nMK1 1AA",
        ),
        actor=None,
    )
    await _demo_mediation_service(service, ids["mediator@independent-mediation.example"])
    await _demo_notice_fields(la)
    await _demo_notice(la, ids["coordinator@milton-keynes.example"], today)
    log.info("demo data loaded: sign in with any demo account and the password %s", DEMO_PASSWORD)
    return True


async def _demo_mediation_service(service_id: int, mediator_account: int) -> None:
    """A mediator with office hours and a step-free room, so sessions can be offered straight away."""
    from mediation.accounts.service import load_user
    from mediation.services.service import add_hours, add_venue, save_mediator

    mediator = await load_user(mediator_account)
    assert mediator is not None
    profile = await save_mediator(service_id, mediator_account, None, False, actor=mediator)
    for weekday in range(5):
        await add_hours(service_id, profile, str(weekday), "09:30", "16:30", actor=mediator)
    await add_venue(
        service_id,
        {
            "name": "Civic, Meeting Room 2",
            "address": "1 Saxon Gate East, Milton Keynes MK9 3EJ",
            "capacity": "8",
            "step_free": "yes",
            "hearing_loop": "yes",
        },
        actor=mediator,
    )


async def _demo_notice_fields(la_id: int) -> None:
    """The council's own parts of its notices: letterhead, signature and a few plain-text paragraphs."""
    from mediation.notices.versions import seed_fields

    await seed_fields(
        la_id,
        {
            "council_name": "Milton Keynes City Council",
            "address": "Civic\n1 Saxon Gate East\nMilton Keynes\nMK9 3EJ",
            "signatory_name": "Priya Shah",
            "signatory_title": "SEND Coordinator",
            "opening": "",
            "contact": "Our SEND team is open Monday to Friday, 9am to 5pm. You can ask us to explain this "
            "decision, or talk it through with you, at any time.",
            "extra_heading": "Local support",
            "extra": "The Milton Keynes Local Offer lists the support available to children and young "
            "people with special educational needs or disabilities, and to their families.",
        },
    )


async def _demo_notice(la_id: int, coordinator_account: int, today: dt.date) -> None:
    """A refusal to assess sent to the demo family: it shows on their home page with 'I disagree'."""
    from mediation.accounts.service import load_user
    from mediation.notices.content import NoticeInput
    from mediation.notices.service import issue_notice

    coordinator = await load_user(coordinator_account)
    await issue_notice(
        NoticeInput(
            decision="refuse_assessment",
            plan_kind="",
            decision_date=today,
            sections=[],
            child_name="Alex Taylor",
            child_date_of_birth=dt.date(2017, 4, 21),
            family_name="Sam Taylor",
            family_email="family@example.com",
            postal_address="",
        ),
        la_id=la_id,
        actor=coordinator,
        dedupe_key="demo:notice:alex",
        plan=None,
    )
