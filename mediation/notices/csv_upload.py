"""Reading a bulk-issue CSV: the whole file is refused if it cannot be read as a table of notices; after
that each row stands alone, and a bad row is reported without stopping the others."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from mediation.notices.content import validate_notice
from mediation.notices.errors import CsvError

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
# Documented on the upload page, in this order.
COLUMNS = {
    "child_name": "The child or young person's full name (required)",
    "child_date_of_birth": "Their date of birth, like 2015-06-14 or 14/06/2015 (required)",
    "family_name": "The parent, carer or young person the notice is addressed to (required)",
    "email": "Their email address: the notice is emailed with the plan attached",
    "postal_address": "Their postal address, used when there is no email address: the notice is posted",
    "decision": "refuse_assessment, refuse_plan, plan_contents, refuse_reassessment, refuse_amendment "
    "or cease_to_maintain (required)",
    "plan_kind": "For plan_contents: final or amended (final if left empty)",
    "decision_date": "The date of the decision or of the plan, like 2027-03-10 or 10/03/2027 (required)",
    "sections": "For plan_contents: the sections issued, separated by spaces, like A B C D E F G H1 H2 I J K",
    "filename": "The name of the PDF (plan or decision letter) for this row, uploaded with the CSV file",
}
REQUIRED = ["child_name", "child_date_of_birth", "family_name", "decision", "decision_date"]
ALIASES = {"family_email": "email", "address": "postal_address", "date_of_birth": "child_date_of_birth"}
# Errors from validate_notice are keyed by form field; in a CSV they name the column.
FIELD_COLUMNS = {
    "dob-day": "child_date_of_birth",
    "decision-day": "decision_date",
    "family_email": "email",
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells by column) for each non-empty row; raises CsvError for an unusable file."""
    if not content.strip():
        raise CsvError("The selected CSV file is empty")
    if len(content) > MAX_CSV_BYTES:
        raise CsvError(f"The CSV file must be smaller than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    if b"\x00" in content or content.startswith(b"%PDF-"):
        raise CsvError(
            "The selected file must be a CSV file (comma-separated values), not a PDF or other file"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(
            "The CSV file must be saved as UTF-8 (in a spreadsheet, choose Save as and then CSV UTF-8)"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise CsvError("The selected CSV file is empty")
        names = [_header(h) for h in header]
        duplicated = sorted({n for n in names if n and names.count(n) > 1})
        if duplicated:
            raise CsvError(f"The CSV file names the column {duplicated[0]} more than once")
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise CsvError(
                f"The CSV file is missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                "The first row must name the columns, as listed on this page"
            )
        if "email" not in names and "postal_address" not in names:
            raise CsvError("The CSV file needs an email column, a postal_address column, or both")
        rows: list[tuple[int, dict[str, str]]] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvError(
                    f"The CSV file has more than {MAX_ROWS} rows: upload at most {MAX_ROWS} at a time"
                )
            row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(names) if name}
            if len(cells) > len(names):
                row["_extra"] = "yes"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise CsvError(f"The CSV file could not be read at line {reader.line_num}: {exc}") from exc
    if not rows:
        raise CsvError("The CSV file has column names but no rows of notices")
    return rows


def _date_parts(value: str, prefix: str) -> dict[str, str] | None:
    if not value:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    if m := _ISO.match(value):
        year, month, day = m.groups()
    elif m := _UK.match(value):
        day, month, year = m.groups()
    else:
        return None
    return {f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year}


def row_values(row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A CSV row in the issue form's shape, and the errors that stop it (by column)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "child_name": row.get("child_name", ""),
        "family_name": row.get("family_name", ""),
        "family_email": row.get("email", ""),
        "postal_address": row.get("postal_address", ""),
        "decision": row.get("decision", "").strip().lower(),
        "sections": row.get("sections", ""),
    }
    if values["decision"] == "plan_contents":
        values["plan_kind"] = row.get("plan_kind", "").strip().lower() or "final"
    for column, prefix in (("child_date_of_birth", "dob"), ("decision_date", "decision")):
        parts = _date_parts(row.get(column, ""), prefix)
        if parts is None:
            errors[column] = f"{column}: enter a date like 2027-03-10 or 10/03/2027, not {row[column]!r}"
        else:
            values |= parts
    if row.get("_extra"):
        errors["row"] = "The row has more cells than the header has columns"
    return values, errors


def check_row(row: dict[str, str], pdf_names: set[str], *, today: dt.date) -> tuple[dict[str, Any], str]:
    """The row's values and why it cannot be issued ("" when it can)."""
    values, errors = row_values(row)
    _, problems = validate_notice(values, today=today)
    for field, message in problems.items():
        column = FIELD_COLUMNS.get(field, field)
        if column not in errors:
            errors[column] = f"{column}: {message}"
    filename = row.get("filename", "")
    if filename and filename not in pdf_names:
        errors["filename"] = f"filename: no uploaded PDF is called {filename}"
    values["filename"] = filename
    return values, "; ".join(errors.values())
