"""Queueing into the outbox: the subject guard, choosing email or letter, settings and the job."""

from __future__ import annotations

import pytest

from mediation.notify.email import SmtpConfig
from mediation.notify.service import check_subject, queue_email, queue_for_person, queue_letter
from mediation.notify.tables import Notification
from mediation.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "subject",
    [
        "Update about Jamie Taylor",
        "Update about JAMIE TAYLOR",
        "Update about jamie   taylor",
        "Jamie: your disagreement",  # the given name alone still identifies the child
        "Letter for the Taylor family",
    ],
)
def test_a_subject_naming_the_child_is_refused(subject):
    with pytest.raises(ValueError, match="child's name"):
        check_subject(subject, ["Jamie Taylor"])


@pytest.mark.parametrize(
    "subject",
    ["Your disagreement SM-12345678: next steps", "Benjamin's school", "Mediation certificate issued"],
)
def test_a_subject_without_the_childs_name_is_allowed(subject):
    check_subject(
        subject, ["Jamie Taylor", "", "  "]
    )  # part matches are whole words: no "Jamie" in "Benjamin"


def test_a_subject_must_be_one_non_empty_line():
    for subject in ("", "   ", "Line one\nBcc: someone@example.com", "x" * 201):
        with pytest.raises(ValueError):
            check_subject(subject, [])


async def test_queueing_refuses_a_subject_with_the_childs_name_and_stores_nothing(tag):
    with pytest.raises(ValueError, match="child's name"):
        await queue_email(
            to=f"{tag}@example.com",
            name="Alex Parent",
            subject="Casey Morgan: mediation booked",
            body_text="Casey's mediation is booked.",  # the body may name the child; it is not a preview
            dedupe_key=f"{tag}-refused",
            forbidden_names=["Casey Morgan"],
        )
    with pytest.raises(ValueError, match="child's name"):
        await queue_letter(
            name="Alex Parent",
            address="1 High Street",
            subject="About Casey",
            body_text="...",
            dedupe_key=f"{tag}-refused-letter",
            forbidden_names=["Casey Morgan"],
        )
    assert not await Notification.exists().where(Notification.dedupe_key.like(f"{tag}%"))


async def test_a_person_with_an_email_address_gets_email_otherwise_a_letter(tag):
    common = {"name": "Alex Parent", "subject": "Your disagreement", "body_text": "Hello."}
    assert await queue_for_person(
        email=f"{tag}@example.com", address="1 High Street", dedupe_key=f"{tag}-a", **common
    )
    assert await queue_for_person(
        email=None, address="1 High Street\nMK9 1AA", dedupe_key=f"{tag}-b", **common
    )
    assert await queue_for_person(email="  ", address="2 High Street", dedupe_key=f"{tag}-c", **common)
    rows = await Notification.select(
        Notification.dedupe_key,
        Notification.channel,
        Notification.recipient_email,
        Notification.postal_address,
    ).where(Notification.dedupe_key.like(f"{tag}-%"))
    channels = {r["dedupe_key"]: (r["channel"], r["recipient_email"], r["postal_address"]) for r in rows}
    assert channels == {
        f"{tag}-a": ("email", f"{tag}@example.com", ""),
        f"{tag}-b": ("letter", "", "1 High Street\nMK9 1AA"),
        f"{tag}-c": ("letter", "", "2 High Street"),
    }
    with pytest.raises(ValueError, match="postal address"):
        await queue_for_person(email=None, address=" ", dedupe_key=f"{tag}-d", **common)


async def test_attachments_must_reference_documents(tag):
    for bad in ({"filename": "a.pdf"}, {"document_id": "1", "filename": "a.pdf"}, {"document_id": 1}):
        with pytest.raises(ValueError, match="attachment"):
            await queue_email(
                to=f"{tag}@example.com",
                name="A",
                subject="S",
                body_text="B",
                dedupe_key=f"{tag}-x",
                attachments=[bad],
            )


def test_smtp_settings_come_from_the_environment(monkeypatch):
    defaults = SmtpConfig.from_settings(Settings())
    assert (defaults.host, defaults.port, defaults.starttls, defaults.max_attempts) == (
        "127.0.0.1",
        1025,
        False,
        8,
    )
    for name, value in {
        "SMTP_HOST": "smtp.example.org",
        "SMTP_PORT": "587",
        "SMTP_FROM": "Service <noreply@example.org>",
        "SMTP_USERNAME": "user",
        "SMTP_PASSWORD": "pw",
        "SMTP_STARTTLS": "1",
        "SMTP_TIMEOUT": "5",
        "SMTP_MAX_ATTEMPTS": "3",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MAILBOX", raising=False)  # a real mail server: the mailbox is off
    config = SmtpConfig.from_settings(Settings.from_env())
    assert config == SmtpConfig(
        host="smtp.example.org",
        port=587,
        sender="Service <noreply@example.org>",
        username="user",
        password="pw",
        starttls=True,
        timeout=5.0,
        max_attempts=3,
    )


async def test_the_scheduler_runs_delivery_every_30_seconds():
    from mediation.jobs import start_scheduler

    scheduler = start_scheduler(Settings())  # production's defaults (no mailbox)
    try:
        job = scheduler.get_job("deliver_notifications")
        assert job is not None
        assert job.trigger.interval.total_seconds() == 30
        assert scheduler.get_job("sweep_expired_sessions") is not None
    finally:
        scheduler.shutdown(wait=False)
