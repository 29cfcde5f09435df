"""Scheduling: the diary of mediation meetings (sessions and who attends), which the slot finder reads."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement
from mediation.db_typing import Table
from mediation.services.tables import MediatorProfile, Venue


class SessionStatus(StrEnum):
    booked = "booked"
    held = "held"
    cancelled = "cancelled"


class MediationSession(Table):
    """A booked meeting. No mediator or room is ever in two live sessions at once (database-enforced)."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    mediator = ForeignKey(references=MediatorProfile, on_delete=OnDelete.restrict, index=True)
    venue = ForeignKey(references=Venue, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    remote = Boolean(default=False)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    status = Varchar(length=12, choices=SessionStatus, index=True)
    interpreter = Varchar(length=200, default="")
    shorter_notice_consent = Boolean(default=False)
    uid = Varchar(length=120, unique=True)  # the calendar invite's UID, stable across reschedules
    sequence = Integer(default=0)  # the invite's SEQUENCE, raised on every change
    booked_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    change_reason = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # Asked when booking: who attends for the local authority and whether they can agree a settlement
    # (CoP 11.41: families report officers sent without authority). "" and null on older sessions.
    la_attending_officer = Varchar(length=200, default="")
    la_officer_can_agree = Boolean(null=True, default=None)


class SessionAttendee(Table):
    """Who attends a session. Times and status are copied from the session so that a person's
    overlapping bookings can be refused by one constraint on this table."""

    session = ForeignKey(references=MediationSession, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=20)  # family / la_officer / icb_officer / mediator / interpreter
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    authority_to_agree = Boolean(default=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    status = Varchar(length=12, choices=SessionStatus)
