"""Statutory clocks on a case: each a rule from the catalogue, started by an event, due on a date."""

from enum import StrEnum

from piccolo.columns import JSON, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference

from mediation.db_typing import Table


class ClockStatus(StrEnum):
    running = "running"
    met = "met"
    cancelled = "cancelled"


class StatutoryClock(Table):
    # The case (`cases/tables.py: Disagreement`) by name: cases sit above clocks and import them.
    disagreement: ForeignKey[Table] = ForeignKey(
        references=LazyTableReference("Disagreement", module_path="mediation.cases.tables"),
        on_delete=OnDelete.restrict,
        index=True,
    )
    rule = Varchar(length=60, index=True)
    # Who must act: family, local_authority, health_commissioner, mediation_adviser, mediator.
    actor = Varchar(length=40)
    started_on = Date()
    due = Date(index=True)
    status = Varchar(length=20, choices=ClockStatus, index=True)
    citation = Varchar(length=300)
    rule_status = Varchar(length=1)  # P / S / U from the catalogue
    explanation = JSON(default="[]")
    started_by = Varchar(length=200, default="")  # the event that started it, in words
    stopped_on = Date(null=True, default=None)
    stop_reason = Text(default="")
    version = Integer(default=1)  # raised on every recomputation; reminders key on it
    created_at = Timestamptz()
    updated_at = Timestamptz()
