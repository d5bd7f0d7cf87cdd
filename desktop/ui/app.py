"""Starting the desktop app: Qt, translations, sign-in, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.i18n import _, error_text, on_language_changed, set_language


def install_qt_translations(app, language: str) -> None:
    """Qt's own strings (standard dialogs, context menus) in the user's language."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    for old in getattr(app, "_kirjaamo_translators", []):
        app.removeTranslator(old)
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(language), "qtbase", "_", path):
        app.installTranslator(translator)
    app._kirjaamo_translators = [translator]


def run_app(data_dir: Path, username: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.domain.errors import DomainError
    from desktop.services.cases import CaseService
    from desktop.services.workspace import Workspace

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Kirjaamo")
    app.setOrganizationName("Kirjaamo")
    try:
        workspace = Workspace.open(data_dir)
    except DomainError as error:
        QMessageBox.critical(None, "Kirjaamo", error_text(error))
        return 1
    set_language(workspace.settings.ui_language)
    install_qt_translations(app, workspace.settings.ui_language)
    on_language_changed(lambda language: install_qt_translations(app, language))

    from desktop.ui.main_window import MainWindow
    from desktop.ui.sign_in import SignInDialog

    dialog = SignInDialog(workspace, username or "")
    if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.user is None:
        return 0
    window = MainWindow(CaseService(workspace, dialog.user))
    window.show()
    code = app.exec()
    window.runner.shutdown()
    workspace.close()
    return code


__all__ = ["_", "run_app"]
