"""Reminders to a family use the family's words for the rule and the law without research notes; staff
reminders keep the catalogue's titles and full citations (issue 13)."""

from __future__ import annotations

import datetime as dt

from mediation.reminders.messages import reminder
from mediation.reminders.recipients import Recipient

CLOCK = {
    "reference": "SM-0000TEST",
    "rule": "mediation_held_by_la",
    "due": dt.date(2027, 1, 18),
    "actor": "local_authority",
    "citation": "SEND Regulations 2014 regs 36-37 (regulation numbers unconfirmed)",
}


def test_a_family_reminder_reads_in_family_words_with_the_law_behind_the_date():
    family = Recipient(key="family", name="Sam Taylor", email="family@example.com", why="it is your case")
    subject, body = reminder(CLOCK, family, working_days_left=2, base_url="http://x")
    assert (
        subject
        == "Reminder: The council holds your mediation meeting by Monday 18 January 2027 (SM-0000TEST)"
    )
    assert "A date on your disagreement SM-0000TEST is due in 2 working days" in body
    assert "What is due: The council holds your mediation meeting" in body
    assert "The law behind this date: SEND Regulations 2014 regs 36-37\n" in body
    assert "unconfirmed" not in body


def test_a_staff_reminder_keeps_the_catalogue_title_and_the_full_citation():
    officer = Recipient(key="e123", name="Lee Officer", email="lee@example.com", why="you are the SEND team")
    subject, body = reminder(CLOCK, officer, working_days_left=2, base_url="http://x")
    assert "Mediation held (arranged by the local authority)" in subject
    assert "The law: SEND Regulations 2014 regs 36-37 (regulation numbers unconfirmed)" in body
