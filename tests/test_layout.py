"""The import directions of docs/architecture.md (issue 32): the import-linter contracts in
pyproject.toml, and a plain walk of the import graph that must agree with them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("server", "schema", "plugins", "partners")
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    return {id(node) for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for statement in block.body for node in ast.walk(statement)}


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, wherever the import statement is (inside
    functions too), except under `if TYPE_CHECKING:`."""
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] not in TOPS:
                    continue
                resolved = resolve(target)
                # A module importing its own package's __init__ is how Python loads it, not a cycle.
                if resolved and resolved != name and not name.startswith(resolved + "."):
                    graph[name].add(resolved)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_itself_back_through_others():
    assert _cycles(_import_graph()) == []


def test_infra_imports_no_domain_package():
    breaches = [f"{module} -> {target}" for module, targets in _import_graph().items()
                if module.startswith("partners.infra") for target in targets
                if target.startswith("partners") and not target.startswith("partners.infra")]
    assert breaches == []


def test_nothing_below_server_imports_server():
    breaches = [f"{module} -> {target}" for module, targets in _import_graph().items()
                if not module.startswith("server") for target in targets if target.startswith("server")]
    assert breaches == []


def test_the_domain_imports_neither_graphql_nor_http():
    breaches = [f"{module} -> {target}" for module, targets in _import_graph().items()
                if module.startswith(("partners", "plugins")) for target in targets
                if target.startswith(("schema", "server"))]
    assert breaches == []


def test_modules_stay_small():
    """A module a newcomer can read: split by flow or by rules/service past this size."""
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
