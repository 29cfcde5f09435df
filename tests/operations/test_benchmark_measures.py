"""What the national benchmark reads beside the server's CPU (issue 17): PostgreSQL's CPU a request, which
on two shared cores is as much a page's cost as the service's own, and the host's steal time, without which
two runs on a shared virtual machine cannot be compared."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

from benchmarks import measure, national
from benchmarks.measure import Run
from mediation import db
from mediation.settings import DatabaseConfig
from tests.conftest import DATABASE_URL


def test_steal_is_the_hypervisors_share_of_the_time_between_two_readings() -> None:
    # user, nice, system, idle, iowait, irq, softirq, steal
    before = [100, 0, 50, 800, 0, 0, 0, 50]
    after = [400, 0, 150, 1100, 0, 0, 0, 150]  # 800 ticks spent, 100 of them stolen
    assert measure.steal_share(before, after) == pytest.approx(0.125)
    assert measure.steal_share(before, before) == 0.0


def test_the_hosts_ticks_are_read_in_proc_stats_order() -> None:
    first, later = measure.host_ticks(), measure.host_ticks()
    assert len(first) == 8
    assert all(b >= a for a, b in zip(first, later, strict=True))


def _running(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.mark.anyio
@pytest.mark.skipif(not db.is_postgres(), reason="PostgreSQL's own processes")
async def test_postgresqls_cpu_keeps_a_connection_closed_during_the_run() -> None:
    # A benchmark's connections may close before the run is read; their backends' time then lives in the
    # postmaster's cutime/cstime. Counting only the processes still running lost it: the count fell by
    # what the closed backend had used. Compared before and after the close, so other work on the server
    # can only add to it.
    if measure.database_cpu_seconds() is None:
        pytest.skip("PostgreSQL does not run on this host")
    connection = await db.connect(DatabaseConfig.from_url(DATABASE_URL))
    try:
        backend = await connection.fetchval("SELECT pg_backend_pid()")
        await connection.fetchval("SELECT count(*) FROM generate_series(1, 6000000)")
        while_open = measure.database_cpu_seconds() or 0.0
    finally:
        await connection.close()
    deadline = time.monotonic() + 10
    while _running(backend):  # until the postmaster has reaped it
        assert time.monotonic() < deadline, "the closed backend was never reaped"
        await anyio.sleep(0.02)
    after_close = measure.database_cpu_seconds() or 0.0
    assert after_close - while_open > -0.05, f"{after_close - while_open:.2f} s lost when the backend exited"


def _run(cpu: float, database: float | None, steal: float) -> Run:
    return Run(
        requests=1000,
        seconds=1.0,
        errors=0,
        p50_ms=1.0,
        p95_ms=2.0,
        p99_ms=3.0,
        cpu_ms_per_request=cpu,
        database_cpu_ms_per_request=database,
        steal=steal,
    )


def _report(runs: dict[str, list[Run]]) -> list[str]:
    f = {"busiest": "Kent", "busiest_cases": 10, "smallest": "Rutland", "smallest_cases": 1}
    text = national.markdown(
        national.parse(["--quick"]), "python -m benchmarks.national", "postgres://x", f, runs,
        {"ceiling": 50.0, "service": 150.0}, [],
    )  # fmt: skip
    return text.splitlines()


def test_the_report_gives_postgresqls_cpu_and_the_highest_steal_over_rounds() -> None:
    ceilings = {
        "ceiling: POST /echo": [_run(0.2, 0.0, 0.01)],
        "ceiling: GET /health": [_run(0.2, 0.0, 0.01)],
    }
    lines = _report({**ceilings, "/home, busiest LA": [_run(4.0, 0.5, 0.02), _run(4.2, 0.7, 0.09)]})
    row = next(line for line in lines if line.startswith("| /home, busiest LA |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[6:10] == ["4.10", "0.60", "9%", "0"]
    assert any("| PostgreSQL CPU ms/req | steal |" in line for line in lines)


def test_the_report_says_so_when_postgresql_is_not_on_this_host() -> None:
    away = [_run(0.2, None, 0.0)]
    lines = _report({"ceiling: POST /echo": away, "ceiling: GET /health": away, "GET /health": away})
    row = next(line for line in lines if line.startswith("| GET /health |"))
    assert [c.strip() for c in row.strip("|").split("|")][7] == "-"
