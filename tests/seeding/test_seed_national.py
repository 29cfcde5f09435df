"""`python main.py seed-national --cases 20000`: the small national dataset, in a database of its own
(it would fill the shared test database's queues), is in the proportions the generator promises, loads
through the case repository, and the busiest LA's coordinator works through it in the served app."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import CSRF_FIELD
from tests.server_process import ROOT, free_port, running_server

CASES = 20_000


LOAD_SAMPLE = """
import asyncio, json, sys
import mediation
import mediation.capabilities  # a case loads only with every capability's facts registered
from mediation.cases.repository import load_case
from mediation.cases.tables import Disagreement

async def main():
    still_open = Disagreement.state.not_in(["closed", "withdrawn"])
    open_cases = await Disagreement.select(Disagreement.id).where(still_open)
    closed = await Disagreement.select(Disagreement.id).where(Disagreement.state == "closed").limit(200)
    loaded = 0
    for row in open_cases + closed:
        case = await load_case(row["id"])
        assert case.next_body_due() == case.next_due_date or case.next_due_date is None, case.reference
        loaded += 1
    print(json.dumps({"loaded": loaded}))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "national.sqlite"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"MIGRATION_DATABASE_URL", "SMTP_HOST"}},
        "DATABASE_URL": f"sqlite:///{path}",
        "DEMO_DATA": "0",
        "RUN_SCHEDULER": "0",
        "MAILBOX": "0",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "main.py", "seed-national", "--cases", str(CASES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return path, env, run.stdout


SQL = {
    "las": "SELECT COUNT(*) FROM organisation WHERE kind = 'local_authority'",
    "met_codes": "SELECT COUNT(*) FROM organisation WHERE kind = 'local_authority' AND code GLOB 'E0[689]*'",
    "county_codes": "SELECT COUNT(*) FROM organisation WHERE kind = 'local_authority' AND code GLOB 'E10*'",
    "icbs": "SELECT COUNT(*) FROM organisation WHERE kind = 'icb'",
    "unlinked": "SELECT COUNT(*) FROM organisation o WHERE kind = 'local_authority'"
    " AND NOT EXISTS (SELECT 1 FROM la_icb_link l WHERE l.local_authority = o.id)",
    "no_staff": "SELECT COUNT(*) FROM organisation o WHERE NOT EXISTS"
    " (SELECT 1 FROM account a WHERE a.organisation = o.id)",
    "cases": "SELECT COUNT(*) FROM disagreement",
    "children": "SELECT COUNT(DISTINCT family) FROM disagreement",
    "open": "SELECT COUNT(*) FROM disagreement WHERE state NOT IN ('closed', 'withdrawn')",
    "mediated": "SELECT COUNT(DISTINCT disagreement) FROM mediation_session",
    "appealed": "SELECT COUNT(*) FROM tribunal_appeal",
    "orders": "SELECT COUNT(*) FROM tribunal_obligation WHERE kind = 'order'",
    "certificates": "SELECT COUNT(*) FROM mediation_certificate",
    "years": "SELECT strftime('%Y', MAX(decision_notice_sent)) - strftime('%Y', MIN(decision_notice_sent))"
    " FROM disagreement",
    "no_log": "SELECT COUNT(*) FROM disagreement d WHERE NOT EXISTS"
    " (SELECT 1 FROM audit_event a WHERE a.disagreement_id = d.id)",
    # next_due_date as the clock service keeps it: the earliest running clock a body must meet.
    "wrong_due": "SELECT COUNT(*) FROM disagreement d WHERE d.next_due_date IS NOT (SELECT MIN(due)"
    " FROM statutory_clock c WHERE c.disagreement = d.id AND c.status = 'running' AND c.actor != 'family')",
    "running_on_ended": "SELECT COUNT(*) FROM statutory_clock c JOIN disagreement d ON d.id = c.disagreement"
    " WHERE c.status = 'running' AND d.state IN ('closed', 'withdrawn')",
}


def _count(path: Path, name: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(SQL[name]).fetchone()[0])


def test_the_load_leaves_planner_statistics_for_the_tables_it_filled(seeded):
    # Without ANALYZE the planner guesses from an empty table's figures (autovacuum may be off, or late).
    path, _, _ = seeded
    with sqlite3.connect(path) as db:
        analysed = {row[0] for row in db.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    assert {"disagreement", "statutory_clock", "account", "audit_event"} <= analysed


def test_the_bodies_are_englands_with_their_codes_and_links(seeded):
    path, _, _ = seeded
    assert _count(path, "las") == 153
    assert (_count(path, "met_codes"), _count(path, "county_codes")) == (132, 21)
    with sqlite3.connect(path) as db:
        assert (
            db.execute("SELECT name FROM organisation WHERE code = 'E08000025'").fetchone()[0] == "Birmingham"
        )
    assert _count(path, "icbs") == 42
    assert _count(path, "unlinked") == 0
    assert _count(path, "no_staff") == 0


def test_the_cases_come_in_national_proportions(seeded):
    path, _, out = seeded
    assert _count(path, "cases") == CASES
    assert 0.60 * CASES < _count(path, "children") < 0.70 * CASES
    assert 0.02 * CASES < _count(path, "open") < 0.10 * CASES  # most closed
    assert 0.15 * CASES < _count(path, "mediated") < 0.25 * CASES  # about a fifth mediated
    assert 0.18 * CASES < _count(path, "appealed") < 0.30 * CASES  # ~25,000 of ~100,000 a year
    assert _count(path, "orders") > 0
    assert _count(path, "certificates") > 0.5 * CASES
    assert _count(path, "years") >= 9
    assert _count(path, "no_log") == 0
    assert _count(path, "wrong_due") == 0
    assert _count(path, "running_on_ended") == 0
    assert "Sign in at" in out and "coordinator1@" in out


def test_every_open_case_and_a_sample_of_closed_ones_load_through_the_case_repository(seeded):
    _, env, _ = seeded
    run = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", LOAD_SAMPLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1])["loaded"] > 0.02 * CASES


def test_the_busiest_las_coordinator_sees_the_queue_and_the_case_pages(seeded, tmp_path):
    path, env, out = seeded
    email = re.search(r"coordinator (\S+@\S+\.example)", out)[1]
    password = re.search(r"the password (\S+) ", out)[1]
    with running_server({**env, "SECRET_KEY": "seed-test"}, free_port(), tmp_path / "server.log") as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            token = CSRF_FIELD.search(client.get("/sign-in").text)[1]
            signed = client.post(
                "/sign-in", data={"email": email, "password": password, "next": "/home", "_csrf_token": token}
            )
            assert signed.status_code == 303, signed.text[:500]
            home = client.get("/home")
            assert home.status_code == 200
            references = re.findall(r'href="/cases/(SM-[0-9A-F]{8})"', home.text)
            assert len(references) >= 10
            for reference in references[:10]:
                page = client.get(f"/cases/{reference}")
                assert page.status_code == 200, (reference, page.text[:500])
            api = client.get("/api/v1/cases")
            assert api.status_code == 200
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log, log[-3000:]
