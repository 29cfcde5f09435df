"""Each LA's notice text: versions, the reg 32 checks on every save, the sandbox, and who may edit it."""

import pytest

from mediation.audit.tables import AuditEvent
from mediation.notices.rendering import default_template_text
from mediation.notices.tables import DecisionNotice, NoticeTemplate
from mediation.organisations.service import create_organisation, save_contacts
from tests.conftest import client_as
from tests.notices.helpers import demo_la, issue, notice_input, second_la_with_coordinator

pytestmark = pytest.mark.anyio


async def _save(client, la_id: int, body: str, note: str = "", action: str = "save"):
    data = {"body": body, "note": note, "action": action, "_csrf_token": client.cookies.get("csrftoken")}
    return await client.post(f"/notice-templates/{la_id}", data=data)


async def _own_la_with_contacts() -> int:
    """A fresh LA, so version numbers in this test do not depend on other tests."""
    import secrets

    code = f"E1{secrets.randbelow(10**7):07d}"
    la = await create_organisation(name=f"Template Council {code}", kind="local_authority", code=code)
    await save_contacts(
        la,
        {
            "mediation_adviser": {"name": "Adviser", "email": "adviser@template.example"},
            "send_team": {"name": "SEND Team", "email": "send@template.example"},
        },
        actor=None,
    )
    return la


async def test_saving_the_text_creates_a_new_version_and_each_notice_keeps_its_own(app):
    la = await _own_la_with_contacts()
    before = await issue(notice_input(), la_id=la)
    admin = await client_as(app, "admin")
    body = default_template_text().replace(
        "Please read the dates carefully.", "Please read every date with care."
    )
    response = await _save(admin, la, body, note="Plainer wording")
    assert response.status_code == 303
    assert response.headers["location"] == f"/notice-templates/{la}?saved=2"
    after = await issue(notice_input(), la_id=la)
    rows = {
        r["reference"]: r
        for r in await DecisionNotice.select(
            DecisionNotice.reference, DecisionNotice.body_text, DecisionNotice.template.version.as_alias("v")
        ).where(DecisionNotice.reference.is_in([before, after]))
    }
    assert rows[before]["v"] == 1 and "Please read the dates carefully." in rows[before]["body_text"]
    assert rows[after]["v"] == 2 and "Please read every date with care." in rows[after]["body_text"]
    page = await admin.get(f"/notice-templates/{la}?saved=2")
    assert "Version 2 saved" in page.text and "Plainer wording" in page.text
    old = await admin.get(f"/notice-templates/{la}/versions/1")
    assert "Please read the dates carefully." in old.text
    assert await AuditEvent.exists().where(
        (AuditEvent.entity == "notice_template") & (AuditEvent.entity_id == f"{la}:2")
    )
    unchanged = await _save(admin, la, body)
    assert unchanged.status_code == 400 and "The notice text has not changed" in unchanged.text
    await admin.aclose()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{{ contact_block(adviser) }}", ""), "the mediation adviser&#39;s contact details (reg 32(c))"),
        (("{{ contact_block(la.contact) }}", ""), "the person acting for the local authority (reg 32(f))"),
        (("{{ appeal.due | day_date }}", "soon", "{{ d.due | day_date }}", "soon"), "the appeal deadline"),
        (("{{ contact_block(icb.contact) }}", ""), None),  # the ICB's name is still given, so this is allowed
        (("{{ icb.name }}", "the health body"), "the integrated care board&#39;s role"),
        (("{{ child.name }}", "{{ child.nickname }}"), "The template has an error"),
        (("{% endif %}", ""), "The template has an error"),
    ],
)
async def test_a_text_that_no_longer_says_what_the_law_requires_is_refused(app, change, message):
    client = await client_as(app, "admin")
    body = default_template_text()
    for old, new in zip(change[::2], change[1::2], strict=True):
        body = body.replace(old, new)
    response = await _save(client, await _own_la_with_contacts(), body)
    if message is None:
        assert response.status_code == 303
    else:
        assert response.status_code == 400
        assert message in response.text
        assert "Error: Notice text for" in response.text
    await client.aclose()


async def test_template_code_cannot_reach_outside_its_sandbox_and_unsafe_html_is_removed(app):
    client = await client_as(app, "la_coordinator")
    la = await demo_la()
    escape = await _save(client, la, "{{ ().__class__.__mro__[1].__subclasses__() }}", action="preview")
    assert escape.status_code == 400
    assert "is unsafe" in escape.text
    include = await _save(client, la, '{% include "base.html" %}', action="preview")
    assert include.status_code == 400
    body = default_template_text() + '<script>alert(1)</script><p onclick="x()">Extra</p><img src="x">'
    preview = await _save(client, la, body, action="preview")
    assert preview.status_code == 200
    shown = preview.text.split('id="preview"', 1)[1]  # the rendered sample, not the typed text above it
    assert "alert(1)" not in shown and "onclick" not in shown and "<img" not in shown
    assert '<p class="govuk-body">Extra</p>' in shown
    assert not await NoticeTemplate.exists().where(NoticeTemplate.body.like("%alert(1)%"))
    await client.aclose()


async def test_coordinators_edit_only_their_own_la_s_text_and_admins_any(app):
    la = await demo_la()
    other = await client_as(app, "anonymous")
    other_la = await second_la_with_coordinator(other)
    assert (await other.get(f"/notice-templates/{la}")).status_code == 404
    assert (await _save(other, la, default_template_text())).status_code == 404
    index = await other.get("/notice-templates")
    assert index.headers["location"] == f"/notice-templates/{other_la}"
    admin = await client_as(app, "admin")
    assert (await admin.get(f"/notice-templates/{other_la}")).status_code == 200
    assert "Milton Keynes City Council" in (await admin.get("/notice-templates")).text
    family = await client_as(app, "family")
    assert (await family.get(f"/notice-templates/{la}")).status_code == 403
    for c in (other, admin, family):
        await c.aclose()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{{ "x" * 100000000 }}', "a repeat may make at most 10,000 characters"),
        ("{{ 9 ** 999999 }}", "powers are not allowed"),
        ('{{ "x" | center(1000000000) }}', "No filter named &#39;center&#39;"),
        ("{% for i in range(10) %}{% endfor %}", "&#39;range&#39; is undefined"),
        (
            "{% for a in la.name %}{% for b in la.name %}{% for c in la.name %}{% endfor %}{% endfor %}"
            "{% endfor %}",
            "loops may be nested at most 2 deep",
        ),
        (
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
            "does too much work to show",
        ),
    ],
)
async def test_a_template_cannot_tie_up_the_server(app, source, message):
    client = await client_as(app, "la_coordinator")
    response = await _save(client, await demo_la(), source, action="preview")
    assert response.status_code == 400
    assert message in response.text
    await client.aclose()
