"""PostgreSQL restarted under load: while it is down every request answers 503 with a clear message (JSON
`detail`, a GOV.UK page, /health "unreachable"), the app recovers by itself when it is back, and no case
or event is lost or doubled: every request is retried with its Idempotency-Key until acknowledged. The
crash (`pg_ctl stop -m immediate`) is timed to land while a lodging is inside its transaction.

Runs against a private cluster it creates (never the shared server), so it runs in both CI suite runs.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from mediation import timekeeping
from mediation.settings import ROOT
from tests.conftest import DEMO_EMAILS, sign_in
from tests.faults.postgres_cluster import Cluster, free_port, unavailable_reason
from tests.faults.processes import poll

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or ""),
]

WORKERS, CASES_EACH = 4, 5
RETRY_PAUSE = 0.05  # seconds between a client's retries of a request that got a 503
OUTAGE_503S = 10 * WORKERS  # the database stays down until the clients have seen this many 503s
DEMO_LA = "E06000042"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    made = Cluster().create()
    made.start()
    try:
        yield made
    finally:
        made.destroy()


def _env(cluster: Cluster, port: int) -> dict[str, str]:
    # The private cluster has one role: the suite's own owner URL (a two-role CI run) names another server.
    inherited = {k: v for k, v in os.environ.items() if k != "MIGRATION_DATABASE_URL"}
    return {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": cluster.url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "RUN_SCHEDULER": "0",
        "DEMO_DATA": "1",
        "SECRET_KEY": "fault-test-secret-key-not-for-production",
        "MEDIATION_FAST_HASH": "1",
    }


@dataclasses.dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    env: dict[str, str]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _start_app(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python main.py`: uvicorn serving the app, with its own connection pool, as in production."""
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own entry point
            [sys.executable, "main.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


@pytest.fixture
async def server(cluster: Cluster) -> AsyncIterator[Server]:
    port = free_port()
    env = _env(cluster, port)
    log = cluster.base / "app.log"
    proc = _start_app(env, log)
    running = Server(f"http://127.0.0.1:{port}", proc, log, env)
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=5) as probe:

            async def healthy() -> bool:
                if proc.poll() is not None:
                    raise AssertionError(f"the app exited: {running.log_tail()}")
                try:
                    return (await probe.get("/health")).status_code == 200
                except httpx.TransportError:
                    return False

            await poll(healthy, within=90, what="the app to start on the private cluster")
        yield running
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _api_token(server: Server, email: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, "main.py", "token", email, "--name", "fault test"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[0]


def _body(received: dt.date) -> dict:
    return {
        "local_authority": DEMO_LA,
        "decision": "plan_contents",
        "sections": ["F"],
        "decision_notice_sent": (received - dt.timedelta(days=2)).isoformat(),
        "received_on": received.isoformat(),
        "wants_mediation": False,
        "child": {"name": "Sam " + secrets.token_hex(3), "date_of_birth": "2015-09-14"},
    }


# On the private cluster only: each new case holds its transaction open a moment after its INSERT, so
# the crash can be timed to land inside one.
SLOW_INSERT = """
CREATE FUNCTION fault_test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
CREATE TRIGGER fault_test_slow_insert AFTER INSERT ON disagreement
  FOR EACH ROW EXECUTE FUNCTION fault_test_slow_insert();
"""


async def _connect(cluster: Cluster) -> asyncpg.Connection:
    return await asyncpg.connect(host="127.0.0.1", port=cluster.port, user="postgres", database="postgres")


async def _lodging_in_flight(monitor: asyncpg.Connection) -> bool:
    return bool(
        await monitor.fetchval(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
            "AND query ILIKE '%INSERT INTO%disagreement%' AND pid <> pg_backend_pid()"
        )
    )


@dataclasses.dataclass
class Load:
    token: str
    received: dt.date
    run: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex[:8])
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    lodged: dict[str, str] = dataclasses.field(default_factory=dict)  # Idempotency-Key -> reference
    events: dict[str, int] = dataclasses.field(default_factory=dict)  # reference -> final status
    unexpected: list[str] = dataclasses.field(default_factory=list)

    async def send(self, client: httpx.AsyncClient, path: str, body: dict, **headers: str) -> httpx.Response:
        """Send until the answer is not a 503 (the database is down), the way a careful client does."""
        deadline = time.monotonic() + 120
        while True:
            try:
                response = await client.post(
                    path, json=body, headers={"Authorization": f"Bearer {self.token}", **headers}
                )
            except httpx.TransportError as exc:  # the app itself must stay up throughout
                self.unexpected.append(f"{path}: {type(exc).__name__}: {exc}")
                raise
            self.statuses[response.status_code] += 1
            if response.status_code != 503:
                return response
            detail = response.json().get("detail", "")
            if "cannot reach its database" not in detail or response.headers.get("retry-after") != "30":
                self.unexpected.append(f"{path}: 503 without the promised detail: {response.text}")
            if time.monotonic() > deadline:
                raise AssertionError("still 503 two minutes later")
            await asyncio.sleep(RETRY_PAUSE)

    async def worker(self, client: httpx.AsyncClient, n: int) -> None:
        for i in range(CASES_EACH):
            key = f"fault-{self.run}-{n}-{i}"
            headers = {"Idempotency-Key": key}
            lodged = await self.send(client, "/api/v1/cases", _body(self.received), **headers)
            if lodged.status_code not in (200, 201):
                self.unexpected.append(f"lodge {key}: {lodged.status_code} {lodged.text}")
                continue
            reference = lodged.json()["reference"]
            self.lodged[key] = reference
            before_503 = self.statuses[503]
            event = {"event": "adviser_contacted", "on": self.received.isoformat()}
            recorded = await self.send(client, f"/api/v1/cases/{reference}/events", event)
            self.events[reference] = recorded.status_code
            # A 409 is right only for a retry whose first attempt committed before the database went away.
            if recorded.status_code != 200 and not (
                recorded.status_code == 409 and self.statuses[503] > before_503
            ):
                self.unexpected.append(f"event on {reference}: {recorded.status_code} {recorded.text}")


