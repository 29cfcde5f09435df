"""Decision notices, the per-LA notice template versions they are issued from, and bulk-issue batches."""

from enum import StrEnum

from piccolo.columns import JSON, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import CaseDocument
from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


class NoticeTemplate(Table):
    """One saved version of an LA's notice fields (notices/fields.py); versions are never changed."""

    local_authority = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    version = Integer()  # 1, 2, 3... per LA; unique with local_authority by migration index
    # Versions saved before notices were built from fields: the free text they held, kept for the record
    # and never run. "" for fields versions.
    body = Text()
    fields = JSON(null=True, default=None)  # {field name: plain text}; null for a free-text version
    note = Varchar(length=300, default="")  # what changed, in the editor's words
    created_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class NoticeBatch(Table):
    """A CSV of notices uploaded at once (for example plans finalised for a phase transfer)."""

    local_authority = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    uploaded_by = ForeignKey(references=Account, on_delete=OnDelete.restrict)
    filename = Varchar(length=200)
    total = Integer(default=0)
    created_at = Timestamptz()


class DecisionNotice(Table):
    """A notice as issued: who it went to, the dates it started and exactly what it said."""

    reference = Varchar(length=20, unique=True)
    # One notice per issuing event (a form submission, a batch row): a retry never issues it twice.
    dedupe_key = Varchar(length=200, unique=True)
    # Child, decision, date and family together: spots the same notice issued again by mistake.
    fingerprint = Varchar(length=64, index=True)
    local_authority = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    decision = Varchar(length=40)
    plan_kind = Varchar(length=10, default="")  # final / amended, for plan_contents
    decision_date = Date()
    sections = Varchar(length=60, default="")  # comma-separated plan sections issued
    child_name = Varchar(length=200)
    child_date_of_birth = Date()
    family_name = Varchar(length=200)
    family_email = Varchar(length=254, default="", index=True)  # normalised; matched to accounts on display
    postal_address = Text(default="")
    channel = Varchar(length=10)  # email / letter
    # The date the notice was sent: starts contact_mediation_adviser (Regs 33) and the appeal limit.
    sent_on = Date()
    contact_adviser_by = Date(null=True, default=None)
    appeal_by = Date(null=True, default=None)
    deadlines = JSON(default="[]")  # [{rule, title, due, citation, status, explanation}]
    template = ForeignKey(references=NoticeTemplate, on_delete=OnDelete.restrict)
    body_html = Text()  # the rendered, sanitised notice text exactly as issued
    body_text = Text()
    notice_document = ForeignKey(
        references=CaseDocument, on_delete=OnDelete.restrict, null=True, default=None
    )
    plan_document = ForeignKey(references=CaseDocument, on_delete=OnDelete.restrict, null=True, default=None)
    batch = ForeignKey(
        references=NoticeBatch, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    issued_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()


class RowStatus(StrEnum):
    queued = "queued"
    issuing = "issuing"  # claimed by a worker until lease_until
    issued = "issued"
    failed = "failed"


class NoticeBatchRow(Table):
    batch = ForeignKey(references=NoticeBatch, on_delete=OnDelete.restrict, index=True)
    row_number = Integer()  # the line in the CSV file, header = 1
    values = JSON(default="{}")  # the row as typed
    document = ForeignKey(references=CaseDocument, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=10, choices=RowStatus, index=True)
    error = Text(default="")
    attempts = Integer(default=0)
    lease_until = Timestamptz(null=True, default=None)
    notice = ForeignKey(references=DecisionNotice, on_delete=OnDelete.restrict, null=True, default=None)
    dedupe_key = Varchar(length=200, unique=True)  # batch:<id>:<row>, also the notice's dedupe key
    updated_at = Timestamptz()
