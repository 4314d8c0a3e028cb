"""The import contracts: layers point one way, and no module imports itself back, lazy imports included.

telephony -> voice -> {speech, dialog}; speech and dialog never import each other, voice or telephony; the
composition root (voicedesk/) sits above all four and nothing imports it. Read from the source with `ast`,
so an import inside a function counts like one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("voicedesk", "telephony", "voice", "speech", "dialog")
MAY_IMPORT = {
    "voicedesk": set(PACKAGES),
    "telephony": {"telephony", "voice", "speech", "dialog"},
    "voice": {"voice", "speech", "dialog"},
    "speech": {"speech"},
    "dialog": {"dialog"},
}


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The project modules a file imports (a `from package import name` that is a module counts as that one)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package, one level up per extra dot
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, name, known) for name, path in known.items()}


def test_layers_point_one_way():
    wrong = sorted((a, b) for a, targets in graph().items() for b in targets
                   if b.split(".")[0] not in MAY_IMPORT[a.split(".")[0]])
    assert wrong == [], "imports against the layering: " + ", ".join(f"{a} -> {b}" for a, b in wrong)


def test_no_import_cycles():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            component.append(v)
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert cycles == [], f"import cycles: {cycles}"


def test_the_check_reads_lazy_and_relative_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from speech.audio import read_audio\n    import dialog.agent\n", encoding="utf-8")
    known = {"speech.audio": source, "dialog.agent": source}
    assert imports(source, "voice.m", known) == {"speech.audio", "dialog.agent"}
