"""A disagreement (a case): who lodged it, about which child and decision, and where it is routed."""

from piccolo.columns import JSON, Boolean, Bytea, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


class Disagreement(Table):
    reference = Varchar(length=20, unique=True)
    family = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    local_authority = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    # Set when health is in scope: the ICB is then a party (CFA s.53; statute.md section 2).
    icb = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    mediation_service = ForeignKey(
        references=Organisation, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    child_name = Varchar(length=200)
    child_date_of_birth = Date()
    decision = Varchar(length=40)
    decision_notice_sent = Date()
    sections = Varchar(length=60, default="")  # comma-separated plan sections, e.g. "B,F,G"
    scope = Varchar(length=60, default="")  # comma-separated, sorted: education, health, social_care
    arranged_by = Varchar(length=30, null=True, default=None)
    state = Varchar(length=30, index=True)
    # Nearest open statutory due date, kept on write so queues sort by an index, not per-row computation.
    next_due_date = Date(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # Lodging details (issue 4): who lodged, how to reach them, what they need to take part.
    lodged_by = Varchar(length=30, default="parent_carer")  # parent_carer / young_person / advocate
    represented_person = Varchar(length=200, default="")  # advocate: the parent or young person
    advocate_consent = Boolean(default=False)
    wants_mediation = Boolean(null=True, default=None)
    health_provision_sought = Text(default="")  # Regs 32(e)(iii)
    accessibility = JSON(default="{}")
    contact_by = Varchar(length=10, default="email")  # email / post
    contact_email = Varchar(length=254, default="")
    postal_address = Text(default="")
    routing_reason = Text(default="")  # why the case was last re-routed
    # The day the LA received the disagreement (api-contract.md `received_on`); clocks the family's
    # request starts count from it.
    received_on = Date(null=True, default=None)
    contact_phone = Varchar(length=40, default="")
    # Lodging exactly once: a draft becomes at most one case, and a client's Idempotency-Key at most one
    # (unique indexes in migration 2026-12-01T17:00:01).
    lodging_draft = Integer(null=True, default=None)
    created_by = Integer(null=True, default=None)  # the account that lodged it (a family, or LA staff)
    idempotency_key = Varchar(length=200, null=True, default=None)
    idempotency_hash = Varchar(length=64, default="")  # of the request body: a reused key must match
    # The officer of the handling body who deals with the case (event `assigned`); queues filter on it
    # (composite indexes in migration 2026-12-01T17:00:01).
    assigned_to = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    # The family asked for letters and documents in large print (issue 13); contact_by may also be "phone".
    large_print = Boolean(default=False)


class DisputedMatter(Table):
    """One plan section in dispute: what the family disagrees with and what they want instead."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    section = Varchar(length=3)
    disagreement_text = Text()
    wanted_text = Text()


class CaseDocument(Table):
    """An uploaded PDF (decision letter, final plan). Stored in the database so every process sees it."""

    disagreement = ForeignKey(
        references=Disagreement, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    draft_id = Integer(null=True, default=None, index=True)
    kind = Varchar(length=40)
    filename = Varchar(length=200)
    content_type = Varchar(length=60, default="application/pdf")
    size = Integer()
    sha256 = Varchar(length=64)
    content = Bytea()
    uploaded_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    uploaded_at = Timestamptz()


class CaseNote(Table):
    """An internal note of the handling body on a case (event `note_added`): never shown to the family."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    author = ForeignKey(references=Account, on_delete=OnDelete.restrict)
    text = Text()
    created_at = Timestamptz()


# The layers below cases (clocks, notify) reach a case row only through what this registers with them.
from mediation.cases import lower_layers  # noqa: E402, F401
