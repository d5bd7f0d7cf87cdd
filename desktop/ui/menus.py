"""The menu bar (File, Case, View, Administration, Help), the clerk's guide (F1) and the list of shortcuts.

Every action of the window is in a menu with its shortcut, so that nothing is to be guessed. The Case
menu mirrors the case view's action buttons: an entry is enabled exactly when its button is, and the
button is enabled from the service's `allowed_actions` (the rule lives there, not here).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _, current_language
from desktop.paths import resource_dir

# Which window actions go in which menu (None: a separator). Keys are MainWindow._actions keys.
MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    ("file", ("new", "email", None, "print_ready", "dispatch_list", None, "lock", "quit")),
    ("case", ("back",)),  # the case's own actions are added from the case view
    ("view", ("today", "cases", "reports", "scans", None, "find", "refresh", "sync")),
    ("admin", ("settings", "admin")),
    ("help", ("guide", "shortcuts", None, "about")),
)


def menu_title(key: str) -> str:
    return {
        "file": _("&File"),
        "case": _("Ca&se"),
        "view": _("Vie&w"),
        "admin": _("Ad&ministration"),
        "help": _("Hel&p"),
    }[key]


def window_icon() -> QIcon:
    icon = QIcon()
    for name in ("kirjaamo.svg", "kirjaamo.png"):
        path = resource_dir("icons", name)
        if path.exists():
            icon.addFile(str(path))
    return icon


class MenuBar:
    """Builds the window's menus from its actions and keeps their titles in the current language."""

    def __init__(self, window: QMainWindow, actions: dict[str, QAction], case_actions: dict) -> None:
        self.window = window
        self.menus: dict[str, QMenu] = {}
        bar = window.menuBar()
        for key, items in MENUS:
            menu = bar.addMenu("")
            self.menus[key] = menu
            for item in items:
                if item is None:
                    menu.addSeparator()
                elif item in actions:
                    menu.addAction(actions[item])
        case_menu = self.menus["case"]
        case_menu.addSeparator()
        self.case_entries: dict = {}
        for action, button in case_actions.items():
            entry = QAction(case_menu)
            entry.triggered.connect(button.click)
            entry.setEnabled(False)
            case_menu.addAction(entry)
            self.case_entries[action] = (entry, button)
        case_menu.aboutToShow.connect(self.sync_case_entries)

    def sync_case_entries(self, case_open: bool | None = None) -> None:
        """The Case menu as the case view's buttons stand (enabled from the services' allowed actions)."""
        if case_open is None:
            case_open = self.window.stack.currentWidget() is self.window.case_view
        for entry, button in self.case_entries.values():
            entry.setEnabled(bool(case_open) and button.isEnabled())
            entry.setVisible(not button.isHidden() or not case_open)
            entry.setToolTip(button.toolTip())

    def retranslate(self, case_texts: dict) -> None:
        for key, menu in self.menus.items():
            menu.setTitle(menu_title(key))
        for action, (entry, _button) in self.case_entries.items():
            entry.setText(case_texts[action])


def shortcut_rows(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every shortcut of the window and of its forms, in the user's language."""
    rows = [
        (action.shortcut().toString(QKeySequence.SequenceFormat.NativeText), action.text().replace("&", ""))
        for action in actions.values()
        if not action.shortcut().isEmpty()
    ]
    rows += [
        ("Ctrl+S", _("Save the new request (intake form)")),
        ("Ctrl+V", _("Attach a copied file or path (case view)")),
        (_("Down"), _("From the search field to the list of cases")),
        (_("Enter"), _("Open the chosen case (the only one found opens directly)")),
        ("Ctrl+PgDown / Ctrl+PgUp", _("Next or previous page of a preview")),
        ("Alt+" + _("underlined letter"), _("Go to that field or press that button")),
        ("+0, -3", _("In a date field: today, three days ago")),
    ]
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([_("Keys"), _("Action")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(_("Keyboard shortcuts"))
        for row, (keys, text) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(text))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)


def guide_path(language: str | None = None):
    language = language or current_language()
    path = resource_dir("help", f"guide_{language}.md")
    return path if path.exists() else resource_dir("help", "guide_en.md")


class GuideDialog(QDialog):
    """The clerk's guide, in the user's language (resources/help/guide_<lang>.md)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Clerk's guide"))
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setAccessibleName(_("Clerk's guide"))
        self.browser.setMarkdown(guide_path().read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self.setWindowModality(Qt.WindowModality.NonModal)
