"""What the window looked like when the user left it: size and place, splitters, column widths and the
last view, per user and per desk (an INI file in the data dir's `ui/` folder, through QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

# The pages a user may come back to (a half-filled form or a case is not reopened).
RESTORABLE = ("today", "cases", "reports", "scans")


class ViewState:
    def __init__(self, window) -> None:
        self.window = window
        path = window.service.ui_state_path()
        self.settings = QSettings(str(path), QSettings.Format.IniFormat)

    def save(self) -> None:
        w, s = self.window, self.settings
        s.setValue("window/geometry", w.saveGeometry())
        s.setValue("window/splitter", w.splitter.saveState())
        s.setValue("cases/header", w.case_list.table.horizontalHeader().saveState())
        s.setValue("case/splitter", w.case_view.splitter.saveState())
        page = w.current_page()
        if page in RESTORABLE:
            s.setValue("window/page", page)
        s.sync()

    def restore(self) -> None:
        w, s = self.window, self.settings
        for key, restore in (
            ("window/geometry", w.restoreGeometry),
            ("window/splitter", w.splitter.restoreState),
            ("cases/header", w.case_list.table.horizontalHeader().restoreState),
            ("case/splitter", w.case_view.splitter.restoreState),
        ):
            value = s.value(key)
            if value is not None:
                restore(value)
        page = s.value("window/page")
        if page in RESTORABLE and page != "today":
            w.show_page(page)
