"""The transactional outbox: a message is written with the change that causes it, then delivered."""

from enum import StrEnum

from piccolo.columns import JSON, Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.db_typing import Table


class Channel(StrEnum):
    email = "email"
    letter = "letter"  # a PDF queued for printing and posting


class DeliveryStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry
    printed = "printed"


class Notification(Table):
    channel = Varchar(length=10, choices=Channel, index=True)
    # Unique (by migration index): the same event never queues the same message twice.
    dedupe_key = Varchar(length=200, unique=True)
    recipient_email = Varchar(length=254, default="")
    recipient_name = Varchar(length=200, default="")
    postal_address = Text(default="")
    subject = Varchar(length=200)  # never contains a child's name
    body_text = Text()
    body_html = Text(default="")
    attachments = JSON(default="[]")  # [{"filename", "content_type", "document_id"}]
    disagreement_id = Integer(null=True, default=None, index=True)
    status = Varchar(length=10, choices=DeliveryStatus, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    # The print queue (notify/print_queue.py): the organisation whose staff print and post a letter, and
    # when it was posted. Queue and posted list read (organisation_id, posted_on, id) (migration index).
    organisation_id = Integer(null=True, default=None)
    posted_on = Date(null=True, default=None)
    posted_by = Integer(null=True, default=None)
    large_print = Boolean(default=False)  # print this letter in large print (the family asked for it)


class LetterFile(Table):
    """The printable PDF of a letter-channel notification."""

    notification = ForeignKey(references=Notification, on_delete=OnDelete.restrict, index=True)
    pdf = Bytea()


class MailboxMessage(Table):
    """A message the embedded mail catcher received (`notify/mailbox.py`), for the admin mailbox page.

    Kept in the database, not in the process, so every process and every restart sees the same mailbox.
    Only on a demo or test set-up (MAILBOX): in production mail goes to the real SMTP server instead.
    """

    received_at = Timestamptz(index=True)
    mail_from = Varchar(length=320, default="")  # the envelope sender
    recipients = Text(default="")  # the envelope recipients, comma-separated
    subject = Text(default="")  # decoded, for the list
    size = Integer(default=0)  # bytes of the whole message
    content = Bytea()  # the message exactly as it arrived (RFC 5322), parsed when shown
