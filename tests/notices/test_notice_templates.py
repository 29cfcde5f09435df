"""Each LA's notice fields: plain text around the fixed statutory text, never run as code; versions, the
limits and their messages, the fixed text's reg 32 content, old free-text versions, and who may edit."""

import asyncio
import secrets
import time

import pytest

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.notices.fields import FIELDS, validate_fields
from mediation.notices.rendering import render_body, to_text
from mediation.notices.tables import DecisionNotice, NoticeTemplate
from mediation.notices.versions import MOVED_NOTE, SAMPLES, current_template, sample_context
from mediation.organisations.service import create_organisation
from mediation.web.templating import day_date
from tests.conftest import client_as
from tests.notices.helpers import demo_la, issue, notice_input, own_la, second_la_with_coordinator

pytestmark = pytest.mark.anyio

# Measured on main: as a template these blocked every request for 12.3 s, and built a 20 MB response.
NESTED_LOOPS = "{% for a in 'x'*10000 %}{% for b in 'x'*10000 %}{% endfor %}{% endfor %}"
HUGE_FORMAT = "{{ '%020000000d' % 1 }}"


async def _form(la_id: int, **changes: str) -> dict[str, str]:
    """The LA's current fields as the edit form holds them, with `changes` typed over them."""
    return {**(await current_template(la_id))["fields"], **changes}


async def _post(client, la_id: int, values: dict[str, str], note: str = "", action: str = "save"):
    data = {**values, "note": note, "action": action, "_csrf_token": client.cookies.get("csrftoken")}
    return await client.post(f"/notice-templates/{la_id}", data=data)


def _preview(response) -> str:
    """The sample notice on the edit page, quotes unescaped (the page and the notice escape them
    differently)."""
    after = response.text.split('id="preview-notice"', 1)[1]
    return after.split('<h2 class="govuk-heading-m">Versions</h2>', 1)[0].replace("&#39;", "'")


async def _body_text(reference: str) -> str:
    row = await DecisionNotice.select(DecisionNotice.body_text).where(DecisionNotice.reference == reference)
    return row[0]["body_text"]


async def test_an_la_starts_with_fields_from_its_record(app):
    la = await own_la()
    current = await current_template(la)
    assert current["version"] == 1
    assert current["fields"]["council_name"].startswith("Template Council")
    assert current["fields"]["address"] == "1 Council Street\nTemplate Town\nTT1 1AA"
    assert current["fields"]["opening"] == ""
    text = await _body_text(await issue(notice_input(), la_id=la))
    assert text.rstrip().endswith(f"Yours sincerely,\n\n{current['fields']['council_name']}")


async def test_saving_the_fields_creates_a_new_version_and_each_notice_keeps_its_own_text(app):
    la = await own_la()
    before = await issue(notice_input(), la_id=la)
    before_text = await _body_text(before)
    admin = await client_as(app, "admin")
    values = await _form(
        la, opening="Please read every date with care.", signatory_name="Jo Bloggs",
        signatory_title="Head of SEND",
    )  # fmt: skip
    response = await _post(admin, la, values, note="Plainer wording")
    assert response.status_code == 303
    assert response.headers["location"] == f"/notice-templates/{la}?saved=2"
    after = await issue(notice_input(), la_id=la)
    rows = {
        r["reference"]: r
        for r in await DecisionNotice.select(
            DecisionNotice.reference, DecisionNotice.body_text, DecisionNotice.template.version.as_alias("v")
        ).where(DecisionNotice.reference.is_in([before, after]))
    }
    # The notice issued before the change keeps exactly the text and the version it was issued with.
    assert rows[before]["v"] == 1 and rows[before]["body_text"] == before_text
    assert "Please read every date with care." not in before_text and "Jo Bloggs" not in before_text
    assert rows[after]["v"] == 2
    assert "Please read every date with care." in rows[after]["body_text"]
    assert "Yours sincerely,\n\nJo Bloggs\nHead of SEND\nTemplate Council" in rows[after]["body_text"]
    page = await admin.get(f"/notice-templates/{la}?saved=2")
    assert "Version 2 saved" in page.text and "Plainer wording" in page.text
    assert (
        "Changed: Name of the person who signs notices, Job title of the person who signs notices, "
        "Opening paragraph" in page.text
    )
    old = await admin.get(f"/notice-templates/{la}/versions/1")
    assert old.status_code == 200 and "1 Council Street<br>Template Town" in old.text
    assert "Please read every date with care." not in old.text
    new = await admin.get(f"/notice-templates/{la}/versions/2")
    assert "Please read every date with care." in new.text
    assert await AuditEvent.exists().where(
        (AuditEvent.entity == "notice_template") & (AuditEvent.entity_id == f"{la}:2")
    )
    unchanged = await _post(admin, la, values)
    assert unchanged.status_code == 400 and "You have not changed any of the notice fields" in unchanged.text
    await admin.aclose()


