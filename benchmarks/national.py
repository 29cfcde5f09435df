"""The national benchmark, in one command: `python -m benchmarks.national [--quick]`.

Seeds (once) a national dataset of --cases cases with `main.py seed-national` in the database DATABASE_URL
names (default: a SQLite file under var/benchmarks/), and a smaller one beside it for the sweep; starts the
framework ceiling (benchmarks/ceiling.py, a bare Litestar echo on the same uvicorn settings) and the
service as a user runs it (`python main.py`; RUN_SCHEDULER=0 so no job runs under the load, the sweep is
measured on its own); then, in rounds that interleave every target, measures each with wrk over loopback
(req/s, p50/p95/p99, ratio to the ceiling, server CPU per request from /proc, PostgreSQL's when it runs on
this host, the host's steal time, peak RSS), and outside HTTP
one reminder sweep at both dataset sizes with the same number due. Writes docs/benchmarks.md.

    .venv/bin/python -m benchmarks.national --quick          # a small dataset, short runs: proves it works
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/national SECRET_KEY=x \\
        .venv/bin/python -m benchmarks.national               # 1,000,000 cases, 3 rounds of 10 s
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

import httpx

from benchmarks.measure import PYTHON, ROOT, Request, Run, Server, free_port, peak_rss_mb, serving, wrk

SIGN_IN_PASSWORD = "National-seed-2026"  # noqa: S105 - mediation/seeding/national.py's, test data only
NOTES = "<!-- notes: kept when the benchmark rewrites this file -->"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.national", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="3,000 cases, one round of 2 s runs")
    p.add_argument("--cases", type=int, default=None, help="cases in the main dataset (default 1,000,000)")
    p.add_argument("--small-cases", type=int, default=None, help="cases in the sweep's small dataset")
    p.add_argument("--seconds", type=int, default=None, help="each wrk run (default 10)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 3)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn worker processes for the ceiling and the service (WEB_CONCURRENCY; default one per "
        "core, as the README advises for production)",
    )
    p.add_argument(
        "--due", type=int, default=None, help="reminders due in each sweep dataset (default 2,000)"
    )
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = p.parse_args(argv)
    quick = args.quick
    args.cases = args.cases or (3_000 if quick else 1_000_000)
    args.small_cases = args.small_cases or (1_000 if quick else 100_000)
    args.seconds = args.seconds or (2 if quick else 10)
    args.rounds = args.rounds or (1 if quick else 3)
    args.due = args.due or (50 if quick else 2_000)
    return args


def database_url(cases: int) -> str:
    """DATABASE_URL for the main dataset; the small one is the same server's `<name>_<cases>`."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        return base if cases == 0 else f"{base.rstrip('/')}_{cases}"
    folder = ROOT / "var" / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder}/national-{cases}.sqlite"


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"MIGRATION_DATABASE_URL", "SMTP_HOST"}},
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-secret"),
        "DEMO_DATA": "0",
        "RUN_SCHEDULER": "0",
        "MAILBOX": "0",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


