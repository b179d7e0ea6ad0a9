"""Imports flow one way: errors -> model -> {loader, checks, rendering, exporters} -> reports -> api/batch/serve -> cli."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kamflow"
LAYERS = {
    "errors": 0, "files": 0,
    "model": 1,
    "loader": 2, "checks": 2, "rendering": 2, "exporters": 2, "analysis": 2,
    "reports": 3,
    "api": 4, "batch": 4, "serve": 4, "session": 4,
    "cli": 5, "__main__": 5, "__init__": 5,
}
STAGES = {"loader", "checks", "rendering", "exporters", "analysis"}


def _part(module_path: Path) -> str:
    relative = module_path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def test_imports_flow_one_way():
    bad = []
    for path in PACKAGE.rglob("*.py"):
        own = _part(path)
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if not name.startswith("kamflow.") and name != "kamflow":
                    continue
                parts = name.split(".")
                other = parts[1] if len(parts) > 1 else "__init__"
                if other == own:
                    continue
                assert own in LAYERS and other in LAYERS, f"{path}: unknown layer {own} or {other}"
                if LAYERS[other] > LAYERS[own] or (own in STAGES and other in STAGES):
                    bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert bad == []


# The command line is a shell over the API: besides its own modules it may use only the API (and
# the batch runner and the preview server beside it) and the errors; never a stage directly.
CLI_MAY_IMPORT = {"kamflow.api", "kamflow.errors", "kamflow.batch", "kamflow.serve"}


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module imported, how it appears) for every kamflow import in a file, relative ones resolved."""
    found = []
    package = ".".join(("kamflow", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]))
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found += [(base, f"from {base} import {alias.name}") for alias in node.names]
            found += [(f"{base}.{alias.name}", f"from {base} import {alias.name}") for alias in node.names if base == "kamflow"]
        elif isinstance(node, ast.Import):
            found += [(alias.name, f"import {alias.name}") for alias in node.names]
    return [(name, shown) for name, shown in found if name == "kamflow" or name.startswith("kamflow.")]


def test_the_cli_uses_only_the_api_and_errors():
    bad = []
    for path in (PACKAGE / "cli").rglob("*.py"):
        for name, shown in _imports(path):
            if name == "kamflow" or name.startswith("kamflow.cli"):
                continue
            if not any(name == allowed or name.startswith(allowed + ".") for allowed in CLI_MAY_IMPORT):
                bad.append(f"{path.relative_to(PACKAGE)}: {shown}")
    assert bad == []


def test_every_package_folder_is_a_known_layer():
    """No exemptions: every folder and module of the package is in LAYERS."""
    parts = {_part(path) for path in PACKAGE.rglob("*.py")}
    assert parts <= set(LAYERS), parts - set(LAYERS)
