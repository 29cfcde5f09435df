"""The print queue page: an organisation's letters to post, each one PDF with its enclosures, a batch
download of everything waiting, and "Mark as posted" with the posting date."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.errors import Invalid, NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.notify import print_queue
from mediation.web.auth import current_user
from mediation.web.forms import date_from_fields, form_values, page_errors, whole_number


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


def _pdf(filename: str, content: bytes) -> Response[bytes]:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    chosen: list[int] | None = None,
    status: int = 200,
) -> Template:
    user = _user(request)
    after = whole_number(request.query_params.get("after"))
    posted_after = whole_number(request.query_params.get("posted_after"))
    size = print_queue.PAGE_SIZE
    waiting = await print_queue.waiting(user, after=after, limit=size + 1)
    posted = await print_queue.posted(user, after=posted_after, limit=size + 1)
    return Template(
        "notify/print_queue.html",
        context={
            "title": "Letters to print and post",
            "waiting": waiting[: print_queue.PAGE_SIZE],
            "more_waiting": waiting[print_queue.PAGE_SIZE - 1].id
            if len(waiting) > print_queue.PAGE_SIZE
            else None,
            "posted": posted[: print_queue.PAGE_SIZE],
            "more_posted": posted[print_queue.PAGE_SIZE - 1].id
            if len(posted) > print_queue.PAGE_SIZE
            else None,
            "errors": errors or {},
            "values": values or {},
            "chosen": chosen or [],
            "batch_max": print_queue.BATCH_MAX,
            "marked": whole_number(request.query_params.get("marked")),
        },
        status_code=status,
    )


@get("/print-queue", name="print_queue", opt={"action": "print_letters"})
async def print_queue_page(request: Request) -> Template:
    return await _page(request)


@get("/print-queue/letters/{letter_id:int}/pdf", name="print_queue_letter", opt={"action": "print_letters"})
async def print_queue_letter(request: Request, letter_id: FromPath[int]) -> Response[bytes]:
    try:
        filename, content = await print_queue.letter_file(_user(request), letter_id)
    except ServiceError as exc:
        raise NotFound(exc.detail) from exc
    return _pdf(filename, content)


@get("/print-queue/batch.pdf", name="print_queue_batch", opt={"action": "print_letters"})
async def print_queue_batch(request: Request) -> Response[bytes] | Template:
    found = await print_queue.batch_file(_user(request))
    if found is None:  # posted by someone else meanwhile: the queue says there is nothing waiting
        return await _page(request)
    return _pdf(*found)


@post("/print-queue/posted", name="print_queue_posted", opt={"action": "print_letters"})
async def print_queue_posted(request: Request) -> Template | Redirect:
    form = await request.form()
    values = await form_values(request)
    chosen = [n for n in (whole_number(str(v)) for v in form.getall("letters", [])) if n is not None]
    iso, date_error = date_from_fields(values, "posted", "The date the letters were posted")
    try:
        if date_error:
            raise Invalid(date_error, field="posted-day")
        count = await print_queue.mark_posted(
            _user(request), chosen, dt.date.fromisoformat(iso) if iso else None
        )
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return await _page(request, errors=errors, values=values, chosen=chosen, status=status)
    return Redirect(f"/print-queue?marked={count}", status_code=303)


ROUTES = [print_queue_page, print_queue_letter, print_queue_batch, print_queue_posted]
