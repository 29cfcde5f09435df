"""The text a family reads on a rendered page, one line per block (heading, paragraph, list item, table
cell, label), for the readability test. Not scripts or styles, not hidden content (`hidden`, `aria-hidden`,
GOV.UK's visually hidden text), nor the "The law behind this date" details (`app-law`, legal reference)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "template", "noscript", "head", "title"}
# Not measured: hidden text, "The law behind this date", and the statutory decision notice itself (the legal
# document the council issued, fixed once sent and checked for its reg 32 content by tests/notices), which the
# family page leads with a plain summary of.
UNMEASURED_CLASSES = {"govuk-visually-hidden", "app-law", "app-legal-document"}
BLOCK_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dt", "dd", "label", "legend", "summary",
    "caption", "button", "div", "section", "form", "table", "tr", "ul", "ol", "dl", "details", "br",
    "header", "footer", "main", "nav", "option", "fieldset", "hr",
}  # fmt: skip
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "source", "area", "base", "col", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self._block: list[bool] = []  # whether each open element starts and ends a line

    def _hidden(self) -> bool:
        return any(hides for _, hides in self._stack)

    def _break(self) -> None:
        text = " ".join("".join(self._line).split())
        if text:
            self.lines.append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        classes = set((named.get("class") or "").split())
        hides = (
            tag in SKIPPED_TAGS
            or "hidden" in named
            or named.get("aria-hidden") == "true"
            or bool(classes & UNMEASURED_CLASSES)
        )
        self._block.append(tag in BLOCK_TAGS or any(c.startswith("govuk-caption") for c in classes))
        if self._block[-1]:
            self._break()
        if tag in VOID_TAGS:
            self._block.pop()
            return
        self._stack.append((tag, hides))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                if any(self._block[i:]):
                    self._break()
                del self._stack[i:]
                del self._block[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden() and any(t == "main" for t, _ in self._stack):
            self._line.append(data)


def visible_lines(html: str) -> list[str]:
    """The blocks of text inside the page's <main>, in reading order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._break()
    return reader.lines


# Case references, made-up test names and codes ("SM-1E3C9E76", "ChildD6B232"): not words, and new on every
# run, so each counts as one plain word and a page's score does not change from run to run.
CODE = re.compile(r"\b[\w-]*\d[\w-]*[A-Za-z][\w-]*\b|\b[\w-]*[A-Za-z][\w-]*\d[\w-]*\b|\b[0-9A-F]{6,}\b")


TIME = re.compile(r"\d{1,2}(:\d\d)?(am|pm)")


def _plain(match: re.Match[str]) -> str:
    return match.group(0) if TIME.fullmatch(match.group(0)) else "code"


# Dates ("Wednesday 23 December 2026", "3 February 2027"): the page's words for them come from the calendar,
# not from its copy, and "Saturday" or "February" would move a page's score from day to day (a page read at
# grade 6.1 on 3 December and 5.8 on 2 December). Each is read as one fixed date of average syllables.
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DATE = re.compile(rf"\b(?:{WEEKDAY} )?\d{{1,2}} {MONTH}(?: \d{{4}})?\b")
SOME_DATE = "Tuesday 14 April 2026"


def as_sentences(lines: list[str]) -> str:
    """Each line counted as a sentence: one that does not end a sentence gets a full stop."""
    return " ".join(
        CODE.sub(_plain, DATE.sub(SOME_DATE, line if line[-1] in ".!?" else f"{line}.")) for line in lines
    )
