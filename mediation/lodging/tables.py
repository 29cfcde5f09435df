"""A disagreement being written: saved after every page, so it survives sign-out and nothing typed is lost."""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.db_typing import Table


class LodgingDraft(Table):
    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    answers = JSON(default="{}")
    # The date by which the family must act (contact a mediation adviser), once the notice date is known.
    act_by = Date(null=True, default=None)
    submitted = Boolean(default=False, index=True)
    reference = Varchar(length=20, default="")  # the case created on submission
    created_at = Timestamptz()
    updated_at = Timestamptz()
