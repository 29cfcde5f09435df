"""The capability shape, read from the source (AST; only a name a page imports is looked up): pages and the
API never touch Piccolo tables (their service does), capability packages import each other without a
cycle, and no capability is named like the package."""

from __future__ import annotations

import ast
import builtins
import importlib
from pathlib import Path

from piccolo.table import Table

from mediation.errors import ServiceError

PACKAGE = Path(__file__).resolve().parent.parent / "mediation"

# Not capabilities: the pure statute, the web adapter every page uses, the seeding CLI. `web` is the edge
# (auth, forms, templating) and is imported by every capability's pages.
NOT_CAPABILITIES = {"rules", "web", "static", "seeding"}

# Capabilities sit in layers, lowest first: audit, organisations, notify, accounts, clocks, cases, lodging,
# notices, services, advice, scheduling, sessions, attendees, offers, polls, reply_codes, certificates,
# outcomes, case_mediation, tribunal, case_events, reminders, reports, audit_log, public, home. Imports
# point down; where a lower one must reach a higher one at run time it takes a registered hook (see
# docs/DEVELOPING.md, Layout). No import closes a cycle any more: an upward import that would is named
# here with its reason only while it is being removed (never a place to add one).
UPWARD_IMPORTS: dict[tuple[str, str], str] = {}


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


# Exceptions a capability defines outside its errors.py (or not as a ServiceError), each a signal that
# never reaches a person: caught by the capability's own code, which answers in its place.
EXCEPTIONS_OUTSIDE_ERRORS = {
    "cases/commands.py:AlreadyLodged": "a unique index refused a second case for the draft or key; both "
    "callers (lodging/service.py, cases/api_lodging.py) catch it and replay the first case, which it looks "
    "up from the NewCase it carries, so it lives beside create_case",
    "notices/batches.py:_LostClaim": "another worker took the batch row; _issue_row answers 'lost'",
}

# Capability modules that still name a Litestar exception, each for a reason a refusal cannot serve.
LITESTAR_EXCEPTIONS_OUTSIDE_WEB: dict[str, str] = {}  # routes take web/errors.py: UNDECODABLE_BODY_IS_422


def _capability_files(root: Path) -> list[Path]:
    packages = [p for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    return sorted(f for p in packages if p.name not in NOT_CAPABILITIES for f in p.rglob("*.py"))


def _resolve_bases(path: Path, tree: ast.Module) -> dict[str, list[type | str]]:
    """Each top-level class -> its bases: a class object (looked up through the module's imports or
    builtins), or the name of another class in the same file."""
    imported: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}:{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imported[alias.asname] = alias.name
                else:  # `import a.b` binds `a`; `a.b.C` is looked up from `a`
                    imported[alias.name.split(".")[0]] = alias.name.split(".")[0]
    local = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}

    def lookup(expr: ast.expr) -> type | str | None:
        dotted = ast.unparse(expr)
        head, _, rest = dotted.partition(".")
        if dotted in local:
            return dotted
        if head in imported:
            module, _, name = imported[head].partition(":")
            parts = [name] if name else []
            parts += rest.split(".") if rest else []
            value: object = importlib.import_module(module)
            for i, part in enumerate(parts):
                if not hasattr(value, part) and not name:  # a submodule not imported yet
                    importlib.import_module(".".join([module, *parts[: i + 1]]))
                value = getattr(value, part, None)
            return value if isinstance(value, type) else None
        value = getattr(builtins, dotted, None)
        return value if isinstance(value, type) else None

    return {
        n.name: [b for b in map(lookup, n.bases) if b is not None]
        for n in tree.body
        if isinstance(n, ast.ClassDef)
    }


def _derives(
    bases: dict[str, list[type | str]], name: str, kind: type, seen: frozenset[str] = frozenset()
) -> bool:
    return any(
        (isinstance(b, type) and issubclass(b, kind))
        or (isinstance(b, str) and b not in seen and _derives(bases, b, kind, seen | {name}))
        for b in bases[name]
    )


def _exception_problems(root: Path, allowed: dict[str, str]) -> list[str]:
    """Every exception class a capability defines: in its errors.py, derived from ServiceError."""
    problems = []
    for path in _capability_files(root):
        bases = _resolve_bases(path, ast.parse(path.read_text()))
        shown = str(path.relative_to(root))
        for name in bases:
            if not _derives(bases, name, BaseException) or f"{shown}:{name}" in allowed:
                continue
            if path.name != "errors.py":
                problems.append(f"{shown}: {name} belongs in {path.parent.name}/errors.py")
            elif not _derives(bases, name, ServiceError):
                problems.append(f"{shown}: {name} must derive from mediation.errors.ServiceError")
    return problems


