"""The menu bar carries every action with its shortcut; F1 opens the guide; the window remembers itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import register_with_form, wait_idle

from desktop.domain.workflow import Action
from desktop.i18n import set_language
from desktop.services.cases import CaseService
from desktop.ui import menus
from desktop.ui.main_window import MainWindow


def _menu_actions(window) -> set:
    found = set()
    for menu in window.menu_bar.menus.values():
        found |= {action for action in menu.actions() if not action.isSeparator()}
    return found


def test_every_window_action_is_in_a_menu_with_its_shortcut(main_window):
    in_menus = _menu_actions(main_window)
    missing = [key for key, action in main_window._actions.items() if action not in in_menus]
    assert missing == []
    titles = [menu.title() for menu in main_window.menu_bar.menus.values()]
    assert titles == ["&File", "Ca&se", "Vie&w", "Ad&ministration", "Hel&p"]
    assert main_window._actions["new"].shortcut().toString() == "Ctrl+N"
    assert not main_window.windowIcon().isNull()


def test_case_menu_follows_the_allowed_actions(qtbot, main_window):
    entries = main_window.menu_bar.case_entries
    assert not any(entry.isEnabled() for entry, _button in entries.values())  # no case open
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    main_window.open_case(main_window.service.rows(main_window.service.query(), 1)[0].id)
    wait_idle(qtbot, main_window)
    main_window.menu_bar.sync_case_entries()
    state = main_window.case_view.state
    allowed = main_window.service.allowed_actions(state)
    for action, (entry, _button) in entries.items():
        if action is Action.RESOLVE_CONFLICT:
            continue
        assert entry.isEnabled() == (allowed[action] is None), action


def test_f1_opens_the_guide_in_the_users_language_and_ctrl_f1_lists_shortcuts(qtbot, main_window):
    set_language("sv")
    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    guide = main_window.guide_dialog
    assert guide.isVisible()
    assert "handläggarens guide" in guide.browser.toPlainText().lower()
    guide.close()
    qtbot.keyClick(main_window, Qt.Key.Key_F1, Qt.KeyboardModifier.ControlModifier)
    table = main_window.shortcuts_dialog.table
    keys = {table.item(row, 0).text() for row in range(table.rowCount())}
    assert {"Ctrl+N", "Ctrl+F", "F1", "F5", "Ctrl+S"} <= keys
    texts = {table.item(row, 1).text() for row in range(table.rowCount())}
    assert "Ny begäran" in texts  # the actions' names in the user's language, without the mnemonic "&"
    main_window.shortcuts_dialog.reject()


def test_every_guide_is_shipped():
    for language in ("fi", "sv", "en"):
        assert menus.guide_path(language).name == f"guide_{language}.md"


def test_the_window_remembers_size_columns_and_last_view_per_user(qtbot, clerk_service: CaseService):
    window = MainWindow(clerk_service)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, window)
    window.resize(1111, 666)
    window.show_page("reports")
    window.case_list.table.setColumnWidth(1, 321)
    window.close()
    window.runner.shutdown()
    QApplication.processEvents()

    again = MainWindow(clerk_service)
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, again)
    try:
        # Qt keeps a restored window on its screen: the offscreen screen is 800 pixels wide
        assert again.size().height() == 666
        assert again.size().width() != 1400 and again.size().width() >= again.minimumSizeHint().width()
        assert again.current_page() == "reports"
        assert again.case_list.table.columnWidth(1) == 321
    finally:
        again.close()
        again.runner.shutdown()
