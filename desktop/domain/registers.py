"""The controller's personal-data registers (fi rekisteri, sv register): the catalog that intake and letters read.

One register is one `resources/registers/<id>.toml` file (read by `desktop.services.catalog`). This module is
pure: it turns the parsed TOML (a plain dict) into frozen values and enforces the rules that hold for every
register, whoever edits it:

- every localized text has Finnish and Swedish (English is optional and falls back to Finnish);
- rights are named by the codes in `RIGHTS` (the values of `desktop.domain.model.Right`);
- erasure and objection never apply to a register processed for statutory tasks (GDPR 17(3)(b), and 21(1)
  does not cover processing under 6(1)(c)), and such a register must say why in `rights_notes`;
- the `recording` right (listening to a call recording) needs a register that holds recordings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from desktop.domain.errors import N_, DomainError

RIGHTS: tuple[str, ...] = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "consent_withdrawal",
    "recording",
)
"""Right codes, in the order of the GDPR articles (same values as `desktop.domain.model.Right`)."""

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
REQUIRED_LANGUAGES: tuple[str, ...] = ("fi", "sv")
NOT_FOR_STATUTORY: tuple[str, ...] = ("erasure", "objection")
"""Rights that do not apply when the register is processed for statutory tasks."""

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FALLBACK = ("en", "fi")

_TOP_KEYS: tuple[str, ...] = (
    "id",
    "statutory",
    "recordings",
    "name",
    "controller",
    "contact",
    "dpo",
    "purposes",
    "legal_basis",
    "data_content",
    "sources",
    "disclosures",
    "retention",
    "rights",
    "rights_notes",
)
_OPTIONAL_TOP_KEYS = frozenset({"rights_notes"})
_CONTROLLER_KEYS: tuple[str, ...] = ("name", "address", "email", "phone")
_PERSON_KEYS: tuple[str, ...] = ("name", "email")


def _check_right(right: str) -> None:
    if right not in RIGHTS:
        raise DomainError(N_("Unknown right {right}"), right=right)


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """One text in Finnish, Swedish and (optionally) English."""

    fi: str
    sv: str
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in `lang`; when that is missing or empty, English, then Finnish."""
        for candidate in (lang, *_FALLBACK):
            if candidate in LANGUAGES:
                value: str = getattr(self, candidate)
                if value:
                    return value
        return self.fi


