"""The national benchmark makes the folder its servers log to whatever the database: on PostgreSQL nothing
else made `var/benchmarks/`, and the run stopped with FileNotFoundError before measuring anything."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from benchmarks import national


class _Stop(Exception):
    pass


def test_the_http_runs_make_their_log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(national, "ROOT", tmp_path)
    monkeypatch.setattr(national, "_token", lambda url, email: "token")
    logs: list[Path] = []

    @contextlib.contextmanager
    def serving(name, command, env, port, log):
        logs.append(log)
        assert log.parent.is_dir(), f"{log.parent} was not made"
        raise _Stop
        yield

    monkeypatch.setattr(national, "serving", serving)
    args = national.parse(["--quick"])
    with pytest.raises(_Stop):
        national.measure_http(args, "postgres://nobody@127.0.0.1:1/none", {"busiest_email": "a@b"})
    assert logs == [tmp_path / "var" / "benchmarks" / "ceiling.log"]


def test_the_report_shows_the_command_as_it_was_run_without_where_it_was_written() -> None:
    # It printed `python -m benchmarks.national` for a run with --rounds 1 --seconds 5: not repeatable.
    assert national._shown(["--rounds", "1", "--output", "/tmp/x.md", "--seconds", "5"]) == [
        "--rounds",
        "1",
        "--seconds",
        "5",
    ]
    assert national._shown(["--output=/tmp/x.md", "--quick"]) == ["--quick"]