async def _create_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def ensure_seeded(url: str, cases: int) -> str:
    """Seed `cases` cases unless the database already holds a national dataset; returns the report."""
    if url.startswith("postgres"):
        asyncio.run(_create_postgres_database(url))
    seeded = subprocess.run(  # noqa: S603 - our own command
        [PYTHON, "main.py", "seed-national", "--cases", str(cases)],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode == 0:
        return seeded.stdout
    if "already holds a national dataset" in seeded.stderr:
        return "(seeded earlier)"
    raise RuntimeError(f"seed-national failed:\n{seeded.stderr[-3000:]}")


def facts(url: str) -> dict[str, object]:
    return _probe(url, "facts")


def _token(url: str, email: str) -> str:
    out = subprocess.run(  # noqa: S603 - our own command
        [PYTHON, "main.py", "token", email, "--name", "benchmark"],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _cookie(service: Server, email: str) -> str:
    with httpx.Client(base_url=service.url, timeout=30) as client:
        token = CSRF_FIELD.search(client.get("/sign-in").text)
        form = {
            "email": email,
            "password": SIGN_IN_PASSWORD,
            "next": "/home",
            "_csrf_token": token[1] if token else "",
        }
        signed = client.post("/sign-in", data=form)
        if signed.status_code != 303:
            raise RuntimeError(f"sign-in as {email} failed: {signed.status_code}")
        return "Cookie: " + "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def requests(
    f: dict[str, object], busy_cookie: str, small_cookie: str, slot_cookie: str, api_token: str
) -> list[Request]:
    today = dt.date.today()  # noqa: DTZ011 - a date to put in request bodies, not the service's "today"
    deadline = json.dumps({"rule": "appeal", "inputs": {"notice_sent": today.isoformat()}})
    routing = json.dumps({"decision": "plan_contents", "sections": ["F", "G"]})
    lodge = json.dumps(
        {
            "local_authority": f["la_code"],
            "decision": "refuse_assessment",
            "decision_notice_sent": (today - dt.timedelta(days=7)).isoformat(),
            "child": {"name": "Benchmark Child", "date_of_birth": "2016-05-01"},
            "family": {"name": "Benchmark Parent", "email": "benchmark.parent@example.com"},
        }
    )
    json_headers = ("Content-Type: application/json",)
    bearer = (f"Authorization: Bearer {api_token}",)
    out = [
        Request("ceiling: POST /echo", "ceiling", "/echo", "POST", deadline, json_headers),
        Request("ceiling: GET /health", "ceiling", "/health"),
        Request("POST /api/v1/deadlines", "service", "/api/v1/deadlines", "POST", deadline, json_headers),
        Request("POST /api/v1/routing", "service", "/api/v1/routing", "POST", routing, json_headers),
        Request("GET /health", "service", "/health"),
        Request(f"/home, busiest LA ({f['busiest']})", "service", "/home", headers=(busy_cookie,)),
        Request(f"/home, smallest LA ({f['smallest']})", "service", "/home", headers=(small_cookie,)),
    ]
    for query in ("", "?state=appealed", "?scope=health", "?risk=overdue", "?risk=at_risk", "?risk=on_track"):
        out.append(
            Request(
                f"GET /api/v1/cases{query}, busiest LA", "service", f"/api/v1/cases{query}", headers=bearer
            )
        )
    out.append(
        Request("GET /cases/{ref}, busiest LA", "service", f"/cases/{f['case']}", headers=(busy_cookie,))
    )
    out.append(
        Request(
            "POST /api/v1/cases (lodging)",
            "service",
            "/api/v1/cases",
            "POST",
            lodge,
            json_headers + bearer,
            unique_header="Idempotency-Key",
        )
    )
    if f.get("slot_case"):
        query = f"?search=1&mediator={f['slot_mediator']}&venue=remote&duration=180"
        query += f"&la_officer={f['slot_officer']}&authority=yes"
        if f.get("slot_icb_officer"):
            query += f"&icb_officer={f['slot_icb_officer']}"
        path = f"/cases/{f['slot_case']}/mediation/schedule{query}"
        out.append(Request("slot finder, 30-day window", "service", path, headers=(slot_cookie,)))
    return out


def measure_http(
    args: argparse.Namespace, url: str, f: dict[str, object]
) -> tuple[dict[str, list[Run]], dict[str, float]]:
    log_dir = ROOT / "var" / "benchmarks"
    log_dir.mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing else has made it
    ceiling_port, service_port = free_port(), free_port()
    ceiling_cmd = [PYTHON, "-m", "benchmarks.ceiling", str(ceiling_port), str(args.workers)]
    service_env = _env(
        url,
        HOST="127.0.0.1",
        PORT=str(service_port),
        BASE_URL=f"http://127.0.0.1:{service_port}",
        WEB_CONCURRENCY=str(args.workers),
    )
    api_token = _token(url, str(f["busiest_email"]))
    runs: dict[str, list[Run]] = {}
    with (
        serving("ceiling", ceiling_cmd, _env(url), ceiling_port, log_dir / "ceiling.log") as ceiling,
        serving(
            "service", [PYTHON, "main.py"], service_env, service_port, log_dir / "service.log"
        ) as service,
    ):
        servers = {"ceiling": ceiling, "service": service}
        targets = requests(
            f,
            _cookie(service, str(f["busiest_email"])),
            _cookie(service, str(f["smallest_email"])),
            _cookie(service, str(f["slot_email"] or f["busiest_email"])),
            api_token,
        )
        for round_number in range(args.rounds):
            for target in targets:  # interleaved: every target once a round, so drift hits all alike
                run = wrk(
                    servers[target.server],
                    target,
                    seconds=args.seconds,
                    connections=args.connections,
                    postgres=url.startswith("postgres"),
                )
                runs.setdefault(target.label, []).append(run)
                print(
                    f"round {round_number + 1}: {target.label}: {run.rate:,.0f} req/s, "
                    f"p95 {run.p95_ms:.1f} ms, "
                    f"{run.cpu_ms_per_request:.2f} ms CPU/req, "
                    f"PostgreSQL {_ms(run.database_cpu_ms_per_request)}, "
                    f"steal {run.steal:.0%}, {run.errors} errors",
                    file=sys.stderr,
                )
        rss = {name: peak_rss_mb(server.pid) for name, server in servers.items()}
    return runs, rss


def _probe(url: str, *command: str) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603 - our own module
        [PYTHON, "-m", "benchmarks.sweep_probe", *command],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"probe {command} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure_sweeps(args: argparse.Namespace, urls: dict[int, str]) -> list[dict[str, object]]:
    """Per dataset: the catch-up sweep, an idle one (nothing new), then --due new reminders and a sweep."""
    found = []
    for cases, url in sorted(urls.items()):
        first = _probe(url, "sweep")
        idle = _probe(url, "sweep")
        _probe(url, "add-due", str(args.due))
        due = _probe(url, "sweep")
        found.append({"cases": cases, "first": first, "idle": idle, "due": due})
        print(
            f"sweep at {cases:,} cases: first {first['seconds']:.2f} s, idle {idle['seconds']:.2f} s, "
            f"{due['reminders']} due {due['seconds']:.2f} s",
            file=sys.stderr,
        )
    return found


def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _database_median(runs: list[Run]) -> float | None:
    found = [r.database_cpu_ms_per_request for r in runs if r.database_cpu_ms_per_request is not None]
    return statistics.median(found) if found else None


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk_version = subprocess.run(
        ["/usr/bin/wrk", "-v"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]  # noqa: S603
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}, {wrk_version.strip()}"
    )


