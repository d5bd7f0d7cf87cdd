"""Settings: the office profile (admins), the UI language and the idle lock (everyone sees them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.accounts import Permission
from desktop.domain.errors import N_, DomainError
from desktop.i18n import _, error_text, format_date
from desktop.services.office import OfficeService
from desktop.ui import fit, theme
from desktop.ui.operations import SETTINGS, CaseChanges, CaseOp
from desktop.ui.runner import DbRunner

TRANSLATED_FIELDS = tuple(
    f"{name}_{language}"
    for language in ("sv", "en")
    for name in ("office_name", "office_street", "office_city")
)
LANGUAGE_NAMES = (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English"))


class SettingsView(QWidget):
    language_chosen = Signal(str)
    saved = Signal()

    def __init__(self, office: OfficeService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._office = office
        self._runner = runner
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.language_combo = QComboBox()
        for code, name in LANGUAGE_NAMES:  # each language in its own name: findable whatever the UI speaks
            self.language_combo.addItem(name, code)
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 480)
        self.name_edit = QLineEdit()
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setMaxLength(12)
        self.street_edit = QLineEdit()
        self.postcode_edit = QLineEdit()
        self.city_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.closing_edit = QPlainTextEdit()
        self.closing_edit.setTabChangesFocus(True)
        self.closing_edit.setMaximumHeight(90)
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(1, 50)
        self.save_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        self.personal_box = QGroupBox()
        personal = QFormLayout(self.personal_box)
        self._personal_labels = [QLabel()]
        for label, widget in zip(self._personal_labels, (self.language_combo,), strict=True):
            label.setBuddy(widget)
            personal.addRow(label, widget)
        self.office_box = QGroupBox()
        office_form = QFormLayout(self.office_box)
        self._office_labels = [QLabel() for _ in range(8)]
        widgets = (
            self.name_edit,
            self.prefix_edit,
            self.street_edit,
            self.postcode_edit,
            self.city_edit,
            self.phone_edit,
            self.email_edit,
            self.closing_edit,
        )
        for label, widget in zip(self._office_labels, widgets, strict=True):
            label.setBuddy(widget)
            office_form.addRow(label, widget)
        self._retention_label = QLabel()
        self._retention_label.setBuddy(self.retention_spin)
        office_form.addRow(self._retention_label, self.retention_spin)
        self._idle_label = QLabel()
        self._idle_label.setBuddy(self.idle_spin)
        office_form.addRow(self._idle_label, self.idle_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.save_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        fit.scroll_page(self, content)
        layout.addWidget(self.heading)
        layout.addWidget(self.personal_box)
        layout.addWidget(self.office_box)
        # The office in Swedish and English: the sender block and footer of letters in those languages.
        self.languages_box = QGroupBox()
        languages_form = QFormLayout(self.languages_box)
        self.translated_edits: dict[str, QLineEdit] = {}
        self._translated_labels: dict[str, QLabel] = {}
        for key in TRANSLATED_FIELDS:
            edit = QLineEdit()
            label = QLabel()
            label.setBuddy(edit)
            languages_form.addRow(label, edit)
            self.translated_edits[key] = edit
            self._translated_labels[key] = label
        layout.addWidget(self.languages_box)
        self.server_box = ServerSettingsBox(office, runner)
        self.server_box.saved.connect(self.saved)
        layout.addWidget(self.server_box)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.language_combo.currentIndexChanged.connect(self._language_changed)
        self.save_button.clicked.connect(self.save)
        self.load()
        self.retranslate()

    def load(self) -> None:
        s = self._office.settings()
        self.language_combo.blockSignals(True)
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(s.ui_language), 0))
        self.language_combo.blockSignals(False)
        self.idle_spin.setValue(s.idle_lock_minutes)
        self.name_edit.setText(s.office_name)
        self.prefix_edit.setText(s.office_prefix)
        self.street_edit.setText(s.office_street)
        self.postcode_edit.setText(s.office_postcode)
        self.city_edit.setText(s.office_city)
        self.phone_edit.setText(s.office_phone)
        self.email_edit.setText(s.office_email)
        self.closing_edit.setPlainText("\n".join(format_date(d) for d in s.closing_dates()))
        self.retention_spin.setValue(s.retention_years)
        for key, edit in self.translated_edits.items():
            edit.setText(getattr(s, key))
            edit.setEnabled(self._office.user.can(Permission.MANAGE_SETTINGS))
        admin = self._office.user.can(Permission.MANAGE_SETTINGS)
        for widget in (
            self.name_edit,
            self.prefix_edit,
            self.street_edit,
            self.postcode_edit,
            self.city_edit,
            self.phone_edit,
            self.email_edit,
            self.closing_edit,
            self.retention_spin,
            self.idle_spin,
        ):
            widget.setEnabled(admin)

    def retranslate(self) -> None:
        if hasattr(self, "server_box"):
            self.server_box.retranslate()
        self.heading.setText(_("Settings"))
        self.personal_box.setTitle(_("Your workstation"))
        self.office_box.setTitle(_("Office profile (administrators)"))
        self._personal_labels[0].setText(_("&Language:"))
        self._idle_label.setText(_("&Lock after idle minutes:"))
        texts = (
            _("Office &name:"),
            _("&Diary prefix:"),
            _("&Street address:"),
            _("&Postcode:"),
            _("Post &office:"),
            _("P&hone:"),
            _("&E-mail:"),
            _("&Closing days (d.M.yyyy, one per line):"),
        )
        for label, text in zip(self._office_labels, texts, strict=True):
            label.setText(text)
        self._retention_label.setText(_("&Retention of closed cases (years):"))
        self.languages_box.setTitle(_("The office in Swedish and English (letters in those languages)"))
        captions = {
            "office_name": _("Office name"),
            "office_street": _("Street address"),
            "office_city": _("Post office"),
        }
        languages = {"sv": _("in Swedish"), "en": _("in English")}
        for key, label in self._translated_labels.items():
            field, language = key.rsplit("_", 1)
            caption = f"{captions[field]} {languages[language]}"
            label.setText(caption + ":")
            self.translated_edits[key].setAccessibleName(caption)
            self.translated_edits[key].setPlaceholderText(_("Empty: as in Finnish"))
        self.save_button.setText(_("&Save settings"))
        names = {
            self.language_combo: _("Language"),
            self.idle_spin: _("Lock after idle minutes"),
            self.name_edit: _("Office name"),
            self.prefix_edit: _("Diary prefix"),
            self.street_edit: _("Street address"),
            self.postcode_edit: _("Postcode"),
            self.city_edit: _("Post office"),
            self.phone_edit: _("Phone"),
            self.email_edit: _("E-mail"),
            self.closing_edit: _("Closing days"),
            self.retention_spin: _("Retention"),
            self.save_button: _("Save settings"),
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)

    def _language_changed(self) -> None:
        language = self.language_combo.currentData()
        CaseOp(
            self._runner, lambda: self._office.set_ui_language(language), CaseChanges.of([], SETTINGS)
        ).run()
        self.language_chosen.emit(language)

    def _closing_days(self) -> list[str]:
        days = []
        for line in self.closing_edit.toPlainText().replace(",", "\n").splitlines():
            text = line.strip()
            if not text:
                continue
            try:
                day, month, year = (int(part) for part in text.split("."))
                days.append(date(year, month, day).isoformat())
            except ValueError:
                raise DomainError(N_("Not a date: {value}"), value=text) from None
        return sorted(set(days))

    def save(self) -> None:
        self.message_label.clear()
        try:
            closing = self._closing_days()
        except DomainError as error:
            self._failed(error_text(error))
            return
        current = self._office.settings()
        if self._office.user.can(Permission.MANAGE_SETTINGS):
            settings = replace(
                current,
                office_name=self.name_edit.text().strip(),
                office_prefix=self.prefix_edit.text().strip().upper(),
                office_street=self.street_edit.text().strip(),
                office_postcode=self.postcode_edit.text().strip(),
                office_city=self.city_edit.text().strip().upper(),
                office_phone=self.phone_edit.text().strip(),
                office_email=self.email_edit.text().strip(),
                closing_days=closing,
                retention_years=self.retention_spin.value(),
                idle_lock_minutes=self.idle_spin.value(),
                **{
                    key: (
                        edit.text().strip().upper() if key.startswith("office_city") else edit.text().strip()
                    )
                    for key, edit in self.translated_edits.items()
                },
            )
            CaseOp(self._runner, lambda: self._office.save(settings), CaseChanges.of([], SETTINGS)).busy(
                self.save_button
            ).success(self._saved).failure(self._failed).run()
        else:
            self._saved(None)

    def _saved(self, _result) -> None:
        self.message_label.setStyleSheet(theme.text_style("ok"))
        self.message_label.setText(_("Settings saved."))
        self.saved.emit()

    def _failed(self, message: str) -> None:
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.message_label.setText(message)


class ServerSettingsBox(QGroupBox):
    """The shared server this desk syncs with (administrators): address, interval, test, connect."""

    saved = Signal()

    def __init__(self, office: OfficeService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._office = office
        self._runner = runner
        self.url_edit = QLineEdit(office.settings().server_url)
        self.url_edit.setPlaceholderText("postgresql+psycopg://kirjaamo_workstation@server:5432/kirjaamo")
        self.interval_spin = QSpinBox()
        self.interval_spin.setRange(5, 86400)
        self.interval_spin.setValue(office.settings().sync_interval_seconds)
        self.download_combo = QComboBox()
        self.test_button = QPushButton()
        self.connect_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        form = QFormLayout(self)
        self._labels = [QLabel(), QLabel(), QLabel()]
        for label, widget in zip(
            self._labels, (self.url_edit, self.interval_spin, self.download_combo), strict=True
        ):
            label.setBuddy(widget)
            form.addRow(label, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.connect_button)
        form.addRow(buttons)
        admin = office.user.can(Permission.MANAGE_SETTINGS)
        for widget in (
            self.url_edit,
            self.interval_spin,
            self.download_combo,
            self.test_button,
            self.connect_button,
        ):
            widget.setEnabled(admin)
        self.test_button.clicked.connect(self.test_connection)
        self.connect_button.clicked.connect(self.connect_server)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Shared server (administrators)"))
        texts = (_("Server &address:"), _("Sync e&very (seconds):"), _("&Files from other desks:"))
        for label, text in zip(self._labels, texts, strict=True):
            label.setText(text)
        current = self.download_combo.currentData() or self._office.settings().download_blobs
        self.download_combo.clear()
        self.download_combo.addItem(_("Download at once"), "eager")
        self.download_combo.addItem(_("Download when opened"), "on_demand")
        self.download_combo.setCurrentIndex(max(self.download_combo.findData(current), 0))
        self.test_button.setText(_("&Test connection"))
        self.connect_button.setText(_("Co&nnect"))
        for widget, name in (
            (self.url_edit, _("Server address")),
            (self.interval_spin, _("Sync interval")),
            (self.download_combo, _("Files from other desks")),
            (self.test_button, _("Test connection")),
            (self.connect_button, _("Connect")),
        ):
            widget.setAccessibleName(name)

    def _sync(self):
        # Made when used: the sync service brings the PostgreSQL driver, which a standalone desk never needs.
        return self._office.sync_service()

    def _show(self, ok: bool, text: str) -> None:
        self.message_label.setStyleSheet(theme.text_style("ok" if ok else "error"))
        self.message_label.setText(text)

    def test_connection(self) -> None:
        url = self.url_edit.text().strip()
        self._show(True, _("Connecting…"))
        self._runner.run(
            lambda: self._sync().test_connection(url),
            lambda problem: self._show(
                problem is None, problem or _("The server answers; this desk can sync.")
            ),
        )

    def connect_server(self) -> None:
        url = self.url_edit.text().strip()
        interval = self.interval_spin.value()
        mode = self.download_combo.currentData()

        def done(_result) -> None:
            self._show(
                True,
                _("Saved. This desk syncs with the server.") if url else _("Saved. This desk works alone."),
            )
            self.saved.emit()

        CaseOp(
            self._runner, lambda: self._sync().set_server(url, interval, mode), CaseChanges.of([], SETTINGS)
        ).busy(self.connect_button).success(done).failure(lambda message: self._show(False, message)).run()
