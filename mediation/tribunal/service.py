"""Reading the tribunal side of a case, and what each body owes, through the access rule."""

from __future__ import annotations

import datetime as dt

from piccolo.query.methods.select import Select

from mediation import timekeeping
from mediation.access import visible_cases
from mediation.cases.model import Disagreement as Case
from mediation.cases.tables import Disagreement
from mediation.certificates.service import latest_certificate_on
from mediation.db_typing import Condition
from mediation.identity import CurrentUser
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import DEFAULT_CALENDAR
from mediation.tribunal import law
from mediation.tribunal.commands import last_day_to_appeal
from mediation.tribunal.schemas import (
    AppealView,
    ComplianceView,
    DutyRow,
    LaCounts,
    MatterView,
    ObligationView,
    ResponseRow,
    TribunalView,
)
from mediation.tribunal.tables import AppealMatter, TribunalAppeal, TribunalObligation
from mediation.tribunal.tracker import build_steps

DUTY_KINDS = ["order", "unopposed"]


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def duty_status(status: str, due: dt.date, today: dt.date) -> str:
    """A running duty past its (legal) due date is breached."""
    return "breached" if status == "open" and due < today else status


def _appeal_view(row: dict) -> AppealView:
    directed, computed = row["response_directed"], row["response_computed"]
    expected = None
    if row["hearing_on"] is not None and row["decision_on"] is None:
        expected = DEFAULT_CALENDAR.add_working_days_hesc(row["hearing_on"], 10).date
    return AppealView(
        lodged_on=row["lodged_on"],
        tribunal_reference=row["tribunal_reference"],
        registered_on=row["registered_on"],
        recommendations_requested=_split(row["recommendations_requested"]),
        certificate_issued_on=row["certificate_issued_on"],
        appeal_due=row["appeal_due"],
        late=row["late"],
        certificate_missing=row["certificate_missing"],
        flags=list(row["flags"] or []),
        la_received_on=row["la_received_on"],
        response_computed=computed,
        response_directed=directed,
        response_due=directed or computed,
        response_basis="directed" if directed else ("computed" if computed else ""),
        response_sent_on=row["response_sent_on"],
        evidence_due=row["evidence_due"],
        bundle_due=row["bundle_due"],
        hearing_on=row["hearing_on"],
        decision_on=row["decision_on"],
        decision_expected=expected,
        unopposed_on=row["unopposed_on"],
    )


async def duties_on_case(case_id: int, user: CurrentUser, today: dt.date) -> list[ObligationView]:
    where: Condition = TribunalObligation.disagreement == case_id
    if user.role == "health_commissioner":
        # A recommendation reaches only the body it addresses.
        where = where & (TribunalObligation.owed_by == user.organisation_id)
    rows = (
        await TribunalObligation.select(
            *TribunalObligation.all_columns(),
            TribunalObligation.owed_by.name.as_alias("owed_by_name"),
            TribunalObligation.clock.citation.as_alias("citation"),
            TribunalObligation.clock.rule_status.as_alias("rule_status"),
        )
        .where(where)
        .order_by(TribunalObligation.due)
        .order_by(TribunalObligation.id)
    )
    return [
        ObligationView(
            id=r["id"],
            kind=r["kind"],
            kind_label=law.KIND_LABELS[r["kind"]],
            order_type=r["order_type"],
            rule=r["rule"],
            duty=law.duty_label(r["rule"]),
            owed_by=r["owed_by"],
            owed_by_name=r["owed_by_name"],
            made_on=r["made_on"],
            sent_on=r["sent_on"],
            due=r["due"],
            practical_due=r["practical_due"],
            status=duty_status(r["status"], r["due"], today),
            done_on=r["done_on"],
            action=r["action"],
            action_label=law.ACTIONS[r["action"]].label if r["action"] in law.ACTIONS else "",
            note=r["note"],
            sections=_split(r["sections"]),
            details=r["details"],
            citation=r["citation"] or "",
            rule_status=r["rule_status"] or "",
            actions=list(law.actions_for(r["rule"])) if r["status"] == "open" else [],
        )
        for r in rows
    ]


async def tribunal_view(case: Case, user: CurrentUser) -> TribunalView:
    """Everything about the appeal on a case the user may already see (the caller checked)."""
    today = timekeeping.today()
    routing = case.routing
    row = (
        await TribunalAppeal.select()
        .where(TribunalAppeal.disagreement == case.id)
        .output(load_json=True)
        .first()
    )
    appeal = _appeal_view(row) if row else None
    matters: list[MatterView] = []
    if row is not None:
        deadline = row["appeal_due"]
        for m in (
            await AppealMatter.select().where(AppealMatter.appeal == row["id"]).order_by(AppealMatter.id)
        ):
            matters.append(
                MatterView(
                    matter=m["matter"],
                    label=law.MATTER_LABELS.get(m["matter"], m["matter"]),
                    outcome=m["outcome"],
                    outcome_label=law.OUTCOMES.get(m["outcome"], ""),
                    outcome_on=m["outcome_on"],
                    meaning=law.OUTCOME_MEANINGS.get(m["outcome"], ""),
                )
            )
    else:
        deadline = await last_day_to_appeal(case, await latest_certificate_on(case))
    duties = await duties_on_case(case.id, user, today) if row else []
    return TribunalView(
        reference=case.reference,
        decision=case.decision,
        appeal_available=routing.appeal_available,
        certificate_required=routing.certificate_required,
        state=case.state,
        deadline=deadline,
        appeal=appeal,
        matters=matters,
        obligations=duties,
        steps=build_steps(case.decision, deadline, appeal, matters, duties, today),
    )