def markdown(
    args: argparse.Namespace,
    command: str,
    url: str,
    f: dict[str, object],
    runs: dict[str, list[Run]],
    rss: dict[str, float],
    sweeps: list[dict[str, object]],
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=ROOT,
        capture_output=True,
        text=True,  # noqa: S607
        check=False,
    ).stdout.strip()
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    ceiling_post = _median(runs["ceiling: POST /echo"], "rate")
    ceiling_get = _median(runs["ceiling: GET /health"], "rate")
    lines = [
        "# Benchmarks",
        "",
        f"`{command}`"
        + (
            " (quick mode: a small dataset and short runs; it shows the benchmark works, not the targets)"
            if args.quick
            else ""
        ),
        "",
        f"- Run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {engine}, "
        f"{args.cases:,} cases "
        f"(busiest LA {f['busiest']}: {f['busiest_cases']:,}; "
        f"smallest {f['smallest']}: {f['smallest_cases']:,}).",
        f"- Machine: {machine()}.",
        f"- wrk, {args.connections} connections, 2 threads, {args.seconds} s per run, "
        f"{args.rounds} interleaved "
        "round(s); figures are the median over rounds. The ratio is to the bare Litestar ceiling on the same "
        "uvicorn settings (POST /echo for POSTs, GET /health for GETs). Server CPU per request is the server "
        "process tree's user+system time over the run divided by the requests it answered (less noisy than "
        "latency on a shared machine). PostgreSQL CPU per request is the same for every PostgreSQL "
        "process on this host (- on SQLite, or when PostgreSQL runs elsewhere); the service, PostgreSQL "
        "and wrk share the machine's cores. Steal is the share of the host's CPU time its hypervisor gave "
        "to other machines during the run, the highest over rounds: figures from runs with much of it are "
        "not comparable. The service runs as `python main.py` "
        f"with RUN_SCHEDULER=0 and WEB_CONCURRENCY={args.workers}; the ceiling with as many uvicorn workers.",
        "",
        "| what | req/s | p50 ms | p95 ms | p99 ms | ratio to ceiling | server CPU ms/req "
        "| PostgreSQL CPU ms/req | steal | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, found in runs.items():
        ceiling = ceiling_post if " POST " in f" {label} " or label.startswith("POST") else ceiling_get
        rate = _median(found, "rate")
        lines.append(
            f"| {label} | {rate:,.0f} | {_median(found, 'p50_ms'):.1f} | {_median(found, 'p95_ms'):.1f} | "
            f"{_median(found, 'p99_ms'):.1f} | {rate / ceiling:.0%} | "
            f"{_median(found, 'cpu_ms_per_request'):.2f} | {_ms(_database_median(found))} | "
            f"{max(r.steal for r in found):.0%} | {sum(r.errors for r in found)} |"
        )
    lines += [
        "",
        f"Peak RSS: ceiling {rss['ceiling']:.0f} MB, service {rss['service']:.0f} MB.",
        "",
        "## Reminder sweep (`reminders.service.run_sweeps`, one process, pooled)",
        "",
        f"The same {args.due:,} reminders due in each dataset (new cases in its smallest LA), after a "
        "catch-up run and an idle run.",
        "",
        "| dataset | stored clocks | first run s | idle run s | same number due: s | clocks due | queued "
        "| peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sweeps:
        first, idle, due = s["first"], s["idle"], s["due"]  # type: ignore[index]
        lines.append(
            f"| {s['cases']:,} cases | {due['stored_clocks']:,} | {first['seconds']:.2f} | "
            f"{idle['seconds']:.2f} | "
            f"{due['seconds']:.2f} | {args.due:,} | {due['reminders']:,} | "
            f"{max(first['peak_rss_mb'], due['peak_rss_mb']):.0f} |"
        )
    return "\n".join(lines) + "\n"


def _shown(argv: list[str]) -> list[str]:
    """The arguments as run, to print beside the figures so they can be measured again; where the report
    was written is left out."""
    shown, skip = [], False
    for arg in argv:
        if skip or arg.startswith("--output"):
            skip = arg == "--output"
            continue
        shown.append(arg)
    return shown


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    command = " ".join(["python -m benchmarks.national", *_shown(sys.argv[1:] if argv is None else argv)])
    big, small = (
        database_url(0 if os.environ.get("DATABASE_URL", "").startswith("postgres") else args.cases),
        None,
    )
    small = database_url(args.small_cases)
    for url, cases in ((big, args.cases), (small, args.small_cases)):
        print(f"dataset: {cases:,} cases in {url}", file=sys.stderr)
        print(ensure_seeded(url, cases), file=sys.stderr)
    f = facts(big)
    runs, rss = measure_http(args, big, f)
    sweeps = measure_sweeps(args, {args.small_cases: small, args.cases: big})
    text = markdown(args, command, big, f, runs, rss, sweeps)
    if args.output.exists() and NOTES in args.output.read_text():  # hand-written notes below stay
        text += "\n" + NOTES + args.output.read_text().split(NOTES, 1)[1]
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
