"""Words the clerk sees for the domain's codes. Looked up at call time, so a language switch takes effect."""

from __future__ import annotations

from desktop.domain.events import Event, EventType
from desktop.i18n import _, format_date
from desktop.services.words import (  # noqa: F401 - the GUI reads every table through this module
    ATTACHMENT_KINDS,
    CHANNELS,
    DECISIONS,
    DELIVERIES,
    FIELDS,
    IDENTITY_METHODS,
    LANGUAGES,
    LETTER_KINDS,
    RIGHTS,
    RIGHTS_SHORT,
    STATUSES,
    label,
)

# Register names in the UI language, set by the view that shows a timeline (labels has no catalog).
register_names: dict[str, str] = {}


def event_sentence(event: Event, actor_name: str = "") -> str:
    """One timeline line: what happened, in words."""
    p = event.payload
    t = event.type
    if t is EventType.CASE_REGISTERED:
        return _("Registered as {diary}; due {due}").format(
            diary=p["diary_number"], due=format_date(_iso(p["due_date"]))
        )
    if t is EventType.DIARY_NUMBER_ASSIGNED:
        return _("Final diary number {diary} assigned").format(diary=p["diary_number"])
    if t is EventType.ATTACHMENT_ADDED:
        return _("Attached {name} ({kind})").format(
            name=p["filename"], kind=label(ATTACHMENT_KINDS, p["kind"])
        )
    if t is EventType.ATTACHMENT_DETACHED:
        return _("Detached {name} from the case ({reason}); the file is kept until retention ends").format(
            name=p.get("filename", ""), reason=p.get("reason", "")
        )
    if t is EventType.ATTACHMENT_RELABELLED:
        text = _("File re-labelled: {old} → {new}").format(
            old=label(ATTACHMENT_KINDS, p.get("old_kind", "")), new=label(ATTACHMENT_KINDS, p["kind"])
        )
        if p.get("filename"):
            text += f" ({p.get('old_filename', '')} → {p['filename']})"
        return text
    if t is EventType.IDENTITY_VERIFIED:
        return _("Identity verified: {method}").format(method=label(IDENTITY_METHODS, p["method"]))
    if t is EventType.CLARIFICATION_REQUESTED:
        return _("Clarification requested; the deadline is stopped: {what}").format(what=p.get("what", ""))
    if t is EventType.CLARIFICATION_RECEIVED:
        return _("Clarification received {on}; new due date {due}").format(
            on=format_date(_iso(p["on"])), due=format_date(_iso(p["due_date"]))
        )
    if t is EventType.DEADLINE_EXTENDED:
        return _("Deadline extended to {due}: {reason}").format(
            due=format_date(_iso(p["due_date"])), reason=p.get("reason", "")
        )
    if t is EventType.NOTE_ADDED:
        return _("Note: {text}").format(text=p.get("text", ""))
    if t is EventType.DECISION_RECORDED:
        text = _("Decision: {decision}").format(decision=label(DECISIONS, p["decision"]))
        if p.get("reasons"):
            text += " – " + p["reasons"]
        return text
    if t is EventType.LETTER_PRINTED:
        return _("Letter printed: {kind} ({language})").format(
            kind=label(LETTER_KINDS, p["kind"]), language=label(LANGUAGES, p.get("language", ""))
        )
    if t is EventType.REPLY_KEPT:
        return _("Reply saved without printing: {kind} ({language})").format(
            kind=label(LETTER_KINDS, p["kind"]), language=label(LANGUAGES, p.get("language", ""))
        )
    if t is EventType.DISPATCHED:
        text = _("Dispatched: {delivery}").format(delivery=label(DELIVERIES, p["delivery"]))
        if p.get("tracking_number"):
            text += f" {p['tracking_number']}"
        return text
    if t is EventType.HANDED_OVER:
        return _("Handed over at the desk; ID document seen: {document}").format(
            document=p.get("id_document", "")
        )
    if t is EventType.CASE_CLOSED:
        return _("Case closed")
    if t is EventType.FIELDS_CORRECTED:
        parts = [
            f"{label(FIELDS, path)}: {_show(change.get('old'), path)} → {_show(change.get('new'), path)}"
            for path, change in p.get("changes", {}).items()
        ]
        return _("Corrected ({reason}): {changes}").format(
            reason=p.get("reason", ""), changes="; ".join(parts)
        )
    if t is EventType.CONFLICT_RESOLVED:
        return _("Conflicting edits of {field} resolved: {value}").format(
            field=label(FIELDS, p["field"]), value=_show(p.get("value"), p["field"])
        )
    if t is EventType.CASE_PURGED:
        return _("Personal data purged after the retention period")
    return t.value


def _iso(value: str):
    from datetime import date

    return date.fromisoformat(value)


def _show(value: object, path: str = "") -> str:
    """A logged value in the clerk's words: rights, channels and languages named, dates as d.M.yyyy."""
    tables = {"right": RIGHTS, "channel": CHANNELS, "requester.language": LANGUAGES}
    if path in tables and isinstance(value, str) and value:
        return label(tables[path], value)
    if path == "received" and isinstance(value, str) and value:
        try:
            return format_date(_iso(value))
        except ValueError:
            return value
    if path == "registers" and isinstance(value, list) and register_names:
        return ", ".join(register_names.get(str(v), str(v)) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else "–"
