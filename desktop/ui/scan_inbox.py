"""Unfiled scans: the network scanner's folder, watched; each scan is previewed and filed onto a case.

A scan is filed onto an existing case (diary number or search) or starts a new request (the intake form
opens; when it is saved the scan is attached as the signed form). Secure e-mails start a request the same
way. A scan leaves the folder only after the service has stored it and verified the stored copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.accounts import Permission
from desktop.domain.model import AttachmentKind
from desktop.i18n import _, format_date
from desktop.services.cases import CaseService
from desktop.services.evidence import EmailImport, EvidenceService, Scan
from desktop.services.office import OfficeService
from desktop.ui import folders, labels, theme
from desktop.ui.attachments_panel import ERROR_STYLE, NOTE_STYLE, OK_STYLE, size_text
from desktop.ui.operations import ATTACHMENT, SETTINGS, CaseChanges, CaseOp, of_case
from desktop.ui.preview import PreviewWidget
from desktop.ui.runner import DbRunner

VISIBLE_RESCAN_MS = 3_000  # watchers miss changes on network shares; a periodic look catches them
HIDDEN_RESCAN_MS = 30_000  # only the count in the navigation needs to stay fresh


class IntakeBridge(QObject):
    """Opens the intake form prefilled; when that request is saved, hands the new case id to a callback.

    The callback is forgotten when the clerk clears the form or starts another prefill, so a scan or an
    e-mail is never attached to a request other than the one it started.
    """

    def __init__(self, intake, show_intake: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._intake = intake
        self._show_intake = show_intake
        self._pending: Callable[[str], None] | None = None
        intake.registered.connect(self._registered)
        intake.cleared.connect(self.cancel)

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def start(self, data: dict, note: str, on_registered: Callable[[str], None]) -> None:
        self._show_intake()  # may clear the form (and with it any earlier pending request)
        self._pending = None
        self._intake.clear()
        self._intake.prefill(data, note)
        self._pending = on_registered

    def read_scan(self, path: Path) -> None:
        """Recognise the scan's request form and prefill the intake form from it (desktop.ui.scan_prefill)."""
        self._intake.scan_prefill.read_file(path)

    def cancel(self) -> None:
        self._pending = None

    def _registered(self, case_id: str, _diary: str) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending(case_id)


