"""A case's attachments: the list, attaching (file dialog, drag and drop, pasted path) and the preview."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt
from PySide6.QtGui import QBrush, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.model import Attachment, AttachmentKind, CaseState
from desktop.i18n import _, error_text, format_date
from desktop.services.cases import CaseService
from desktop.services.email_import import EncryptedEmail
from desktop.services.evidence import EMAIL_TYPES, AttachBatch, EvidenceService
from desktop.ui import action_dialogs, folders, labels, theme
from desktop.ui.operations import ATTACHMENT, CaseChanges, CaseOp
from desktop.ui.preview import PreviewWidget
from desktop.ui.runner import DbRunner

FILE_FILTER_PATTERNS = "*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.eml *.msg"


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files in dropped or pasted data: file URLs, or lines of text that are paths."""
    if mime.hasUrls():  # (Qt also offers URLs as text: only local files count)
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    if not mime.hasText():
        return []
    paths = []
    for line in mime.text().splitlines():
        text = line.strip().strip('"').strip("'")
        if text.startswith("file://"):
            text = unquote(urlparse(text).path)
        if text:
            paths.append(Path(text).expanduser())
    return paths


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{size} MB").format(size=f"{size / (1024 * 1024):.1f}".replace(".", ","))
    return _("{size} kB").format(size=max(1, (size + 1023) // 1024))


# Message kinds: the colour of each comes from the theme.
OK_STYLE = "ok"
NOTE_STYLE = "warning_text"
ERROR_STYLE = "error"


class AttachmentsPanel(QGroupBox):
    """The attachments of the case shown; attaching goes through the operations door (the case view reloads)."""

    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.evidence = EvidenceService(service)
        self.state: CaseState | None = None
        self._shown_sha = ""  # the attachment in the preview
        self._select_sha = ""  # the one to select at the next refresh (the file just attached)
        self._attach_refused: DomainError | None = None

        self.attachments_list = QListWidget()
        self.attachments_list.setAlternatingRowColors(True)
        self.attachments_list.setMaximumHeight(120)  # the room goes to the preview
        self.attach_kind = QComboBox()
        self.attach_button = QPushButton()
        self.detach_button = QPushButton()
        self.relabel_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.preview = PreviewWidget(runner)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.attachments_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.attach_kind, 1)
        row.addWidget(self.attach_button)
        row.addWidget(self.relabel_button)
        row.addWidget(self.detach_button)
        top_layout.addLayout(row)
        top_layout.addWidget(self.message_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self.attach_button.clicked.connect(self.choose_files)
        self.detach_button.clicked.connect(lambda: self._file_dialog(action_dialogs.detach_dialog))
        self.relabel_button.clicked.connect(lambda: self._file_dialog(action_dialogs.relabel_dialog))
        self.attachments_list.currentRowChanged.connect(self._selection_changed)
        self.attachments_list.itemActivated.connect(lambda _item: self.preview.open_externally())
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Paste),
            self,
            self.paste,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.setAcceptDrops(True)
        self.retranslate()

    # -- the list ----------------------------------------------------------------------------------
    def set_state(self, state: CaseState | None, attach_refused: DomainError | None = None) -> None:
        """Show the attachments of `state`; the selection (and its preview) stays when it still exists.

        `attach_refused`: why the service would refuse an attachment now (from `allowed_actions`), or None.
        """
        self._attach_refused = attach_refused
        same_case = self.state is not None and state is not None and self.state.id == state.id
        self.state = state
        keep = self._select_sha or (self._shown_sha if same_case else "")
        self._select_sha = ""
        self.attachments_list.blockSignals(True)
        self.attachments_list.clear()
        for attachment in state.attachments if state else ():
            self.attachments_list.addItem(self._item(attachment))
        self.attachments_list.blockSignals(False)
        if not same_case:
            self._clear_message()
        attachments = state.attachments if state else ()
        row = next((i for i, a in enumerate(attachments) if a.sha256 == keep), 0 if attachments else -1)
        if row >= 0:
            self.attachments_list.setCurrentRow(row)
            if attachments[row].sha256 != self._shown_sha or not same_case:
                self._selection_changed(row)
        else:
            self._shown_sha = ""
            self.preview.clear(_("No files yet. Drop a scan or an e-mail here, or paste its path (Ctrl+V)."))
        self.attach_button.setEnabled(state is not None and attach_refused is None)
        for button in (self.detach_button, self.relabel_button):
            button.setEnabled(state is not None and attach_refused is None and bool(attachments))
        self.attach_button.setToolTip(
            error_text(attach_refused)
            if attach_refused is not None
            else _("Or drop files on the case, or paste a file path with Ctrl+V.")
        )

    def _item(self, attachment: Attachment) -> QListWidgetItem:
        text = f"{attachment.filename} – {labels.label(labels.ATTACHMENT_KINDS, attachment.kind)} – {size_text(attachment.size)}"
        if attachment.warning:
            text += " ⚠"
        item = QListWidgetItem(text)
        from desktop.services.clock import HELSINKI

        added = attachment.added_at.astimezone(HELSINKI)
        tip = [
            _("Added {date} {time} by {user}").format(
                date=format_date(added.date()), time=f"{added:%H:%M}", user=attachment.added_by
            ),
            f"{attachment.media_type} · SHA-256 {attachment.sha256}",
        ]
        if attachment.warning:
            tip.insert(0, "⚠ " + _(attachment.warning))
            item.setForeground(QBrush(theme.color("warning_text")))
        item.setToolTip("\n".join(tip))
        item.setData(Qt.ItemDataRole.UserRole, attachment.sha256)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace(" ⚠", " " + _("warning")))
        return item

    def current_attachment(self) -> Attachment | None:
        row = self.attachments_list.currentRow()
        if self.state is None or not 0 <= row < len(self.state.attachments):
            return None
        return self.state.attachments[row]

    def _selection_changed(self, _row: int) -> None:
        attachment = self.current_attachment()
        if attachment is None:
            return
        self._shown_sha = attachment.sha256
        self.preview.show_message(_("Opening {name}…").format(name=attachment.filename))
        evidence = self.evidence
        case_id = self.state.id if self.state is not None else ""

        def load():
            data = evidence.read(attachment.sha256, case_id)  # hash verified, logged for this case
            mail, note = None, ""
            if attachment.media_type in EMAIL_TYPES:
                try:
                    mail = evidence.parse_email(data, attachment.filename)  # read (and logged) once
                except EncryptedEmail as error:
                    note = error_text(error)
                except Exception:
                    note = _("The message could not be read; open it in the system viewer.")
            return data, mail, note

        def show(result) -> None:
            if self._shown_sha != attachment.sha256:
                return  # the clerk has moved on
            data, mail, note = result
            self.preview.show_document(data, attachment.media_type, attachment.filename, mail, note)
            if attachment.warning:
                self._show_message(_(attachment.warning), NOTE_STYLE)

        self._runner.run(load, show, self.preview.show_message)

    # -- attaching ---------------------------------------------------------------------------------
    def choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self,
            _("Attach file"),
            folders.start_folder(self._service),
            _("Documents ({patterns});;All files (*)").format(patterns=FILE_FILTER_PATTERNS),
        )
        if names:
            folders.remember("files", names[0])
            self.attach_paths([Path(n) for n in names])

    def paste(self) -> None:
        """Ctrl+V: files copied in the file manager, or a path copied as text."""
        mime = QGuiApplication.clipboard().mimeData()
        paths = local_paths(mime) if mime is not None else []
        if not paths:
            self._show_message(_("The clipboard holds no file or file path to attach."), ERROR_STYLE)
            return
        self.attach_paths(paths)

    def attach_paths(self, paths: list[Path], kind: AttachmentKind | None = None) -> None:
        """Attach files on the worker, one after another; each is checked fully before it is stored."""
        state = self.state
        if state is None or not paths:
            return
        kind = kind or AttachmentKind(self.attach_kind.currentData())
        evidence = self.evidence
        self._clear_message()

        def attach_all():
            results: list[tuple[Path, AttachBatch | str]] = []
            for path in paths:
                try:
                    results.append((path, evidence.attach_file(state.id, path, kind)))
                except DomainError as error:  # one refused file does not stop the others
                    results.append((path, error_text(error)))
            return results

        def changes(results) -> CaseChanges:
            attached = any(not isinstance(outcome, str) for _path, outcome in results)
            return CaseChanges.of([state.id] if attached else [], ATTACHMENT)

        CaseOp(self._runner, attach_all, changes).success(self._attached).failure(
            lambda message: self._show_message(message, ERROR_STYLE)
        ).run()

    def _attached(self, results) -> None:
        lines, worst = [], OK_STYLE
        newest = ""
        for _path, outcome in results:
            if isinstance(outcome, str):
                lines.append(outcome)
                worst = ERROR_STYLE
                continue
            main = outcome.main
            if main.already_attached:
                lines.append(_("{name} is already attached to this case.").format(name=main.filename))
                worst = worst if worst == ERROR_STYLE else NOTE_STYLE
            else:
                lines.append(_("Attached {name}.").format(name=main.filename))
                newest = main.sha256
            if main.warning:
                lines.append("⚠ " + _(main.warning))
                worst = worst if worst == ERROR_STYLE else NOTE_STYLE
            extracted = [f for f in outcome.files[1:] if not f.already_attached]
            if extracted:
                lines.append(
                    _("From the message: {names}.").format(names=", ".join(f.filename for f in extracted))
                )
            for name, reason in outcome.skipped:
                lines.append(
                    _("Not attached separately: {name} ({reason})").format(
                        name=name, reason=error_text(reason)
                    )
                )
            lines.extend(_(note) for note in outcome.notes)
        self._show_message("\n".join(lines), worst)
        if newest:
            self._select_sha = newest  # show what was just added

    # -- drag and drop on the panel and on the case view ---------------------------------------------
    def accept_drops_on(self, widget: QWidget) -> None:
        """Let files dropped anywhere on `widget` (the case view) be attached here."""
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            paths = local_paths(event.mimeData()) if self.state is not None else []
            if not paths:
                event.ignore()  # links, text, files from another program's memory: not ours to take
                return True
            event.acceptProposedAction()
            if kind == QEvent.Type.Drop:
                self.attach_paths(paths)
            return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event) -> None:
        self.eventFilter(self, event)

    def dragMoveEvent(self, event) -> None:
        self.eventFilter(self, event)

    def dropEvent(self, event) -> None:
        self.eventFilter(self, event)

    # -- messages and texts --------------------------------------------------------------------------
    def _show_message(self, text: str, style: str) -> None:
        self.message_label.setStyleSheet(theme.text_style(style))
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _file_dialog(self, factory) -> None:
        """Detach or re-label the selected file: a logged event, through the dialog's one service call."""
        attachment = self.current_attachment()
        if self.state is None or attachment is None:
            return
        dialog = factory(self._service, self._runner, self.state, attachment.sha256, self)
        self.current_dialog = dialog
        dialog.open()

    def _clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.hide()

    def retranslate(self) -> None:
        self.setTitle(_("Attachments"))
        self.attachments_list.setAccessibleName(_("Attachments"))
        self.attach_button.setText(_("&Attach file…"))
        self.attach_button.setAccessibleName(_("Attach file"))
        self.detach_button.setText(_("De&tach…"))
        self.detach_button.setAccessibleName(_("Detach the selected file"))
        self.relabel_button.setText(_("Chan&ge label…"))
        self.relabel_button.setAccessibleName(_("Change the selected file's label"))
        self.attach_button.setToolTip(_("Or drop files on the case, or paste a file path with Ctrl+V."))
        current = self.attach_kind.currentData()
        self.attach_kind.clear()
        for kind in AttachmentKind:
            if kind is not AttachmentKind.REPLY:
                self.attach_kind.addItem(labels.label(labels.ATTACHMENT_KINDS, kind), kind.value)
        self.attach_kind.setCurrentIndex(max(self.attach_kind.findData(current), 0))
        self.attach_kind.setAccessibleName(_("Attachment kind"))
        self.preview.retranslate()
        if self.state is not None:
            self.set_state(self.state, self._attach_refused)
