"""The import layers stay one way (issue 14), checked by parsing every module's imports with ``ast``.

- Packages: ``models <- data <- report <- excel <- cli`` (a package imports only its own
  layer or lower ones; ``xlfactor.errors`` is below everything). ``models`` and ``data``
  take only ``__version__`` and ``XLFactorError`` from the lazy ``xlfactor`` facade, which
  would otherwise hand them any layer.
- Inside ``data/``: sources and parsers (the catalog, the French parser, periods, the frame
  codec, the snapshot, download, validation, alignment, sample and portfolio files, and any
  new module) store nothing and import no storage module; ``records`` (what the cache
  stores) and ``factor_files`` (a user's file to a record) come next; then ``cache``, which
  owns storage and the user-file backups; then ``loader``; then ``refresh`` and
  ``user_factors`` (``register_factors``); then the package ``__init__``. A module imports
  only lower ranks, the parsing rank imports itself without a cycle, and every import of
  ``xlfactor.data`` inside ``data/`` sits at module level (no function-level import hiding
  a circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlfactor"
PACKAGE_LAYERS = {"errors": -1, "models": 0, "data": 1, "report": 2, "excel": 3, "cli": 4, "__main__": 4}
FACADE_NAMES_BELOW_REPORT = {"__version__", "XLFactorError"}
DATA_RANKS = {
    "records": 1,
    "factor_files": 2,
    "cache": 3,
    "loader": 4,
    "refresh": 5,
    "user_factors": 5,
    "__init__": 6,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, tuple[str, ...], bool]]:
    """(imported module, names taken from it, at module level?) for every xlfactor import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, (), id(node) in top) for alias in node.names if alias.name.startswith("xlfactor")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("xlfactor"):
                names = tuple(alias.name for alias in node.names)
                found.append((base, names, id(node) in top))
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_packages_import_only_their_own_layer_or_lower():
    bad = []
    for module, path in _modules().items():
        importer = _package_of(module)
        if importer not in PACKAGE_LAYERS:
            continue  # the xlfactor facade itself
        for target, names, _ in _imports(path):
            imported = _package_of(target)
            if imported is None:  # the facade: lazily any layer
                extra = set(names) - FACADE_NAMES_BELOW_REPORT
                if PACKAGE_LAYERS[importer] <= PACKAGE_LAYERS["data"] and (extra or not names):
                    bad.append(f"{module} imports {sorted(extra) or 'the xlfactor facade'} from xlfactor")
            elif PACKAGE_LAYERS.get(imported, 99) > PACKAGE_LAYERS[importer]:
                bad.append(f"{module} ({importer}) imports {target} ({imported})")
    assert bad == []


def _data_modules() -> dict[str, Path]:
    return {
        m.removeprefix("xlfactor.data").lstrip(".") or "__init__": p
        for m, p in _modules().items()
        if m == "xlfactor.data" or m.startswith("xlfactor.data.")
    }


def _rank(name: str) -> int:
    return DATA_RANKS.get(name.split(".")[0], 0)


def _data_graph() -> dict[str, set[str]]:
    modules = _data_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, names, _ in _imports(path):
            if target == "xlfactor.data":  # "from xlfactor.data import cache" names modules
                graph[name] |= {n for n in names if n in modules}
            elif target.startswith("xlfactor.data."):
                graph[name].add(target.removeprefix("xlfactor.data."))
    return graph


def test_data_modules_import_downwards_only():
    bad = [
        f"{name} (rank {_rank(name)}) imports {target} (rank {_rank(target)})"
        for name, targets in _data_graph().items()
        for target in targets
        if _rank(target) >= _rank(name) and not (_rank(name) == 0 and _rank(target) == 0)
    ]
    assert bad == []


def test_data_modules_have_no_import_cycle():
    graph = _data_graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail, node, nxt]
            if nxt not in state and (cycle := visit(nxt, [*trail, node])):
                return cycle
        state[node] = 2
        return None

    cycles = [cycle for name in sorted(graph) if name not in state and (cycle := visit(name, []))]
    assert cycles == []


def test_data_modules_import_each_other_at_module_level():
    late = [
        f"{name} imports {target} inside a function"
        for name, path in _data_modules().items()
        for target, _, top in _imports(path)
        if target.startswith("xlfactor.data") and not top
    ]
    assert late == []


def test_the_checks_see_real_imports():
    """Guards the parser: the graph must contain the edges we know exist."""
    graph = _data_graph()
    assert {"records", "factor_files", "catalog"} <= graph["cache"]
    assert "cache" in graph["loader"] and {"cache", "loader", "factor_files"} <= graph["user_factors"]
    catalog_import = ("xlfactor.data.catalog", ("LIBRARY_MODEL_NAMES", "MODELS", "REGIONS"), True)
    assert catalog_import in _imports(PACKAGE / "cli" / "data_commands.py")
