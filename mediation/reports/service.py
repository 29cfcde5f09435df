"""Report figures for one organisation and date range: what each figure means, and how it is counted."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from mediation import timekeeping
from mediation.errors import Refused
from mediation.identity import CurrentUser
from mediation.organisations.tables import Organisation
from mediation.reports import queries
from mediation.reports.errors import ReportError
from mediation.reports.queries import Period

LONDON = ZoneInfo("Europe/London")
EARLIEST = dt.date(2014, 9, 1)  # the SEND Regulations 2014 came into force
MAX_MONTHS = 24
REPORT_ROLES = ("la_coordinator", "health_commissioner", "admin")
ORGANISATION_KINDS = ("local_authority", "icb")
BREACH_ACTORS = ("local_authority", "health_commissioner", "mediation_adviser", "mediator")


@dataclasses.dataclass(frozen=True)
class MetricSpec:
    id: str
    title: str
    description: str
    kind: str  # "rate" (on time out of all) or "count"
    noun: str  # what is counted, for chart descriptions


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "certificates_on_time",
        "Certificates issued within 3 working days",
        "Mediation certificates issued on or before their due date, out of all certificates issued in the "
        "period: after the family declined mediation, when mediation could not be arranged, and after "
        "mediation (SEND Regulations 2014 regs 34, 37 and 39).",
        "rate",
        "certificates",
    ),
    MetricSpec(
        "mediations_on_time",
        "Mediations held within 30 days",
        "Mediations held on or before their due date, out of all mediations held in the period, whether "
        "the local authority or the ICB arranged them (SEND Regulations 2014 regs 35 to 37).",
        "rate",
        "mediations",
    ),
    MetricSpec(
        "deemed_certificates",
        "Certificates because mediation could not be arranged",
        "Times the arranging body said it could not hold mediation within 30 days, so the family was owed "
        "a certificate without mediation (the 3-working-day clock started in the period).",
        "count",
        "certificates owed",
    ),
    MetricSpec(
        "agreements",
        "Agreements reached at mediation",
        "Cases where a mediation agreement was recorded, or its follow-up clock started, in the period. "
        "Each case counts once.",
        "count",
        "cases",
    ),
    MetricSpec(
        "appeals_after_mediation",
        "Appeals after mediation",
        "Cases appealed to the tribunal in the period after a mediation was held on them.",
        "count",
        "cases",
    ),
    MetricSpec(
        "orders_on_time",
        "Tribunal orders complied with on time",
        "Tribunal orders, and appeals the local authority chose not to oppose, complied with on or before "
        "the due date, out of all complied with in the period (SEND Regulations 2014 regs 44 and 45).",
        "rate",
        "orders",
    ),
    MetricSpec(
        "open_breaches",
        "Deadlines passed and not yet met, today",
        "Statutory deadlines on the organisation's cases that have passed without being recorded as met, "
        "by who must act. A family's own time limit (to appeal, or to contact an adviser) is not counted.",
        "count",
        "deadlines",
    ),
)
METRIC_IDS = tuple(m.id for m in METRICS)
BREACH_LABELS = {
    "local_authority": "Local authority",
    "health_commissioner": "ICB",
    "mediation_adviser": "Mediation adviser",
    "mediator": "Mediator",
}


class OrganisationRef(msgspec.Struct):
    id: int
    name: str
    kind: str
    code: str


class Bar(msgspec.Struct):
    label: str
    value: int
    total: int | None = None  # for an on-time rate: how many in all
    start: dt.date | None = None
    end: dt.date | None = None


class Metric(msgspec.Struct):
    id: str
    title: str
    description: str
    kind: str
    value: int
    total: int | None
    percent: int | None
    as_at_today: bool
    bars: list[Bar]


class Report(msgspec.Struct):
    organisation: OrganisationRef
    start: dt.date = msgspec.field(name="from")
    end: dt.date = msgspec.field(name="to")
    today: dt.date = msgspec.field(name="as_at")
    metrics: list[Metric] = []


def london_today() -> dt.date:
    return timekeeping.today()


def midnight_utc(day: dt.date) -> dt.datetime:
    """The start of `day` in England, as a UTC instant (audit timestamps are stored in UTC)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(dt.UTC)


