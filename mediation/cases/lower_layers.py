"""What the layers below cases read and write of a case row, handed to them (they cannot import cases).

Registered when `cases/tables.py` is imported (its last line), so in every process that has a case at
all: the web app, the scheduler's jobs, the reminder sweep, a script or a test that writes a case row.
- `clocks/service.py: keep_next_due_with`: the writer of the case's `next_due_date` (the earliest running
  clock a body must meet, which the queues sort by).
- `notify/case_facts.py: register`: what the outbox reads about the case a message is about (whose print
  queue its letters join, the reference and signing body on a letter, large print) and the case documents
  a message encloses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from mediation import timekeeping
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.clocks import service as clocks
from mediation.notify import case_facts


async def write_next_due(case_id: int, due: dt.date | None) -> None:
    await Disagreement.update(
        {Disagreement.next_due_date: due, Disagreement.updated_at: timekeeping.now()}
    ).where(Disagreement.id == case_id)


async def _handling_body(case_id: int) -> tuple[str, int | None, bool] | None:
    """The reference, the body arranging mediation (the ICB on a health-only case, otherwise the LA: the
    aggregate's `arranging_organisation_id or local_authority_id`) and the family's large print wish."""
    row = (
        await Disagreement.select(
            Disagreement.reference,
            Disagreement.local_authority,
            Disagreement.icb,
            Disagreement.arranged_by,
            Disagreement.large_print,
        )
        .where(Disagreement.id == case_id)
        .first()
    )
    if row is None:
        return None
    health_only = row["arranged_by"] == "health_commissioner" and row["icb"]
    return row["reference"], (row["icb"] if health_only else row["local_authority"]), bool(row["large_print"])


async def _print_queue_of(case_id: int) -> tuple[int | None, bool]:
    found = await _handling_body(case_id)
    return (None, False) if found is None else (found[1], found[2])


async def _letter_heading(case_id: int) -> case_facts.LetterHeading | None:
    found = await _handling_body(case_id)
    if found is None:
        return None
    reference, body, large_print = found
    return case_facts.LetterHeading(reference=reference, signing_body_id=body, large_print=large_print)


async def references(case_ids: Sequence[int]) -> dict[int, str]:
    """Each case's reference by id, for those that exist."""
    rows = await Disagreement.select(Disagreement.id, Disagreement.reference).where(
        Disagreement.id.is_in(list(case_ids))
    )
    return {r["id"]: r["reference"] for r in rows}


async def _documents(document_ids: Sequence[int]) -> dict[int, tuple[bytes, str]]:
    rows = await CaseDocument.select(CaseDocument.id, CaseDocument.content, CaseDocument.content_type).where(
        CaseDocument.id.is_in(list(document_ids))
    )
    return {r["id"]: (bytes(r["content"]), r["content_type"]) for r in rows}


clocks.keep_next_due_with(write_next_due)
case_facts.register(
    case_facts.CaseReader(
        print_queue_of=_print_queue_of,
        letter_heading=_letter_heading,
        references=references,
        documents=_documents,
    )
)