def _visible(user: CurrentUser) -> Select:
    return Disagreement.select(Disagreement.id).where(visible_cases(user))


async def compliance(user: CurrentUser, *, breached_only: bool = False) -> ComplianceView:
    """LA and ICB staff: what their body owes and by when. Administrators: each LA's open and breached
    orders, counted in one aggregate query (no case details)."""
    today = timekeeping.today()
    if user.role == "admin":
        return ComplianceView(organisation=None, duties=[], responses=[], counts=await la_counts(today))
    org = user.organisation_id
    where = (
        (TribunalObligation.owed_by == org)
        & (TribunalObligation.status == "open")
        & TribunalObligation.disagreement.is_in(_visible(user))
    )
    if breached_only:
        where = where & (TribunalObligation.due < today)
    rows = (
        await TribunalObligation.select(
            TribunalObligation.id,
            TribunalObligation.disagreement.reference.as_alias("reference"),
            TribunalObligation.disagreement.child_name.as_alias("child_name"),
            TribunalObligation.kind,
            TribunalObligation.rule,
            TribunalObligation.made_on,
            TribunalObligation.sent_on,
            TribunalObligation.due,
            TribunalObligation.practical_due,
            TribunalObligation.status,
        )
        .where(where)
        .order_by(TribunalObligation.due)
        .order_by(TribunalObligation.id)
        .limit(500)
    )
    duties = [
        DutyRow(
            id=r["id"],
            reference=r["reference"],
            child_name=r["child_name"],
            kind=r["kind"],
            kind_label=law.KIND_LABELS[r["kind"]],
            duty=law.duty_label(r["rule"]),
            made_on=r["made_on"],
            sent_on=r["sent_on"],
            due=r["due"],
            practical_due=r["practical_due"],
            status=duty_status(r["status"], r["due"], today),
        )
        for r in rows
    ]
    responses = await responses_owed(user, today, breached_only) if user.role == "la_coordinator" else []
    name = await Organisation.select(Organisation.name).where(Organisation.id == org).first() if org else None
    return ComplianceView(
        organisation=name["name"] if name else None, duties=duties, responses=responses, counts=[]
    )


async def responses_owed(user: CurrentUser, today: dt.date, breached_only: bool) -> list[ResponseRow]:
    rows = (
        await TribunalAppeal.select(
            TribunalAppeal.disagreement.reference.as_alias("reference"),
            TribunalAppeal.disagreement.child_name.as_alias("child_name"),
            TribunalAppeal.tribunal_reference,
            TribunalAppeal.la_received_on,
            TribunalAppeal.response_computed,
            TribunalAppeal.response_directed,
        )
        .where(
            (TribunalAppeal.disagreement.local_authority == user.organisation_id)
            & TribunalAppeal.disagreement.is_in(_visible(user))
            & TribunalAppeal.la_received_on.is_not_null()
            & TribunalAppeal.response_sent_on.is_null()
            & TribunalAppeal.unopposed_on.is_null()
            & TribunalAppeal.decision_on.is_null()
        )
        .limit(500)
    )
    found = []
    for r in rows:
        due = r["response_directed"] or r["response_computed"]
        status = "breached" if due < today else "open"
        if breached_only and status != "breached":
            continue
        found.append(
            ResponseRow(
                reference=r["reference"],
                child_name=r["child_name"],
                tribunal_reference=r["tribunal_reference"],
                la_received_on=r["la_received_on"],
                response_due=due,
                response_basis="directed" if r["response_directed"] else "computed",
                status=status,
            )
        )
    return sorted(found, key=lambda r: r.response_due)


LA_COUNTS_SQL = """
SELECT o.id AS id, o.name AS name, COUNT(t.id) AS open_count,
       COALESCE(SUM(CASE WHEN t.due < {} THEN 1 ELSE 0 END), 0) AS breached
FROM organisation o
LEFT JOIN tribunal_obligation t
       ON t.owed_by = o.id AND t.status = 'open' AND t.kind IN ('order', 'unopposed')
WHERE o.kind = 'local_authority'
GROUP BY o.id, o.name
ORDER BY breached DESC, open_count DESC, o.name
"""


async def la_counts(today: dt.date) -> list[LaCounts]:
    rows = await Organisation.raw(LA_COUNTS_SQL, today)
    return [
        LaCounts(
            local_authority_id=r["id"],
            local_authority=r["name"],
            open=int(r["open_count"]),
            breached=int(r["breached"]),
        )
        for r in rows
    ]


async def appeal_matters(appeal_id: int) -> list[str]:
    """The matters an appeal is about, in the order they were entered."""
    rows = (
        await AppealMatter.select(AppealMatter.matter)
        .where(AppealMatter.appeal == appeal_id)
        .order_by(AppealMatter.id)
    )
    return [r["matter"] for r in rows]
