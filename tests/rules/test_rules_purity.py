"""The rules core is pure: it imports only the standard library, `holidays`, `dateutil` and itself."""

import ast
import subprocess
import sys
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parents[2] / "mediation" / "rules"
ALLOWED_THIRD_PARTY = {"holidays", "dateutil"}
FORBIDDEN = ("litestar", "piccolo", "msgspec", "jinja2", "apscheduler", "sqlalchemy", "httpx", "redis")


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module if node.module.startswith("mediation.rules") else node.module.split(".")[0])
    return roots


def test_rules_source_imports_only_stdlib_holidays_and_itself() -> None:
    files = sorted(RULES_DIR.glob("*.py"))
    assert files
    for path in files:
        for root in _imported_roots(path):
            ok = (
                root in sys.stdlib_module_names
                or root in ALLOWED_THIRD_PARTY
                or root.startswith("mediation.rules")
            )
            assert ok, f"{path.name} imports {root}"


def test_importing_the_rules_loads_no_web_or_database_library() -> None:
    code = (
        "import sys, mediation.rules; "
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == ""
