"""Schemathesis over the whole OpenAPI document, against the real server (`python main.py`, uvicorn, on
a free port and this run's database): anonymously, as a family and as LA staff with API tokens. Bounded
(`FUZZ_EXAMPLES` per operation, a fixed seed unless SCHEMATHESIS_SEED is set): no server error, no status,
content type or body the document does not declare.

The same server shows what its access log writes: the secret links redacted (web/log_redaction.py).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tests.edge.helpers import token_for
from tests.server_process import free_port, running_server

pytestmark = pytest.mark.anyio

FUZZ_EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "25")
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261201")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(app: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app as deployed, on this run's database (migrated and seeded by the `app` fixture)."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "DEMO_DATA": "0", "RUN_SCHEDULER": "0"}  # the app fixture has loaded the demo
    with running_server(env, free_port(), log, start_timeout=60) as url:
        yield Server(url, log)


def _schemathesis(server: Server, workdir: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.url}/schema/openapi.json",
        "--max-examples",
        FUZZ_EXAMPLES,
        "--seed",
        SEED,
        "--checks",
        CHECKS,
        "--workers",
        "2",
        "--no-color",
        "--request-timeout",
        "30",
        "--phases",
        "examples,coverage,fuzzing",
    ]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(  # noqa: S603 - our own tools
        command, cwd=workdir, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.mark.parametrize("role", ["anonymous", "family", "la_coordinator"])
async def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, role, tmp_path):
    headers = [] if role == "anonymous" else [f"Authorization: Bearer {await token_for(role)}"]
    result = _schemathesis(server, tmp_path, *headers)  # its .schemathesis cache stays out of the tree
    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    assert "generated" in result.stdout and " passed" in result.stdout, report
    assert "Traceback" not in server.output(), server.output()[-6000:]


async def test_the_served_access_log_redacts_the_secret_links(server):
    offer, confirmation, reset = (secrets.token_urlsafe(32) for _ in range(3))
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        for path in (
            f"/mediation/offers/{offer}",
            f"/confirm-email/{confirmation}",
            f"/reset-password/{reset}",
        ):
            assert (await client.get(path)).status_code < 500
    await anyio.sleep(0.5)  # let the server flush its log line
    log = server.output()
    assert offer not in log and confirmation not in log and reset not in log
    assert '"GET /reset-password/[redacted] HTTP/1.1"' in log
    assert '"GET /mediation/offers/[redacted] HTTP/1.1"' in log
    assert '"GET /confirm-email/[redacted] HTTP/1.1"' in log


async def test_the_schema_documents_the_api_only_with_the_refusals_each_operation_answers(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert all(path.startswith(("/api/", "/health")) for path in paths), sorted(paths)  # pages are HTML
    assert "/api/v1/cases/{reference}/events" in paths and "/api/v1/deadlines" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert "400" in declared, (method, path)
            if path.startswith("/api/v1/cases"):  # signed in only
                assert {"401", "403"} <= declared, (method, path)
            if method == "post":
                assert {"413", "422"} <= declared, (method, path)
            if "{" in path:
                assert "404" in declared, (method, path)
    events = paths["/api/v1/cases/{reference}/events"]["post"]["responses"]
    assert "409" in events
    assert events["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
