import pytest

from mediation.accounts.tables import Account
from mediation.audit.tables import AuditEvent
from mediation.organisations.tables import ContactPurpose, Organisation, OrganisationContact
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


async def _la_id() -> int:
    row = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
    return row["id"]


async def test_demo_data_links_milton_keynes_to_its_icb_with_every_contact_a_notice_needs(app):
    admin = await client_as(app, "admin")
    detail = (await admin.get(f"/api/v1/organisations/{await _la_id()}")).json()
    assert detail["name"] == "Milton Keynes City Council"
    assert detail["linked"] == ["NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board"]
    contacts = {c["purpose"]: c for c in detail["contacts"]}
    for purpose in ("mediation_adviser", "sendiass", "disagreement_resolution", "send_team"):
        assert contacts[purpose]["name"], purpose
    await admin.aclose()


async def test_admin_changes_a_contact_and_the_log_keeps_before_and_after(app):
    la = await _la_id()
    admin = await client_as(app, "admin")
    page = await admin.get(f"/admin/organisations/{la}")
    assert page.status_code == 200
    token = admin.cookies.get("csrftoken")
    form = {"_csrf_token": token, "sendiass-name": "MK SENDIASS", "sendiass-email": "new@sendias.example"}
    response = await admin.post(f"/admin/organisations/{la}", data=form)
    assert response.status_code == 303
    row = (
        await OrganisationContact.select()
        .where(
            (OrganisationContact.organisation == la)
            & (OrganisationContact.purpose == ContactPurpose.sendiass.value)
        )
        .first()
    )
    assert row["email"] == "new@sendias.example"
    event = (
        await AuditEvent.select()
        .where(AuditEvent.entity_id == f"{la}:sendiass")
        .order_by(AuditEvent.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert event["after"]["email"] == "new@sendias.example"
    assert event["before"]["email"] == "sendias@milton-keynes.example"
    assert "Dana Reid" in event["actor_label"]
    await admin.aclose()


async def test_a_bad_contact_email_is_refused_with_the_field_named_and_nothing_saved(app):
    la = await _la_id()
    admin = await client_as(app, "admin")
    before = await OrganisationContact.select().where(OrganisationContact.organisation == la)
    token = admin.cookies.get("csrftoken")
    response = await admin.post(
        f"/admin/organisations/{la}",
        data={
            "_csrf_token": token,
            "send_team-name": "SEND Team",
            "send_team-email": "not an email",
            "sendiass-name": "Changed name",
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#send_team-email"' in response.text
    assert 'value="not an email"' in response.text  # what was typed is kept
    after = await OrganisationContact.select().where(OrganisationContact.organisation == la)
    assert sorted(map(str, before)) == sorted(map(str, after))
    await admin.aclose()


async def test_admin_creates_a_staff_account_that_can_sign_in(app):
    admin = await client_as(app, "admin")
    await admin.get("/admin/accounts/new")
    token = admin.cookies.get("csrftoken")
    response = await admin.post(
        "/admin/accounts/new",
        data={
            "_csrf_token": token,
            "full_name": "Morgan Blake",
            "email": "Morgan.Blake@Milton-Keynes.example",
            "role": "la_coordinator",
            "organisation": str(await _la_id()),
            "password": "Another-long-password-1",
        },
    )
    assert response.status_code == 303
    row = (
        await Account.select(Account.password_hash, Account.role)
        .where(Account.email == "morgan.blake@milton-keynes.example")
        .first()
    )
    assert row["role"] == "la_coordinator"
    assert row["password_hash"].startswith("$argon2id$")
    await admin.aclose()


async def test_staff_account_form_names_every_problem(app):
    admin = await client_as(app, "admin")
    await admin.get("/admin/accounts/new")
    token = admin.cookies.get("csrftoken")
    response = await admin.post(
        "/admin/accounts/new",
        data={
            "_csrf_token": token,
            "full_name": "",
            "email": "family@example.com",
            "role": "health_commissioner",
            "organisation": str(await _la_id()),
            "password": "short",
        },
    )
    assert response.status_code == 400
    text = response.text
    assert "Enter the person&#39;s full name" in text or "Enter the person's full name" in text
    assert "An account with this email address already exists" in text
    assert "Select the integrated care board this person works for" in text
    assert "Password must be 12 characters or more" in text
    assert 'value="family@example.com"' in text
    await admin.aclose()


async def test_a_form_that_sends_one_contact_leaves_the_others_as_they_were(app):
    la = await _la_id()
    admin = await client_as(app, "admin")
    await admin.get(f"/admin/organisations/{la}")
    before = (
        await OrganisationContact.select(OrganisationContact.email)
        .where((OrganisationContact.organisation == la) & (OrganisationContact.purpose == "send_team"))
        .first()
    )
    response = await admin.post(
        f"/admin/organisations/{la}",
        data={
            "_csrf_token": admin.cookies.get("csrftoken"),
            "sendiass-name": "MK SENDIASS",
            "sendiass-email": "sendias@milton-keynes.example",
        },
    )
    assert response.status_code == 303
    after = (
        await OrganisationContact.select(OrganisationContact.email)
        .where((OrganisationContact.organisation == la) & (OrganisationContact.purpose == "send_team"))
        .first()
    )
    assert after == before
    await admin.aclose()