class ScanInboxView(QWidget):
    count_changed = Signal(int)
    filed = Signal(str)  # the case id a scan or an e-mail was attached to

    def __init__(
        self,
        service: CaseService,
        runner: DbRunner,
        office: OfficeService,
        intake=None,
        show_intake: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._office = office
        self.evidence = EvidenceService(service)
        self.bridge = (
            IntakeBridge(intake, show_intake or (lambda: None), self) if intake is not None else None
        )
        self.settle_seconds = 2.0
        self.scans: list[Scan] = []
        self._listing = False
        self._shown = ""
        self._stopped = False

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setStyleSheet(theme.text_style("muted"))
        self.folder_button = QPushButton()
        self.cert_button = QPushButton()
        self.key_button = QPushButton()
        self.scan_list = QListWidget()
        self.scan_list.setMinimumWidth(260)
        self.preview = PreviewWidget(runner)
        self.holder_label = QLabel()
        self.holder_label.setWordWrap(True)
        self.holder_label.setStyleSheet(theme.text_style(NOTE_STYLE))
        self.holder_label.hide()
        self.case_label = QLabel()
        self.case_edit = QLineEdit()
        self.case_label.setBuddy(self.case_edit)
        self._suggestions = QStringListModel(self)
        completer = QCompleter(self._suggestions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.case_edit.setCompleter(completer)
        self.kind_combo = QComboBox()
        self.file_button = QPushButton()
        self.new_request_button = QPushButton()
        self.email_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.folder_button)
        folder_row.addWidget(self.cert_button)
        folder_row.addWidget(self.key_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.holder_label)
        splitter = QSplitter()
        splitter.addWidget(self.scan_list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        file_row = QHBoxLayout()
        file_row.addWidget(self.case_label)
        file_row.addWidget(self.case_edit, 2)
        file_row.addWidget(self.kind_combo, 1)
        file_row.addWidget(self.file_button)
        start_row = QHBoxLayout()
        start_row.addWidget(self.new_request_button)
        start_row.addWidget(self.email_button)
        start_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(folder_row)
        layout.addWidget(splitter, 1)
        layout.addLayout(file_row)
        layout.addLayout(start_row)
        layout.addWidget(self.message_label)
        QWidget.setTabOrder(self.scan_list, self.case_edit)
        QWidget.setTabOrder(self.case_edit, self.kind_combo)
        QWidget.setTabOrder(self.kind_combo, self.file_button)
        QWidget.setTabOrder(self.file_button, self.new_request_button)
        QWidget.setTabOrder(self.new_request_button, self.email_button)

        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _path: self._soon.start())
        self._soon = QTimer(self)  # a scanner writes in bursts: look once it pauses
        self._soon.setSingleShot(True)
        self._soon.setInterval(300)
        self._soon.timeout.connect(self.rescan)
        self._timer = QTimer(self)
        self._timer.setInterval(HIDDEN_RESCAN_MS)
        self._timer.timeout.connect(self.rescan)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._search)

        self.scan_list.currentRowChanged.connect(self._selection_changed)
        self.scan_list.itemActivated.connect(lambda _item: self.case_edit.setFocus())
        self.case_edit.textEdited.connect(lambda _text: self._search_timer.start())
        self.case_edit.returnPressed.connect(self.file_selected)
        self.file_button.clicked.connect(self.file_selected)
        self.new_request_button.clicked.connect(self.new_request_from_scan)
        self.email_button.clicked.connect(self.import_email_dialog)
        self.folder_button.clicked.connect(lambda: self._choose_setting("scan_inbox_dir"))
        self.cert_button.clicked.connect(lambda: self._choose_setting("smime_cert_path"))
        self.key_button.clicked.connect(lambda: self._choose_setting("smime_key_path"))
        self.retranslate()

    # -- watching the folder -----------------------------------------------------------------------
    def start(self) -> None:
        """Begin watching (after the window is shown)."""
        self._stopped = False
        self._timer.start()
        self.rescan()

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()
        self._soon.stop()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._timer.setInterval(VISIBLE_RESCAN_MS)
        if not self._stopped:
            self.rescan()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._timer.setInterval(HIDDEN_RESCAN_MS)

    def rescan(self) -> None:
        if self._listing or self._stopped:
            return
        inbox = self.evidence.scan_inbox(self.settle_seconds)
        self._update_folder_label()
        if inbox is None:
            self._show_scans([], None)
            return
        self._listing = True
        try:
            self._runner.run(
                lambda: inbox.scans(), lambda scans: self._show_scans(scans, inbox.folder), self._failed
            )
        except RuntimeError:  # the worker has been shut down (the window is closing)
            self._listing = False

    def _failed(self, message: str) -> None:
        self._listing = False
        self._show_message(message, ERROR_STYLE)
        self._show_scans([], None)

    def _show_scans(self, scans: list[Scan], folder: Path | None) -> None:
        self._listing = False
        watched = self.watcher.directories()
        if folder is not None and str(folder) not in watched:
            if watched:
                self.watcher.removePaths(watched)
            self.watcher.addPath(str(folder))
        elif folder is None and watched:
            self.watcher.removePaths(watched)
        before = [s.name for s in self.scans]
        changed = [(s.name, s.ready, s.size) for s in scans] != [
            (s.name, s.ready, s.size) for s in self.scans
        ]
        self.scans = scans
        if changed:
            current = self.current_scan()
            keep = current.name if current else ""
            self.scan_list.blockSignals(True)
            self.scan_list.clear()
            for scan in scans:
                self.scan_list.addItem(self._item(scan))
            self.scan_list.blockSignals(False)
            names = [s.name for s in scans]
            if keep in names:
                row = names.index(keep)
            else:
                # After filing, go on with the scan that took its place.
                old = before.index(keep) if keep in before else 0
                row = min(old, len(scans) - 1)
            if row >= 0:
                self.scan_list.setCurrentRow(row)
            self._selection_changed(self.scan_list.currentRow())
        self.count_changed.emit(len(scans))
        self._update_buttons()

    def _item(self, scan: Scan) -> QListWidgetItem:
        from datetime import datetime

        from desktop.services.clock import HELSINKI

        when = datetime.fromtimestamp(scan.modified, HELSINKI)
        text = f"{scan.name}\n{format_date(when.date())} {when:%H:%M} · {size_text(scan.size)}"
        if not scan.ready:
            text += " · " + _("still arriving…")
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, scan.name)
        return item

    def current_scan(self) -> Scan | None:
        row = self.scan_list.currentRow()
        return self.scans[row] if 0 <= row < len(self.scans) else None

    # -- preview -----------------------------------------------------------------------------------
    def _selection_changed(self, _row: int) -> None:
        scan = self.current_scan()
        self.holder_label.hide()
        self._update_buttons()
        if scan is None:
            self._shown = ""
            self.preview.clear(self._empty_text())
            return
        if not scan.ready:
            self._shown = ""
            self.preview.show_message(
                _("{name} is still being written by the scanner…").format(name=scan.name)
            )
            return
        if self._shown == scan.name and self.preview.page_count():
            return
        self._shown = scan.name
        inbox = self.evidence.scan_inbox(self.settle_seconds)
        evidence = self.evidence
        if inbox is None:
            return

        def load():
            import hashlib

            data = evidence.read_file(inbox.path_of(scan.name))
            inspection = evidence.check(data, scan.name)
            holders = evidence.cases_holding(hashlib.sha256(data).hexdigest())
            return data, inspection, holders

        def show(result) -> None:
            if self._shown != scan.name:
                return
            data, inspection, holders = result
            self.preview.show_document(data, inspection.media_type, scan.name)
            notes = []
            if inspection.warning:
                notes.append("⚠ " + _(inspection.warning))
            if holders:
                notes.append(
                    _("Already attached to {cases}: filing it again only removes it from the folder.").format(
                        cases=", ".join(holders)
                    )
                )
            self.holder_label.setText("\n".join(notes))
            self.holder_label.setVisible(bool(notes))

        self._runner.run(load, show, self.preview.show_message)

    def _empty_text(self) -> str:
        if self.evidence.scan_inbox() is None:
            return _("No scanner folder is set.")
        return _("No unfiled scans. New scans appear here as soon as the scanner saves them.")

    # -- filing ------------------------------------------------------------------------------------
    def file_selected(self) -> None:
        scan = self.current_scan()
        if scan is None or not scan.ready:
            self._show_message(_("Choose a scan that has arrived completely."), ERROR_STYLE)
            return
        text = self.case_edit.text()
        evidence = self.evidence
        kind = AttachmentKind(self.kind_combo.currentData())
        inbox = evidence.scan_inbox(self.settle_seconds)
        if inbox is None:
            return
        CaseOp(
            self._runner,
            lambda: evidence.file_scan(inbox, scan.name, evidence.find_case(text), kind),
            of_case(ATTACHMENT),
        ).busy(self.file_button).success(lambda batch: self._filed(scan.name, batch)).failure(
            self._file_failed
        ).run()

    def file_scan_onto(self, name: str, case_id: str) -> None:
        """File a scan onto a case just registered from it (the signed request form)."""
        evidence = self.evidence
        inbox = evidence.scan_inbox(self.settle_seconds)
        if inbox is None:
            return
        # No failure callback: the clerk is on the intake form, so the window shows a refusal.
        CaseOp(
            self._runner,
            lambda: evidence.file_scan(inbox, name, case_id, AttachmentKind.SIGNED_FORM),
            of_case(ATTACHMENT),
        ).success(lambda batch: self._filed(name, batch)).run()

    def _filed(self, name: str, batch) -> None:
        diary = batch.state.diary_number
        if batch.main.already_attached:
            text = _("{name} was already attached to {diary}; it has been removed from the folder.")
        else:
            text = _("Filed {name} onto {diary}.")
        self._show_message(text.format(name=name, diary=diary), OK_STYLE)
        self.case_edit.clear()
        self._shown = ""
        self.filed.emit(batch.state.id)
        self.rescan()

    def _file_failed(self, message: str) -> None:
        self._show_message(message, ERROR_STYLE)
        self._update_buttons()

    def _search(self) -> None:
        text = self.case_edit.text()
        evidence = self.evidence
        self._runner.run(
            lambda: evidence.suggest_cases(text),
            lambda rows: self._suggestions.setStringList([f"{diary} – {name}" for diary, name in rows]),
            lambda _message: None,  # a half-typed search that does not parse is not an error
        )

    # -- new requests ------------------------------------------------------------------------------
    def new_request_from_scan(self) -> None:
        scan = self.current_scan()
        if scan is None or not scan.ready or self.bridge is None:
            return
        name = scan.name
        note = _("From the scan {name}: it is attached as the signed request form when you save.").format(
            name=name
        )
        self.bridge.start(
            {"channel": "post", "signed": True}, note, lambda case_id: self.file_scan_onto(name, case_id)
        )
        inbox = self.evidence.scan_inbox(self.settle_seconds)
        if inbox is not None:
            self.bridge.read_scan(inbox.folder / name)

    def import_email_dialog(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("New request from e-mail"),
            folders.start_folder(self._service, "email"),
            _("E-mail messages (*.eml *.msg);;All files (*)"),
        )
        if path:
            folders.remember("email", path)
            self.new_request_from_email(Path(path))

    def new_request_from_email(self, path: Path) -> None:
        """Read a saved message (on the worker) and open the intake form prefilled from it."""
        self._show_message("", OK_STYLE)
        evidence = self.evidence
        self._runner.run(lambda: evidence.import_email(path), self._email_read, self._email_failed)

    def _email_failed(self, message: str) -> None:
        self._show_message(message, ERROR_STYLE)
        self._runner.error.emit(message)

    def _email_read(self, imported: EmailImport) -> None:
        if self.bridge is None:
            return
        count = len(imported.mail.attachments)
        note = _(
            "From the e-mail {name} ({count} attachments): the message and its attachments are attached when you save."
        ).format(name=imported.filename, count=count)
        if imported.mail.encrypted:
            note += " " + _("It was encrypted and has been decrypted with the office's key.")
        self.bridge.start(imported.request, note, lambda case_id: self._attach_email(case_id, imported))

    def _attach_email(self, case_id: str, imported: EmailImport) -> None:
        evidence = self.evidence
        CaseOp(self._runner, lambda: evidence.attach_email(case_id, imported), of_case(ATTACHMENT)).success(
            lambda batch: self.filed.emit(case_id)
        ).run()

    # -- settings (admins) -------------------------------------------------------------------------
    def _choose_setting(self, key: str) -> None:
        if key == "scan_inbox_dir":
            value = QFileDialog.getExistingDirectory(self, _("The scanner's folder"))
        else:
            value, _filter = QFileDialog.getOpenFileName(
                self,
                _("The office's e-mail certificate")
                if key == "smime_cert_path"
                else _("The office's e-mail key"),
                "",
                _("Certificates and keys (*.pem *.crt *.cer *.der *.key);;All files (*)"),
            )
        if value:
            self.set_setting(key, value)

    def set_setting(self, key: str, value: str) -> None:
        office = self._office

        def save():
            settings = office.settings()
            setattr(settings, key, value)
            if key != "scan_inbox_dir":
                from desktop.services.email_import import load_smime_keys

                load_smime_keys(settings.smime_cert_path, settings.smime_key_path)  # refuse unreadable files
            return office.save(settings)

        def saved(_settings) -> None:
            self._shown = ""
            self._show_message(_("Saved."), OK_STYLE)
            self.rescan()

        CaseOp(self._runner, save, CaseChanges.of([], SETTINGS)).success(saved).failure(
            lambda message: self._show_message(message, ERROR_STYLE)
        ).run()

    # -- texts -------------------------------------------------------------------------------------
    def _update_folder_label(self) -> None:
        settings = self._service.settings
        folder = getattr(settings, "scan_inbox_dir", "")
        self.folder_label.setText(
            _("Scanner folder: {path}").format(path=folder)
            if folder
            else _("No scanner folder is set. An administrator chooses it here.")
        )
        admin = self._service.user.can(Permission.MANAGE_SETTINGS)
        for button in (self.folder_button, self.cert_button, self.key_button):
            button.setVisible(admin)
        if admin:
            keys = bool(getattr(settings, "smime_cert_path", "")) and bool(
                getattr(settings, "smime_key_path", "")
            )
            self.cert_button.setToolTip(getattr(settings, "smime_cert_path", "") or _("not set"))
            self.key_button.setToolTip(getattr(settings, "smime_key_path", "") or _("not set"))
            self.key_button.setStyleSheet("" if keys else theme.text_style("warning_text"))

    def _update_buttons(self) -> None:
        scan = self.current_scan()
        ready = scan is not None and scan.ready
        self.file_button.setEnabled(ready)
        self.new_request_button.setEnabled(ready and self.bridge is not None)
        self.email_button.setEnabled(self.bridge is not None)

    def _show_message(self, text: str, style: str) -> None:
        self.message_label.setStyleSheet(theme.text_style(style))
        self.message_label.setText(text)

    def retranslate(self) -> None:
        self.heading.setText(_("Unfiled scans"))
        self.folder_button.setText(_("Choose &folder…"))
        self.cert_button.setText(_("E-mail certificate…"))
        self.key_button.setText(_("E-mail key…"))
        self.case_label.setText(_("File onto &case:"))
        self.case_edit.setPlaceholderText(_("Diary number, or search by name"))
        self.file_button.setText(_("&File onto case"))
        self.new_request_button.setText(_("New &request from this scan…"))
        self.email_button.setText(_("New request from &e-mail…"))
        current = self.kind_combo.currentData() or AttachmentKind.SIGNED_FORM.value
        self.kind_combo.clear()
        for kind in AttachmentKind:
            if kind not in (AttachmentKind.REPLY, AttachmentKind.EMAIL):
                self.kind_combo.addItem(labels.label(labels.ATTACHMENT_KINDS, kind), kind.value)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(current), 0))
        names = {
            self.scan_list: _("Unfiled scans"),
            self.case_edit: _("Case to file onto"),
            self.kind_combo: _("Attachment kind"),
            self.file_button: _("File onto case"),
            self.new_request_button: _("New request from this scan"),
            self.email_button: _("New request from e-mail"),
            self.folder_button: _("Choose the scanner folder"),
            self.cert_button: _("Choose the office's e-mail certificate"),
            self.key_button: _("Choose the office's e-mail key"),
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)
        self.preview.retranslate()
        self._update_folder_label()
        if not self.scans:
            self.preview.clear(self._empty_text())
        self._update_buttons()
