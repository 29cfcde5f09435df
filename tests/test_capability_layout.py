"""The capability shape, read from the source (AST; only a name a page imports is looked up): pages and the
API never touch Piccolo tables (their service does), capability packages import each other without a
cycle, and no capability is named like the package."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from piccolo.table import Table

PACKAGE = Path(__file__).resolve().parent.parent / "mediation"

# Not capabilities: the pure statute, the web adapter every page uses, the seeding CLI. `web` is the edge
# (auth, forms, templating) and is imported by every capability's pages.
NOT_CAPABILITIES = {"rules", "web", "static", "seeding"}

# Imports that still point up the layers (a lower capability reaching a higher one), each closing a cycle
# today. The graph without them must have no cycle, so any new upward import fails; removing one is one
# step (and `test_every_known_upward_import_still_exists` then asks for it to be struck off). The layers,
# lowest first: audit, organisations, notify, accounts, clocks, cases, lodging, notices, services, advice,
# scheduling, sessions, attendees, offers, polls, reply_codes, certificates, outcomes, case_mediation,
# tribunal, reminders, reports, audit_log, public, home.
UPWARD_IMPORTS = {
    ("cases", "lodging"): "the lodging API and the contact page reuse the journey's checks",
    ("cases", "advice"): "cases/event_handlers.py maps API events to each capability's use case",
    ("cases", "certificates"): "cases/event_handlers.py",
    ("cases", "outcomes"): "cases/event_handlers.py",
    ("cases", "scheduling"): "cases/repository.py loads the next meeting into the case aggregate",
    ("cases", "sessions"): "cases/commands.py cancels live sessions when a case is withdrawn",
    ("cases", "tribunal"): "cases/event_handlers.py, repository.py and succession.py",
    ("services", "scheduling"): "a mediator's leave is refused over a booked meeting (the diary)",
    ("services", "sessions"): "the meeting's time in words (sessions/invites.py when)",
    ("sessions", "attendees"): "meeting notices to officers without an account (lazy imports)",
    ("sessions", "offers"): "booking marks the family's offer taken in the same transaction",
    ("sessions", "polls"): "booking closes the case's open polls in the same transaction",
    ("offers", "polls"): "reply codes are unique across offers and poll invitees",
}


def _edge_modules() -> list[Path]:
    found = [*PACKAGE.rglob("pages.py"), *PACKAGE.rglob("*_pages.py"), *PACKAGE.rglob("api.py")]
    return sorted(p for p in found if "static" not in p.parts)


def _imports(tree: ast.AST) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every absolute import, at any depth (lazy ones too)."""
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.module, a.name, node.lineno) for a in node.names]
    return out


def _table_imports(path: Path) -> list[str]:
    shown = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path.name
    problems = []
    for module, name, line in _imports(ast.parse(path.read_text())):
        if not module.startswith("mediation"):
            continue
        target = f"{module}.{name}" if name else module
        if module.endswith(".tables") or target.endswith(".tables"):
            problems.append(f"{shown}:{line} imports {target}")
            continue
        if name:
            value = getattr(importlib.import_module(module), name, None)
            if isinstance(value, type) and issubclass(value, Table):
                problems.append(f"{shown}:{line} imports the table {target}")
    return problems


def test_pages_and_api_modules_never_import_a_table_or_a_tables_module() -> None:
    problems = []
    for path in _edge_modules():
        problems += _table_imports(path)
    assert problems == [], "pages and API call their service, never tables:\n" + "\n".join(problems)


def test_the_table_check_catches_a_table_import(tmp_path: Path) -> None:
    page = PACKAGE / "sessions" / "pages.py"
    assert _table_imports(page) == []
    bad = tmp_path / "pages.py"
    bad.write_text(
        "from mediation.scheduling.tables import MediationSession\n"
        "from mediation.advice import tables\n"
        "def f():\n    from mediation.access import Disagreement\n"
    )
    found = _table_imports(bad)
    assert found == [
        "pages.py:1 imports mediation.scheduling.tables.MediationSession",
        "pages.py:2 imports mediation.advice.tables",
        "pages.py:4 imports the table mediation.access.Disagreement",
    ]


def capability_graph() -> dict[str, dict[str, set[str]]]:
    """Package -> package it imports -> the modules (with line) that do, for capability packages only."""
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    capabilities = packages - NOT_CAPABILITIES
    graph: dict[str, dict[str, set[str]]] = {c: {} for c in capabilities}
    for source in capabilities:
        for path in (PACKAGE / source).rglob("*.py"):
            for module, name, line in _imports(ast.parse(path.read_text())):
                parts = module.split(".")
                if parts[0] != "mediation":
                    continue
                target = parts[1] if len(parts) > 1 else name
                if target in capabilities and target != source:
                    where = f"{path.relative_to(PACKAGE)}:{line}"
                    graph[source].setdefault(target, set()).add(where)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_and_passes_a_chain() -> None:
    chain = {"a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {}}
    assert cycles(chain) == []
    assert cycles({**chain, "c": {"a": {"z"}}}) == [["a", "b", "c"]]


def _explain(graph: dict[str, dict[str, set[str]]], component: list[str]) -> str:
    lines = [" <-> ".join(component)]
    for a in component:
        for b in component:
            if b in graph[a]:
                lines.append(f"  {a} -> {b}: {', '.join(sorted(graph[a][b])[:3])}")
    return "\n".join(lines)


def test_capability_packages_import_each_other_without_a_cycle() -> None:
    graph = capability_graph()
    layered = {a: {b: w for b, w in out.items() if (a, b) not in UPWARD_IMPORTS} for a, out in graph.items()}
    found = cycles(layered)
    assert found == [], "import cycles between capabilities:\n" + "\n".join(_explain(graph, c) for c in found)


def test_the_cycles_issue_16_named_are_gone() -> None:
    graph = capability_graph()
    for a, b in [("accounts", "cases"), ("lodging", "notices")]:
        assert not (b in graph[a] and a in graph[b]), _explain(graph, [a, b])


def test_every_known_upward_import_still_exists() -> None:
    graph = capability_graph()
    gone = [f"{a} -> {b}" for a, b in UPWARD_IMPORTS if b not in graph.get(a, {})]
    assert gone == [], "no longer imported, strike them off UPWARD_IMPORTS: " + ", ".join(gone)


def test_no_capability_is_named_like_the_package() -> None:
    assert not (PACKAGE / "mediation").exists()
