"""The layer rule is held by a machine: `lint-imports` (run by `make lint`) fails when a ui module imports
desktop.store, and the events table has one writer (store/eventlog.py)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_lint_imports_fails_when_a_ui_module_imports_the_store(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "desktop", tree / "desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    assert _lint_imports(tree).returncode == 0

    labels = tree / "desktop" / "ui" / "labels.py"
    labels.write_text(labels.read_text() + "\nfrom desktop.store import database  # noqa\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "desktop.ui.labels -> desktop.store.database" in result.stdout


_WRITE = re.compile(r"\b(INSERT(\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+events\b", re.IGNORECASE)


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            texts.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return texts


def test_the_events_table_has_one_writer() -> None:
    writers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "desktop").rglob("*.py")
        if "migrations" not in path.parts and any(_WRITE.search(text) for text in _sql_strings(path))
    )
    assert writers == ["desktop/store/eventlog.py"]
