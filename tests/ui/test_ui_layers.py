"""The UI's side of the layer rule (design §3): no `ui` module imports store, printing or sync, and the
widgets get what they show from the services instead of reaching into `service.workspace`."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"
FORBIDDEN = ("desktop.store", "desktop.printing", "desktop.sync")
# Opening a data dir and checking a password again (the lock) is the workspace's own business.
WORKSPACE_ALLOWED = {"app.py": None, "sign_in.py": None, "main_window.py": 1}


def _modules():
    for path in sorted(UI.glob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_ui_module_imports_store_printing_or_sync():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert found == []


def test_the_ui_does_not_reach_into_the_workspace():
    found = []
    for path, tree in _modules():
        count = sum(isinstance(n, ast.Attribute) and n.attr == "workspace" for n in ast.walk(tree))
        allowed = WORKSPACE_ALLOWED.get(path.name, 0)
        if allowed is not None and count > allowed:
            found.append(f"{path.name}: {count}")
    assert found == []
