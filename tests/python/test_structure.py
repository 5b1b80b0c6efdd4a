"""The code's shape: no module imports itself back through others, and no module grows past about 350
lines without saying at its top why it is one piece."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
LONG = 350
REASON = "Over 350 lines by choice:"


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p
            for p in SRC.rglob("*.py")}


def _imports_at_load(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The finsam modules a module imports when it is loaded (imports inside functions wait until they are
    called), each with the packages above it, whose __init__ runs first, but for the module's own packages
    (which are being loaded already)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("finsam"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("finsam")}
    with_parents = set()
    for imported in found:
        parts = imported.split(".")
        with_parents |= {".".join(parts[:k]) for k in range(2, len(parts) + 1)}
    own = {".".join(name.split(".")[:k]) for k in range(1, len(name.split(".")))}
    return (with_parents - own - {name}) & set(modules)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_no_module_imports_itself_back():
    modules = _modules()
    graph = {name: _imports_at_load(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []
    # the search finds a cycle where there is one
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_a_long_module_says_why():
    long = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > LONG and REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            long.append(f"{path.relative_to(SRC)} ({len(text.splitlines())} lines)")
    assert long == []
