"""Real OS processes for the fault tests: start a small Python entry on the test run's own database, wait
until it reports (through a marker file) that it has reached the chosen point, and kill -9 it there."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mediation.settings import ROOT, settings

START_TIMEOUT = 60.0  # seconds for a child to import the app and reach its point (2 busy cores)


def child_env(**extra: str) -> dict[str, str]:
    # The database this test session really uses (importing tests.conftest twice can move the env var).
    # A command-line sweep needs the public address for its links (BASE_URL).
    base = {"BASE_URL": settings.base_url}
    return {**base, **os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url, **extra}


async def poll(
    check: Callable[[], Awaitable[bool] | bool], *, within: float = START_TIMEOUT, what: str = ""
) -> None:
    """Wait until `check()` is true, looking every 20 ms; fail with `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what or check}")
        await asyncio.sleep(0.02)


class Child:
    """`python -c SCRIPT ARGS_JSON` with a marker file the script touches at its kill point."""

    def __init__(self, script: str, args: dict[str, Any]) -> None:
        self.marker = Path(tempfile.mkdtemp(prefix="fault-")) / "reached"
        self.args = {**args, "marker": str(self.marker)}
        self.script = script
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Child:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            self.script,
            json.dumps(self.args),
            cwd=ROOT,
            env=child_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return self

    async def _failed_early(self) -> str:
        assert self.proc is not None
        if self.proc.returncode is None:
            return ""
        out, err = await self.proc.communicate()
        return f"exit {self.proc.returncode}: {out.decode()[-1500:]} {err.decode()[-3000:]}"

    async def kill_at_marker(self, within: float = START_TIMEOUT) -> None:
        """Wait for the marker, then SIGKILL: no clean-up, no finally blocks, no commit."""
        assert self.proc is not None

        async def reached() -> bool:
            if self.proc.returncode is not None:  # type: ignore[union-attr]
                raise AssertionError(f"the child ended before its kill point: {await self._failed_early()}")
            return self.marker.exists()

        await poll(reached, within=within, what="the child to reach its kill point")
        await self.kill()

    async def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        await asyncio.wait_for(self.proc.wait(), timeout=30)
        assert self.proc.returncode == -signal.SIGKILL

    async def finish(self, within: float = 120) -> dict[str, Any]:
        """Wait for a child that runs to the end; its last stdout line is JSON."""
        assert self.proc is not None
        out, err = await asyncio.wait_for(self.proc.communicate(), timeout=within)
        assert self.proc.returncode == 0, err.decode()[-3000:]
        return json.loads(out.decode().strip().splitlines()[-1])


# Shared by the child scripts: block forever at the kill point, after telling the test where we are.
HANG = """
import asyncio, os
from pathlib import Path

async def hang(marker):
    Path(marker).write_text(str(os.getpid()))
    await asyncio.sleep(3600)
    raise SystemExit("not killed")
"""
