"""The family's words for the rule catalogue, the case states, decisions and plan sections (issue 13)."""

from __future__ import annotations

import re

import pytest

from mediation.rules.catalogue import RULE_IDS, all_rules
from mediation.rules.lifecycle import STATE_LABELS
from mediation.rules.routing import DECISION_LABELS, SECTION_LABELS, route
from mediation.rules.wording import (
    FAMILY_DECISIONS,
    FAMILY_SECTIONS,
    FAMILY_STATE_LABELS,
    FAMILY_TITLES,
    family_citation,
    family_state,
    family_title,
    who_handles,
)

# What a family should never read in the words themselves: citations, acts, rule ids, status letters.
LEGAL = re.compile(r"\bs\.\s?\d|\breg\b|\br\.\d|\bCFA\b|Regulations|Act \d{4}|_|\(status|unconfirmed")


def test_every_rule_in_the_catalogue_has_a_family_title_and_no_title_is_left_over():
    assert set(FAMILY_TITLES) == set(RULE_IDS)


@pytest.mark.parametrize("rule_id", sorted(RULE_IDS))
def test_a_family_title_is_plain_words_not_the_rule_id(rule_id: str):
    title = family_title(rule_id)
    assert title != rule_id.replace("_", " ").capitalize()
    assert not LEGAL.search(title), title
    assert title[0].isupper()


def test_a_family_title_names_the_case_council_and_icb():
    assert family_title("mediation_held_by_la", council="Milton Keynes City Council") == (
        "Milton Keynes City Council holds your mediation meeting"
    )
    assert family_title(
        "agreement_icb_tells_la", council="Leeds City Council", icb="NHS West Yorkshire ICB"
    ) == ("NHS West Yorkshire ICB tells Leeds City Council what you agreed")
    assert family_title("mediation_held_by_la") == "The council holds your mediation meeting"


def test_every_state_decision_and_plan_section_has_family_words_without_the_law():
    assert set(FAMILY_STATE_LABELS) == set(STATE_LABELS)
    assert set(FAMILY_DECISIONS) == set(DECISION_LABELS)
    assert set(FAMILY_SECTIONS) == set(SECTION_LABELS)
    for words in [*FAMILY_STATE_LABELS.values(), *FAMILY_DECISIONS.values(), *FAMILY_SECTIONS.values()]:
        assert not LEGAL.search(words), words
    assert family_state("decided") == "The tribunal has made its decision"
    assert family_state("session_arranged") == "Your mediation meeting is booked"


def test_research_notes_are_taken_out_of_the_law_a_family_sees():
    assert family_citation("SEND Regulations 2014 regs 36-37 (regulation numbers unconfirmed)") == (
        "SEND Regulations 2014 regs 36-37"
    )
    assert (
        family_citation("SEND Regulations 2014 reg 44 (paragraph unconfirmed)")
        == "SEND Regulations 2014 reg 44"
    )
    for rule in all_rules():
        assert "unconfirmed" not in family_citation(rule.citation)


def test_who_handles_names_the_council_and_icb_in_sentences():
    mixed = who_handles(
        route("plan_contents", ["F", "G"]), council="Milton Keynes City Council", icb="NHS BLMK"
    )
    assert mixed[:2] == [
        "Milton Keynes City Council arranges your mediation.",
        "NHS BLMK takes part too, for the health parts.",
    ]
    assert "You can appeal to the tribunal." in mixed
    health = who_handles(route("plan_contents", ["G"]), council="Milton Keynes City Council", icb="NHS BLMK")
    assert health[:2] == [
        "NHS BLMK arranges your mediation.",
        "Milton Keynes City Council tells NHS BLMK about it first.",
    ]
    assert "You cannot appeal to the tribunal about this. Mediation can still help." in health
    for lines in (mixed, health, who_handles(route("disability_discrimination", []))):
        assert not any(LEGAL.search(line) for line in lines), lines