@pytest.mark.parametrize("attack", [NESTED_LOOPS, HUGE_FORMAT, "{{ 7 * 7 }}", "<script>alert(1)</script>"])
@pytest.mark.parametrize("field", ["council_name", "signatory_name", "opening", "contact", "extra"])
async def test_template_code_and_html_typed_in_a_field_are_printed_as_typed_and_never_run(app, field, attack):
    la = await own_la()
    admin = await client_as(app, "admin")
    values = await _form(la, **{field: attack})
    if field == "extra":
        values["extra_heading"] = "More"
    started = time.perf_counter()
    preview = await _post(admin, la, values, action="preview")
    saved = await _post(admin, la, values)
    assert time.perf_counter() - started < 5  # the template code would take seconds; rendering is ms
    assert preview.status_code == 200, preview.text[-3000:]
    assert saved.status_code == 303
    shown = _preview(preview)
    assert len(preview.content) < 200_000
    escaped = attack.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in shown and "<script>" not in shown
    text = await _body_text(await issue(notice_input(), la_id=la))
    assert attack in text and "0000000000" not in text
    await admin.aclose()


async def test_a_field_s_text_keeps_its_paragraphs_and_line_breaks_and_entities_as_typed(app):
    la = await own_la()
    admin = await client_as(app, "admin")
    opening = 'First line\r\nsecond line\r\n\r\n\r\n\r\nA new paragraph with &amp; and "quotes".'
    response = await _post(admin, la, await _form(la, opening=opening), action="preview")
    shown = _preview(response)
    assert '<p class="govuk-body">First line<br>second line</p>' in shown
    assert '<p class="govuk-body">A new paragraph with &amp;amp; and "quotes".</p>' in shown
    assert (await _post(admin, la, await _form(la, opening=opening))).status_code == 303
    text = await _body_text(await issue(notice_input(), la_id=la))
    assert 'First line\nsecond line\n\nA new paragraph with &amp; and "quotes".' in text
    await admin.aclose()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"council_name": "  "}, "council_name", "Enter the council name"),
        ({"council_name": "x" * 121}, "council_name", "Council name must be 120 characters or fewer"),
        ({"council_name": "Two\nlines"}, "council_name", "Council name must be on one line"),
        ({"signatory_name": "Jo\u202eBloggs"}, "signatory_name",
         "Name of the person who signs notices must not contain control characters"),
        ({"opening": "Bell\x07"}, "opening", "Opening paragraph must not contain control characters"),
        ({"opening": "x" * 1501}, "opening", "Opening paragraph must be 1,500 characters or fewer"),
        ({"contact": "y" * 1501}, "contact",
         "How to contact the SEND team must be 1,500 characters or fewer"),
        ({"extra": "z" * 3001, "extra_heading": "More"}, "extra",
         "More information must be 3,000 characters or fewer"),
        ({"address": "\n".join(["Line"] * 7)}, "address", "Council address must be 6 lines or fewer"),
        ({"address": "a" * 101}, "address",
         "Each line of the council address must be 100 characters or fewer"),
        ({"extra": "Some text"}, "extra_heading", "Enter a heading for the more information section"),
        ({"extra_heading": "Local offer"}, "extra", "Enter the more information text, or delete its heading"),
    ],
)  # fmt: skip
async def test_each_field_has_a_limit_and_a_specific_message(changes, field, message):
    values = {f.name: "" for f in FIELDS} | {"council_name": "Council"} | changes
    _, errors = validate_fields(values)
    assert errors == {field: message}


