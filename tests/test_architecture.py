"""The pure scoring engine must never import Django or the project's Django apps."""

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "scoring" / "engine"
FORBIDDEN_ROOTS = {
    "django",
    "rest_framework",
    "celery",
    "places",
    "frameworks",
    "projects",
    "tpi_site",
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_source_imports_nothing_from_django():
    offenders = {
        str(path.relative_to(ENGINE)): sorted(_imported_roots(path) & FORBIDDEN_ROOTS)
        for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_engine_imports_in_a_fresh_interpreter_without_loading_django():
    code = (
        "import sys, scoring.engine; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{sorted(FORBIDDEN_ROOTS)!r}); print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ENGINE.parent.parent,
        env={"PYTHONPATH": str(ENGINE.parent.parent)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
