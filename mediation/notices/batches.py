"""Bulk issue: a CSV becomes a batch of independent rows, issued by an idempotent sweep.

Each row is claimed under a lease before it is worked on, and issued in its own transaction together
with its outcome; its dedupe key is the notice's, so a re-run, a retry or two workers at once never send
a notice twice, and one row failing neither stops nor undoes the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.accounts.service import load_user
from mediation.audit import service as audit
from mediation.cases.tables import CaseDocument
from mediation.db import is_postgres, transaction
from mediation.identity import CurrentUser
from mediation.lodging.errors import UploadError
from mediation.lodging.service import check_pdf
from mediation.notices.content import validate_notice
from mediation.notices.csv_upload import check_row, read_rows
from mediation.notices.errors import IssueError
from mediation.notices.service import PlanFile, issue_notice, london_today
from mediation.notices.tables import DecisionNotice, NoticeBatch, NoticeBatchRow, RowStatus

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3  # unexpected failures (not bad data) are retried this many times
_COLUMNS = 'id, batch, row_number, "values", document, attempts, dedupe_key'


class BatchRowView(msgspec.Struct):
    row_number: int
    child_name: str
    status: str
    error: str
    notice_reference: str | None


class BatchView(msgspec.Struct):
    id: int
    filename: str
    uploaded_by: str
    created_at: dt.datetime
    total: int
    counts: dict[str, int]
    rows: list[BatchRowView]


class BatchSummary(msgspec.Struct):
    id: int
    filename: str
    created_at: dt.datetime
    total: int


@dataclasses.dataclass
class SweepReport:
    claimed: int = 0
    issued: int = 0
    failed: int = 0
    retrying: int = 0
    lost: int = 0


class _LostClaim(Exception):
    """Another worker took this row over (our lease ran out): undo our work, theirs stands."""


async def create_batch(
    user: CurrentUser, la_id: int, filename: str, content: bytes, pdfs: dict[str, bytes], *, client: str = ""
) -> int:
    """Store the batch and its rows (bad rows already failed with their reason); raises CsvError."""
    rows = read_rows(content)
    today = london_today()
    bad_pdfs: dict[str, str] = {}
    for name, data in pdfs.items():
        try:
            check_pdf(name, data)
        except UploadError as exc:
            bad_pdfs[name] = f"filename: {name}: {exc}"
    now = timekeeping.now()
    async with transaction():
        batch = NoticeBatch(
            local_authority=la_id,
            uploaded_by=user.id,
            filename=filename[:200],
            total=len(rows),
            created_at=now,
        )
        await batch.save()
        documents: dict[str, int] = {}
        records = []
        for line, row in rows:
            values, error = check_row(row, set(pdfs), today=today)
            name = values["filename"]
            error = error or bad_pdfs.get(name, "")
            if name and not error and name not in documents:
                data = pdfs[name]
                doc = CaseDocument(
                    kind="notice_plan",
                    filename=name[:200],
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    content=data,
                    uploaded_by=user.id,
                    uploaded_at=now,
                )
                await doc.save()
                documents[name] = int(doc.id)
            records.append(
                NoticeBatchRow(
                    batch=batch.id,
                    row_number=line,
                    values=values,
                    document=documents.get(name) if name and not error else None,
                    status=RowStatus.failed.value if error else RowStatus.queued.value,
                    error=error,
                    dedupe_key=f"batch:{batch.id}:{line}",
                    updated_at=now,
                )
            )
        await NoticeBatchRow.insert(*records)
        failed = sum(1 for r in records if r.status == RowStatus.failed.value)
        await audit.record(
            actor=user,
            action="upload_notice_batch",
            entity="notice_batch",
            entity_id=batch.id,
            summary=f"Bulk notices uploaded: {len(rows)} rows ({failed} refused)",
            after={"filename": filename, "rows": len(rows), "refused": failed, "pdfs": sorted(pdfs)},
            client=client,
        )
    return int(batch.id)


async def claim_rows(now: dt.datetime, limit: int) -> list[dict[str, Any]]:
    """Take up to `limit` rows: queued ones, or issuing ones whose worker's lease ran out."""
    until = now + LEASE
    if is_postgres():
        # Only the constant column list is interpolated; the values are bound parameters.
        return await NoticeBatchRow.raw(
            "UPDATE notice_batch_row SET status = 'issuing', attempts = attempts + 1, lease_until = {} "  # noqa: S608
            "WHERE id IN (SELECT id FROM notice_batch_row WHERE status = 'queued' "
            "OR (status = 'issuing' AND lease_until <= {}) ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED) "
            f"RETURNING {_COLUMNS}",
            until,
            now,
            limit,
        )
    claimed: list[dict[str, Any]] = []
    async with transaction():  # SQLite: the immediate transaction holds the write lock throughout
        due = (
            await NoticeBatchRow.select(NoticeBatchRow.id, NoticeBatchRow.status)
            .where(
                (NoticeBatchRow.status == RowStatus.queued.value)
                | ((NoticeBatchRow.status == RowStatus.issuing.value) & (NoticeBatchRow.lease_until <= now))
            )
            .order_by(NoticeBatchRow.id)
            .limit(limit)
        )
        for item in due:
            claimed += await (
                NoticeBatchRow.update(
                    {
                        NoticeBatchRow.status: RowStatus.issuing.value,
                        NoticeBatchRow.attempts: NoticeBatchRow.attempts + 1,
                        NoticeBatchRow.lease_until: until,
                    }
                )
                .where((NoticeBatchRow.id == item["id"]) & (NoticeBatchRow.status == item["status"]))
                .returning(
                    NoticeBatchRow.id,
                    NoticeBatchRow.batch,
                    NoticeBatchRow.row_number,
                    NoticeBatchRow.values,
                    NoticeBatchRow.document,
                    NoticeBatchRow.attempts,
                    NoticeBatchRow.dedupe_key,
                )
            )
    return claimed


