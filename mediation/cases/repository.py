"""The table layer for cases: rows in, the typed `Disagreement` aggregate out. Nothing outside this
module reads a case row; everything else is handed the aggregate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from mediation import query_building, timekeeping
from mediation.access import visible_cases
from mediation.batched_reads import read_together
from mediation.cases.model import AppealProgress, CaseClock, Disagreement, MediationProgress, Succession
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.clocks.tables import StatutoryClock
from mediation.db import is_postgres
from mediation.db_typing import Condition
from mediation.identity import CurrentUser

_ROW = DisagreementRow
_COLUMNS = (
    *_ROW.all_columns(),
    _ROW.family.full_name.as_alias("family_name"),
    _ROW.family.email.as_alias("family_email"),
    _ROW.local_authority.name.as_alias("la_name"),
    _ROW.local_authority.code.as_alias("la_code"),
    _ROW.icb.name.as_alias("icb_name"),
    _ROW.mediation_service.name.as_alias("service_name"),
    _ROW.assigned_to.email.as_alias("assigned_to_email"),
    # Whether each of the case's bodies has ended with a successor, read with the row (`_successions`).
    _ROW.local_authority.valid_to.as_alias("local_authority_valid_to"),
    _ROW.local_authority.successor.as_alias("local_authority_successor"),
    _ROW.icb.valid_to.as_alias("icb_valid_to"),
    _ROW.icb.successor.as_alias("icb_successor"),
    _ROW.mediation_service.valid_to.as_alias("mediation_service_valid_to"),
    _ROW.mediation_service.successor.as_alias("mediation_service_successor"),
)
_NAME_OF = {"local_authority": "la_name", "icb": "icb_name", "mediation_service": "service_name"}


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split(",") if part)


def clock_of(row: dict[str, Any]) -> CaseClock:
    return CaseClock(
        id=row["id"],
        rule=row["rule"],
        actor=row["actor"],
        started_on=row["started_on"],
        due=row["due"],
        stored_status=row["status"],
        stopped_on=row["stopped_on"],
        stop_reason=row["stop_reason"],
        started_by=row["started_by"],
        citation=row["citation"],
        rule_status=row["rule_status"],
        explanation=tuple(row["explanation"] or ()),
        version=row["version"],
    )


def _clocks_query(case_id: int) -> Any:
    return query_building.built_once(
        "case clocks",
        StatutoryClock.select()
        .where(StatutoryClock.disagreement == case_id)
        .order_by(StatutoryClock.due)
        .order_by(StatutoryClock.id)
        .output(load_json=True),
    )


# Facts the aggregate carries that higher capabilities own: the adviser stage's record (advice), the
# meetings diary (scheduling) and the appeal (tribunal). This module cannot read their tables without
# importing up, so each registers how to read them when it is imported (`add_mediation_facts`,
# `add_appeal_facts`), and every process imports them at start-up (mediation/capabilities.py: the web app,
# the sweep command, the tests through the app). A case is never loaded without all of them: without its
# mediation or its appeal it would be wrong, not merely incomplete. Each is a query for a case id and a
# function from that query's result to the facts, so that the case's clocks and all of them are read in
# one round trip (`batched_reads.read_together`).
FactsQuery = Callable[[int], Any]  # case id -> a Piccolo SELECT (or `.first()`) on the capability's table
MediationFacts = tuple[FactsQuery, Callable[[Any], Mapping[str, Any]]]  # -> fields of MediationProgress
AppealFacts = tuple[FactsQuery, Callable[[Any], AppealProgress | None]]
MEDIATION_FACTS_NEEDED = ("advice", "scheduling")  # merged in this order
APPEAL_FACTS_NEEDED = "tribunal"
_MEDIATION_FACTS: dict[str, MediationFacts] = {}
_APPEAL_FACTS: dict[str, AppealFacts] = {}


def add_mediation_facts(
    capability: str, query: FactsQuery, facts: Callable[[Any], Mapping[str, Any]]
) -> None:
    """Register how a capability's part of `MediationProgress` is read: a query for a case id, and its
    result turned into a mapping of the fields."""
    _MEDIATION_FACTS[capability] = (query, facts)


def add_appeal_facts(
    capability: str, query: FactsQuery, appeal: Callable[[Any], AppealProgress | None]
) -> None:
    """Register how the case's `AppealProgress` is read (None without an appeal)."""
    _APPEAL_FACTS[capability] = (query, appeal)


