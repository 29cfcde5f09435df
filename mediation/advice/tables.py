"""The adviser stage: the case's mediation record (choices, service, mediator, dates)."""

from piccolo.columns import Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.cases.tables import Disagreement
from mediation.db_typing import Table
from mediation.services.tables import MediatorProfile


class MediationRecord(Table):
    """The mediation stage of one case: the adviser contact, the family's choice, and how it ended."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, unique=True)
    mediator = ForeignKey(
        references=MediatorProfile, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    adviser_contacted_on = Date(null=True, default=None)
    choice = Varchar(length=20, default="")  # mediate / decline / undecided
    choice_on = Date(null=True, default=None)
    icb_notified_on = Date(null=True, default=None)
    unable_to_arrange_on = Date(null=True, default=None)
    unable_reason = Text(default="")
    concluded_on = Date(null=True, default=None)
    outcome = Varchar(length=20, default="")  # agreement / no_agreement
    agreement_date = Date(null=True, default=None)
    agreement_text = Text(default="")
    follow_up_order = Varchar(length=40, default="")  # the order_* rule an appealable agreement matches
    agreed_due = Date(null=True, default=None)  # reg 42(5): a timescale agreed in writing
    # A certificate an adviser outside the service issued, as the LA or ICB recorded it (no document here).
    outside_certificate_on = Date(null=True, default=None)
    outside_certificate_number = Varchar(length=60, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
