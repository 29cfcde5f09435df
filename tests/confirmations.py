"""The GOV.UK success banner a save leaves for the page it redirects to (`mediation/web/confirmations.py`)."""

from __future__ import annotations

import html
import re

import httpx

BANNER = re.compile(
    r'<div class="govuk-notification-banner govuk-notification-banner--success".*?'
    r'<p class="govuk-notification-banner__heading">\s*(.*?)\s*</p>',
    re.DOTALL,
)


def banners(page: str) -> list[str]:
    return [html.unescape(text) for text in BANNER.findall(page)]


async def confirmation_after(client: httpx.AsyncClient, saved: httpx.Response) -> str:
    """Follow a save's redirect: the one success banner on that page; opened again, the page has none."""
    assert saved.status_code == 303, saved.text[-2000:]
    target = saved.headers["location"]
    shown = banners((await client.get(target)).text)
    assert banners((await client.get(target)).text) == [], "a confirmation is shown once"
    assert len(shown) == 1, shown
    return shown[0]
