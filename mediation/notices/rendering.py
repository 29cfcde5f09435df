"""Turning a notice into what the family receives: the fixed statutory text, sanitised HTML, plain text
and a PDF letter.

The notice's wording is `templates/notices/notice_body.html`, owned by the project and reviewed with the
law. An LA's own words are plain-text fields (`fields.py`) that the template places and escapes; no text
an LA writes is ever run as template code. The output is still cleaned to a short list of tags, and
GOV.UK classes are added (`web/html.py: sanitise`), so the template is written as plain HTML.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mediation.notices.fields import for_notice
from mediation.notify.pdf import write_pdf
from mediation.settings import ROOT
from mediation.web.html import sanitise
from mediation.web.templating import day_date, long_date

BODY_TEMPLATE = "notices/notice_body.html"
LETTER_TEMPLATE = "notices/notice_letter.html"
EMAIL_TEMPLATE = "notices/notice_email.html"


@functools.cache
def _notice_environment() -> Environment:
    """The fixed notice text's own environment: strict, so a missing value is a bug, not a blank."""
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["day_date"] = day_date
    return env


def render_body(context: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """The notice text as safe HTML: the fixed text for this notice's data, with the LA's fields."""
    raw = _notice_environment().get_template(BODY_TEMPLATE).render(**context, own=for_notice(fields))
    return sanitise(raw)


class _TextWriter(HTMLParser):
    """Sanitised notice HTML to plain text for email bodies and posted letters."""

    BLOCKS = {"h2", "h3", "p", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_numbered, counter]
        self.href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS and self.out and not self.out[-1].endswith("\n\n"):
            self.out.append("\n\n")
        if tag in {"ul", "ol"}:
            self.lists.append([tag == "ol", 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            numbered, n = self.lists[-1]
            self.out.append(f"{n}. " if numbered else "- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.out.append("\n")
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
        elif tag == "a":
            self.href = ""

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text:
            if data and self.out and not self.out[-1].endswith(("\n", " ")):
                self.out.append(" ")  # the space between two inline pieces, e.g. "by <strong>"
            return
        if data[:1].isspace() and self.out and not self.out[-1].endswith(("\n", " ")):
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.out.append(text)
        target = self.href.removeprefix("mailto:")
        if self.href and target not in text and text.strip() not in target:
            self.out.append(f" ({target})")

    def text(self) -> str:
        lines = "".join(self.out).split("\n")
        return "\n".join(re.sub(" {2,}", " ", line).strip() for line in lines).strip() + "\n"


def to_text(body_html: str) -> str:
    writer = _TextWriter()
    writer.feed(body_html)
    writer.close()
    return writer.text()  # the parser has already turned entities back into characters, once


@functools.cache
def _page_environment() -> Environment:
    from mediation.web.templating import build_environment

    return build_environment()


def email_html(*, title: str, body_html: str, name: str) -> str:
    return (
        _page_environment()
        .get_template(EMAIL_TEMPLATE)
        .render(title=title, body=Markup(body_html), name=name)  # noqa: S704 - sanitised
    )


def letter_html(
    *,
    title: str,
    body_html: str,
    reference: str,
    sent_on: dt.date,
    name: str,
    address: str,
    fields: Mapping[str, Any],
    large_print: bool = False,
) -> str:
    """The A4 letter: the LA's letterhead from its fields, the family's address, then the notice text."""
    lines = [line.strip().rstrip(",") for line in address.replace("\r\n", "\n").split("\n")]
    return (
        _page_environment()
        .get_template(LETTER_TEMPLATE)
        .render(
            title=title,
            body=Markup(body_html),  # noqa: S704 - sanitised by `sanitise` above
            reference=reference,
            sent_on=sent_on,
            name=name,
            address_lines=[line for line in lines if line],
            own=for_notice(fields),
            large_print=large_print,
        )
    )


async def render_pdf(document_html: str) -> bytes:
    """A4 PDF bytes, rendered in a worker thread so the event loop keeps serving requests."""
    return await asyncio.to_thread(write_pdf, document_html)
