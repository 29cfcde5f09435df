"""Posted and emailed offers of meeting times."""

from piccolo.columns import JSON, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement
from mediation.db_typing import Table
from mediation.scheduling.tables import MediationSession


class SessionOffer(Table):
    """Several times offered to the family, who picks one through a signed link without signing in."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    plan = JSON(default="{}")  # mediator, venue, remote, officers, interpreter, consent, duration
    slots = JSON(default="[]")  # [{"starts_at": iso, "ends_at": iso}]
    status = Varchar(length=12, default="open")  # open / taken / withdrawn
    session = ForeignKey(references=MediationSession, on_delete=OnDelete.restrict, null=True, default=None)
    created_by = ForeignKey(references=Account, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    # A posted offer's reply: an 8-character code typed at /reply (unique by a later index), and the
    # last day to reply that still leaves the notice period before the first offered time.
    short_code = Varchar(length=8, null=True, default=None)
    reply_by = Date(null=True, default=None)