def _ours(row: dict[str, Any]) -> Any:
    return (
        (NoticeBatchRow.id == row["id"])
        & (NoticeBatchRow.status == RowStatus.issuing.value)
        & (NoticeBatchRow.attempts == row["attempts"])
    )


async def _settle(
    row: dict[str, Any], status: RowStatus, *, error: str = "", notice_id: int | None = None
) -> bool:
    values: dict[Any, Any] = {
        NoticeBatchRow.status: status.value,
        NoticeBatchRow.error: error[:2000],
        NoticeBatchRow.updated_at: timekeeping.now(),
    }
    if notice_id is not None:
        values[NoticeBatchRow.notice] = notice_id
    return bool(await NoticeBatchRow.update(values).where(_ours(row)).returning(NoticeBatchRow.id))


async def _issue_row(row: dict[str, Any], la_id: int, actor: CurrentUser | None) -> str:
    values = row["values"] if isinstance(row["values"], dict) else msgspec.json.decode(row["values"])
    notice, problems = validate_notice(values, today=london_today())
    if values.get("filename") and not row["document"]:
        problems["filename"] = f"filename: the PDF {values['filename']} was not uploaded, or is not a PDF"
    if notice is None or problems:
        await _settle(row, RowStatus.failed, error="; ".join(problems.values()))
        return "failed"

    async def record_issued(notice_id: int) -> None:
        if not await _settle(row, RowStatus.issued, notice_id=notice_id):
            raise _LostClaim

    plan = PlanFile(values.get("filename", ""), document_id=row["document"]) if row["document"] else None
    try:
        _, created = await issue_notice(
            notice, la_id=la_id, actor=actor, dedupe_key=row["dedupe_key"], plan=plan,
            batch_id=row["batch"], in_transaction=record_issued,
        )  # fmt: skip
    except _LostClaim:
        return "lost"
    except IssueError as exc:
        return (
            "failed" if await _settle(row, RowStatus.failed, error="; ".join(exc.errors.values())) else "lost"
        )
    if not created:  # issued by an earlier run that lost its claim: record it, send nothing
        found = (
            await DecisionNotice.select(DecisionNotice.id)
            .where(DecisionNotice.dedupe_key == row["dedupe_key"])
            .first()
        )
        # found: the unique dedupe_key collided, so the notice that won is there.
        return "issued" if await _settle(row, RowStatus.issued, notice_id=found["id"]) else "lost"  # type: ignore[index]
    return "issued"


