"""What a purge leaves of a case's events: the shape the tombstone needs, nothing about the person.

Folding the redacted events gives the same tombstone as folding the originals (`events._tombstone` keeps
diary number, dates, right, channel, registers, outcome, letters, delivery and the requester's language),
so desks that saw the originals and desks that only ever see the redacted log converge.
"""

from __future__ import annotations

from dataclasses import replace

from desktop.domain.events import Event, EventType

# Payload keys holding personal data (or free text that may), per event type.
_PERSONAL_KEYS: dict[EventType, tuple[str, ...]] = {
    EventType.CASE_REGISTERED: ("details",),
    EventType.ATTACHMENT_ADDED: ("filename", "warning"),
    EventType.ATTACHMENT_DETACHED: ("filename", "reason"),
    EventType.ATTACHMENT_RELABELLED: ("filename", "old_filename"),
    EventType.IDENTITY_VERIFIED: ("document",),
    EventType.CLARIFICATION_REQUESTED: ("what",),
    EventType.DEADLINE_EXTENDED: ("reason",),
    EventType.NOTE_ADDED: ("text",),
    EventType.DECISION_RECORDED: ("reasons",),
    EventType.DISPATCHED: ("tracking_number",),
    EventType.HANDED_OVER: ("id_document",),
    EventType.FIELDS_CORRECTED: ("reason",),
}
# Correctable fields the tombstone keeps; every other one is blanked in corrections and resolutions.
_KEPT_FIELDS = frozenset({"requester.language", "signed", "channel", "right", "received", "registers"})


def _blank(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return []
    return ""


def _requester(data: dict[str, object]) -> dict[str, object]:
    return {"name": "", "language": data.get("language") or "fi", "address": {}}


def redact(event: Event) -> Event:
    """The event with the person's data removed (the same event when nothing personal is in it)."""
    payload = dict(event.payload)
    for key in _PERSONAL_KEYS.get(event.type, ()):
        if key in payload:
            payload[key] = _blank(payload[key])
    if event.type is EventType.CASE_REGISTERED and "requester" in payload:
        payload["requester"] = _requester(payload["requester"])
    if event.type is EventType.FIELDS_CORRECTED:
        payload["changes"] = {
            path: change
            if path in _KEPT_FIELDS
            else {"old": _blank(change.get("old")), "new": _blank(change.get("new"))}
            for path, change in payload.get("changes", {}).items()
        }
    if event.type is EventType.CONFLICT_RESOLVED and payload.get("field") not in _KEPT_FIELDS:
        payload["value"] = _blank(payload.get("value"))
    return event if payload == event.payload else replace(event, payload=payload)


def referenced_blobs(events: list[Event]) -> set[str]:
    """The files a case's events point to (attachments, printed letters)."""
    return {
        e.payload["sha256"]
        for e in events
        if e.type in (EventType.ATTACHMENT_ADDED, EventType.LETTER_PRINTED) and e.payload.get("sha256")
    }
