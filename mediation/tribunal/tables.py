"""An appeal to the First-tier Tribunal (SEND) on a case, its matters, and what the decision obliges."""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


class TribunalAppeal(Table):
    """One appeal per case (the lifecycle allows one), with its timetable as the tribunal sets it."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, unique=True, index=True)
    tribunal_reference = Varchar(length=40, default="")
    lodged_on = Date()
    registered_on = Date(null=True, default=None)
    recommendations_requested = Varchar(length=30, default="")  # comma-separated sections, e.g. "C,G"
    certificate_issued_on = Date(null=True, default=None)  # as entered on the appeal form
    # The last day to appeal, as checked when the appeal was recorded, and why it was flagged (never refused).
    appeal_due = Date(null=True, default=None)
    late = Boolean(default=False)
    certificate_missing = Boolean(default=False)
    flags = JSON(default="[]")
    # Timetable: the LA's response is due 30 working days (HESC r.12(3)(b)) after it receives the appeal,
    # unless the tribunal directs another date; both are kept.
    la_received_on = Date(null=True, default=None)
    response_computed = Date(null=True, default=None)
    response_directed = Date(null=True, default=None)
    response_sent_on = Date(null=True, default=None)
    evidence_due = Date(null=True, default=None)
    bundle_due = Date(null=True, default=None)
    hearing_on = Date(null=True, default=None)
    decision_on = Date(null=True, default=None)
    unopposed_on = Date(null=True, default=None)  # the LA told the tribunal it will not oppose (reg 45)
    recorded_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AppealMatter(Table):
    """One matter appealed (a refusal, or section B, F or I) and the tribunal's outcome on it."""

    appeal = ForeignKey(references=TribunalAppeal, on_delete=OnDelete.restrict, index=True)
    matter = Varchar(length=30)
    outcome = Varchar(length=20, default="")  # allowed, partly_allowed, dismissed, withdrawn, conceded
    outcome_on = Date(null=True, default=None)


class TribunalObligation(Table):
    """One duty the tribunal's decision puts on a body: an order's step, an unopposed appeal's step, or a
    response to a recommendation. Each has a statutory clock; `status` mirrors it for the compliance lists."""

    appeal = ForeignKey(references=TribunalAppeal, on_delete=OnDelete.restrict, index=True)
    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)  # order, unopposed, recommendation
    order_type = Varchar(length=20, default="")  # law.ORDER_TYPES key; the decision; or health / social_care
    rule = Varchar(length=60)
    owed_by = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    # Order: made / sent by the tribunal. Unopposed: the LA's notice. Recommendation: made / received.
    made_on = Date()
    sent_on = Date(null=True, default=None)
    due = Date(index=True)  # the legal date (from made_on; for a recommendation from receipt)
    practical_due = Date(null=True, default=None)  # counted from sent_on (GOV.UK SEND18)
    clock = ForeignKey(references=StatutoryClock, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=20, default="open", index=True)  # open, met, cancelled
    done_on = Date(null=True, default=None)
    action = Varchar(length=40, default="")
    note = Text(default="")
    sections = Varchar(length=30, default="")  # recommendation: the plan sections it concerns
    details = Text(default="")  # recommendation: what the tribunal recommended
    recorded_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