async def process_batches(limit: int = 20, now: dt.datetime | None = None) -> SweepReport:
    """One sweep: claim due rows and issue each on its own; safe to run in any number of processes."""
    report = SweepReport()
    rows = await claim_rows(now or timekeeping.now(), limit)
    report.claimed = len(rows)
    if not rows:
        return report
    batches = {
        b["id"]: b
        for b in await NoticeBatch.select(
            NoticeBatch.id, NoticeBatch.local_authority, NoticeBatch.uploaded_by
        ).where(NoticeBatch.id.is_in(sorted({r["batch"] for r in rows})))
    }
    actors: dict[int, CurrentUser | None] = {}
    for row in rows:
        batch = batches[row["batch"]]
        if batch["uploaded_by"] not in actors:
            actors[batch["uploaded_by"]] = await load_user(batch["uploaded_by"])
        try:
            outcome = await _issue_row(row, batch["local_authority"], actors[batch["uploaded_by"]])
        except Exception as exc:  # noqa: BLE001 - one row's failure must not stop the others
            log.exception("notice batch row %s failed", row["id"])
            if row["attempts"] >= MAX_ATTEMPTS:
                await _settle(row, RowStatus.failed, error=f"Could not be issued: {exc}")
                outcome = "failed"
            else:
                await _settle(row, RowStatus.queued, error=f"Will try again: {exc}")
                outcome = "retrying"
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


async def retry_failed(user: CurrentUser, batch_id: int) -> int:
    """Queue the batch's failed rows again (after the data or the LA's record was put right)."""
    async with transaction():
        moved = (
            await NoticeBatchRow.update(
                {
                    NoticeBatchRow.status: RowStatus.queued.value,
                    NoticeBatchRow.attempts: 0,
                    NoticeBatchRow.error: "",
                }
            )
            .where(
                (NoticeBatchRow.batch == batch_id)
                & (NoticeBatchRow.status == RowStatus.failed.value)
                & NoticeBatchRow.notice.is_null()
            )
            .returning(NoticeBatchRow.id)
        )
        await audit.record(
            actor=user,
            action="retry_notice_batch",
            entity="notice_batch",
            entity_id=batch_id,
            summary=f"{len(moved)} failed rows queued again",
        )
    return len(moved)


async def get_batch(user: CurrentUser, batch_id: int) -> BatchView | None:
    """A batch of the user's own LA, with each row's outcome; None for anyone else's."""
    if user.role != "la_coordinator" or user.organisation_id is None:
        return None
    batch = (
        await NoticeBatch.select(
            NoticeBatch.id,
            NoticeBatch.filename,
            NoticeBatch.total,
            NoticeBatch.created_at,
            NoticeBatch.uploaded_by.full_name.as_alias("uploader"),
        )
        .where((NoticeBatch.id == batch_id) & (NoticeBatch.local_authority == user.organisation_id))
        .first()
    )
    if batch is None:
        return None
    rows = (
        await NoticeBatchRow.select(
            NoticeBatchRow.row_number,
            NoticeBatchRow.values,
            NoticeBatchRow.status,
            NoticeBatchRow.error,
            NoticeBatchRow.notice.reference.as_alias("reference"),
        )
        .where(NoticeBatchRow.batch == batch_id)
        .order_by(NoticeBatchRow.row_number)
        .output(load_json=True)
    )
    counts = dict.fromkeys([s.value for s in RowStatus], 0)
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return BatchView(
        id=batch["id"],
        filename=batch["filename"],
        uploaded_by=batch["uploader"] or "",
        created_at=batch["created_at"],
        total=batch["total"],
        counts=counts,
        rows=[
            BatchRowView(
                row_number=r["row_number"],
                child_name=str((r["values"] or {}).get("child_name", "")),
                status=r["status"],
                error=r["error"],
                notice_reference=r["reference"],
            )
            for r in rows
        ],
    )


async def list_batches(user: CurrentUser, limit: int = 20) -> list[BatchSummary]:
    if user.role != "la_coordinator" or user.organisation_id is None:
        return []
    rows = (
        await NoticeBatch.select(
            NoticeBatch.id, NoticeBatch.filename, NoticeBatch.created_at, NoticeBatch.total
        )
        .where(NoticeBatch.local_authority == user.organisation_id)
        .order_by(NoticeBatch.id, ascending=False)
        .limit(limit)
    )
    return [BatchSummary(**r) for r in rows]