def test_capability_exceptions_are_service_errors_in_their_errors_module() -> None:
    problems = _exception_problems(PACKAGE, EXCEPTIONS_OUTSIDE_ERRORS)
    assert problems == [], "a capability's refusals subclass mediation/errors.py in its errors.py:\n" + (
        "\n".join(problems)
    )


def test_every_allowed_exception_outside_errors_still_exists() -> None:
    found = set()
    for path in _capability_files(PACKAGE):
        shown = str(path.relative_to(PACKAGE))
        found |= {f"{shown}:{name}" for name in _resolve_bases(path, ast.parse(path.read_text()))}
    assert set(EXCEPTIONS_OUTSIDE_ERRORS) <= found, set(EXCEPTIONS_OUTSIDE_ERRORS) - found


def test_the_exception_check_catches_a_stray_or_bare_exception(tmp_path: Path) -> None:
    things = tmp_path / "things"
    things.mkdir()
    (things / "__init__.py").write_text("")
    (things / "service.py").write_text(
        "from mediation.errors import Conflict\n"
        "import mediation.errors\n"
        "class Oops(ValueError):\n    pass\n"
        "class Clash(Conflict):\n    pass\n"
        "class Deeper(Clash):\n    pass\n"
        "class Gone(mediation.errors.NotFound):\n    pass\n"
        "class Allowed(Exception):\n    pass\n"
        "class NotAnError:\n    pass\n"
    )
    (things / "errors.py").write_text(
        "from mediation.errors import Invalid\n"
        "class Fine(Invalid):\n    pass\n"
        "class Bare(Exception):\n    pass\n"
    )
    found = _exception_problems(tmp_path, {"things/service.py:Allowed": "a planted allowance"})
    assert found == [
        "things/errors.py: Bare must derive from mediation.errors.ServiceError",
        "things/service.py: Oops belongs in things/errors.py",
        "things/service.py: Clash belongs in things/errors.py",
        "things/service.py: Deeper belongs in things/errors.py",
        "things/service.py: Gone belongs in things/errors.py",
    ]


def _litestar_exception_imports(root: Path, allowed: dict[str, str]) -> list[str]:
    problems = []
    for path in _capability_files(root):
        shown = str(path.relative_to(root))
        for module, name, line in _imports(ast.parse(path.read_text())):
            if module == "litestar.exceptions" and f"{shown}:{name}" not in allowed:
                problems.append(f"{shown}:{line} imports litestar.exceptions.{name}")
            elif (module == "litestar" and name == "exceptions") or module.startswith("litestar.exceptions."):
                problems.append(f"{shown}:{line} imports {module}{'.' + name if name else ''}")
    return problems


def test_capabilities_raise_service_errors_not_litestar_exceptions() -> None:
    problems = _litestar_exception_imports(PACKAGE, LITESTAR_EXCEPTIONS_OUTSIDE_WEB)
    assert problems == [], "raise mediation.errors' NotFound, Refused, Invalid...; web/ maps them:\n" + (
        "\n".join(problems)
    )


def test_every_allowed_litestar_exception_import_is_still_needed() -> None:
    found = {
        f"{path.relative_to(PACKAGE)}:{name}"
        for path in _capability_files(PACKAGE)
        for module, name, _ in _imports(ast.parse(path.read_text()))
        if module == "litestar.exceptions"
    }
    assert set(LITESTAR_EXCEPTIONS_OUTSIDE_WEB) <= found, set(LITESTAR_EXCEPTIONS_OUTSIDE_WEB) - found


def test_the_litestar_exception_check_catches_an_import(tmp_path: Path) -> None:
    things = tmp_path / "things"
    things.mkdir()
    (things / "__init__.py").write_text("")
    (things / "pages.py").write_text(
        "from litestar.exceptions import NotFoundException\n"
        "def f():\n    from litestar.exceptions import ValidationException\n"
        "from litestar import exceptions\n"
        "import litestar.exceptions.http_exceptions\n"
    )
    assert _litestar_exception_imports(tmp_path, {"things/pages.py:ValidationException": "planted"}) == [
        "things/pages.py:1 imports litestar.exceptions.NotFoundException",
        "things/pages.py:4 imports litestar.exceptions",
        "things/pages.py:5 imports litestar.exceptions.http_exceptions",
    ]


def test_api_modules_keep_their_msgspec_bodies_in_schemas() -> None:
    problems = []
    for path in _edge_modules():
        if path.name != "api.py":
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any("Struct" in ast.unparse(b) for b in node.bases):
                problems.append(f"{path.relative_to(PACKAGE)}: {node.name} belongs in schemas.py")
    assert problems == [], "\n".join(problems)
