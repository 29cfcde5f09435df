"""The embedded mailbox: the catcher receives real SMTP deliveries from the outbox and keeps them in the
database; the admin mailbox page lists them, shows each safely, and serves its attachments; with the
mailbox off the pages say so; only admins get in; an unreachable SMTP server is logged once an outage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import logging
import re

import pytest

from mediation.cases.tables import CaseDocument
from mediation.db import transaction
from mediation.notify import email as outbox_email
from mediation.notify import mailbox, mailbox_pages
from mediation.notify.email import SmtpConfig, default_smtp, deliver_due
from mediation.notify.service import queue_email
from mediation.notify.tables import MailboxMessage, Notification
from mediation.settings import Settings, settings
from tests.conftest import client_as
from tests.notify.conftest import add_document

pytestmark = pytest.mark.anyio


@pytest.fixture
async def catcher(app):
    running = await mailbox.start()
    try:
        yield running
    finally:
        await running.close()


async def _caught(address: str) -> dict:
    row = (
        await MailboxMessage.select()
        .where(MailboxMessage.recipients == address)
        .order_by(MailboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None, f"nothing for {address} in the mailbox"
    return row


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def test_an_outbox_email_goes_to_the_catcher_and_the_mailbox_page_shows_it_with_its_attachment(
    app, tag, catcher
):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    address = f"{tag}-parent@example.com"
    async with transaction():
        document_id = await add_document(pdf, "certificate.pdf")
        await queue_email(
            to=address,
            name="Alex Parent",
            subject="Mediation certificate issued",
            body_text="Dear Alex,\n\nConfirm here: http://127.0.0.1:8000/confirm-email/abc.def\n",
            attachments=[{"document_id": document_id, "filename": "mediation-certificate.pdf"}],
            dedupe_key=f"{tag}-certificate",
        )
    assert default_smtp().port == catcher.port  # deliveries in this process go to its catcher
    admin = await client_as(app, "admin")
    try:
        report = await deliver_due()
        assert report.sent >= 1
        sent = await Notification.select().where(Notification.dedupe_key == f"{tag}-certificate").first()
        assert sent["status"] == "sent"
        row = await _caught(address)
        assert row["subject"] == "Mediation certificate issued"
        assert row["mail_from"] == settings.smtp_from

        listing = await admin.get("/admin/mailbox")
        assert listing.status_code == 200
        assert f'href="/admin/mailbox/{row["id"]}">Mediation certificate issued</a>' in listing.text
        assert address in listing.text
        # Newest first: a message caught after it is listed above it.
        later = await mailbox.store(
            "x@example.com", [f"{tag}-later@example.com"], b"Subject: Later\r\n\r\nHi\r\n"
        )
        listing = (await admin.get("/admin/mailbox")).text
        assert listing.index(f"/admin/mailbox/{later}") < listing.index(f"/admin/mailbox/{row['id']}")

        shown = await admin.get(f"/admin/mailbox/{row['id']}")
        assert shown.status_code == 200
        assert "Dear Alex," in shown.text
        # The link in the text part can be followed from the page.
        assert (
            '<a class="govuk-link" href="http://127.0.0.1:8000/confirm-email/abc.def" rel="noreferrer">'
            in shown.text
        )
        assert "Alex Parent &lt;" + address + "&gt;" in shown.text  # the To header, escaped
        assert "mediation-certificate.pdf" in shown.text

        attachment = await admin.get(f"/admin/mailbox/{row['id']}/attachments/1")
        assert attachment.status_code == 200
        assert attachment.content == pdf
        assert attachment.headers["content-type"] == "application/pdf"
        assert attachment.headers["content-disposition"].startswith(
            'attachment; filename="mediation-certificate.pdf"'
        )
        assert (await admin.get(f"/admin/mailbox/{row['id']}/attachments/2")).status_code == 404
    finally:
        await admin.aclose()
        await CaseDocument.delete().where(CaseDocument.id == document_id)


async def test_html_is_shown_only_cleaned_and_its_source_only_escaped(app, tag, catcher):
    address = f"{tag}-html@example.com"
    await queue_email(
        to=address,
        name="Sam",
        subject="An HTML message",
        body_text="Plain <b>text</b> stays text.",
        body_html=(
            '<p onclick="steal()">Hello <strong>there</strong></p><script>alert("x")</script>'
            '<a href="javascript:alert(1)">bad link</a><img src="http://tracker.example/p.gif">'
            '<a href="https://example.org/ok">good link</a>'
        ),
        dedupe_key=f"{tag}-html",
    )
    await deliver_due()
    row = await _caught(address)
    admin = await client_as(app, "admin")
    try:
        page = (await admin.get(f"/admin/mailbox/{row['id']}")).text
    finally:
        await admin.aclose()
    main = page.split('id="html-part"', 1)[1]
    cleaned = main.split("</div>", 1)[0]
    assert "<strong>there</strong>" in cleaned
    assert 'href="https://example.org/ok"' in cleaned
    for unsafe in ("<script", "onclick", "javascript:", "<img", "tracker.example"):
        assert unsafe not in cleaned, unsafe
    assert "<script>" not in page  # the page carries none of the message's scripts, anywhere
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or "&lt;script&gt;" in page
    assert "Plain &lt;b&gt;text&lt;/b&gt; stays text." in page


async def test_a_message_the_parser_finds_odd_is_still_shown(app):
    raw = (
        b"Subject: =?unknown-charset?q?odd?=\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    message_id = await mailbox.store("", ["odd@example.com"], raw)
    admin = await client_as(app, "admin")
    try:
        shown = await admin.get(f"/admin/mailbox/{message_id}")
        listed = await admin.get("/admin/mailbox")
    finally:
        await admin.aclose()
    assert shown.status_code == 200
    assert listed.status_code == 200


async def test_attachment_names_are_made_safe_for_the_download_header():
    header = mailbox_pages.content_disposition('évaluation "final"\r\nX-Evil: 1.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment; filename=\"valuation finalX-Evil 1.pdf\"; filename*=UTF-8''")
    assert "%C3%A9valuation%20%22final%22%0D%0AX-Evil%3A%201.pdf" in header


async def test_only_admins_can_read_a_message_or_its_attachment(app):
    raw = (
        b"Subject: About a child\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nJamie's reminder\r\n"
        b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n"
        b"%PDF\r\n--b--\r\n"
    )
    message_id = await mailbox.store("", ["family@example.com"], raw)
    for role in ("anonymous", "family", "la_coordinator", "health_commissioner", "mediator", "admin"):
        client = await client_as(app, role)
        try:
            for path in (
                "/admin/mailbox",
                f"/admin/mailbox/{message_id}",
                f"/admin/mailbox/{message_id}/attachments/1",
            ):
                response = await client.get(path)
                expected = {"anonymous": 302, "admin": 200}.get(role, 403)
                assert response.status_code == expected, (role, path)
                if role != "admin":
                    assert "Jamie" not in response.text
        finally:
            await client.aclose()


async def test_with_the_mailbox_off_its_pages_say_so_and_show_nothing(app, monkeypatch):
    message_id = await mailbox.store("", ["off@example.com"], b"Subject: Hidden\r\n\r\nSecret body\r\n")
    admin = await client_as(app, "admin")
    try:
        home = await admin.get("/home")
        assert 'href="/admin/mailbox"' in home.text  # on (the test set-up): linked from the admin home
        monkeypatch.setattr(mailbox_pages, "settings", dataclasses.replace(settings, mailbox=False))
        monkeypatch.setattr("mediation.home.pages.settings", dataclasses.replace(settings, mailbox=False))
        for path in (
            "/admin/mailbox",
            f"/admin/mailbox/{message_id}",
            f"/admin/mailbox/{message_id}/attachments/1",
        ):
            response = await admin.get(path)
            assert response.status_code == 404, path
            assert "The mailbox is off" in response.text
            assert "Secret body" not in response.text and "Hidden" not in response.text
        home = await admin.get("/home")
        assert 'href="/admin/mailbox"' not in home.text
    finally:
        await admin.aclose()


async def test_a_page_number_that_is_not_a_whole_number_is_refused_clearly(app):
    admin = await client_as(app, "admin")
    try:
        response = await admin.get("/admin/mailbox?page=two")
    finally:
        await admin.aclose()
    assert response.status_code == 400
    assert "page must be a whole number" in response.text


async def test_the_catcher_starts_only_where_the_outbox_is_delivered_and_says_where_to_look(caplog):
    caplog.set_level(logging.INFO, logger="mediation.notify.mailbox")
    base = Settings(base_url="http://127.0.0.1:8123", load_demo_data=True)
    assert await mailbox.start_for(dataclasses.replace(base, mailbox=False)) is None
    assert await mailbox.start_for(dataclasses.replace(base, mailbox=True, run_scheduler=False)) is None
    assert mailbox.running() is None
    started = await mailbox.start_for(dataclasses.replace(base, mailbox=True, run_scheduler=True))
    try:
        assert started is not None and mailbox.running() is started
        assert started.host == "127.0.0.1" and started.port > 0
        assert default_smtp() == dataclasses.replace(
            SmtpConfig.from_settings(), host="127.0.0.1", port=started.port
        )
        said = caplog.text
        assert "sign in as admin@send-mediation.example at http://127.0.0.1:8123/admin/mailbox" in said
    finally:
        await started.close()
    assert mailbox.running() is None
    assert default_smtp() == SmtpConfig.from_settings()


async def test_a_configured_port_that_is_taken_stops_start_up_with_the_reason(catcher):
    with pytest.raises(RuntimeError, match=f"cannot listen on 127.0.0.1:{catcher.port}.*MAILBOX_PORT"):
        await mailbox.start(catcher.port)


@pytest.mark.parametrize(
    ("env", "mailbox_on", "interval"),
    [
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite"}, True, 5),
        ({"DATABASE_URL": "postgres://app@db.example/m", "SECRET_KEY": "k"}, False, 30),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite", "SMTP_HOST": "smtp.example.org"}, False, 30),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite", "MAILBOX": "0"}, False, 30),
        ({"DATABASE_URL": "postgres://app@db.example/m", "SECRET_KEY": "k", "MAILBOX": "1"}, True, 5),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite", "OUTBOX_INTERVAL_SECONDS": "2"}, True, 2),
    ],
)
def test_the_mailbox_is_on_for_the_sqlite_demo_and_off_in_production(monkeypatch, env, mailbox_on, interval):
    for name in ("SMTP_HOST", "MAILBOX", "MAILBOX_PORT", "OUTBOX_INTERVAL_SECONDS", "MIGRATION_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Settings.from_env()
    assert (config.mailbox, config.outbox_interval_seconds) == (mailbox_on, interval)
    assert Settings().mailbox is False  # the dataclass's own default: off


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAILBOX": "1", "SMTP_HOST": "smtp.example.org"}, "MAILBOX is on and SMTP_HOST is set"),
        ({"MAILBOX_PORT": "70000"}, "MAILBOX_PORT must be a port number"),
        ({"MAILBOX_PORT": "²"}, "MAILBOX_PORT must be a port number"),
    ],
)
def test_mailbox_settings_that_cannot_work_are_refused_at_start_up(monkeypatch, env, message):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.sqlite")
    for name in ("SMTP_HOST", "MAILBOX", "MAILBOX_PORT", "MIGRATION_DATABASE_URL"):  # a two-role run sets it
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Settings.from_env()


async def test_the_scheduler_delivers_every_few_seconds_with_the_mailbox():
    from mediation.jobs import start_scheduler

    scheduler = start_scheduler(dataclasses.replace(settings, outbox_interval_seconds=5))
    try:
        assert scheduler.get_job("deliver_notifications").trigger.interval.total_seconds() == 5
    finally:
        scheduler.shutdown(wait=False)


def _said(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "mediation.notify.email" and r.levelno >= level]


async def test_an_unreachable_smtp_server_is_logged_once_per_outage_not_every_sweep(app, tag, caplog):
    from tests.notify.conftest import SmtpServer

    server = SmtpServer()  # a free port, nothing listening: the mail server is down
    monkey_outage = outbox_email._Outage()
    outbox_email._outage, saved = monkey_outage, outbox_email._outage
    caplog.set_level(logging.DEBUG, logger="mediation.notify.email")
    t0 = dt.datetime(2002, 3, 4, 9, 0, tzinfo=dt.UTC)  # far from the wall clock: only these are due
    try:
        for n in range(3):
            await queue_email(
                to=f"{tag}-{n}@example.com", name="A", subject="S", body_text="B", dedupe_key=f"{tag}-{n}"
            )
        await Notification.update({Notification.next_attempt_at: t0}).where(
            Notification.dedupe_key.like(f"{tag}-%")
        )
        for minutes in range(0, 40, 1):  # a sweep a minute for 40 minutes: every retry falls due
            report = await deliver_due(now=t0 + dt.timedelta(minutes=minutes), smtp=server.config)
            assert report.sent == 0
        down = _said(caplog, logging.WARNING)
        assert len(down) == 1, [r.getMessage() for r in down]
        assert f"cannot reach the SMTP server 127.0.0.1:{server.port}" in down[0].getMessage()
        assert "3 message(s) wait" in down[0].getMessage()
        rows = await Notification.select().where(Notification.dedupe_key.like(f"{tag}-%"))
        assert all(r["attempts"] >= 4 and "Error connecting" in r["last_error"] for r in rows)

        caplog.clear()
        server.start()  # back
        try:
            report = await deliver_due(now=t0 + dt.timedelta(hours=7), smtp=server.config)
            assert report.sent == 3
        finally:
            server.stop()
        back = [r.getMessage() for r in _said(caplog, logging.INFO)]
        assert back == [
            f"the SMTP server 127.0.0.1:{server.port} answers again (unreachable since {t0.isoformat()})"
        ]

        caplog.clear()  # down again: said once more
        await queue_email(
            to=f"{tag}-9@example.com", name="A", subject="S", body_text="B", dedupe_key=f"{tag}-9"
        )
        await deliver_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1), smtp=server.config)
        assert len(_said(caplog, logging.WARNING)) == 1
    finally:
        outbox_email._outage = saved