def _missing_facts() -> list[str]:
    missing = [c for c in MEDIATION_FACTS_NEEDED if c not in _MEDIATION_FACTS]
    return missing + ([APPEAL_FACTS_NEEDED] if APPEAL_FACTS_NEEDED not in _APPEAL_FACTS else [])


async def _parts(case_id: int) -> tuple[tuple[CaseClock, ...], MediationProgress, AppealProgress | None]:
    """The case's clocks, mediation and appeal, read together."""
    mediation = [_MEDIATION_FACTS[c] for c in MEDIATION_FACTS_NEEDED]
    appeal_query, appeal_of = _APPEAL_FACTS[APPEAL_FACTS_NEEDED]
    clock_rows, *results = await read_together(
        [_clocks_query(case_id), *(query(case_id) for query, _ in mediation), appeal_query(case_id)]
    )
    fields: dict[str, Any] = {}
    for (_, facts), result in zip(mediation, results, strict=False):
        fields.update(facts(result))
    return tuple(clock_of(r) for r in clock_rows), MediationProgress(**fields), appeal_of(results[-1])


SUCCEEDING_COLUMNS = ("local_authority", "icb", "mediation_service")


async def _successions(row: dict[str, Any], today: dt.date) -> tuple[Succession, ...]:
    """The case's bodies that ended before today with a successor (followed to the one that exists now).
    Whether a body ended comes with the case row (its joined `valid_to` and `successor`), so a case none
    of whose bodies has ended costs no query here."""
    from mediation.organisations.tables import Organisation

    if row["state"] in ("withdrawn", "closed"):  # an ended case keeps the bodies it had
        return ()
    ended = {
        column: {"id": row[column], "name": row[_NAME_OF[column]], "valid_to": row[f"{column}_valid_to"]}
        for column in SUCCEEDING_COLUMNS
        if row[column] is not None
        and row[f"{column}_successor"] is not None
        and row[f"{column}_valid_to"] is not None
        and row[f"{column}_valid_to"] < today
    }
    if not ended:
        return ()
    from mediation.organisations.service import current_body

    found = []
    for column in SUCCEEDING_COLUMNS:
        body = ended.get(column)
        if body is None:
            continue
        to_id = await current_body(int(body["id"]), today)
        to = await Organisation.select(Organisation.name).where(Organisation.id == to_id).first()
        found.append(
            Succession(
                column=column,
                from_id=int(body["id"]),
                from_name=body["name"],
                to_id=to_id,
                to_name=to["name"] if to else "",
                on=body["valid_to"] + dt.timedelta(days=1),
            )
        )
    return tuple(found)


def _aggregate(
    row: dict[str, Any],
    clocks: tuple[CaseClock, ...],
    mediation: MediationProgress,
    appeal: AppealProgress | None,
    successions: tuple[Succession, ...] = (),
) -> Disagreement:
    return Disagreement(
        id=row["id"],
        reference=row["reference"],
        state=row["state"],
        family_id=row["family"],
        family_name=row["family_name"] or "",
        family_email=row["family_email"] or "",
        local_authority_id=row["local_authority"],
        local_authority_name=row["la_name"] or "",
        local_authority_code=row["la_code"] or "",
        icb_id=row["icb"],
        icb_name=row["icb_name"],
        mediation_service_id=row["mediation_service"],
        mediation_service_name=row["service_name"],
        child_name=row["child_name"],
        child_date_of_birth=row["child_date_of_birth"],
        decision=row["decision"],
        decision_notice_sent=row["decision_notice_sent"],
        received_on=row["received_on"] or row["created_at"].date(),
        sections=_split(row["sections"]),
        arranged_by=row["arranged_by"],
        next_due_date=row["next_due_date"],
        created_at=row["created_at"],
        lodged_by=row["lodged_by"],
        represented_person=row["represented_person"],
        advocate_consent=row["advocate_consent"],
        wants_mediation=row["wants_mediation"],
        health_provision_sought=row["health_provision_sought"],
        accessibility=dict(row["accessibility"] or {}),
        contact_by=row["contact_by"],
        contact_email=row["contact_email"],
        contact_phone=row["contact_phone"],
        postal_address=row["postal_address"],
        large_print=bool(row["large_print"]),
        routing_reason=row["routing_reason"],
        assigned_to_id=row["assigned_to"],
        assigned_to_email=row["assigned_to_email"],
        clocks=clocks,
        mediation=mediation,
        appeal=appeal,
        successions=successions,
        as_of=timekeeping.today(),
    )