@dataclass(frozen=True, slots=True)
class LocalizedList:
    """A list of short texts (purposes, data content) in Finnish, Swedish and (optionally) English."""

    fi: tuple[str, ...]
    sv: tuple[str, ...]
    en: tuple[str, ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        """The items in `lang`; when that list is empty, the English ones, then the Finnish ones."""
        for candidate in (lang, *_FALLBACK):
            if candidate in LANGUAGES:
                value: tuple[str, ...] = getattr(self, candidate)
                if value:
                    return value
        return self.fi


@dataclass(frozen=True, slots=True)
class Controller:
    """The controller (rekisterinpitäjä / personuppgiftsansvarig) and its contact details as in the statement."""

    name: LocalizedText
    address: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class Person:
    """A contact person or the data protection officer; either field may be empty when not published."""

    name: str
    email: str


@dataclass(frozen=True)
class Register:
    """A personal-data register of the controller, as its privacy statement describes it."""

    id: str
    statutory: bool
    recordings: bool
    name: LocalizedText
    controller: Controller
    contact: Person
    dpo: Person
    purposes: LocalizedList
    legal_basis: LocalizedText
    data_content: LocalizedList
    sources: LocalizedText
    disclosures: LocalizedText
    retention: LocalizedText
    rights: frozenset[str]
    rights_notes: Mapping[str, LocalizedText] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not _ID_PATTERN.fullmatch(self.id):
            raise DomainError(
                N_("Register id {register_id} is not valid: use lowercase letters, digits and hyphens"),
                register_id=self.id,
            )
        for right in sorted(self.rights):
            if right not in RIGHTS:
                raise DomainError(
                    N_("Register {register_id}: unknown right {right} in {key}"),
                    register_id=self.id,
                    right=right,
                    key="rights",
                )
        for right in self.rights_notes:
            if right not in RIGHTS:
                raise DomainError(
                    N_("Register {register_id}: unknown right {right} in {key}"),
                    register_id=self.id,
                    right=right,
                    key="rights_notes",
                )
        if self.statutory:
            for right in NOT_FOR_STATUTORY:
                if right in self.rights:
                    raise DomainError(
                        N_(
                            "Register {register_id}: {right} does not apply to a register processed for "
                            "statutory tasks (set rights.{right} = false)"
                        ),
                        register_id=self.id,
                        right=right,
                    )
                if right not in self.rights_notes:
                    raise DomainError(
                        N_(
                            "Register {register_id}: missing key rights_notes.{right} (a register processed "
                            "for statutory tasks must say why {right} does not apply)"
                        ),
                        register_id=self.id,
                        right=right,
                    )
        if "recording" in self.rights and not self.recordings:
            raise DomainError(
                N_("Register {register_id}: rights.recording needs recordings = true"),
                register_id=self.id,
            )
        # Read-only view, ordered like RIGHTS, so that the value cannot be changed behind the frozen dataclass.
        ordered = {right: self.rights_notes[right] for right in RIGHTS if right in self.rights_notes}
        object.__setattr__(self, "rights_notes", MappingProxyType(ordered))
        object.__setattr__(self, "rights", frozenset(self.rights))

    def applies(self, right: str) -> bool:
        """Whether the data subject has this right in this register."""
        _check_right(right)
        return right in self.rights

    def right_note(self, right: str, lang: str) -> str | None:
        """Why the right does not apply, or how it is exercised, in `lang`; None when there is no note."""
        _check_right(right)
        note = self.rights_notes.get(right)
        return None if note is None else note.get(lang)

    def applicable_rights(self) -> tuple[str, ...]:
        """The applicable right codes in the order of `RIGHTS`."""
        return tuple(right for right in RIGHTS if right in self.rights)


class _Reader:
    """Reads one register's dict, naming the register and the dotted key in every error."""

    def __init__(self, label: str) -> None:
        self.label = label

    def error(self, message: str, **params: object) -> DomainError:
        return DomainError(message, register_id=self.label, **params)  # type: ignore[arg-type]  # params are message fields

    def table(self, value: object, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(N_("Register {register_id}: {key} must be a table"), key=key)
        return value

    def keys(
        self, table: Mapping[str, Any], key: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        prefix = f"{key}." if key else ""
        for name in table:
            if name not in allowed:
                raise self.error(N_("Register {register_id}: unknown key {key}"), key=f"{prefix}{name}")
        for name in required:
            if name not in table:
                raise self.error(N_("Register {register_id}: missing key {key}"), key=f"{prefix}{name}")

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(N_("Register {register_id}: {key} must be true or false"), key=key)
        return value

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str):
            raise self.error(N_("Register {register_id}: {key} must be a text"), key=key)
        return value.strip()

    def text(self, value: object, key: str) -> LocalizedText:
        table = self.table(value, key)
        self.keys(table, key, REQUIRED_LANGUAGES, ("en",))
        texts = {lang: self.string(table.get(lang, ""), f"{key}.{lang}") for lang in LANGUAGES}
        for lang in REQUIRED_LANGUAGES:
            if not texts[lang]:
                raise self.error(N_("Register {register_id}: {key} is empty"), key=f"{key}.{lang}")
        return LocalizedText(**texts)

    def items(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(N_("Register {register_id}: {key} must be a list of texts"), key=key)
        items = tuple(self.string(item, key) for item in value)
        if any(not item for item in items):
            raise self.error(N_("Register {register_id}: {key} has an empty item"), key=key)
        return items

    def text_list(self, value: object, key: str) -> LocalizedList:
        table = self.table(value, key)
        self.keys(table, key, REQUIRED_LANGUAGES, ("en",))
        lists = {lang: self.items(table.get(lang, []), f"{key}.{lang}") for lang in LANGUAGES}
        for lang in REQUIRED_LANGUAGES:
            if not lists[lang]:
                raise self.error(N_("Register {register_id}: {key} is empty"), key=f"{key}.{lang}")
        return LocalizedList(**lists)

    def person(self, value: object, key: str) -> Person:
        table = self.table(value, key)
        self.keys(table, key, _PERSON_KEYS)
        return Person(
            name=self.string(table["name"], f"{key}.name"), email=self.string(table["email"], f"{key}.email")
        )

    def controller(self, value: object) -> Controller:
        table = self.table(value, "controller")
        self.keys(table, "controller", _CONTROLLER_KEYS)
        return Controller(
            name=self.text(table["name"], "controller.name"),
            address=self.string(table["address"], "controller.address"),
            email=self.string(table["email"], "controller.email"),
            phone=self.string(table["phone"], "controller.phone"),
        )

    def rights(self, value: object) -> frozenset[str]:
        table = self.table(value, "rights")
        for name in table:
            if name not in RIGHTS:
                raise self.error(
                    N_("Register {register_id}: unknown right {right} in {key}"),
                    right=name,
                    key=f"rights.{name}",
                )
        self.keys(table, "rights", RIGHTS)
        return frozenset(right for right in RIGHTS if self.boolean(table[right], f"rights.{right}"))

    def rights_notes(self, value: object) -> dict[str, LocalizedText]:
        table = self.table(value, "rights_notes")
        notes: dict[str, LocalizedText] = {}
        for name, note in table.items():
            if name not in RIGHTS:
                raise self.error(
                    N_("Register {register_id}: unknown right {right} in {key}"),
                    right=name,
                    key=f"rights_notes.{name}",
                )
            notes[name] = self.text(note, f"rights_notes.{name}")
        return notes


def register_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> Register:
    """Validate a parsed register file and build the `Register`.

    `source` (e.g. the file name) names the register in errors when the data has no usable id.
    Raises `DomainError` naming the register and the dotted key (e.g. `name.sv`, `rights.teleport`).
    """
    raw_id = data.get("id") if isinstance(data, Mapping) else None
    label = raw_id if isinstance(raw_id, str) and raw_id else (source or "?")
    reader = _Reader(label)
    table = reader.table(data, "(register)")
    reader.keys(table, "", (k for k in _TOP_KEYS if k not in _OPTIONAL_TOP_KEYS), _OPTIONAL_TOP_KEYS)
    register_id = reader.string(table["id"], "id")
    return Register(
        id=register_id,
        statutory=reader.boolean(table["statutory"], "statutory"),
        recordings=reader.boolean(table["recordings"], "recordings"),
        name=reader.text(table["name"], "name"),
        controller=reader.controller(table["controller"]),
        contact=reader.person(table["contact"], "contact"),
        dpo=reader.person(table["dpo"], "dpo"),
        purposes=reader.text_list(table["purposes"], "purposes"),
        legal_basis=reader.text(table["legal_basis"], "legal_basis"),
        data_content=reader.text_list(table["data_content"], "data_content"),
        sources=reader.text(table["sources"], "sources"),
        disclosures=reader.text(table["disclosures"], "disclosures"),
        retention=reader.text(table["retention"], "retention"),
        rights=reader.rights(table["rights"]),
        rights_notes=reader.rights_notes(table.get("rights_notes", {})),
    )


class RegisterCatalog:
    """The registers of the controller, ordered by id."""

    __slots__ = ("_by_id", "_registers")

    def __init__(self, registers: Iterable[Register] = ()) -> None:
        by_id: dict[str, Register] = {}
        for register in registers:
            if register.id in by_id:
                raise DomainError(N_("Duplicate register {register_id}"), register_id=register.id)
            by_id[register.id] = register
        self._registers: tuple[Register, ...] = tuple(by_id[key] for key in sorted(by_id))
        self._by_id: Mapping[str, Register] = MappingProxyType(by_id)

    def get(self, register_id: str) -> Register:
        try:
            return self._by_id[register_id]
        except KeyError:
            raise DomainError(N_("Unknown register {register_id}"), register_id=register_id) from None

    def ids(self) -> tuple[str, ...]:
        return tuple(register.id for register in self._registers)

    def __contains__(self, register_id: object) -> bool:
        return register_id in self._by_id

    def __iter__(self) -> Iterator[Register]:
        return iter(self._registers)

    def __len__(self) -> int:
        return len(self._registers)

    def __repr__(self) -> str:
        return f"RegisterCatalog({list(self.ids())!r})"
