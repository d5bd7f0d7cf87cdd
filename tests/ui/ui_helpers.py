"""What a clerk does again and again in the GUI tests: fill the intake form, open a case, click an action."""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desktop.domain.workflow import Action


def wait_idle(qtbot, window, timeout: int = 10_000) -> None:
    """Until the database worker has nothing left and its results have reached the widgets."""
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=timeout)
    QApplication.processEvents()


def type_text(qtbot, widget, text: str) -> None:
    """Type like a clerk at a Finnish keyboard. (QTest's keyClicks only knows ASCII: ä ö å go as key events.)"""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def register_with_form(
    qtbot,
    window,
    name: str,
    hetu: str = "",
    right: str = "access",
    language: str = "fi",
    received: QDate | None = None,
    register: str = "te-asiakasrekisteri",
) -> str:
    """Ctrl+N, type the paper form's fields, save; returns the diary number shown."""
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.intake_form
    if form.result_frame.isVisible():
        qtbot.mouseClick(form.new_button, Qt.MouseButton.LeftButton)
    form.right_combo.setCurrentIndex(form.right_combo.findData(right))
    form.received_edit.setDate(received or QDate(2026, 11, 6))
    for i in range(form.registers_list.count()):
        item = form.registers_list.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == register:
            item.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClick(form.signed_check, Qt.Key.Key_Space)
    type_text(qtbot, form.name_edit, name)
    if hetu:
        type_text(qtbot, form.hetu_edit, hetu)
    qtbot.keyClicks(form.street_edit, "Mannerheimintie 1 A 2")
    qtbot.keyClicks(form.postcode_edit, "00100")
    qtbot.keyClicks(form.city_edit, "Helsinki")
    form.language_combo.setCurrentIndex(form.language_combo.findData(language))
    type_text(qtbot, form.details_edit, "Pyydän kopiot minua koskevista tiedoista.")
    save_confirming(qtbot, window)
    assert form.result_frame.isVisible(), form.error_label.text()
    return form.diary_label.text()


def open_case_from_list(qtbot, window, row: int) -> None:
    table = window.case_list.table
    index = window.case_model.index(row, 0)
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter opens the selected case
    wait_idle(qtbot, window)
    assert window.stack.currentWidget() is window.case_view


def click_action(qtbot, window, action: Action):
    """Click the case view's button for `action`; returns the dialog it opened."""
    button = window.case_view.action_buttons[action]
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.case_view.current_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    return dialog


def save_confirming(qtbot, window) -> None:
    """Ctrl+S; when the form asks (a date weeks back, no register), Ctrl+S again confirms."""
    form = window.intake_form
    qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    if form.fault_note.isVisible() and form._asked_about is not None:
        qtbot.keyClick(QApplication.focusWidget() or form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, window)


def print_to_file(path):
    """A print dialog factory: the clerk chose "print to file" with `path` (a real QPrinter writes the PDF)."""
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QDialog

    def factory(printer, parent):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        factory.printer = printer
        return QDialog(parent)

    return factory


def print_reply(qtbot, window, reply, path) -> None:
    """Save and print… in the reply dialog, the print dialog accepted with output to the file `path`."""
    reply.print_dialog_factory = print_to_file(path)
    qtbot.mouseClick(reply.save_print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reply.print_dialog is not None and reply.print_dialog.isVisible(), timeout=5000)
    reply.print_dialog.accept()
    wait_idle(qtbot, window)
    wait_idle(qtbot, window)
