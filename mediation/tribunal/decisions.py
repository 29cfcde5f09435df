"""The tribunal's outcome on each matter (`decision_recorded`), and an unopposed appeal (`unopposed`,
SEND Regulations 2014 reg 45)."""

from __future__ import annotations

from mediation import timekeeping
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.identity import CurrentUser
from mediation.tribunal import law
from mediation.tribunal.checks import Checker, TribunalInputError
from mediation.tribunal.commands import appeal_row
from mediation.tribunal.duties import keep_duties
from mediation.tribunal.schemas import OutcomesInput, UnopposedInput
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from mediation.tribunal.words import long_day


async def record_outcomes(case: Disagreement, data: OutcomesInput, *, actor: CurrentUser) -> Disagreement:
    """`decision_recorded`: the outcome on some or all matters; once every matter has one, the appeal is
    decided (or withdrawn, when it was withdrawn on every matter)."""
    events.require(case, "decision_recorded", actor=actor)
    appeal = await appeal_row(case.id)
    rows = await AppealMatter.select().where(AppealMatter.appeal == appeal["id"])
    matters = {r["matter"]: r for r in rows}
    check = Checker(timekeeping.today())
    chosen = {m: o for m, o in data.outcomes.items() if o}
    if not chosen:
        check.add("outcomes", "Select the outcome for at least one matter")
    for matter, outcome in chosen.items():
        if matter not in matters or outcome not in law.OUTCOMES:
            check.add(f"outcome-{matter}", "Select an outcome from the list for each matter appealed")
    check.raise_if_any()
    final = {m: chosen.get(m) or r["outcome"] for m, r in matters.items()}
    if not all(final.values()):
        variant = "partly"
    elif set(final.values()) == {"withdrawn"}:
        variant = "withdrawn"
    else:
        variant = "decided"
    label = "the decision date"
    events.check(
        case,
        "decision_recorded",
        actor=actor,
        on=data.decision_on,
        detail=variant,
        on_field="decision_on-day",
        label=label,
    )
    labels = [f"{law.MATTER_LABELS.get(m, m)}: {law.OUTCOMES[o].lower()}" for m, o in chosen.items()]

    async def writes(change: Change) -> None:
        for matter, outcome in chosen.items():
            await AppealMatter.update(
                {AppealMatter.outcome: outcome, AppealMatter.outcome_on: data.decision_on}
            ).where(AppealMatter.id == matters[matter]["id"])
        await TribunalAppeal.update(
            {TribunalAppeal.decision_on: data.decision_on, TribunalAppeal.updated_at: timekeeping.now()}
        ).where(TribunalAppeal.id == appeal["id"])

    return await events.record(
        case,
        "decision_recorded",
        actor=actor,
        on=data.decision_on,
        detail=variant,
        summary=f"Tribunal outcome recorded ({long_day(data.decision_on)}): {'; '.join(labels)}",
        data={"outcomes": list(f"{m}:{o}" for m, o in chosen.items())},
        writes=writes,
        on_field="decision_on-day",
        label=label,
    )


async def record_unopposed(case: Disagreement, data: UnopposedInput, *, actor: CurrentUser) -> Disagreement:
    """`unopposed`: the LA will not oppose; the appeal is treated as decided for the family and the reg 45
    clocks start. `data.order`, when given (the API), must be one of the clocks the law starts."""
    label = "the date the tribunal was told"
    events.check(case, "unopposed", actor=actor, on=data.notified_on, on_field="notified_on-day", label=label)
    appeal = await appeal_row(case.id)
    check = Checker(timekeeping.today())
    if appeal["response_sent_on"] is not None:
        check.add(
            "notified_on-day",
            "The local authority has already sent its response, so regulation 45 does not apply: "
            "a concession now needs the tribunal's permission, usually a consent order. "
            "Record the order instead.",
        )
    check.raise_if_any()
    matters = [
        r["matter"]
        for r in await AppealMatter.select(AppealMatter.matter).where(AppealMatter.appeal == appeal["id"])
    ]
    agreed = data.amendments_agreed
    if data.order is not None and case.decision == "cease_to_maintain":
        # The API has no amendments field: naming the amended-plan clock is saying amendments were agreed.
        agreed = agreed or data.order == "unopposed_amend_plan"
    try:
        rules = law.unopposed_rules(case.decision, matters, amendments_agreed=agreed)
    except law.UnopposedNotApplicable as exc:
        raise TribunalInputError({"notified_on-day": f"Regulation 45 does not apply: {exc}"}) from exc
    if data.order is not None and data.order not in rules:
        expected = ", ".join(rules) or "none (the plan simply continues)"
        raise TribunalInputError({"order": f"order must be the clock regulation 45 starts here: {expected}"})
    on = data.notified_on

    async def writes(change: Change) -> None:
        await TribunalAppeal.update(
            {TribunalAppeal.unopposed_on: on, TribunalAppeal.updated_at: timekeeping.now()}
        ).where(TribunalAppeal.id == appeal["id"])
        await AppealMatter.update({AppealMatter.outcome: "conceded", AppealMatter.outcome_on: on}).where(
            (AppealMatter.appeal == appeal["id"]) & (AppealMatter.outcome == "")
        )

    async def duty_rows(change: Change) -> None:
        await keep_duties(change.case, "unopposed", case.decision, rules, on, None, actor=actor)

    return await events.record(
        case,
        "unopposed",
        actor=actor,
        on=on,
        summary=f"The local authority told the tribunal on {long_day(on)} that it will not oppose the appeal",
        data={"rules": list(rules)},
        writes=writes,
        then=duty_rows,
        on_field="notified_on-day",
        label=label,
    )
