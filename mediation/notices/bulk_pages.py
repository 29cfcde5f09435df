"""Pages for bulk issue: upload a CSV (and PDFs), then follow the batch as the sweep issues each row."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.errors import NotFound
from mediation.identity import CurrentUser
from mediation.lodging.service import MAX_UPLOAD_BYTES
from mediation.notices.batches import create_batch, get_batch, list_batches, retry_failed
from mediation.notices.csv_upload import COLUMNS, MAX_CSV_BYTES, MAX_ROWS
from mediation.notices.errors import CsvError
from mediation.web.auth import current_user
from mediation.web.confirmations import confirm
from mediation.web.forms import client_of, whole_number

MAX_PDFS = MAX_ROWS
MAX_REQUEST_BYTES = 200 * 1024 * 1024  # the CSV and up to this much in PDFs per upload
STATUS_LABELS = {
    "queued": "Waiting",
    "issuing": "Being issued",
    "issued": "Issued",
    "failed": "Not issued",
}


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded
    return user


def _page(
    request: Request, errors: dict[str, str], *, status: int = 200, batches: list | None = None
) -> Template:
    return Template(
        "notices/bulk.html",
        context={
            "title": "Issue notices in bulk",
            "errors": errors,
            "columns": COLUMNS,
            "max_rows": MAX_ROWS,
            "max_csv_mb": MAX_CSV_BYTES // (1024 * 1024),
            "max_pdf_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "batches": batches or [],
        },
        status_code=status,
    )


@get("/notices/bulk", name="notice_bulk", opt={"action": "issue_notices"})
async def bulk_page(request: Request) -> Template:
    return _page(request, {}, batches=await list_batches(_user(request)))


@post(
    "/notices/bulk",
    name="notice_bulk_upload",
    request_max_body_size=MAX_REQUEST_BYTES,
    opt={"action": "issue_notices"},
)
async def bulk_upload(request: Request) -> Template | Redirect:
    user = _user(request)
    form = await request.form()
    upload = form.get("csv")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, {"csv": "Select a CSV file of notices"}, status=400)
    pdfs: dict[str, bytes] = {}
    for item in form.getall("pdfs", []):
        if isinstance(item, UploadFile) and item.filename:
            name = item.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
            if name in pdfs:
                return _page(request, {"pdfs": f"Two of the selected PDFs are called {name}"}, status=400)
            pdfs[name] = await item.read()
    if len(pdfs) > MAX_PDFS:
        return _page(request, {"pdfs": f"Select at most {MAX_PDFS} PDFs at a time"}, status=400)
    try:
        batch_id = await create_batch(
            user,
            int(user.organisation_id or 0),
            upload.filename,
            await upload.read(),
            pdfs,
            client=client_of(request),
        )
    except CsvError as exc:
        return _page(request, {"csv": str(exc)}, status=400)
    confirm(request, "Spreadsheet uploaded: its notices are issued row by row")
    return Redirect(f"/notices/batches/{batch_id}", status_code=303)


@get("/notices/batches/{batch_id:int}", name="notice_batch", opt={"action": "issue_notices"})
async def batch_page(request: Request, batch_id: FromPath[int]) -> Template:
    batch = await get_batch(_user(request), batch_id)
    if batch is None:
        raise NotFound("Batch not found")
    retried = request.query_params.get("retried", "")
    return Template(
        "notices/batch.html",
        context={
            "title": f"Bulk notices: {batch.filename}",
            "batch": batch,
            "status_labels": STATUS_LABELS,
            "retried": whole_number(retried),
        },
    )


@post("/notices/batches/{batch_id:int}/retry", name="notice_batch_retry", opt={"action": "issue_notices"})
async def batch_retry(request: Request, batch_id: FromPath[int]) -> Redirect:
    user = _user(request)
    if await get_batch(user, batch_id) is None:
        raise NotFound("Batch not found")
    moved = await retry_failed(user, batch_id)
    return Redirect(f"/notices/batches/{batch_id}?retried={moved}", status_code=303)


ROUTES = [bulk_page, bulk_upload, batch_page, batch_retry]
