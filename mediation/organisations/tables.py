"""Organisations that take part in a disagreement: local authorities, ICBs, independent mediation services."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.db_typing import Table


class OrganisationKind(StrEnum):
    local_authority = "local_authority"
    icb = "icb"
    mediation_service = "mediation_service"


class ContactPurpose(StrEnum):
    """The contact details a notice or a reminder needs (Regs 32; CoP 11)."""

    mediation_adviser = "mediation_adviser"
    sendiass = "sendiass"
    disagreement_resolution = "disagreement_resolution"
    send_team = "send_team"
    send_manager = "send_manager"
    designated_officer = "designated_officer"


class Organisation(Table):
    name = Varchar(length=200)
    kind = Varchar(length=30, choices=OrganisationKind, index=True)
    # ONS / ODS code, e.g. E06000042 for Milton Keynes; unique by migration index.
    code = Varchar(length=20, unique=True)
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    address = Text(default="")
    website = Varchar(length=300, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    # When the body exists (statutory reorganisations: ICBs merged on 1 April 2026). Null: open-ended.
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    # The body that takes over from the day after `valid_to`: new cases and open cases' duties go to it.
    successor: ForeignKey["Organisation"] = ForeignKey(
        references="self", on_delete=OnDelete.restrict, null=True, default=None
    )


class OrganisationContact(Table):
    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    purpose = Varchar(length=40, choices=ContactPurpose)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    address = Text(default="")
    website = Varchar(length=300, default="")


class LaIcbLink(Table):
    """An LA is served by one or more ICBs; a health matter brings the linked ICB in as a party."""

    local_authority = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    icb = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    # The days the link holds (null: open-ended), so an LA can move from one ICB to another on a date.
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)


class OrganisationClosure(Table):
    """A day the organisation is closed beyond bank holidays: SEND Regulations working-day clocks skip it."""

    organisation = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    day = Date()
    reason = Varchar(length=120)
