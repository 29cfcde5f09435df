"""A disagreement (a case): who lodged it, about which child and decision, and where it is routed."""

from piccolo.columns import Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from mediation.accounts.tables import Account
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
