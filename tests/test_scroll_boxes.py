"""Every box in the templates that may scroll sideways (`app-table-scroll`) can be reached and scrolled by
keyboard: it takes focus (tabindex 0) and is a region with a name, so a screen reader says what it holds."""

from __future__ import annotations

import re

from mediation.settings import ROOT

SCROLL_BOX = re.compile(r"<(?:div|pre)\b[^>]*\bapp-table-scroll\b[^>]*>")


def test_every_sideways_scrolling_box_takes_focus_and_has_a_name():
    boxes = [
        (path.relative_to(ROOT), tag)
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for tag in SCROLL_BOX.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(boxes) > 5
    unreachable = [
        f"{path}: {tag}"
        for path, tag in boxes
        if not ('tabindex="0"' in tag and 'role="region"' in tag and re.search(r'aria-label="[^"]+"', tag))
    ]
    assert unreachable == []
