"""The command-line sweep writes links to the service's public address, never a guessed one: without
BASE_URL it has no server's HOST:PORT to go by, so it refuses rather than email http://127.0.0.1:8000
links to families and staff (issue 15, part 6)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

import pytest

from mediation.settings import ROOT, settings
from tests.reminders.conftest import outbox
from tests.reminders.helpers import cases_owed_reminders

pytestmark = pytest.mark.anyio

MORNING = dt.datetime(2027, 3, 24, 9, 30, tzinfo=dt.UTC)  # a reminder is due on each case


async def _sweep(place, **env: str) -> tuple[int, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "HOST", "PORT"}}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mediation.reminders.sweep",
        "--now",
        MORNING.isoformat(),
        "--local-authority",
        str(place.la),
        cwd=ROOT,
        env={**inherited, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return int(proc.returncode or 0), err.decode()


async def test_without_base_url_the_sweep_refuses_and_queues_nothing(place):
    await cases_owed_reminders(place, 2)
    code, err = await _sweep(place)
    assert code == 2, err
    assert "BASE_URL" in err
    assert await outbox(place) == []


async def test_with_base_url_every_emailed_link_is_to_that_address(place):
    await cases_owed_reminders(place, 2)
    code, err = await _sweep(place, BASE_URL="https://send-mediation.example.gov.uk")
    assert code == 0, err
    bodies = [m["body_text"] for m in await outbox(place) if m["recipient_email"]]
    assert bodies and all("https://send-mediation.example.gov.uk/cases/" in b for b in bodies)
    assert not any("127.0.0.1" in b for b in bodies)
