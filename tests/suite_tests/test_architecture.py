"""The layout's promise (docs/architecture.md): packages form layers, and no module imports a package of
a higher layer (which also rules out import cycles between layers). Lazy imports inside functions count."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Lowest first; a module may import its own layer and those below it.
LAYERS = {
    "initlib": 0,
    "suite.stats": 1,
    "suite.spec": 2,
    "suite.engine": 3,
    "suite.adapters": 4,
    "suite.selfcheck": 4,
    "suite.audit": 4,
    "suite.theory": 4,
    "suite.bench": 4,
    "suite.commands": 5,
    "suite.conformance": 5,
    "suite": 5,  # suite/__init__.py and __main__.py: the entry points
    "reports": 6,
}


def _package(module: str) -> str | None:
    matches = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return max(matches, key=len) if matches else None


def _imports(path: Path, module: str):
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                yield node.lineno, node.module


def _modules():
    for top in ("initlib", "suite", "reports"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_imports_a_higher_layer():
    violations = []
    for path, module in _modules():
        mine = _package(module)
        for line, imported in _imports(path, module):
            theirs = _package(imported)
            if theirs and LAYERS[theirs] > LAYERS[mine]:
                violations.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {imported} ({theirs})")
    assert not violations, "\n".join(violations)


def test_the_check_sees_a_violation():
    """The walker finds relative and absolute imports (a check that cannot fail proves nothing)."""
    path = ROOT / "suite" / "engine" / "kinds.py"
    found = {name for _, name in _imports(path, "suite.engine.kinds")}
    assert "suite.engine.checks" in found and "suite.spec" in found
    assert _package("suite.engine.checks.api") == "suite.engine" and _package("reports.cli") == "reports"