async def test_the_edit_form_shows_the_gov_uk_error_summary_and_keeps_what_was_typed(app):
    la = await own_la()
    admin = await client_as(app, "admin")
    values = await _form(la, council_name="", opening="Kept <as typed>", contact="c" * 1501)
    for action in ("save", "preview"):
        response = await _post(admin, la, values, note="n" * 301, action=action)
        assert response.status_code == 400
        page = response.text
        assert "<title>Error: Notice text for" in page
        assert 'class="govuk-error-summary"' in page and "There is a problem" in page
        assert '<a href="#council_name">Enter the council name</a>' in page
        assert '<a href="#contact">How to contact the SEND team must be 1,500 characters or fewer</a>' in page
        assert 'id="council_name-error"' in page and 'class="govuk-error-message"' in page
        assert "Kept &lt;as typed&gt;</textarea>" in page
        assert 'id="preview-notice"' not in page
        note_error = '<a href="#note">What you changed must be 300 characters or fewer</a>'
        assert (note_error in page) is (action == "save")
    assert await NoticeTemplate.count().where(NoticeTemplate.local_authority == la) == 1
    await admin.aclose()


async def test_the_preview_is_the_notice_as_sent_from_the_la_s_own_record(app):
    admin = await client_as(app, "admin")
    la = await demo_la()
    response = await _post(admin, la, await _form(la), action="preview")
    assert response.status_code == 200
    shown = _preview(response)
    assert "Sample Child" in shown and "advice@independent-mediation.example" in shown
    assert "Dear Sample Parent" in shown and "notices cannot be issued" not in shown.lower()
    bare = await create_organisation(
        name="Bare Council", kind="local_authority", code=f"E1{secrets.randbelow(10**7):07d}"
    )
    response = await _post(admin, bare, await _form(bare), action="preview")
    assert response.status_code == 200
    assert "Notices cannot be issued until an administrator adds them" in response.text
    assert "Sample Mediation Advice" in response.text
    await admin.aclose()


async def _reg32_problems(text: str, context: dict) -> list[str]:
    deadlines = context["deadlines"]
    required = [
        (context["adviser"]["name"], "the mediation adviser's contact details (reg 32(c))"),
        (context["la"]["contact"]["name"], "the person acting for the local authority (reg 32(f))"),
        (day_date(deadlines["contact_mediation_adviser"]["due"]),
         "the date by which to contact the mediation adviser or ask for mediation (regs 32(d) and 33)"),
        ("certificate", "whether a mediation certificate is needed (reg 32(b))"),
        ("health care provision",
         "that the family must say what health care provision they want (reg 32(e))"),
        ("Sample SENDIASS", "the SEND information, advice and support service (reg 5(3)(d))"),
        ("Sample Resolution Service", "the disagreement resolution service (reg 5(3)(d))"),
    ]  # fmt: skip
    if deadlines["appeal"]:
        required.append((day_date(deadlines["appeal"]["due"]), "the appeal deadline (reg 5(3)(b))"))
    if context["routing"]["health_involved"]:
        required.append((context["icb"]["name"], "the integrated care board's role for health provision"))
    return [what for needle, what in required if needle.casefold() not in text.casefold()]


@pytest.mark.parametrize("sample", list(SAMPLES))
@pytest.mark.parametrize("filled", [False, True])
async def test_the_fixed_text_says_everything_the_law_requires_whatever_the_fields_say(sample, filled):
    """No LA can write a notice that leaves out what reg 32 requires: only the fixed text states it."""
    context = sample_context(*SAMPLES[sample])
    fields = {f.name: "" for f in FIELDS} | {"council_name": "Sample Council"}
    if filled:
        fields |= {f.name: f"Own words for {f.name}." for f in FIELDS}
    text = to_text(render_body(context, fields))
    assert await _reg32_problems(text, context) == []
    assert ("Own words for opening." in text) is filled


