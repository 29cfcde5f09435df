"""The words of reminders, escalations and digests. Subjects carry the case reference, never a name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mediation.cases.model import ACTOR_LABELS
from mediation.cases.model import rule_title as title_for
from mediation.reminders.recipients import Recipient
from mediation.rules.wording import family_citation, family_title
from mediation.web.templating import SERVICE_NAME, day_date

SIGN_OFF = f"\n--\n{SERVICE_NAME}. This message was sent automatically; replies are not read.\n"
SCHEDULE_NOTE = "Reminders go 5 and 2 working days before a deadline and on the day it is due."


def case_link(base_url: str, reference: str) -> str:
    return f"{base_url.rstrip('/')}/cases/{reference}"


def _who(clock: Mapping[str, Any], recipient: Recipient) -> str:
    if clock["actor"] == "family" and recipient.key == "family":
        return "You (the family, or whoever you asked to act for you)"
    return ACTOR_LABELS.get(clock["actor"], clock["actor"])


def _facts(clock: Mapping[str, Any], recipient: Recipient) -> list[str]:
    if recipient.key == "family":  # the family's words, and the law without the research notes
        return [
            f"What is due: {_title(clock, recipient)}",
            f"Due by: {day_date(clock['due'])}",
            f"Who must act: {_who(clock, recipient)}",
            f"The law behind this date: {family_citation(clock['citation'])}",
        ]
    return [
        f"What is due: {title_for(clock['rule'])}",
        f"Due by: {day_date(clock['due'])}",
        f"Who must act: {_who(clock, recipient)}",
        f"The law: {clock['citation']}",
    ]


def _if_done(recipient: Recipient) -> str:
    if recipient.key == "family":
        return "If you have already done this, tell the local authority so that it is recorded on the case."
    return "If this has been done, ask whoever handles the case to record it, and the reminders stop."


def _greeting(recipient: Recipient) -> str:
    return f"Dear {recipient.name.strip() or 'colleague'},"


def _title(clock: Mapping[str, Any], recipient: Recipient) -> str:
    return family_title(clock["rule"]) if recipient.key == "family" else title_for(clock["rule"])


def reminder(
    clock: Mapping[str, Any], recipient: Recipient, *, working_days_left: int, base_url: str
) -> tuple[str, str]:
    reference, title, due = clock["reference"], _title(clock, recipient), clock["due"]
    family = recipient.key == "family"
    limit = "A date on your disagreement" if family else "A statutory deadline on disagreement"
    if working_days_left == 0:
        subject = f"Due today: {title} ({reference})"
        lead = f"{limit} {reference} is due today, {day_date(due)}."
    else:
        days = "1 working day" if working_days_left == 1 else f"{working_days_left} working days"
        subject = f"Reminder: {title} {'by' if family else 'due'} {day_date(due)} ({reference})"
        lead = f"{limit} {reference} is due in {days}, on {day_date(due)}."
    body = "\n".join(
        [
            _greeting(recipient),
            "",
            lead,
            "",
            *_facts(clock, recipient),
            "",
            f"See the case and what has been recorded: {case_link(base_url, reference)}",
            "",
            f"You are getting this because {recipient.why}. {SCHEDULE_NOTE} {_if_done(recipient)}",
        ]
    )
    return subject, body + SIGN_OFF


def escalation(
    clock: Mapping[str, Any], recipient: Recipient, *, working_days_late: int, base_url: str
) -> tuple[str, str]:
    reference, title, due = clock["reference"], title_for(clock["rule"]), clock["due"]
    late = "1 working day" if working_days_late == 1 else f"{working_days_late} working days"
    subject = f"Deadline missed: {title} was due {day_date(due)} ({reference})"
    body = "\n".join(
        [
            _greeting(recipient),
            "",
            f"A statutory deadline on disagreement {reference} passed on {day_date(due)} and has not been "
            f"recorded as met. It is now {late} late.",
            "",
            *_facts(clock, recipient),
            "",
            f"Please make sure it is dealt with and recorded on the case: {case_link(base_url, reference)}",
            "",
            f"You are getting this because {recipient.why}. A note has been added to the case's timeline. "
            "You will not be told again about this deadline unless its date is recalculated.",
        ]
    )
    return subject, body + SIGN_OFF


def breach_note(clock: Mapping[str, Any], escalated_to: str) -> str:
    """For the case timeline, which the family also reads."""
    return (
        f"Deadline passed: {title_for(clock['rule'])} was due {day_date(clock['due'])} and has not been "
        f"recorded as met. We have told {escalated_to}."
    )


def digest(
    account: Mapping[str, Any],
    organisation: str,
    *,
    today: dt.date,
    horizon: dt.date,
    overdue: Sequence[Mapping[str, Any]],
    upcoming: Sequence[Mapping[str, Any]],
    base_url: str,
) -> tuple[str, str]:
    subject = f"Daily summary for {day_date(today)}: {len(overdue)} overdue, {len(upcoming)} due soon"

    def lines(clocks: Sequence[Mapping[str, Any]], verb: str) -> list[str]:
        return [
            f"- {c['reference']}: {title_for(c['rule'])}, {verb} {day_date(c['due'])} "
            f"({ACTOR_LABELS.get(c['actor'], c['actor'])} must act). {case_link(base_url, c['reference'])}"
            for c in clocks
        ]

    body = [
        f"Dear {account['full_name'].strip() or 'colleague'},",
        "",
        f"The statutory deadlines on {organisation}'s cases that need attention, as of {day_date(today)}.",
    ]
    if overdue:
        body += ["", f"Overdue ({len(overdue)}):", *lines(overdue, "was due")]
    if upcoming:
        body += ["", f"Due by {day_date(horizon)} ({len(upcoming)}):", *lines(upcoming, "due")]
    body += [
        "",
        "You get this summary each working day when one of your cases has a deadline passed or coming up.",
    ]
    return subject, "\n".join(body) + SIGN_OFF
