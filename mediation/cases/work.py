"""The handling body's own work on a case: assigning it to one of its officers, and internal notes.

Both are case events (`assigned`, `note_added`) recorded through `events.record`, so they are checked
(only staff of the handling body: `access.PERMISSIONS`), logged for audit and refused on a closed case
like any other event. Neither is ever shown to the family: the case log's entries for them are left out
of the family's timeline, and notes live in their own table, read only by the handling body's staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation import access, query_building, timekeeping
from mediation.accounts.tables import Account
from mediation.cases import events, repository
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.tables import CaseNote
from mediation.errors import Invalid
from mediation.identity import CurrentUser
from mediation.web.edge import CONTROL_CHARACTERS

INTERNAL_ACTIONS = ("assigned", "note_added")
NOTE_MAX_LENGTH = 5000
OFFICER_ROLE = {"local_authority": access.LA, "health_commissioner": access.ICB}


class NoteView(msgspec.Struct):
    at: dt.datetime
    author: str
    text: str


def may_read_internal(user: CurrentUser, case: Disagreement) -> bool:
    """Who sees the assignee and the notes: whoever may write them (the handling body's staff)."""
    return access.may(user, "note_added", case)


def handling_role(case: Disagreement) -> str:
    return OFFICER_ROLE.get(case.arranged_by or "local_authority", access.LA)


async def officer_of_handling_body(case: Disagreement, email: str) -> dict | None:
    """The active staff account of the body handling the case with this email, if there is one."""
    return (
        await Account.select(Account.id, Account.email, Account.full_name)
        .where(
            (Account.email == email.strip().lower())
            & (Account.role == handling_role(case))
            & (Account.organisation == case.handling_organisation_id)
            & (Account.active == True)  # noqa: E712 - a Piccolo column comparison
        )
        .first()
    )


def officers_query(case: Disagreement) -> Any:
    """The handling body's officers a case can be assigned to, by name (read with the page's other reads)."""
    return query_building.built_once(
        "officers of a body",
        Account.select(Account.id, Account.email, Account.full_name)
        .where(
            (Account.role == handling_role(case))
            & (Account.organisation == case.handling_organisation_id)
            & (Account.active == True)  # noqa: E712
        )
        .order_by(Account.full_name)
        .order_by(Account.id),
    )


async def assign_case(case: Disagreement, officer: str, *, actor: CurrentUser) -> Disagreement:
    """Give the case to an officer of the handling body (event `assigned`)."""
    today = timekeeping.today()
    events.check(case, "assigned", actor=actor, on=today)
    if not officer.strip():
        raise Invalid("Choose the officer to assign the case to", field="officer")
    found = await officer_of_handling_body(case, officer)
    if found is None:
        raise Invalid(
            "The officer must be an active staff account of the body handling the case", field="officer"
        )

    async def writes(change: Change) -> None:
        await repository.update_case(change.case.id, {"assigned_to": found["id"]}, timekeeping.now())

    return await events.record(
        case,
        "assigned",
        actor=actor,
        on=today,
        summary=f"Assigned to {found['full_name']}",
        before={"assigned_to": case.assigned_to_email},
        data={"officer": found["email"]},
        writes=writes,
    )


async def add_note(case: Disagreement, text: str, *, actor: CurrentUser) -> Disagreement:
    """An internal note of the handling body (event `note_added`): its text is kept out of the case log,
    which the family reads, and only the handling body's staff see it."""
    today = timekeeping.today()
    events.check(case, "note_added", actor=actor, on=today)
    note = text.strip()
    if not note:
        raise Invalid("Enter the note", field="text")
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(f"The note must be {NOTE_MAX_LENGTH} characters or fewer", field="text")
    if CONTROL_CHARACTERS.search(note):
        raise Invalid("Remove the control characters (such as a NUL byte) from the note", field="text")

    async def writes(change: Change) -> None:
        await CaseNote.insert(
            CaseNote(disagreement=change.case.id, author=actor.id, text=note, created_at=timekeeping.now())
        )

    return await events.record(
        case,
        "note_added",
        actor=actor,
        on=today,
        summary="Internal note added",
        data={"characters": len(note)},
        writes=writes,
    )


# Made once: naming a column through a foreign key (`CaseNote.author.full_name`) copies column objects and
# calls dir() on the key each time, which on every staff case page cost more CPU than the query (issue 17).
_NOTE_COLUMNS = (CaseNote.created_at, CaseNote.author.full_name.as_alias("author"), CaseNote.text)


def notes_query(case: Disagreement) -> Any:
    """The case's internal notes, newest first (rows for `notes_from`)."""
    return query_building.built_once(
        "case notes",
        CaseNote.select(*_NOTE_COLUMNS)
        .where(CaseNote.disagreement == case.id)
        .order_by(CaseNote.created_at, ascending=False)
        .order_by(CaseNote.id, ascending=False),
    )


def notes_from(rows: list[dict[str, Any]]) -> list[NoteView]:
    return [NoteView(at=r["created_at"], author=r["author"] or "", text=r["text"]) for r in rows]


def panel_reads(case: Disagreement, your_events: list[str]) -> list[Any]:
    """The queries the work panel needs, to be read with the page's own: the officers the case can be
    given to, when its reader may assign it."""
    return [officers_query(case)] if "assigned" in your_events else []


def work_panel(user: CurrentUser, your_events: list[str], read: list[Any]) -> dict:
    """What the staff case page offers its reader: assign, note, withdraw, close (each only to those who
    may now), and the officers a case can be given to (`read`: the rows of `panel_reads`' queries)."""
    return {
        "may_assign": "assigned" in your_events,
        "may_note": "note_added" in your_events,
        "may_withdraw": user.is_staff and "withdrawn" in your_events,
        "may_close": "closed" in your_events,
        "officers": read[0] if read else [],
    }
