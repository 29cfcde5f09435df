"""The two public endpoints' shapes, fixed by api-contract.md."""

from __future__ import annotations

import datetime as dt

import msgspec


class DeadlineRequest(msgspec.Struct, forbid_unknown_fields=True):
    rule: str
    inputs: dict[str, str] = {}


class DeadlineResponse(msgspec.Struct):
    rule: str
    due: dt.date
    unit: str
    citation: str
    status: str
    explanation: list[str]


class RoutingRequest(msgspec.Struct, forbid_unknown_fields=True):
    decision: str
    sections: list[str] = []


class RoutingResponse(msgspec.Struct):
    scope: list[str]
    arranged_by: str | None
    parties: list[str]
    certificate_required: bool
    appeal_available: bool
    explanation: list[str]


class RuleEntry(msgspec.Struct):
    id: str
    duration: int
    unit: str
    start_event: str
    who_must_act: str
    citation: str
    status: str
    effective_from: dt.date
    effective_to: dt.date | None
    inputs: list[str]
    optional_inputs: list[str]
    notes: str
