import pytest

from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from tests.conftest import DEMO_EMAILS, client_as

pytestmark = pytest.mark.anyio


async def _case(child: str) -> dict:
    return (
        await Disagreement.select(Disagreement.id, Disagreement.reference)
        .where(Disagreement.child_name == child)
        .first()
    )


async def test_a_staff_view_of_a_case_is_recorded_with_who_and_when(app):
    case = await _case("Jamie Taylor")
    client = await client_as(app, "la_coordinator")
    before = await AuditEvent.count().where(
        (AuditEvent.disagreement_id == case["id"]) & (AuditEvent.action == "view")
    )
    assert (await client.get(f"/cases/{case['reference']}")).status_code == 200
    assert (await client.get(f"/api/v1/cases/{case['reference']}")).status_code == 200
    views = (
        await AuditEvent.select(AuditEvent.actor_label, AuditEvent.at)
        .where((AuditEvent.disagreement_id == case["id"]) & (AuditEvent.action == "view"))
        .order_by(AuditEvent.id, ascending=False)
    )
    assert len(views) == before + 2
    assert DEMO_EMAILS["la_coordinator"] in views[0]["actor_label"]
    await client.aclose()


async def test_a_family_viewing_its_own_case_is_not_a_staff_view(app):
    case = await _case("Jamie Taylor")
    client = await client_as(app, "family")
    before = await AuditEvent.count().where(AuditEvent.action == "view")
    assert (await client.get(f"/cases/{case['reference']}")).status_code == 200
    assert await AuditEvent.count().where(AuditEvent.action == "view") == before
    await client.aclose()


async def test_the_case_timeline_is_read_from_the_event_log(app):
    case = await _case("Jamie Taylor")
    client = await client_as(app, "family")
    page = await client.get(f"/cases/{case['reference']}")
    assert "Disagreement lodged; routed to the local authority" in page.text
    await client.aclose()


async def test_audit_entries_cannot_be_changed_or_deleted_even_in_the_database():
    entry = await AuditEvent.select(AuditEvent.id).first()
    # A trigger refuses it; as a separate PostgreSQL app role, the missing privilege already does.
    refused = "append-only|permission denied"
    with pytest.raises(Exception, match=refused):
        await AuditEvent.update({AuditEvent.summary: "tampered"}).where(AuditEvent.id == entry["id"])
    with pytest.raises(Exception, match=refused):
        await AuditEvent.delete().where(AuditEvent.id == entry["id"])
    assert await AuditEvent.exists().where(AuditEvent.id == entry["id"])


async def test_sign_in_is_recorded(app):
    before = await AuditEvent.count().where(AuditEvent.action == "sign_in")
    client = await client_as(app, "mediator")
    assert await AuditEvent.count().where(AuditEvent.action == "sign_in") == before + 1
    await client.aclose()


async def test_admin_sees_the_audit_log_read_only(app):
    client = await client_as(app, "admin")
    page = await client.get("/admin/audit")
    assert page.status_code == 200
    assert "cannot be changed or deleted" in page.text
    assert page.text.count('method="post"') == 1  # only the sign-out button: nothing edits the log
    await client.aclose()
