"""What an LA may set in its notices: a few plain-text fields placed around the fixed statutory text.

Coordinators never write template code. Each field is plain text with a length limit; paragraph fields
split on blank lines and keep single line breaks. The text is escaped wherever it is shown, so a field
that looks like HTML or Jinja is printed as typed and never run.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal

from mediation.organisations.service import OrganisationDetail

Kind = Literal["line", "lines", "paragraphs"]
MAX_ADDRESS_LINES = 6
MAX_ADDRESS_LINE = 100
# Bidirectional overrides and isolates can make text read differently from how it is stored.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    label: str  # also starts each error message, so it reads as a sentence
    hint: str
    kind: Kind
    max_chars: int
    required: bool = False


PARAGRAPHS_HINT = "Leave a blank line between paragraphs."
FIELDS = (
    Field(
        "council_name",
        "Council name",
        "As it appears at the top of every letter and in the signature.",
        "line",
        120,
        required=True,
    ),
    Field(
        "address",
        "Council address",
        f"Shown under the council name on posted letters. Up to {MAX_ADDRESS_LINES} lines.",
        "lines",
        400,
    ),
    Field(
        "signatory_name",
        "Name of the person who signs notices",
        "Optional. Leave blank to sign notices from the council.",
        "line",
        100,
    ),
    Field(
        "signatory_title",
        "Job title of the person who signs notices",
        "Optional, for example Head of SEND.",
        "line",
        100,
    ),
    Field(
        "opening",
        "Opening paragraph",
        f"Optional. Shown after the decision, before the family's rights. {PARAGRAPHS_HINT}",
        "paragraphs",
        1500,
    ),
    Field(
        "contact",
        "How to contact the SEND team",
        "Optional. Shown under 'Contact us', before the SEND team's contact details, for example your "
        f"opening hours. {PARAGRAPHS_HINT}",
        "paragraphs",
        1500,
    ),
    Field("extra_heading", "Heading for more information", "Optional, like Local support.", "line", 80),
    Field(
        "extra",
        "More information",
        f"Optional. A section of its own before 'Contact us'. {PARAGRAPHS_HINT}",
        "paragraphs",
        3000,
    ),
)
BY_NAME = {f.name: f for f in FIELDS}


def _clean(raw: object, field: Field) -> tuple[str, str | None]:
    """The field's text as stored (line endings and trailing spaces tidied), or why it cannot be."""
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    if field.kind == "paragraphs":  # at most one blank line between paragraphs
        kept: list[str] = []
        for line in lines:
            if line or (kept and kept[-1]):
                kept.append(line)
        lines = kept
    elif field.kind == "lines":
        lines = [line.strip() for line in lines if line.strip()]
    text = "\n".join(lines).strip()
    if any(
        (unicodedata.category(ch) == "Cc" and ch != "\n") or ch in _BIDI_CONTROLS or ch == "\ufeff"
        for ch in text
    ):
        return text, f"{field.label} must not contain control characters"
    if field.required and not text:
        return text, f"Enter the {field.label.lower()}"
    if field.kind == "line" and "\n" in text:
        return text, f"{field.label} must be on one line"
    if len(text) > field.max_chars:
        return text, f"{field.label} must be {field.max_chars:,} characters or fewer"
    if field.kind == "lines":
        if len(lines) > MAX_ADDRESS_LINES:
            return text, f"{field.label} must be {MAX_ADDRESS_LINES} lines or fewer"
        if any(len(line) > MAX_ADDRESS_LINE for line in lines):
            return text, (
                f"Each line of the {field.label.lower()} must be {MAX_ADDRESS_LINE} characters or fewer"
            )
    return text, None


def validate_fields(values: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The fields as they will be stored, and errors keyed by field id (empty when they can be saved)."""
    fields: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        fields[field.name], error = _clean(values.get(field.name), field)
        if error:
            errors[field.name] = error
    if fields["extra"] and not fields["extra_heading"] and "extra_heading" not in errors:
        errors["extra_heading"] = "Enter a heading for the more information section"
    elif fields["extra_heading"] and not fields["extra"] and "extra" not in errors:
        errors["extra"] = "Enter the more information text, or delete its heading"
    return fields, errors


def default_fields(la: OrganisationDetail) -> dict[str, str]:
    """An LA's first fields, from its record: its name and address, nothing else written for it."""
    values = {f.name: "" for f in FIELDS}
    values["council_name"] = la.name[: BY_NAME["council_name"].max_chars]
    lines = [line.strip()[:MAX_ADDRESS_LINE] for line in la.address.split("\n") if line.strip()]
    values["address"] = "\n".join(lines[:MAX_ADDRESS_LINES])[: BY_NAME["address"].max_chars].strip()
    fields, errors = validate_fields(values)
    for name in errors:  # a record the form would refuse: leave that field for the LA to fill in
        fields[name] = ""
    fields["council_name"] = fields["council_name"] or "The local authority"
    return fields


def stored(raw: Mapping[str, Any]) -> dict[str, str]:
    """A stored version's fields, with any field added since it was saved left blank."""
    return {f.name: str(raw.get(f.name) or "") for f in FIELDS}


def changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """The labels of the fields that differ (all that are set, for a first version)."""
    old = stored(before or {})
    new = stored(after)
    return [f.label for f in FIELDS if old[f.name] != new[f.name] and (before is not None or new[f.name])]


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines), each a list of its lines."""
    return [block.split("\n") for block in text.split("\n\n") if block.strip()]


def for_notice(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields as the fixed notice template uses them: lines and paragraphs, still plain text (the
    template escapes every piece)."""
    values = stored(fields)
    return {
        "council_name": values["council_name"],
        "address_lines": values["address"].split("\n") if values["address"] else [],
        "signatory_name": values["signatory_name"],
        "signatory_title": values["signatory_title"],
        "opening": paragraphs(values["opening"]),
        "contact": paragraphs(values["contact"]),
        "extra_heading": values["extra_heading"],
        "extra": paragraphs(values["extra"]),
    }