async def test_postgres_restarted_under_load_503s_then_recovers_with_nothing_lost_or_doubled(cluster, server):
    token = _api_token(server, DEMO_EMAILS["family"])
    monitor = await _connect(cluster)
    await monitor.execute(SLOW_INSERT)
    load = Load(token=token, received=timekeeping.today() - dt.timedelta(days=10))
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=10) as api,
        httpx.AsyncClient(base_url=server.url, timeout=10) as browser,
    ):
        await sign_in(browser, DEMO_EMAILS["la_coordinator"])
        assert (await browser.get("/home")).status_code == 200
        workers = [asyncio.create_task(load.worker(api, n)) for n in range(WORKERS)]
        try:
            await poll(lambda: len(load.lodged) >= WORKERS, within=60, what="some cases to be lodged")
            # Crash while a lodging is inside its transaction (its row inserted, not yet committed).
            await poll(lambda: _lodging_in_flight(monitor), within=30, what="a lodging mid-transaction")
            await monitor.close()
            # A crash, as far as the app can tell. pg_ctl runs in a thread so the load keeps coming.
            await asyncio.to_thread(cluster.stop, "immediate")
            await poll(lambda: load.statuses[503] >= OUTAGE_503S, within=30, what="503s while it is down")

            health = await api.get("/health")
            assert health.status_code == 503
            assert health.json() == {"status": "error", "database": "unreachable", "engine": "postgres"}
            page = await browser.get("/home")
            assert page.status_code == 503, page.text[-2000:]
            assert page.headers["retry-after"] == "30"
            assert "Sorry, the service is unavailable" in page.text
            assert 'class="govuk-heading-l"' in page.text
            listing = await api.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
            assert listing.status_code == 503
            assert "cannot reach its database" in listing.json()["detail"]
            assert server.proc.poll() is None

            # The app is not restarted: it must reconnect by itself (and answer 503 while the
            # server recovers and says "the database system is starting up").
            await asyncio.to_thread(cluster.start)
            await asyncio.wait_for(asyncio.gather(*workers), timeout=120)
        finally:
            for task in workers:
                task.cancel()
        assert server.proc.poll() is None
        assert (await api.get("/health")).status_code == 200
        assert (await browser.get("/home")).status_code == 200

    print("statuses seen:", dict(load.statuses), "events:", collections.Counter(load.events.values()))
    assert load.unexpected == []
    assert set(load.statuses) <= {200, 201, 409, 503}, load.statuses
    assert load.statuses[503] >= OUTAGE_503S
    assert len(load.lodged) == WORKERS * CASES_EACH
    # Straight from the database: one case per key, every acknowledged case there, one event each.
    conn = await _connect(cluster)
    try:
        rows = await conn.fetch(
            "SELECT id, reference, idempotency_key FROM disagreement WHERE idempotency_key LIKE $1",
            f"fault-{load.run}-%",
        )
        events = await conn.fetch(
            "SELECT disagreement_id, COUNT(*) AS n FROM audit_event WHERE action = 'adviser_contacted' "
            "AND disagreement_id = ANY($1::int[]) GROUP BY disagreement_id",
            [r["id"] for r in rows],
        )
    finally:
        await conn.close()
    assert {r["idempotency_key"]: r["reference"] for r in rows} == load.lodged
    assert len(rows) == len(load.lodged)  # no doubles
    assert sorted(e["n"] for e in events) == [1] * len(rows)
