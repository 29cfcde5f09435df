"""Every id on a rendered page is unique: a label's `for`, an error-summary link or an aria reference
reaches the first element with its id, so a heading sharing a select's id takes its name and its link."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(f"{name} ({count} times)" for name, count in parser.ids.items() if count > 1)


def element_with_id(html: str, wanted: str) -> str | None:
    """The tag name of the element carrying this id, or None."""
    found: list[str] = []

    class _Find(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if ("id", wanted) in attrs:
                found.append(tag)

    _Find(convert_charrefs=True).feed(html)
    return found[0] if found else None
