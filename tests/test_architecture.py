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
        if "library" in path.parts:
            continue
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
