"""One case's history, drawn at random in the proportions seen nationally, as a list of dated steps.

A step is what an event did: the state it left the case in, the clocks it started and stopped. Steps
after `today` have not happened yet, so a recent case is open in the state of its last step so far, with
the clocks that step left running (some past due: bodies are late about one time in seven).

Proportions (DfE "SEN2" and MoJ tribunal statistics, rounded): about a fifth of disagreements go to
mediation, about half end at the adviser with a certificate, about a quarter are appealed (some 25,000 a
year nationally), half of the decided appeals end with an order the LA must comply with; most cases close
within a year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from functools import lru_cache

from mediation.rules.catalogue import rule_for
from mediation.rules.deadlines import Deadline, compute_deadline
from mediation.rules.routing import RoutingDecision, route

DAY = dt.timedelta(days=1)
DECISIONS = (
    ("plan_contents", 50),
    ("refuse_assessment", 24),
    ("refuse_plan", 8),
    ("refuse_amendment", 6),
    ("refuse_reassessment", 3),
    ("cease_to_maintain", 5),
    ("disability_discrimination", 4),
)
PLAN_SECTIONS = (
    ("B", "F"),
    ("B", "F", "I"),
    ("F",),
    ("I",),
    ("B", "F", "G"),
    ("F", "H1"),
    ("B", "F", "G", "H2"),
)
ORDERS = ("order_amend_plan", "order_issue_final_plan", "order_assess_notify", "order_section_i")
LATE_SHARE = 0.15  # a body acts after its due date about one time in seven


@dataclasses.dataclass
class Clock:
    rule: str
    actor: str
    started_on: dt.date
    deadline: Deadline
    started_by: str
    status: str = "running"
    stopped_on: dt.date | None = None
    stop_reason: str = ""


@dataclasses.dataclass
class Step:
    on: dt.date
    action: str  # the case event's name, as the audit log records it
    state: str | None  # the state it leaves, None: unchanged
    summary: str


@dataclasses.dataclass
class Story:
    decision: str
    sections: tuple[str, ...]
    routing: RoutingDecision
    notice: dt.date
    received: dt.date
    steps: list[Step] = dataclasses.field(default_factory=list)
    clocks: list[Clock] = dataclasses.field(default_factory=list)
    adviser_on: dt.date | None = None
    choice: str = ""
    mediation_requested_on: dt.date | None = None
    session_on: dt.date | None = None  # the meeting (held, or booked if in the future)
    outcome: str = ""
    certificate: tuple[str, dt.date] | None = None  # kind, issued on
    appeal_on: dt.date | None = None
    la_received_on: dt.date | None = None
    response_on: dt.date | None = None
    hearing_on: dt.date | None = None
    decided_on: dt.date | None = None
    order: tuple[str, dt.date] | None = None

    @property
    def state(self) -> str:
        return next((s.state for s in reversed(self.steps) if s.state), "lodged")

    def running(self) -> list[Clock]:
        return [c for c in self.clocks if c.status == "running"]


@lru_cache(maxsize=64)
def routing_of(decision: str, sections: tuple[str, ...]) -> RoutingDecision:
    return route(decision, list(sections))


@lru_cache(maxsize=200_000)
def _deadline(rule: str, inputs: tuple[tuple[str, dt.date], ...], version: int) -> Deadline:
    return compute_deadline(rule, dict(inputs), decision_date=_VERSION_DATES[version])


_VERSION_DATES: dict[int, dt.date] = {}


def deadline(rule: str, decision_date: dt.date, **inputs: dt.date) -> Deadline:
    """compute_deadline, cached by the rule version in force on the decision date (the law's own choice)."""
    version = id(rule_for(rule, decision_date))
    _VERSION_DATES.setdefault(version, decision_date)
    return _deadline(rule, tuple(sorted(inputs.items())), version)


class Teller:
    """Draws stories; `today` cuts each one off, so what has not happened yet stays open."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today = rng, today
        self.decisions = [d for d, _ in DECISIONS]
        self.weights = [w for _, w in DECISIONS]

    def _days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    def story(self, notice: dt.date) -> Story:
        rng = self.rng
        decision = rng.choices(self.decisions, self.weights)[0]
        sections = rng.choice(PLAN_SECTIONS) if decision == "plan_contents" else ()
        routing = routing_of(decision, sections)
        received = min(notice + self._days(0, 30), self.today)
        story = Story(decision, sections, routing, notice, received)
        self._step(story, received, "lodged", "lodged", "The disagreement was lodged")
        if routing.certificate_required:
            self._start(story, "contact_mediation_adviser", notice, "decision notice sent", start=notice)
        if decision == "disability_discrimination":
            self._start(story, "discrimination_claim", notice, "conduct complained of", start=notice)
        elif routing.appeal_available:
            self._start(story, "appeal", notice, "decision notice sent", notice_sent=notice)
        self._mediation_stage(story)
        return story

    # Each stage returns early once its next step would be after today: the case is still there.
    def _mediation_stage(self, story: Story) -> None:
        rng, notice = self.rng, story.notice
        path = rng.random()
        if story.decision == "disability_discrimination" or not story.routing.certificate_required:
            return self._appeal_stage(story, story.received + self._days(10, 80), 0.5)
        if path < 0.06:
            return self._end(story, story.received + self._days(5, 60), "withdrawn", "The family withdrew")
        if path < 0.18:  # never contacted the adviser: the appeal window passes
            return self._end(story, notice + self._days(70, 120), "closed", "Closed: no further action")
        contact = story.received + self._days(1, 25)
        if not self._step(
            story, contact, "adviser_contacted", "mediation_advice", "Mediation adviser contacted"
        ):
            return None
        story.adviser_on = contact
        self._stop(story, "contact_mediation_adviser", contact, "the family contacted the mediation adviser")
        if path < 0.755:
            return self._declined(story, contact)
        return self._mediated(story, contact)

    def _declined(self, story: Story, contact: dt.date) -> None:
        on = contact + self._days(0, 10)
        if not self._step(
            story, on, "mediation_declined", "mediation_declined", "The family chose not to mediate"
        ):
            return
        story.choice = "decline"
        self._start(story, "certificate_after_decline", on, "the family declined mediation", start=on)
        self._certificate(story, "certificate_after_decline", "after_decline")

    def _mediated(self, story: Story, contact: dt.date) -> None:
        on = contact + self._days(0, 7)
        if not self._step(
            story, on, "mediation_requested", "mediation_requested", "The family asked for mediation"
        ):
            return
        story.choice, story.mediation_requested_on = "mediate", on
        body = (
            "mediation_held_by_icb"
            if story.routing.arranged_by == "health_commissioner"
            else "mediation_held_by_la"
        )
        self._start(story, body, on, "the family asked for mediation", start=on)
        meeting = self._acted(story, body, on)
        booked = on + (meeting - on) // 2
        if not self._step(
            story, booked, "session_booked", "session_arranged", "A mediation meeting was arranged"
        ):
            return
        story.session_on = meeting
        outcome = "agreement" if self.rng.random() < 0.5 else "no_agreement"
        if not self._step(story, meeting, f"mediation_held.{outcome}", outcome, "Mediation was held"):
            return
        story.outcome = outcome
        self._stop(story, body, meeting, "mediation was held")
        self._start(story, "certificate_after_mediation", meeting, "the mediation concluded", start=meeting)
        self._certificate(story, "certificate_after_mediation", "after_mediation")

    def _certificate(self, story: Story, rule: str, kind: str) -> None:
        clock = next(c for c in story.clocks if c.rule == rule)
        issued = self._acted(story, rule, clock.started_on)
        if not self._step(
            story, issued, "certificate_issued", "certificate_issued", "A mediation certificate was issued"
        ):
            return
        story.certificate = (kind, issued)
        self._stop(story, rule, issued, "the certificate was issued")
        appeals = 0.30 if kind == "after_decline" else (0.45 if story.outcome == "no_agreement" else 0.05)
        self._appeal_stage(story, issued + self._days(5, 40), appeals)

    def _appeal_stage(self, story: Story, on: dt.date, share: float) -> None:
        if self.rng.random() >= share or not story.routing.appeal_available:
            return self._end(story, on + self._days(30, 90), "closed", "Closed: nothing further to do")
        if not self._step(story, on, "appeal_made", "appealed", "The family appealed to the tribunal"):
            return None
        story.appeal_on = on
        for rule in ("appeal", "discrimination_claim"):
            self._stop(story, rule, on, "the family has appealed")
        self._stop(story, "contact_mediation_adviser", on, "the family has appealed", status="cancelled")
        received = on + self._days(7, 20)
        if not self._step(story, received, "la_received_appeal", None, "The LA received the appeal"):
            return None
        story.la_received_on = received
        self._start(
            story, "tribunal_la_response", received, "the local authority received the appeal", start=received
        )
        sent = self._acted(story, "tribunal_la_response", received)
        if not self._step(story, sent, "la_response_sent", None, "The LA sent its response to the tribunal"):
            return None
        story.response_on = sent
        self._stop(story, "tribunal_la_response", sent, "the response was sent")
        story.hearing_on = received + self._days(120, 240)
        if not self._step(
            story, story.hearing_on, "decision_recorded", "decided", "The tribunal decided the appeal"
        ):
            return None
        story.decided_on = story.hearing_on
        if self.rng.random() < 0.5:
            return self._end(
                story, story.decided_on + self._days(20, 60), "closed", "Closed after the decision"
            )
        rule = self.rng.choice(ORDERS)
        story.order = (rule, story.decided_on)
        self._start(story, rule, story.decided_on, "the tribunal ordered it", start=story.decided_on)
        done = self._acted(story, rule, story.decided_on)
        if not self._step(story, done, "complied", "complied", "The order was complied with"):
            return None
        self._stop(story, rule, done, "the local authority complied")
        return self._end(story, done + self._days(10, 40), "closed", "Closed: the order was complied with")

    def _acted(self, story: Story, rule: str, start: dt.date) -> dt.date:
        """When the body acted: usually by the due date, sometimes after it."""
        due = next(c.deadline.due for c in reversed(story.clocks) if c.rule == rule)
        if self.rng.random() < LATE_SHARE:
            return due + self._days(1, 30)
        return start + dt.timedelta(days=self.rng.randint(0, max((due - start).days, 0)))

    def _step(self, story: Story, on: dt.date, action: str, state: str | None, summary: str) -> bool:
        if on > self.today:
            return False
        story.steps.append(Step(on, action, state, summary))
        return True

    def _start(self, story: Story, rule: str, on: dt.date, started_by: str, **inputs: dt.date) -> None:
        found = deadline(rule, story.notice, **inputs)
        actor = (
            "health_commissioner" if rule == "mediation_held_by_icb" else rule_for(rule, story.notice).actor
        )
        story.clocks.append(Clock(rule, actor, on, found, started_by))

    def _stop(self, story: Story, rule: str, on: dt.date, reason: str, status: str = "met") -> None:
        for clock in story.clocks:
            if clock.rule == rule and clock.status == "running":
                clock.status, clock.stopped_on, clock.stop_reason = status, on, reason

    def _end(self, story: Story, on: dt.date, state: str, summary: str) -> None:
        if not self._step(story, on, state, state, summary):
            return
        for clock in story.running():
            clock.status, clock.stopped_on, clock.stop_reason = "cancelled", on, f"the case was {state}"