async def test_an_earlier_free_text_version_is_kept_read_only_and_never_run_again(app):
    la = await own_la()
    legacy = NoticeTemplate(
        local_authority=la, version=1, body=f"<p>Old wording</p>{NESTED_LOOPS}{HUGE_FORMAT}", fields=None,
        note="Our own wording", created_at=timekeeping.now(),
    )  # fmt: skip
    await legacy.save()
    started = time.perf_counter()
    reference = await issue(notice_input(), la_id=la)
    assert time.perf_counter() - started < 5
    row = (
        await DecisionNotice.select(DecisionNotice.body_text, DecisionNotice.template.version.as_alias("v"))
        .where(DecisionNotice.reference == reference)
        .first()
    )
    assert row["v"] == 2 and "Old wording" not in row["body_text"]
    assert "Before you can appeal to the tribunal you must get a mediation certificate" in row["body_text"]
    current = await current_template(la)
    assert current["version"] == 2 and current["fields"]["council_name"].startswith("Template Council")
    admin = await client_as(app, "admin")
    page = await admin.get(f"/notice-templates/{la}")
    assert page.status_code == 200
    assert "An earlier free-text version, no longer used." in page.text and MOVED_NOTE in page.text
    old = await admin.get(f"/notice-templates/{la}/versions/1")
    assert old.status_code == 200 and "This is an earlier free-text version" in old.text
    assert "&lt;p&gt;Old wording&lt;/p&gt;{% for a in" in old.text.replace("&#39;", "'")
    await admin.aclose()


async def test_two_first_uses_at_the_same_moment_make_one_first_version(app):
    la = await own_la()
    first, second = await asyncio.gather(current_template(la), current_template(la))
    assert first["id"] == second["id"] and first["version"] == 1
    assert await NoticeTemplate.count().where(NoticeTemplate.local_authority == la) == 1


async def test_coordinators_edit_only_their_own_la_s_fields_and_admins_any(app):
    la = await demo_la()
    other = await client_as(app, "anonymous")
    other_la = await second_la_with_coordinator(other)
    assert (await other.get(f"/notice-templates/{la}")).status_code == 404
    assert (await _post(other, la, await _form(la, opening="Not yours"))).status_code == 404
    assert (await other.get(f"/notice-templates/{la}/versions/1")).status_code == 404
    index = await other.get("/notice-templates")
    assert index.headers["location"] == f"/notice-templates/{other_la}"
    own = await _post(other, other_la, await _form(other_la, opening="Ours"))
    assert own.status_code == 303
    admin = await client_as(app, "admin")
    assert (await admin.get(f"/notice-templates/{other_la}")).status_code == 200
    assert "Milton Keynes City Council" in (await admin.get("/notice-templates")).text
    family = await client_as(app, "family")
    assert (await family.get(f"/notice-templates/{la}")).status_code == 403
    for c in (other, admin, family):
        await c.aclose()


async def test_the_demo_council_starts_with_its_own_letterhead_and_signature(app):
    first = (
        await NoticeTemplate.select(NoticeTemplate.fields)
        .where((NoticeTemplate.local_authority == await demo_la()) & (NoticeTemplate.version == 1))
        .output(load_json=True)
        .first()
    )
    assert first["fields"]["council_name"] == "Milton Keynes City Council"
    assert first["fields"]["signatory_name"] == "Priya Shah"
    assert first["fields"]["extra_heading"] == "Local support"


async def test_two_editors_of_the_same_version_do_not_lose_each_other_s_changes(app):
    la = await own_la()
    first = await client_as(app, "admin")
    second = await client_as(app, "admin")
    opened = await _form(la)
    assert 'name="based_on" value="1"' in (await second.get(f"/notice-templates/{la}")).text
    saved = await _post(first, la, {**opened, "based_on": "1", "opening": "From the first editor."})
    assert saved.status_code == 303
    late = await _post(second, la, {**opened, "based_on": "1", "contact": "From the second editor."})
    assert late.status_code == 409
    assert "Version 2 was saved after you started editing version 1" in late.text
    assert "There is a problem" in late.text and "From the second editor.</textarea>" in late.text
    assert 'name="based_on" value="2"' in late.text
    assert (await current_template(la))["fields"]["opening"] == "From the first editor."
    again = await _post(second, la, {**opened, "based_on": "2", "contact": "From the second editor."})
    assert again.status_code == 303 and again.headers["location"].endswith("?saved=3")
    for bad in ("x", "-1", "9" * 40):
        assert (await _post(second, la, {**opened, "based_on": bad, "opening": bad})).status_code == 303
    await first.aclose()
    await second.aclose()
