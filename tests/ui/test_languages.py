"""Switching the UI language changes every visible string: no English is left in Finnish or Swedish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)
from ui_helpers import register_with_form, wait_idle

from desktop.i18n import set_language

ROOT = Path(__file__).resolve().parents[2]
# Words that are the same in every language (codes, symbols, names of languages in themselves).
SAME_EVERYWHERE = {
    "",
    "…",
    "–",
    "✓",
    "KEHA",
    "DDMMYYCZZZQ",
    "RR123456785FI",
    "Suomi",
    "Svenska",
    "English",
    "OK",
}


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _english_templates() -> list[re.Pattern]:
    """Every English message id as a pattern ({placeholders} match anything)."""
    with open(ROOT / "translations" / "kirjaamo.pot", "rb") as handle:
        catalog = read_po(handle)
    patterns = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            plain = _plain(msgid)
            if not plain or plain in SAME_EVERYWHERE or len(plain) < 3:
                continue
            parts = re.split(r"\{[^}]*\}", plain)
            if not "".join(parts).strip(" .:,;–-()/"):
                continue  # only placeholders and punctuation
            patterns.append(re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$", re.S))
    return patterns


def _texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for everything a person sees or a screen reader says in `root`."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        name = f"{type(widget).__name__}:{widget.objectName() or widget.accessibleName()}"
        if widget.accessibleName():
            found.append((name + " [accessibleName]", widget.accessibleName()))
        if isinstance(widget, QLabel | QAbstractButton):
            found.append((name, widget.text()))
        if isinstance(widget, QAbstractButton) and widget.toolTip():
            found.append((name + " [tooltip]", widget.toolTip()))
        if isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            found.append((name + " [placeholder]", widget.placeholderText()))
        if isinstance(widget, QComboBox):
            found.extend((name + " [item]", widget.itemText(i)) for i in range(widget.count()))
        if isinstance(widget, QListWidget):
            found.extend((name + " [item]", widget.item(i).text()) for i in range(widget.count()))
        if (
            isinstance(widget, QAbstractItemView)
            and widget.model() is not None
            and not isinstance(widget, QListWidget)
        ):
            model = widget.model()
            found.extend(
                (name + " [header]", str(model.headerData(c, Qt.Orientation.Horizontal)))
                for c in range(model.columnCount(QModelIndex()))
            )
    return [(where, _plain(text)) for where, text in found if _plain(text)]


def _views(qtbot, window):
    """Each screen of the acceptance list, shown in turn: main window (today, list), intake form, case view."""
    window.show_page("today")
    wait_idle(qtbot, window)
    yield "today", window
    window.show_page("cases")
    wait_idle(qtbot, window)
    yield "cases", window
    window.show_page("new")
    wait_idle(qtbot, window)
    yield "intake", window.intake_form
    case = window.service.rows(window.service.query(), 1)[0]
    window.open_case(case.id)
    wait_idle(qtbot, window)
    yield "case", window.case_view
    window.show_page("settings")
    wait_idle(qtbot, window)
    yield "settings", window.settings_view


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_no_english_left_after_switching_language(qtbot, main_window, language):
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    english = {view: dict(_texts(widget)) for view, widget in _views(qtbot, main_window)}
    set_language(language)  # at runtime, no restart
    wait_idle(qtbot, main_window)
    templates = _english_templates()
    leftovers = []
    for view, widget in _views(qtbot, main_window):
        texts = _texts(widget)
        for where, text in texts:
            if text in SAME_EVERYWHERE:
                continue
            if any(pattern.match(text) for pattern in templates):
                leftovers.append(f"{view} {where}: {text!r}")
            elif english[view].get(where) == text and isinstance(widget, QWidget) and _is_chrome(where):
                leftovers.append(f"{view} {where}: unchanged {text!r}")
    assert not leftovers, "English left in " + language + ":\n" + "\n".join(sorted(set(leftovers)))


def _is_chrome(where: str) -> bool:
    """Texts the program writes itself (not data such as names, dates and diary numbers)."""
    return any(
        kind in where
        for kind in ("[accessibleName]", "[header]", "[placeholder]", "QGroupBox", "QPushButton", "QCheckBox")
    )
