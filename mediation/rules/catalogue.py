"""The statutory time limits as one data table (statute.md section 3).

A lawyer can correct a figure, citation or status here without touching any logic. Rules are versioned
by the dates they were in force, so a change in the law never moves the dates of a running case: a case
uses the version in force on its decision date (`rule_for`).

Status: P = read in the primary text; S = reliable secondary guidance; U = unconfirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from mediation.rules.errors import RuleNotInForce, UnknownRule

Status = Literal["P", "S", "U"]
# `same_as_order`: reg 42(2) borrows the matching reg 44 limit; `agreed`: reg 42(5), set by the parties.
Unit = Literal[
    "days",
    "working_days",
    "weeks",
    "months",
    "immediately",
    "later_of",
    "working_days_before",
    "same_as_order",
    "agreed",
]
# none: SEND Regs duties do not roll forward; r12_3a: appeal deadline; r12_3b: other tribunal limits.
Hesc = Literal["none", "r12_3a", "r12_3b"]
# Who must act on a clock, as the API names them (api-contract.md `clocks[].who_must_act`).
Actor = Literal["family", "local_authority", "health_commissioner", "mediation_adviser", "mediator"]
BODIES: frozenset[str] = frozenset(
    {"local_authority", "health_commissioner", "mediation_adviser", "mediator"}
)

# Commencement dates.
SEND_REGS_2014 = date(2014, 9, 1)
# SI 2015/359 (SEND (Amendment) Regulations 2015): 23 Mar 2015. send-law.md 4.4 records that
# legislation.gov.uk shows the 1 Sep 2014 "Appeals" cross-heading of the SEND Regs (regs 43-45) as
# "Superseded: 23/03/2015", i.e. amended by SI 2015/359 on that day. The research does not quote
# SI 2015/359 reg 1 (citation and commencement) itself, so the date rests on that point-in-time record;
# the rule notes say so (_FROM_2015).
SEND_AMENDMENT_2015 = date(2015, 3, 23)
HESC_RULES_2008 = date(2008, 11, 3)
# Tribunal Procedure (Amendment) Rules 2020, in force 21 Jul 2020: deleted "or a disability
# discrimination in schools case" from HESC r.12(3) (send-law.md 3.2).
HESC_AMENDMENT_2020 = date(2020, 7, 21)
EQUALITY_ACT_2010 = date(2010, 10, 1)
RECOMMENDATIONS_2017 = date(2018, 4, 3)

REGS = "SEND Regulations 2014"
HESC = "Tribunal Procedure (First-tier Tribunal) (HESC Chamber) Rules 2008"


@dataclass(frozen=True)
class Limb:
    """One candidate of a 'later of' rule: `duration` `unit` after the date given as input `input`."""

    input: str
    duration: int
    unit: Unit
    label: str
    citation: str


@dataclass(frozen=True)
class Rule:
    id: str
    duration: int
    unit: Unit
    start_event: str
    who_must_act: str
    citation: str
    status: Status
    effective_from: date
    effective_to: date | None = None
    inputs: tuple[str, ...] = ("start",)
    optional_inputs: tuple[str, ...] = ()
    hesc: Hesc = "none"
    # True for periods 'beginning with' / 'starting with' the start date, which count that day as day 1.
    counts_start_day: bool = False
    limbs: tuple[Limb, ...] = ()
    notes: str = ""
    # Filled from CLOCK_FACES below: the plain-English title, and who may have to act (the first is the
    # usual one; a case chooses another, e.g. the ICB on a health-only case).
    title: str = ""
    acts: tuple[Actor, ...] = ()

    @property
    def actor(self) -> Actor:
        return self.acts[0]

    @property
    def hesc_adjustments(self) -> bool:
        """Only tribunal time limits (`tribunal_*` and `appeal`) get HESC r.12 adjustments."""
        return self.hesc != "none"

    @property
    def computable(self) -> bool:
        return self.unit != "agreed"

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


ORDER = "the tribunal's order is made"
UNOPPOSED = "the LA notifies the tribunal that it will not oppose the appeal"
AGREEMENT = "the date of the written mediation agreement"
# Where SI 2015/359's commencement date comes from (see SEND_AMENDMENT_2015).
_FROM_2015 = (
    "SI 2015/359 in force from 23 Mar 2015: legislation.gov.uk shows the 2014 Appeals provisions "
    "'Superseded: 23/03/2015'; the SI's own reg 1 (commencement) was not read."
)
# The last day the 2014 text of the provisions SI 2015/359 changed was in force.
SEND_REGS_2014_SUPERSEDED = SEND_AMENDMENT_2015 - timedelta(days=1)


def _reg44(rule_id: str, weeks: int, para: str, notes: str = "", status: Status = "S") -> Rule:
    """A reg 44 limit; `para` is the paragraph after "reg 44", e.g. "(2)(e)"."""
    unit: Unit = "immediately" if weeks == 0 else "weeks"
    return Rule(
        rule_id, weeks, unit, ORDER, "local authority", f"{REGS} reg 44{para}, as amended by SI 2015/359",
        status, SEND_AMENDMENT_2015,
        notes=notes or "GOV.UK SEND18 counts from the day the order is sent; store both dates.",
    )  # fmt: skip


def _reg45(rule_id: str, weeks: int, para: str, status: Status, notes: str = "") -> Rule:
    return Rule(
        rule_id, weeks, "weeks", UNOPPOSED, "local authority",
        f"{REGS} reg 45{para}, as substituted by SI 2015/359 reg 8", status, SEND_AMENDMENT_2015,
        notes=f"{notes} {_FROM_2015}".strip(),
    )  # fmt: skip


# HESC r.20(1)(c): the two candidates of the appeal deadline.
APPEAL_LIMBS = (
    Limb("notice_sent", 2, "months", "the decision notice was sent", "HESC Rules 2008 r.20(1)(c)(i)"),
    Limb("certificate_issued", 1, "months", "the mediation certificate was issued",
         "HESC Rules 2008 r.20(1)(c)(ii)"),
)  # fmt: skip

# fmt: off
RULES: tuple[Rule, ...] = (
    # --- Mediation (SEND Regs Part 2, regs 32-42) ---
    Rule("contact_mediation_adviser", 2, "months", "written notice of the decision is sent",
         "parent / young person", f"{REGS} reg 33", "P", SEND_REGS_2014,
         notes="Only where a mediation certificate is required. Does not roll forward."),
    Rule("certificate_after_decline", 3, "working_days",
         "the family tells the mediation adviser it does not wish to mediate", "mediation adviser",
         f"{REGS} reg 34", "S", SEND_REGS_2014, notes="Figure from IPSEA and SENDIASS guidance."),
    Rule("notify_health_commissioner", 3, "working_days",
         "the family tells the LA it wants mediation including health care issues", "local authority",
         f"{REGS} reg 35 (regulation number unconfirmed)", "S", SEND_REGS_2014,
         notes="The LA tells each responsible ICB the mediation issues (IPSEA)."),
    Rule("mediation_held_by_la", 30, "days",
         "the family tells the LA it wants mediation (education/social care or mixed)", "local authority",
         f"{REGS} regs 36-37 (regulation numbers unconfirmed)", "S", SEND_REGS_2014,
         notes="Calendar days (IPSEA, Sefton)."),
    Rule("mediation_held_by_icb", 30, "days", "the LA notifies the ICB of health-only mediation issues",
         "integrated care board", f"{REGS} reg 35 (regulation number unconfirmed)", "S", SEND_REGS_2014,
         notes="Calendar days per IPSEA; one parent-group page says 30 working days (unconfirmed)."),
    Rule("mediation_notice", 5, "working_days_before", "the mediation date", "the arranging body",
         f"SEND Code of Practice 0-25 chapter 11; {REGS} reg 38 (regulation number unconfirmed)", "S",
         SEND_REGS_2014, inputs=("mediation_date",),
         notes="Latest date to tell the family the date and place; less only if the family consents."),
    Rule("certificate_unable_to_arrange", 3, "working_days",
         "the arranging body tells the adviser it cannot hold mediation within 30 days", "mediation adviser",
         f"{REGS} reg 37 (regulation number unconfirmed)", "S", SEND_REGS_2014,
         notes="A 'deemed mediation' certificate (IPSEA, Surrey SENDIASS)."),
    Rule("certificate_after_mediation", 3, "working_days", "the mediation concludes",
         "mediator / mediation service", f"{REGS} reg 39 (regulation number unconfirmed)", "S",
         SEND_REGS_2014, notes="Sources differ on whether the mediator or the mediation adviser issues it."),
    Rule("agreement_appealable", 0, "same_as_order", AGREEMENT, "local authority", f"{REGS} reg 42(2)", "P",
         SEND_REGS_2014, inputs=("start", "order"),
         notes="The reg 44 limit applies as if the agreement were a tribunal order: input `order` names the "
               "matching order_* rule, e.g. order_amend_plan."),
    Rule("agreement_non_appealable", 2, "weeks", AGREEMENT, "local authority or integrated care board",
         f"{REGS} reg 42(3)", "P", SEND_REGS_2014),
    Rule("agreement_icb_tells_la", 1, "weeks", "the date of the mediation agreement (LA not a party)",
         "integrated care board", f"{REGS} reg 42(4)", "P", SEND_REGS_2014),
    Rule("agreement_override", 0, "agreed", "the parties agree a different timescale in writing",
         "the parties", f"{REGS} reg 42(5)", "P", SEND_REGS_2014, inputs=(),
         notes="Replaces the reg 42(2)/(3) timescales; the agreed date is recorded, not computed."),
    # --- Tribunal (HESC Rules r.20, r.12; practice) ---
    # The appeal rule from the SEND Regulations 2014 (1 Sep 2014, when the mediation certificate began).
    # r.12(3)(a)'s August and 25 Dec-1 Jan moves applied to SEN appeals throughout: the 2020 amendment
    # took disability discrimination claims out of r.12(3); it did not bring SEN appeals in. The two
    # versions compute the same way and differ only in the r.12(3) text they cite.
    Rule("appeal", 2, "later_of",
         "written notice of the decision is sent; the mediation certificate is issued",
         "parent / young person",
         f"{HESC} r.20(1)(c), r.12(2) and r.12(3)(a) (r.12(3) as it stood before the Tribunal Procedure "
         "(Amendment) Rules 2020)", "P", SEND_REGS_2014, HESC_AMENDMENT_2020 - timedelta(days=1),
         inputs=("notice_sent",), optional_inputs=("certificate_issued",), hesc="r12_3a", limbs=APPEAL_LIMBS,
         notes="Until 20 Jul 2020 r.12(3) applied 'in a special educational needs case or a disability "
               "discrimination in schools case'; the Tribunal Procedure (Amendment) Rules 2020 deleted only "
               "the disability discrimination words (send-law.md 3.2), so the SEN appeal moves were the "
               "same. The research records that deletion, not the whole earlier text; r.20(1)(c) was read "
               "in its current form. Days in August or 25 Dec-1 Jan are not added to the window."),
    Rule("appeal", 2, "later_of",
         "written notice of the decision is sent; the mediation certificate is issued",
         "parent / young person",
         f"{HESC} r.20(1)(c), r.12(2) and r.12(3)(a), r.12(3) as amended by the Tribunal Procedure "
         "(Amendment) Rules 2020", "P", HESC_AMENDMENT_2020,
         inputs=("notice_sent",), optional_inputs=("certificate_issued",), hesc="r12_3a", limbs=APPEAL_LIMBS,
         notes="From 21 Jul 2020 r.12(3) applies 'In a special educational needs case' only: the "
               "amendment deleted 'or a disability discrimination in schools case' (send-law.md 3.2). "
               "Days in August or 25 Dec-1 Jan are not added to the window."),
    Rule("tribunal_la_response", 30, "working_days", "the LA receives the appeal from the tribunal",
         "local authority", f"First-tier Tribunal directions (practice); {HESC} r.12(2) and r.12(3)(b)", "S",
         HESC_RULES_2008, hesc="r12_3b",
         notes="The tribunal's directed date overrides this; r.12(3)(b) days are not counted."),
    # --- Compliance with tribunal orders (reg 44, as amended 2015) ---
    _reg44("order_assess_notify", 2, "(2)(b)"),
    _reg44("order_assess_no_plan", 10, "(2)(b)(i)"),
    _reg44("order_assess_final_plan", 14, "(2)(b)(ii)"),
    _reg44("order_issue_draft_plan", 5, "(2)(c)(i)"),
    _reg44("order_issue_final_plan", 11, "(2)(c)(ii)"),
    _reg44("order_amend_plan", 5, "(2)(e)"),
    _reg44("order_section_i", 2, "(2)(f)"),
    # Reg 44(2)(a): "shall cease to maintain the EHC Plan immediately" (send-law.md 4.3, secondary
    # reproduction of the amended text).
    _reg44("order_cease", 0, "(2)(a)", "Appeal against ceasing to maintain dismissed: cease immediately."),
    # The research gives no paragraph for continue-to-maintain: (2)(a) is cease to maintain, and
    # send-law.md 4.3 says "Continue to maintain: 'with immediate effect' (GOV.UK SEND18). Paragraph
    # lettering UNCONFIRMED."
    _reg44("order_continue", 0, " (paragraph unconfirmed)",
           "Order to continue to maintain: with immediate effect (GOV.UK SEND18). The paragraph of reg 44 "
           "is unconfirmed; reg 44(2)(a) is the cease-to-maintain duty.", "U"),
    _reg44("order_reconsider", 2, "(2)(d)", "Figure unconfirmed: 2 weeks under the 2001 regulations.", "U"),
    # --- Unopposed appeals (reg 45 as substituted 2015) ---
    _reg45("unopposed_assess_notify", 2, "(3)", "P"),
    _reg45("unopposed_assess_no_plan", 10, "(3A)(a)", "P"),
    _reg45("unopposed_assess_final_plan", 14, "(3A)(b)", "P"),
    _reg45("unopposed_plan_contents", 5, "(4)", "P", "Appeal under CFA s.51(2)(c)(i) or (ii)."),
    _reg45("unopposed_amend_plan", 5, "(4)", "P", "Appeal under CFA s.51(2)(e)."),
    _reg45("unopposed_section_i", 2, "(5)", "S", "Surrey SENDIASS: 5 weeks if also a contents appeal."),
    _reg45("unopposed_issue_draft_plan", 5, "(6)", "S"),
    _reg45("unopposed_issue_final_plan", 11, "(6)", "S"),
    # The 2014 reg 45 used 4 weeks for assessment and contents (Surrey SENDIASS quotation; send-law.md 9.1).
    Rule("unopposed_assess_notify", 4, "weeks", UNOPPOSED, "local authority", f"{REGS} reg 45(3) (as made)",
         "U", SEND_REGS_2014, SEND_REGS_2014_SUPERSEDED, notes=f"Superseded by SI 2015/359. {_FROM_2015}"),
    Rule("unopposed_plan_contents", 4, "weeks", UNOPPOSED, "local authority", f"{REGS} reg 45(4) (as made)",
         "U", SEND_REGS_2014, SEND_REGS_2014_SUPERSEDED, notes=f"Superseded by SI 2015/359. {_FROM_2015}"),
    # --- Extended appeals, disability discrimination, EHC process ---
    Rule("recommendation_response", 5, "weeks", "the tribunal's recommendation is received",
         "integrated care board or LA social care",
         "SEND (First-tier Tribunal Recommendations Power) Regulations 2017 reg 6", "S", RECOMMENDATIONS_2017,
         notes="Start point ('made' or 'received') unconfirmed; figure from the Medway local offer."),
    Rule("discrimination_claim", 6, "months", "the conduct complained of occurs", "parent / young person",
         "Equality Act 2010 Sch 17 para 4(1)", "P", EQUALITY_ACT_2010, counts_start_day=True,
         notes="6 months 'starting with' the date of the conduct: it ends the day before the "
               "corresponding date (or the month's last day if there is none). "
               "HESC r.12(3) does not extend it; r.12(2) is not applied (the limit is "
               "the Act's, not the Rules')."),
    Rule("ehc_assessment_decision", 6, "weeks", "the request for an EHC needs assessment is received",
         "local authority", f"{REGS} reg 5(1)", "P", SEND_REGS_2014),
    Rule("ehc_final_plan", 20, "weeks", "the request for an EHC needs assessment is received",
         "local authority", f"{REGS} reg 13(2)", "P", SEND_REGS_2014),
    Rule("draft_plan_representations", 15, "days", "the draft plan is served", "local authority must allow",
         f"{REGS} reg 13(1)(a)", "P", SEND_REGS_2014, counts_start_day=True,
         notes="At least 15 days 'beginning with' the day of service: the result is the period's last day."),
    Rule("review_amended_plan", 8, "weeks", "the proposed amendments are sent", "local authority",
         f"{REGS} reg 22(3)", "P", SEND_REGS_2014),
)
# fmt: on

# Each rule's plain-English title and who must act, in one place: clock lists, reminders, the calculator
# and letters all read them from here (statute.md section 3, "who must act").
CLOCK_FACES: dict[str, tuple[str, tuple[Actor, ...]]] = {
    "contact_mediation_adviser": ("Contact a mediation adviser", ("family",)),
    "certificate_after_decline": ("Certificate after mediation is declined", ("mediation_adviser",)),
    "notify_health_commissioner": ("Local authority tells the health commissioner", ("local_authority",)),
    "mediation_held_by_la": ("Mediation held (arranged by the local authority)", ("local_authority",)),
    "mediation_held_by_icb": (
        "Mediation held (arranged by the health commissioner)", ("health_commissioner",)),
    "mediation_notice": (
        "Notice of the mediation date and place", ("local_authority", "health_commissioner")),
    "certificate_unable_to_arrange": (
        "Certificate when mediation cannot be arranged in 30 days", ("mediation_adviser",)),
    "certificate_after_mediation": ("Certificate after mediation", ("mediator",)),
    "agreement_appealable": ("Act on the mediation agreement (appealable matters)", ("local_authority",)),
    "agreement_non_appealable": (
        "Act on the mediation agreement", ("local_authority", "health_commissioner")),
    "agreement_icb_tells_la": (
        "Health commissioner tells the local authority about the agreement", ("health_commissioner",)),
    "agreement_override": (
        "Act on the mediation agreement (timescale agreed in writing)",
        ("local_authority", "health_commissioner")),
    "appeal": ("Appeal to the First-tier Tribunal (SEND)", ("family",)),
    "tribunal_la_response": ("Local authority's response to the appeal", ("local_authority",)),
    "order_assess_notify": (
        "Order: tell the family whether a plan will be issued after assessment", ("local_authority",)),
    "order_assess_no_plan": (
        "Order: assess, and tell the family if no plan will be issued", ("local_authority",)),
    "order_assess_final_plan": ("Order: assess and issue the final plan", ("local_authority",)),
    "order_issue_draft_plan": ("Order: issue a draft plan", ("local_authority",)),
    "order_issue_final_plan": ("Order: issue the final plan", ("local_authority",)),
    "order_amend_plan": ("Order: amend the plan", ("local_authority",)),
    "order_section_i": ("Order: name the school or placement (section I)", ("local_authority",)),
    "order_cease": ("Order: cease to maintain the plan", ("local_authority",)),
    "order_continue": ("Order: continue to maintain the plan", ("local_authority",)),
    "order_reconsider": ("Order: reconsider", ("local_authority",)),
    "unopposed_assess_notify": (
        "Unopposed appeal: tell the family whether a plan will be issued", ("local_authority",)),
    "unopposed_assess_no_plan": (
        "Unopposed appeal: assess, and tell the family if no plan will be issued", ("local_authority",)),
    "unopposed_assess_final_plan": (
        "Unopposed appeal: assess and issue the final plan", ("local_authority",)),
    "unopposed_plan_contents": ("Unopposed appeal: amend the plan's contents", ("local_authority",)),
    "unopposed_amend_plan": ("Unopposed appeal: amend the plan", ("local_authority",)),
    "unopposed_section_i": (
        "Unopposed appeal: name the school or placement (section I)", ("local_authority",)),
    "unopposed_issue_draft_plan": ("Unopposed appeal: issue a draft plan", ("local_authority",)),
    "unopposed_issue_final_plan": ("Unopposed appeal: issue the final plan", ("local_authority",)),
    "recommendation_response": (
        "Respond to the tribunal's recommendation", ("health_commissioner", "local_authority")),
    "discrimination_claim": ("Disability discrimination claim to the tribunal", ("family",)),
    "ehc_assessment_decision": ("Decide whether to carry out an EHC needs assessment", ("local_authority",)),
    "ehc_final_plan": ("Issue the final EHC plan", ("local_authority",)),
    "draft_plan_representations": ("Time allowed to comment on the draft plan", ("family",)),
    "review_amended_plan": ("Issue the amended plan after review", ("local_authority",)),
}  # fmt: skip


RULES = tuple(replace(r, title=CLOCK_FACES[r.id][0], acts=CLOCK_FACES[r.id][1]) for r in RULES)

_VERSIONS: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    _VERSIONS[_rule.id] = (*_VERSIONS.get(_rule.id, ()), _rule)

RULE_IDS: frozenset[str] = frozenset(_VERSIONS)
ORDER_RULE_IDS: tuple[str, ...] = tuple(sorted(i for i in RULE_IDS if i.startswith("order_")))


def versions(rule_id: str) -> tuple[Rule, ...]:
    """Every version of a rule, oldest first."""
    try:
        found = _VERSIONS[rule_id]
    except KeyError:
        raise UnknownRule(f"unknown rule {rule_id!r}") from None
    return tuple(sorted(found, key=lambda r: r.effective_from))


def rule_for(rule_id: str, on: date) -> Rule:
    """The version of the rule in force on `on` (a case's decision date)."""
    found = versions(rule_id)
    for rule in found:
        if rule.in_force_on(on):
            return rule
    raise RuleNotInForce(
        f"rule {rule_id} was not in force on {on.isoformat()}; "
        f"it applies from {found[0].effective_from.isoformat()}"
    )


def all_rules(on: date | None = None) -> tuple[Rule, ...]:
    """The current rules (no end date), or those in force on `on`, in catalogue order."""
    if on is None:
        return tuple(r for r in RULES if r.effective_to is None)
    return tuple(r for r in RULES if r.in_force_on(on))
