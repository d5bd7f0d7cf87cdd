"""The case timeline in words: one sentence per event, in the GUI's language or a document's.

The case view shows these lines and the case dossier prints them, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from desktop.domain.events import Event, EventType
from desktop.i18n import _, format_date, translate_in
from desktop.services.words import (
    ATTACHMENT_KINDS,
    DECISIONS,
    DELIVERIES,
    FIELDS,
    IDENTITY_METHODS,
    LANGUAGES,
    LETTER_KINDS,
)

Translate = Callable[[str], str]


def translator(language: str | None = None) -> Translate:
    """`_` for the current language, or a function translating into `language`."""
    if language is None:
        return _
    return lambda message: translate_in(language, message)


def word(table: dict, code: object, tr: Translate = _) -> str:
    """The translated word for a code (or the code itself when unknown)."""
    for key, message in table.items():
        if key == code or getattr(key, "value", None) == code:
            return tr(message)
    return str(code or "")


def _iso(value: str) -> date:
    return date.fromisoformat(value)


def _show(value: object, tr: Translate) -> str:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else "–"


def event_sentence(event: Event, tr: Translate = _) -> str:
    """One timeline line: what happened, in words."""
    p = event.payload
    t = event.type
    if t is EventType.CASE_REGISTERED:
        return tr("Registered as {diary}; due {due}").format(
            diary=p["diary_number"], due=format_date(_iso(p["due_date"]))
        )
    if t is EventType.DIARY_NUMBER_ASSIGNED:
        return tr("Final diary number {diary} assigned").format(diary=p["diary_number"])
    if t is EventType.ATTACHMENT_ADDED:
        return tr("Attached {name} ({kind})").format(
            name=p["filename"], kind=word(ATTACHMENT_KINDS, p["kind"], tr)
        )
    if t is EventType.ATTACHMENT_DETACHED:
        return tr("Detached {name} from the case ({reason}); the file is kept until retention ends").format(
            name=p.get("filename", ""), reason=p.get("reason", "")
        )
    if t is EventType.ATTACHMENT_RELABELLED:
        text = tr("File re-labelled: {old} → {new}").format(
            old=word(ATTACHMENT_KINDS, p.get("old_kind", ""), tr), new=word(ATTACHMENT_KINDS, p["kind"], tr)
        )
        if p.get("filename"):
            text += f" ({p.get('old_filename', '')} → {p['filename']})"
        return text
    if t is EventType.IDENTITY_VERIFIED:
        return tr("Identity verified: {method}").format(method=word(IDENTITY_METHODS, p["method"], tr))
    if t is EventType.CLARIFICATION_REQUESTED:
        return tr("Clarification requested; the deadline is stopped: {what}").format(what=p.get("what", ""))
    if t is EventType.CLARIFICATION_RECEIVED:
        return tr("Clarification received {on}; new due date {due}").format(
            on=format_date(_iso(p["on"])), due=format_date(_iso(p["due_date"]))
        )
    if t is EventType.DEADLINE_EXTENDED:
        return tr("Deadline extended to {due}: {reason}").format(
            due=format_date(_iso(p["due_date"])), reason=p.get("reason", "")
        )
    if t is EventType.NOTE_ADDED:
        return tr("Note: {text}").format(text=p.get("text", ""))
    if t is EventType.DECISION_RECORDED:
        text = tr("Decision: {decision}").format(decision=word(DECISIONS, p["decision"], tr))
        if p.get("reasons"):
            text += " – " + p["reasons"]
        return text
    if t is EventType.LETTER_PRINTED:
        return tr("Letter printed: {kind} ({language})").format(
            kind=word(LETTER_KINDS, p["kind"], tr), language=word(LANGUAGES, p.get("language", ""), tr)
        )
    if t is EventType.REPLY_KEPT:
        return tr("Reply saved without printing: {kind} ({language})").format(
            kind=word(LETTER_KINDS, p["kind"], tr), language=word(LANGUAGES, p.get("language", ""), tr)
        )
    if t is EventType.DISPATCHED:
        text = tr("Dispatched: {delivery}").format(delivery=word(DELIVERIES, p["delivery"], tr))
        if p.get("tracking_number"):
            text += f" {p['tracking_number']}"
        return text
    if t is EventType.HANDED_OVER:
        return tr("Handed over at the desk; ID document seen: {document}").format(
            document=p.get("id_document", "")
        )
    if t is EventType.CASE_CLOSED:
        return tr("Case closed")
    if t is EventType.FIELDS_CORRECTED:
        parts = [
            f"{word(FIELDS, path, tr)}: {_show(change.get('old'), tr)} → {_show(change.get('new'), tr)}"
            for path, change in p.get("changes", {}).items()
        ]
        return tr("Corrected ({reason}): {changes}").format(
            reason=p.get("reason", ""), changes="; ".join(parts)
        )
    if t is EventType.CONFLICT_RESOLVED:
        return tr("Conflicting edits of {field} resolved: {value}").format(
            field=word(FIELDS, p["field"], tr), value=_show(p.get("value"), tr)
        )
    if t is EventType.CASE_PURGED:
        return tr("Personal data purged after the retention period")
    return t.value


__all__ = ["Translate", "event_sentence", "translator", "word"]
