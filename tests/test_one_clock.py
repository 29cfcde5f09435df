""" "Today" is the date in England from `mediation.timekeeping`, never the machine's own date.

From 23:00 UTC in summer the machine's date (UTC) is a day behind England's, and tests that took
`date.today()` while the service took `timekeeping.today()` failed in that hour only.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = [ROOT / "mediation", ROOT / "tests"]


def _machine_date_reads(path: Path) -> list[int]:
    """Lines calling `<anything>.date.today()` or `date.today()`: the machine's local date."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if func.attr != "today":
            continue
        owner = func.value
        if (isinstance(owner, ast.Name) and owner.id == "date") or (
            isinstance(owner, ast.Attribute) and owner.attr == "date"
        ):
            lines.append(node.lineno)
    return lines


def test_no_code_or_test_reads_the_machines_date() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for folder in CHECKED
        for path in folder.rglob("*.py")
        for line in _machine_date_reads(path)
    }
    assert not found, f"use mediation.timekeeping.today() instead of date.today(): {sorted(found)}"


def test_the_check_finds_a_machine_date_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime as dt\nfrom datetime import date\na = dt.date.today()\nb = date.today()\n"
    )
    assert _machine_date_reads(sample) == [3, 4]
