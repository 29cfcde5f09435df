"""A family's contact details: how to reach them and how they prefer it, checked the same way at lodging,
through the API and when the family or the handling body changes them.

The preferred channel is how the family wants to hear from us; written messages (dates, letters,
certificates) still need an email or a postal address, so a family who prefers phone gives one of those
too. "Large print" asks for every letter and PDF the service makes for them in large print.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

CHANNELS = {"email": "Email", "post": "Post", "phone": "Phone"}
MAX_ADDRESS = 1000
MAX_EMAIL = 254
PHONE_EXAMPLE = "like 01632 960 001, 07700 900 982 or +44 808 157 0192"
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def as_list(value: Any) -> list[str]:
    """A form answer as a list of strings (a checkbox group sends none, one or several values); the
    contact form and the lodging journey's pages draw their checkboxes with it."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class ContactDetails(msgspec.Struct, frozen=True):
    contact_by: str  # email / post / phone
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    large_print: bool = False

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.contact_by, self.contact_by)


def uk_phone(raw: str) -> str | None:
    """The number as typed, tidied, if it is a UK phone number (from a leading 0, or +44 / 0044 followed
    by the number without its 0); None if it is not."""
    digits = _PHONE_SEPARATORS.sub("", raw)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    digits = digits.replace("0(0)", "0")
    if not (digits.isascii() and digits.isdigit()) or not digits.startswith("0") or digits.startswith("00"):
        return None
    # 11 digits, or 10 for some 01 area codes and 0800 numbers (Ofcom's National Telephone Numbering Plan).
    if not (len(digits) == 11 or (len(digits) == 10 and digits.startswith(("01", "0800")))):
        return None
    return " ".join(raw.split())


def valid_email(raw: str) -> bool:
    return len(raw) <= MAX_EMAIL and bool(_EMAIL.match(raw))


def check_contact(values: Mapping[str, Any]) -> tuple[ContactDetails | None, dict[str, str]]:
    """Contact details from a form or the API (`contact_by`, `contact_email`, `contact_phone`,
    `postal_address`, `large_print`), or the errors keyed by the field to link to."""
    errors: dict[str, str] = {}
    how = str(values.get("contact_by") or "")
    email = str(values.get("contact_email") or "").strip()
    phone = str(values.get("contact_phone") or "").strip()
    address = str(values.get("postal_address") or "").replace("\r\n", "\n").strip()
    if how not in CHANNELS:
        errors["contact_by"] = "Select how we should contact you"
    if email and not valid_email(email):
        errors["contact_email"] = "Enter an email address in the correct format, like name@example.com"
    elif how == "email" and not email:
        errors["contact_email"] = "Enter your email address"
    tidy_phone = uk_phone(phone) if phone else ""
    if phone and tidy_phone is None:
        errors["contact_phone"] = f"Enter a UK phone number, {PHONE_EXAMPLE}"
    elif how == "phone" and not phone:
        errors["contact_phone"] = "Enter your phone number"
    if len(address) > MAX_ADDRESS:
        errors["postal_address"] = f"Your postal address must be {MAX_ADDRESS} characters or fewer"
    elif how == "post" and not address:
        errors["postal_address"] = "Enter your postal address, including the postcode"
    elif how == "phone" and not (email or address) and "contact_email" not in errors:
        errors["contact_email"] = (
            "Enter an email address or a postal address as well, so we can send you letters and dates"
        )
    if errors:
        return None, errors
    return (
        ContactDetails(
            contact_by=how,
            email=email,
            phone=tidy_phone or "",
            postal_address=address,
            large_print=_yes(values.get("large_print")),
        ),
        {},
    )


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return "yes" in value
    return value == "yes"
