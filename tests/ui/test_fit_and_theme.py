"""The window fits office screens in every language, and its colours read well in light and dark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog
from ui_helpers import register_with_form, wait_idle

from desktop.i18n import set_language
from desktop.ui import theme
from desktop.ui.case_list_model import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
# The smallest screen the office has, in device-independent pixels: 1280×720 at 100 %, which is also
# what a 1920×1080 screen at 150 % leaves. The menu bar and the status bar are inside the hint.
SMALLEST = (1280, 720)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_main_window_and_its_pages_fit_1280_by_720(qtbot, admin_window, language):
    set_language(language)
    wait_idle(qtbot, admin_window)
    hint = admin_window.minimumSizeHint()
    assert hint.width() <= SMALLEST[0] and hint.height() <= SMALLEST[1], (language, hint.toTuple())
    for page in ("today", "cases", "reports", "new", "scans", "settings", "admin"):
        admin_window.show_page(page)
        wait_idle(qtbot, admin_window)
        admin_window.resize(*SMALLEST)
        QApplication.processEvents()
        page_hint = admin_window.stack.currentWidget().minimumSizeHint()
        # what is left for a page beside the navigation, under the menu bar and above the status bar
        assert page_hint.width() <= SMALLEST[0] - 150 - 40, (language, page, page_hint.toTuple())
        assert page_hint.height() <= SMALLEST[1] - 90, (language, page, page_hint.toTuple())


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_action_dialogs_fit_1280_by_720(qtbot, main_window, language):
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    set_language(language)
    main_window.open_case(main_window.service.rows(main_window.service.query(), 1)[0].id)
    wait_idle(qtbot, main_window)
    view = main_window.case_view
    for action, button in view.action_buttons.items():
        if not button.isEnabled() or not button.isVisible():
            continue
        button.click()
        QApplication.processEvents()
        dialog = (
            main_window.findChildren(QDialog)[-1] if action.value == "print_reply" else view.current_dialog
        )
        hint = dialog.minimumSizeHint()
        assert hint.width() <= SMALLEST[0] and hint.height() <= SMALLEST[1] - 40, (action, hint.toTuple())
        dialog.reject()
        wait_idle(qtbot, main_window)


def test_long_register_names_are_elided_with_the_full_name_as_tooltip(main_window):
    combo = main_window.case_list.register_combo
    longest = max(range(combo.count()), key=lambda i: len(combo.itemText(i)))
    combo.setCurrentIndex(longest)
    assert combo.toolTip() == combo.itemText(longest)
    assert combo.itemData(longest, Qt.ItemDataRole.ToolTipRole) == combo.itemText(longest)
    assert combo.sizeHint().width() < 400  # the name does not stretch the filter row


@pytest.fixture
def dark(qapp):
    light = qapp.palette()
    qapp.setPalette(theme.dark_palette())
    yield
    qapp.setPalette(light)


def _background(widget) -> object:
    return widget.palette().color(QPalette.ColorRole.Window)


def test_dark_palette_text_contrast_is_wcag_aa(qtbot, dark, main_window, clock):
    """The diary number, the Today cards and the list's deadline colours, rendered in a dark palette."""
    assert theme.is_dark()
    register_with_form(qtbot, main_window, name="Maija Meikäläinen", hetu="131052-308T")
    form = main_window.intake_form
    diary_fg = form.diary_label.palette().color(QPalette.ColorRole.WindowText)
    # the result panel's background is the theme's success background (a style sheet from the theme)
    assert theme.hex_of("success_background") in form.result_frame.styleSheet()
    assert theme.contrast(diary_fg, theme.color("success_background")) >= 4.5
    image = form.result_frame.grab().toImage()
    assert theme.contrast(diary_fg, image.pixelColor(3, image.height() // 2)) >= 4.5

    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    for tile in main_window.today_view.tiles.values():
        assert theme.hex_of("tile_background") in tile.styleSheet()
        text = tile.palette().color(QPalette.ColorRole.WindowText)
        assert theme.contrast(text, theme.color("tile_background")) >= 4.5, tile.queue.key
        shot = tile.grab().toImage()  # what is drawn: the tile's inside is the dark tile colour
        inside = shot.pixelColor(shot.width() - 6, shot.height() // 2)
        assert inside.lightness() < 80, tile.queue.key

    # The list's deadline colours: overdue and due-soon rows, on the list's own base colour
    clock.set(clock.now() + timedelta(days=8))  # the case above (due 7.12.) is due within a week now
    main_window.show_page("cases")
    main_window.case_list.apply_filters()
    wait_idle(qtbot, main_window)
    model = main_window.case_model
    base = main_window.case_list.table.palette().color(QPalette.ColorRole.Base)
    for meaning in ("overdue", "soon"):
        fg, bg = theme.color(meaning), theme.color(meaning + "_background")
        assert theme.contrast(fg, bg) >= 4.5, meaning
        assert theme.contrast(fg, base) >= 4.5, meaning
    due = model.index(0, [key for key, _sort in COLUMNS].index("due"))
    brush = model.data(due, Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and theme.contrast(brush.color(), base) >= 4.5


@pytest.mark.parametrize("dark_mode", [False, True])
def test_every_theme_text_colour_reads_on_its_background(qapp, dark_mode):
    pal = theme.dark_palette()
    if not dark_mode:
        pal = QPalette()
        pal.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.white)
        pal.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.black)
    window = pal.color(QPalette.ColorRole.Window)
    pairs = [
        ("error", None),
        ("ok", None),
        ("warning_text", "warning_background"),
        ("info_text", "info_background"),
        ("muted", None),
        ("overdue", "overdue_background"),
        ("soon", "soon_background"),
        ("overdue_badge_text", "overdue_badge"),
        ("soon_badge_text", "soon_badge"),
        ("ok_badge_text", "ok_badge"),
        ("conflict_badge_text", "conflict_badge"),
    ]
    for text, background in pairs:
        bg = theme.color(background, pal) if background else window
        assert theme.contrast(theme.color(text, pal), bg) >= 4.5, (dark_mode, text)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogs_are_complete(language):
    """No new English-only string: every message has its Finnish and Swedish translation."""
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "kirjaamo.po", "rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            or message.fuzzy
        )
    ]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
