"""The rules core is the part a lawyer reads: it must stay fully typed (mypy --strict). The whole package is
checked too, with the settings in pyproject.toml's [tool.mypy] (strict per module where practical)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed command: this interpreter running mypy
        [sys.executable, "-m", "mypy", "--no-incremental", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_rules_package_passes_mypy_strict():
    result = _mypy("--strict", "mediation/rules")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_whole_package_passes_mypy():
    result = _mypy()  # the files and flags come from [tool.mypy]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
