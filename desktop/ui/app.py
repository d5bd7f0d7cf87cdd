"""Starting the desktop app: Qt, translations, sign-in, the main window."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from desktop.i18n import _, current_language, error_text, on_language_changed, set_language


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
        Workspace.database_path(data_dir)  # say "no data here" before asking for a password
    except DomainError as error:
        QMessageBox.critical(None, "Kirjaamo", error_text(error))
        return 1
    from desktop.services import keys

    with contextlib.suppress(DomainError):  # the sign-in dialog in the language the desk was last used in
        set_language(keys.load(data_dir).get("ui_language") or current_language())
    install_qt_translations(app, current_language())

    from desktop.ui.main_window import MainWindow
    from desktop.ui.sign_in import SignInDialog

    # Signing in opens the data: an encrypted data dir is unreadable until a password unwraps its key.
    dialog = SignInDialog(username=username or "", data_dir=data_dir)
    if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.user is None or dialog.workspace is None:
        return 0
    workspace = dialog.workspace
    set_language(workspace.settings.ui_language)
    install_qt_translations(app, workspace.settings.ui_language)
    on_language_changed(lambda language: install_qt_translations(app, language))
    window = MainWindow(CaseService(workspace, dialog.user))
    window.show()
    code = app.exec()
    window.runner.shutdown()
    workspace.close()
    return code


__all__ = ["_", "run_app"]
