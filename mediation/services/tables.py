"""Mediation services: mediators, their working hours and leave, venues."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Time, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


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
