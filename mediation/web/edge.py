"""The HTTP edge: what every request body, form and id must be before any use case sees it.

Hostile input is refused here, once, with a specific 4xx, rather than in each handler or as a 500 from
deep inside a decoder or a database driver:

- JSON bodies: at most `MAX_JSON_BYTES`, nested at most `MAX_JSON_DEPTH` deep, whole numbers that fit the
  database's integer columns, and no control characters in any string (PostgreSQL cannot store NUL at all).
- Forms: no control characters in any text field (tab, newline and carriage return are text).
- Integer path parameters: beyond the largest id nothing can exist, so 404 before the database is asked;
  a query parameter holding a whole number beyond it is 400.

`EdgeRequest` is the app's `request_class`, so `request.json()`, `request.form()` and every `JSONBody`
go through it; `parameter_guard` is an app-level guard for path and query parameters.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from mediation.errors import Invalid

MAX_JSON_BYTES = 1_000_000  # the largest API body (a lodging with its matters) is a few kilobytes
MAX_JSON_DEPTH = 32  # the deepest API body nests 4 levels
# Ids are Piccolo serials, 32-bit integers on PostgreSQL (as are its Integer columns): no whole number the
# service takes, id, count, minutes or offset, is larger, and asyncpg overflows on one that is.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

# C0 controls except tab, newline and carriage return, and DEL: never text anyone typed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOO_DEEP = f"The JSON body nests too deeply (at most {MAX_JSON_DEPTH} levels)"
TOO_LARGE = f"The JSON body is too large (at most {MAX_JSON_BYTES // 1000} kB)"
CONTROL_MESSAGE = "must not contain control characters (such as a NUL byte)"


class BadRequestBody(ClientException):
    """The body cannot be read at all: too deep or too large (400, or 413)."""


def control_character_error(field: str) -> str:
    return f"{field} {CONTROL_MESSAGE}" if field else f"The request {CONTROL_MESSAGE}"


def _field_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def check_json_value(value: Any) -> None:
    """Walk a decoded JSON value without recursion: depth, integer range and control characters.
    Raises BadRequestBody (depth) or Invalid (a field's value), naming the field."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    errors: dict[str, str] = {}
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_JSON_DEPTH:
            raise BadRequestBody(TOO_DEEP)
        if isinstance(item, str):
            if CONTROL_CHARACTERS.search(item):
                field = _field_path(path)
                errors.setdefault(field or "detail", control_character_error(field))
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                field = _field_path(path)
                errors.setdefault(field or "detail", f"{field or 'The number'} is too large a number")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and CONTROL_CHARACTERS.search(key):
                    errors.setdefault("detail", "A field name " + CONTROL_MESSAGE)
                stack.append((child, (*path, str(key))))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    if errors:
        raise Invalid(errors)


def check_form(form: FormMultiDict) -> None:
    """Every text field of a form (not its files) free of control characters."""
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        text = (value.filename or "") if isinstance(value, UploadFile) else str(value)  # names are stored
        if CONTROL_CHARACTERS.search(text) or CONTROL_CHARACTERS.search(key):
            errors.setdefault(key, "Remove the control characters (such as a NUL byte) from what you entered")
    if errors:
        fields = ", ".join(sorted(errors))
        raise ClientException(
            f"The form could not be used: {fields} contained control characters (such as a NUL byte), "
            "which are never part of text anyone types. Go back, remove them and try again.",
            extra={"errors": errors},
        )


class EdgeRequest(Request):
    """The app's request class: JSON and forms are checked as they are first read."""

    async def json(self) -> Any:
        body = await self.body()
        if len(body) > MAX_JSON_BYTES:
            raise BadRequestBody(TOO_LARGE, status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            value = await super().json()
        except RecursionError as exc:  # msgspec's own limit, far deeper than any body we take
            raise BadRequestBody(TOO_DEEP) from exc
        check_json_value(value)
        return value

    async def form(self) -> FormMultiDict:
        form = await super().form()
        check_form(form)
        return form


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _out_of_range(text: str) -> bool:
    if not _INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > 10 or not INT_MIN <= int(text) <= INT_MAX


def parameter_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Path and query parameters the database could not take. Path parameters name rows, and none exists
    beyond the largest id or with a control character in its name: 404 before the driver overflows (or,
    on PostgreSQL, fails on a NUL). A query parameter holding a whole number beyond the largest id (an
    offset, a page) or a control character is never meaningful: 400 naming it."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise NotFoundException("Not found")
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise NotFoundException("Not found")
    for name, value in connection.query_params.multi_items():
        if _out_of_range(value.strip()):
            raise ValidationException(f"{name} is too large a number (at most {INT_MAX})")
        if CONTROL_CHARACTERS.search(value) or CONTROL_CHARACTERS.search(name):
            raise ValidationException(control_character_error(name))
