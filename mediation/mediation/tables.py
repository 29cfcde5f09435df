"""Mediation: the adviser stage, mediators and venues, sessions and who attends, certificates, outcomes."""

from enum import StrEnum

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Text, Time, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from mediation.accounts.tables import Account
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.organisations.tables import Organisation


class SessionStatus(StrEnum):
    booked = "booked"
    held = "held"
    cancelled = "cancelled"


class MediatorProfile(Table):
    """A mediator (or mediation adviser) of an independent mediation service.

    `employed_by` records any other employer, so the service can refuse a mediator who is not
    independent (CFA s.56(3): employed by a local authority, an ICB or NHS England).
    """

    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, unique=True)
    service = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    employed_by = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, null=True, default=None)
    employed_by_nhs_england = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WorkingHours(Table):
    """One block of a mediator's usual week (local time in England); several blocks a day are allowed."""

    mediator = ForeignKey(references=MediatorProfile, on_delete=OnDelete.restrict, index=True)
    weekday = Integer()  # 0 = Monday
    starts = Time()
    ends = Time()


class MediatorLeave(Table):
    """Days a mediator is away (an exception to the weekly pattern), first and last day inclusive."""

    mediator = ForeignKey(references=MediatorProfile, on_delete=OnDelete.restrict, index=True)
    first_day = Date()
    last_day = Date()
    reason = Varchar(length=120, default="")


class Venue(Table):
    service = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    address = Text(default="")
    capacity = Integer(default=6)
    step_free = Boolean(default=False)
    hearing_loop = Boolean(default=False)
    quiet_room = Boolean(default=False)
    active = Boolean(default=True)


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


class MediationCertificate(Table):
    """A mediation certificate (CFA s.55): numbered per service and year, kept as a PDF and as HTML."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=30)  # after_decline / unable_to_arrange / after_mediation
    number = Varchar(length=60, unique=True)
    service = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    sequence = Integer()
    issued_on = Date()
    issued_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    document = ForeignKey(references=CaseDocument, on_delete=OnDelete.restrict)
    html = Text()
    created_at = Timestamptz()


class IssueOutcome(Table):
    """Issue by issue: what the mediation achieved (agreed / partly_agreed / not_agreed)."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    issue = Varchar(length=20)  # a plan section, or "decision" for decisions not about plan contents
    outcome = Varchar(length=20)
    note = Text(default="")
    appealable = Boolean(default=False)
