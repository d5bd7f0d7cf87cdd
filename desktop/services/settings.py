"""The office's settings, kept in the database so every desk of a data dir agrees."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from sqlalchemy import Connection

from desktop.domain.errors import N_, DomainError
from desktop.store.database import raw_cursor


@dataclass
class OfficeSettings:
    office_prefix: str = "KEHA"
    office_name: str = ""
    office_street: str = ""
    office_postcode: str = ""
    office_city: str = ""
    office_phone: str = ""
    office_email: str = ""
    # Letters (design §7): where a reply is picked up, when the desk is open, the logo in the header.
    office_visiting_address: str = ""  # e.g. "Hallituskatu 12–14, 50100 Mikkeli"
    office_opening_hours: str = ""  # e.g. "ma–pe klo 8.00–16.15"
    office_logo: str = ""  # path of a PNG/JPEG for the letter header; "" for none
    closing_days: list[str] = field(default_factory=list)  # ISO dates the office is closed
    ui_language: str = "fi"
    idle_lock_minutes: int = 15
    retention_years: int = 5
    registered_mail_marking: str = "KIRJATTU"
    confidentiality_marking: str = "Salassa pidettävä, JulkL 24.1 § 25 k."
    # The office in Swedish and English, for letters in those languages; empty = the Finnish value.
    office_name_sv: str = ""
    office_street_sv: str = ""
    office_city_sv: str = ""
    office_visiting_address_sv: str = ""
    office_opening_hours_sv: str = ""
    registered_mail_marking_sv: str = "REKOMMENDERAT"
    confidentiality_marking_sv: str = ""  # empty: the standard Finnish marking, given in Swedish
    office_name_en: str = ""
    office_street_en: str = ""
    office_city_en: str = ""
    office_visiting_address_en: str = ""
    office_opening_hours_en: str = ""
    registered_mail_marking_en: str = "REGISTERED"
    confidentiality_marking_en: str = ""
    device_id: str = ""
    last_user: str = ""
    attachment_limit_mb: int = 100
    # Evidence intake (issue 4): the network scanner's folder, the office's S/MIME certificate and key.
    scan_inbox_dir: str = ""
    smime_cert_path: str = ""  # PEM or DER
    smime_key_path: str = ""  # PEM or DER, without a password
    # Sync with a shared server (design §3): "" = a standalone desk.
    server_url: str = ""
    sync_interval_seconds: int = 60
    download_blobs: str = "eager"  # or "on_demand": files are fetched when first opened

    def in_language(self, name: str, language: str) -> str:
        """An office text (name, street, city, …) in a letter's language; the Finnish one when not given."""
        if language in ("sv", "en"):
            value = getattr(self, f"{name}_{language}", "")
            if str(value).strip():
                return str(value)
        return str(getattr(self, name))

    def closing_dates(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.closing_days]

    def validate(self) -> None:
        prefix = self.office_prefix.strip()
        if not prefix or not prefix.isalnum() or not prefix.isascii() or len(prefix) > 12:
            raise DomainError(N_("The diary prefix must be 1–12 letters or digits, e.g. KEHA."))
        for day in self.closing_days:
            try:
                date.fromisoformat(day)
            except ValueError:
                raise DomainError(N_("Not a date: {value}"), value=day) from None
        if self.ui_language not in ("fi", "sv", "en"):
            raise DomainError(N_("Unknown language {value}"), value=self.ui_language)
        if not 1 <= int(self.idle_lock_minutes) <= 480:
            raise DomainError(N_("The idle lock time must be between 1 and 480 minutes."))
        url = self.server_url.strip()
        if url and not url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise DomainError(
                N_("Not a server address: {url} (expected postgresql+psycopg://user@host:port/database)."),
                url=url,
            )
        if not 5 <= int(self.sync_interval_seconds) <= 86400:
            raise DomainError(N_("The sync interval must be between 5 seconds and one day."))
        if self.download_blobs not in ("eager", "on_demand"):
            raise DomainError(N_("Unknown file download mode {value}"), value=self.download_blobs)


_FIELDS = {f.name: f for f in fields(OfficeSettings)}


def load_settings(connection: Connection) -> OfficeSettings:
    cursor = raw_cursor(connection)
    values = {}
    for key, raw in cursor.execute("SELECT key, value FROM settings"):
        if key in _FIELDS:
            values[key] = json.loads(raw)
    return OfficeSettings(**values)


def save_settings(connection: Connection, settings: OfficeSettings) -> None:
    settings.validate()
    cursor = raw_cursor(connection)
    cursor.executemany(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(key, json.dumps(value, ensure_ascii=False)) for key, value in asdict(settings).items()],
    )
