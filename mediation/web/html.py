"""Untrusted HTML made safe to show: a short list of tags, links only to web, mail and phone addresses, and
GOV.UK classes added, so the HTML it cleans is written (or received) as plain HTML.

Used for a notice's text (`notices/rendering.py`) and for the HTML part of a demo mailbox message
(`notify/mailbox_pages.py`).
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "a", "br"}
GOVUK_CLASSES = {
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
}


def sanitise(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values=GOVUK_CLASSES,
        strip_comments=True,
    ).strip()
