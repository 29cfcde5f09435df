"""Meeting polls and their invitees."""

from piccolo.columns import JSON, Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement
from mediation.db_typing import Table
from mediation.scheduling.tables import MediationSession


class MeetingPoll(Table):
    """Times proposed to everyone who must attend; each invitee answers by their own signed link."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    plan = JSON(default="{}")  # the SessionPlan without times: mediator, room, officers, duration
    slots = JSON(default="[]")  # [{"starts_at": iso, "ends_at": iso}], earliest first
    status = Varchar(length=12, default="open", index=True)  # open / booked / closed
    reply_by = Date(index=True)
    session = ForeignKey(references=MediationSession, on_delete=OnDelete.restrict, null=True, default=None)
    created_by = ForeignKey(references=Account, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class PollInvitee(Table):
    """One person asked in a poll: an account holder, or a guest known by name and email alone."""

    poll = ForeignKey(references=MeetingPoll, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20)  # family / la_officer / icb_officer / advocate
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    nonce = Varchar(length=32)  # in the signed link: one link per invitee, and a new one revokes the old
    answers = JSON(default="{}")  # slot key -> yes / maybe / no
    answered_at = Timestamptz(null=True, default=None)
    # A family asked by post types this at /reply instead of a long link (unique by a later index).
    short_code = Varchar(length=8, null=True, default=None)
