"""The tribunal's outcome on each matter, and an unopposed appeal (SEND Regulations 2014 reg 45)."""

from __future__ import annotations

import datetime as dt

from mediation.audit import service as audit
from mediation.cases.state import apply_event
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.rules.errors import IllegalTransition
from mediation.tribunal import law
from mediation.tribunal.checks import Checker, TribunalInputError
from mediation.tribunal.clockwork import lock_case
from mediation.tribunal.commands import appeal_row
from mediation.tribunal.duties import open_duties
from mediation.tribunal.schemas import OutcomesInput, UnopposedInput
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from mediation.tribunal.timetable import sync_response_clock
from mediation.tribunal.words import long_day


async def record_outcomes(case: dict, data: OutcomesInput, *, actor: CurrentUser) -> None:
    appeal = await appeal_row(case["id"])
    rows = await AppealMatter.select().where(AppealMatter.appeal == appeal["id"])
    matters = {r["matter"]: r for r in rows}
    check = Checker(dt.date.today())
    check.past("decision_on", data.decision_on, "the decision date")
    check.after("decision_on", data.decision_on, "the decision date", appeal["lodged_on"], "the appeal")
    chosen = {m: o for m, o in data.outcomes.items() if o}
    if not chosen:
        check.add("outcomes", "Select the outcome for at least one matter")
    for matter, outcome in chosen.items():
        if matter not in matters or outcome not in law.OUTCOMES:
            check.add(f"outcome-{matter}", "Select an outcome from the list for each matter appealed")
    check.raise_if_any()
    final = {m: chosen.get(m) or r["outcome"] for m, r in matters.items()}
    labels = [f"{law.MATTER_LABELS.get(m, m)}: {law.OUTCOMES[o].lower()}" for m, o in chosen.items()]
    async with transaction():
        await lock_case(case["id"])
        for matter, outcome in chosen.items():
            await AppealMatter.update(
                {AppealMatter.outcome: outcome, AppealMatter.outcome_on: data.decision_on}
            ).where(AppealMatter.id == matters[matter]["id"])
        await TribunalAppeal.update(
            {TribunalAppeal.decision_on: data.decision_on, TribunalAppeal.updated_at: dt.datetime.now(dt.UTC)}
        ).where(TribunalAppeal.id == appeal["id"])
        summary = f"Tribunal outcome recorded ({long_day(data.decision_on)}): {'; '.join(labels)}"
        if all(final.values()) and case["state"] == "appealed":
            event = "withdraw" if set(final.values()) == {"withdrawn"} else "record_decision"
            try:
                await apply_event(case, event, actor=actor)
            except IllegalTransition as exc:
                raise TribunalInputError({"outcomes": f"Cannot record this: {exc.reason}"}) from exc
        await sync_response_clock(case, {**appeal, "decision_on": data.decision_on}, actor=actor)
        await audit.record(
            actor=actor,
            action="tribunal_outcome",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=summary,
            after={"decision_on": data.decision_on, "outcomes": chosen},
            disagreement_id=case["id"],
        )


async def record_unopposed(case: dict, data: UnopposedInput, *, actor: CurrentUser) -> list[str]:
    """Reg 45: the LA will not oppose; the appeal is treated as decided for the family and clocks start."""
    appeal = await appeal_row(case["id"])
    check = Checker(dt.date.today())
    check.past("notified_on", data.notified_on, "the date the tribunal was told")
    check.after(
        "notified_on", data.notified_on, "the date the tribunal was told", appeal["lodged_on"], "the appeal"
    )
    if appeal["response_sent_on"] is not None:
        check.add(
            "notified_on-day",
            "The local authority has already sent its response, so regulation 45 does not apply: "
            "a concession now needs the tribunal's permission, usually a consent order. "
            "Record the order instead.",
        )
    if appeal["unopposed_on"] is not None:
        check.add("notified_on-day", "The local authority's decision not to oppose is already recorded")
    check.raise_if_any()
    matters = [
        r["matter"]
        for r in await AppealMatter.select(AppealMatter.matter).where(AppealMatter.appeal == appeal["id"])
    ]
    try:
        rules = law.unopposed_rules(case["decision"], matters, amendments_agreed=data.amendments_agreed)
    except law.UnopposedNotApplicable as exc:
        raise TribunalInputError({"notified_on-day": f"Regulation 45 does not apply: {exc}"}) from exc
    on = data.notified_on
    summary = f"The local authority told the tribunal on {long_day(on)} that it will not oppose the appeal"
    async with transaction():
        await lock_case(case["id"])
        try:
            await apply_event(case, "record_unopposed", actor=actor)
        except IllegalTransition as exc:
            raise TribunalInputError({"notified_on-day": f"Cannot record this: {exc.reason}"}) from exc
        await TribunalAppeal.update(
            {TribunalAppeal.unopposed_on: on, TribunalAppeal.updated_at: dt.datetime.now(dt.UTC)}
        ).where(TribunalAppeal.id == appeal["id"])
        await AppealMatter.update({AppealMatter.outcome: "conceded", AppealMatter.outcome_on: on}).where(
            (AppealMatter.appeal == appeal["id"]) & (AppealMatter.outcome == "")
        )
        await sync_response_clock(case, {**appeal, "unopposed_on": on}, actor=actor)
        await open_duties(
            case,
            appeal["id"],
            "unopposed",
            case["decision"],
            rules,
            on,
            None,
            owed_by=case["local_authority"],
            started_by="the local authority said it will not oppose the appeal",
            actor=actor,
        )
        await audit.record(
            actor=actor,
            action="tribunal_unopposed",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=summary,
            after={"notified_on": on, "rules": list(rules)},
            disagreement_id=case["id"],
        )
    return list(rules)
