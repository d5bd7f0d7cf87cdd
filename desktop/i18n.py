"""Translations (gettext catalogs made with Babel) and locale-aware formatting, in one place.

Catalogs live in `translations/<lang>/LC_MESSAGES/kirjaamo.po`; the build compiles `.mo` files next to
them. When a `.mo` is missing or older than its `.po` (a fresh clone), the `.po` is compiled in memory,
so the app always speaks the language it was asked to.
"""

from __future__ import annotations

import gettext
import io
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from desktop.domain.errors import DomainError

LANGUAGES = ("fi", "sv", "en")
DOMAIN = "kirjaamo"
BABEL_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def _translations_dir() -> Path:
    bundled = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller bundle
    if bundled:
        return Path(bundled) / "translations"
    return Path(__file__).resolve().parents[1] / "translations"


TRANSLATIONS_DIR = _translations_dir()
_catalogs: dict[str, gettext.NullTranslations] = {}
_current = "fi"
_listeners: list[Callable[[str], None]] = []


def _load(language: str) -> gettext.NullTranslations:
    if language in _catalogs:
        return _catalogs[language]
    folder = TRANSLATIONS_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    catalog: gettext.NullTranslations
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as handle:
            catalog = gettext.GNUTranslations(handle)
    elif po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with open(po, "rb") as handle:
            messages = read_po(handle, locale=BABEL_LOCALES.get(language, language))
        buffer = io.BytesIO()
        write_mo(buffer, messages, use_fuzzy=False)
        buffer.seek(0)
        catalog = gettext.GNUTranslations(buffer)
    else:
        catalog = gettext.NullTranslations()
    _catalogs[language] = catalog
    return catalog


def set_language(language: str) -> None:
    """Switch the language of everything translated from now on, and tell the listeners (the GUI)."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(language)
    _current = language
    for listener in list(_listeners):
        listener(language)


def current_language() -> str:
    return _current


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def off_language_changed(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _(message: str) -> str:
    return _load(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _load(_current).ngettext(singular, plural, n)


def translate_in(language: str, message: str) -> str:
    """The message in a given language (letters speak the requester's language, not the clerk's)."""
    return _load(language).gettext(message)


def N_(message: str) -> str:
    return message


def error_text(error: DomainError, language: str | None = None) -> str:
    """A domain error as one translated sentence."""
    if error.plural:
        template = _load(language or _current).ngettext(error.message, error.plural, error.count)
    else:
        template = translate_in(language or _current, error.message)
    from desktop.domain.text import printable

    params = {
        k: (translate_in(language or _current, v) if isinstance(v, str) and k == "what" else v)
        for k, v in error.params.items()
    }
    params = {k: printable(v) if isinstance(v, str) else v for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return printable(str(error))


def format_date(value: date | None, language: str | None = None) -> str:
    """Dates as Finnish authorities write them, d.M.yyyy, whatever the language."""
    if value is None:
        return ""
    return f"{value.day}.{value.month}.{value.year}"


def format_number(value: float, language: str | None = None) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=BABEL_LOCALES[language or _current])