def _case_row_query(where: Condition) -> Any:
    """The case row's query: its SELECT list and joins (23 columns through four tables) built once."""
    query = DisagreementRow.select(*_COLUMNS).where(where).output(load_json=True).first()
    return query_building.built_once("case row", query)


async def _load(where: Condition) -> Disagreement | None:
    if missing := _missing_facts():
        raise RuntimeError(
            f"a case's facts need mediation.{', mediation.'.join(missing)}, which this process never "
            "imported (import mediation.capabilities at start-up, as mediation/app.py does)"
        )
    row: dict[str, Any] | None = await _case_row_query(where)
    if row is None:
        return None
    case_id = int(row["id"])
    successions = await _successions(row, timekeeping.today())
    clocks, mediation, appeal = await _parts(case_id)
    return _aggregate(row, clocks, mediation, appeal, successions)


async def find_case(user: CurrentUser | None, reference: str) -> Disagreement | None:
    """The case if this user may see it; None otherwise, whether or not it exists."""
    return await _load((DisagreementRow.reference == reference) & visible_cases(user))


async def load_case(case_id: int) -> Disagreement:
    """A case by id, for the service's own use (an offer link, a sweep, after a change): no access check."""
    found = await _load(DisagreementRow.id == case_id)
    if found is None:
        raise LookupError(f"no case {case_id}")
    return found


async def case_id_for(reference: str) -> int | None:
    """The id of the case with this reference exactly, for the service's own use: no access check."""
    row = (
        await DisagreementRow.select(DisagreementRow.id).where(DisagreementRow.reference == reference).first()
    )
    return None if row is None else int(row["id"])


async def case_id_for_draft(draft_id: int) -> int | None:
    """The case a lodging draft became, if it has."""
    row = (
        await DisagreementRow.select(DisagreementRow.id)
        .where(DisagreementRow.lodging_draft == draft_id)
        .first()
    )
    return None if row is None else int(row["id"])


async def case_for_idempotency_key(account_id: int, key: str) -> tuple[int, str] | None:
    """The case an account already lodged with this Idempotency-Key, with its request's hash."""
    row = (
        await DisagreementRow.select(DisagreementRow.id, DisagreementRow.idempotency_hash)
        .where((DisagreementRow.created_by == account_id) & (DisagreementRow.idempotency_key == key))
        .first()
    )
    return None if row is None else (int(row["id"]), str(row["idempotency_hash"]))


async def lock_case(case_id: int) -> None:
    """Serialise changes to one case until the transaction ends. PostgreSQL: a row lock. SQLite: the
    write transaction (`db.transaction()` is immediate) already excludes every other writer."""
    if is_postgres():
        await DisagreementRow.select(DisagreementRow.id).where(DisagreementRow.id == case_id).lock_rows()


async def save_state(case: Disagreement, target: str, at: dt.datetime) -> bool:
    """Move the case to `target` if nobody else moved it meanwhile; False if they did."""
    moved = (
        await DisagreementRow.update({DisagreementRow.state: target, DisagreementRow.updated_at: at})
        .where((DisagreementRow.id == case.id) & (DisagreementRow.state == case.state))
        .returning(DisagreementRow.id)
    )
    return bool(moved)


async def update_case(case_id: int, values: dict[str, Any], at: dt.datetime) -> None:
    """Set columns of the case row by name (the table layer's one writer for case fields)."""
    columns = {getattr(DisagreementRow, name): value for name, value in values.items()}
    await DisagreementRow.update({**columns, DisagreementRow.updated_at: at}).where(
        DisagreementRow.id == case_id
    )