def month_count(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The range cut at month ends: [(first day, last day)] with the first and last months partial."""
    out, day = [], start
    while day <= end:
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        out.append((day, min(end, following - dt.timedelta(days=1))))
        day = following
    return out


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last six months, this one included."""
    month = today.year * 12 + today.month - 1 - 5
    return dt.date(month // 12, month % 12 + 1, 1), today


def check_range(start: dt.date | None, end: dt.date | None, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if start is None:
        errors["from-day"] = "Enter the start date"
    elif start < EARLIEST:
        errors["from-day"] = (
            "The start date must be on or after 1 September 2014, when the SEND Regulations began"
        )
    elif start > today:
        errors["from-day"] = "The start date must be today or in the past"
    if end is None:
        errors["to-day"] = "Enter the end date"
    elif end > today:
        errors["to-day"] = "The end date must be today or in the past"
    elif start is not None and end < start:
        errors["to-day"] = "The end date must be the same as or after the start date"
    elif start is not None and month_count(start, end) > MAX_MONTHS:
        errors["to-day"] = f"The date range must cover {MAX_MONTHS} months or fewer"
    return errors


async def reportable_organisations() -> list[OrganisationRef]:
    rows = (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind, Organisation.code)
        .where(Organisation.kind.is_in(list(ORGANISATION_KINDS)))
        .order_by(Organisation.kind, ascending=False)
        .order_by(Organisation.name)
    )
    return [OrganisationRef(**r) for r in rows]


async def organisation_for(user: CurrentUser, requested: str | None) -> OrganisationRef | None:
    """Whose figures: staff see their own organisation only; an admin chooses (None until they do).

    Raises Refused when staff ask for another organisation, ReportError for an unknown one."""
    requested = (requested or "").strip()
    if user.role != "admin":
        if user.organisation_id is None or (requested and requested != str(user.organisation_id)):
            raise Refused("You can see reports for your own organisation only")
        requested = str(user.organisation_id)
    if not requested:
        return None
    row = None
    if requested.isascii() and requested.isdigit() and len(requested) <= 10 and int(requested) < 2**31:
        row = (
            await Organisation.select(
                Organisation.id, Organisation.name, Organisation.kind, Organisation.code
            )
            .where((Organisation.id == int(requested)) & Organisation.kind.is_in(list(ORGANISATION_KINDS)))
            .first()
        )
    if row is None:
        raise ReportError({"organisation": "Select a local authority or an ICB from the list"})
    return OrganisationRef(**row)


def _by_bucket(rows: Sequence[Mapping[str, Any]]) -> dict[Any, Mapping[str, Any]]:
    return {r["bucket"]: r for r in rows}


def _monthly(
    spec: MetricSpec, rows: Sequence[Mapping[str, Any]], spans: list[tuple[dt.date, dt.date]]
) -> Metric:
    found = _by_bucket(rows)
    bars = []
    for i, (first, last) in enumerate(spans):
        row = found.get(i, {})
        total = int(row.get("total") or 0) if spec.kind == "rate" else None
        bars.append(
            Bar(label=f"{first:%b %Y}", value=int(row.get("value") or 0), total=total, start=first, end=last)
        )
    value = sum(b.value for b in bars)
    total = sum(b.total or 0 for b in bars) if spec.kind == "rate" else None
    percent = round(100 * value / total) if total else None
    return Metric(spec.id, spec.title, spec.description, spec.kind, value, total, percent, False, bars)


async def build_report(organisation: OrganisationRef, start: dt.date, end: dt.date, today: dt.date) -> Report:
    """Seven figures, seven aggregate queries, whatever the number of cases."""
    spans = months(start, end)
    period = Period(start, end, [first for first, _ in spans[1:]], midnight_utc)
    kind, org = organisation.kind, organisation.id
    specs = {m.id: m for m in METRICS}
    metrics = [
        _monthly(
            specs["certificates_on_time"],
            await queries.stopped_on_time(kind, org, period, queries.CERTIFICATE_RULES),
            spans,
        ),
        _monthly(
            specs["mediations_on_time"],
            await queries.stopped_on_time(kind, org, period, queries.MEDIATION_RULES),
            spans,
        ),
        _monthly(
            specs["deemed_certificates"],
            await queries.clocks_started(kind, org, period, queries.DEEMED_RULES),
            spans,
        ),
        _monthly(specs["agreements"], await queries.agreements(kind, org, period), spans),
        _monthly(
            specs["appeals_after_mediation"], await queries.appeals_after_mediation(kind, org, period), spans
        ),
        _monthly(
            specs["orders_on_time"],
            await queries.stopped_on_time(kind, org, period, queries.ORDER_RULES),
            spans,
        ),
    ]
    breaches = _by_bucket(await queries.open_breaches(kind, org, today))
    bars = [
        Bar(label=BREACH_LABELS[a], value=int(breaches.get(a, {}).get("value") or 0)) for a in BREACH_ACTORS
    ]
    spec = specs["open_breaches"]
    metrics.append(
        Metric(
            spec.id, spec.title, spec.description, "count", sum(b.value for b in bars), None, None, True, bars
        )
    )
    return Report(organisation=organisation, start=start, end=end, today=today, metrics=metrics)
