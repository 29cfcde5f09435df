"""/reply: the short address on a posted offer, where the family types the code from their letter."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from mediation.accounts.throttle import wait_words
from mediation.errors import ServiceError
from mediation.reply_codes.service import open_by_code
from mediation.web.forms import client_of, form_values, page_errors

TITLE = "Choose a time for your mediation meeting"


def _page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "mediation/reply.html",
        context={"title": TITLE, "values": values, "errors": errors},
        status_code=status,
    )


@get("/reply", name="reply_code", opt={"action": "reply_by_code"})
async def reply_page() -> Template:
    return _page({}, {})


@post("/reply", name="reply_code_open", opt={"action": "reply_by_code"})
async def reply_open(request: Request) -> Template | Redirect:
    values = await form_values(request)
    try:
        opened = await open_by_code(values.get("code", ""), client_of(request))
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return _page(values, errors, status)
    if opened.wait_seconds:
        words = f"You have tried too many codes. Wait {wait_words(opened.wait_seconds)} and try again"
        return _page(values, {"code": words}, 429)
    return Redirect(f"{opened.path}{opened.token}", status_code=303)


ROUTES = [reply_page, reply_open]
