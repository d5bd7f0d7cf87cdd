"""Words the clerk sees for the domain's codes. Looked up at call time, so a language switch takes effect."""

from __future__ import annotations

from desktop.domain.events import Event, EventType
from desktop.domain.model import (
    AttachmentKind,
    Channel,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    LetterKind,
    Right,
    Status,
)
from desktop.i18n import N_, _, format_date

RIGHTS = {
    Right.ACCESS: N_("Access to data (Art. 15)"),
    Right.RECTIFICATION: N_("Rectification (Art. 16)"),
    Right.ERASURE: N_("Erasure (Art. 17)"),
    Right.RESTRICTION: N_("Restriction of processing (Art. 18)"),
    Right.OBJECTION: N_("Objection (Art. 21)"),
    Right.CONSENT_WITHDRAWAL: N_("Withdrawal of consent"),
    Right.RECORDING: N_("Listening to a call recording"),
}
RIGHTS_SHORT = {
    Right.ACCESS: N_("Access"),
    Right.RECTIFICATION: N_("Rectification"),
    Right.ERASURE: N_("Erasure"),
    Right.RESTRICTION: N_("Restriction"),
    Right.OBJECTION: N_("Objection"),
    Right.CONSENT_WITHDRAWAL: N_("Consent withdrawal"),
    Right.RECORDING: N_("Call recording"),
}
CHANNELS = {
    Channel.POST: N_("Post"),
    Channel.SECURE_EMAIL: N_("Secure e-mail"),
    Channel.IN_PERSON: N_("In person"),
}
STATUSES = {
    Status.REGISTERED: N_("Registered"),
    Status.WAITING: N_("Waiting for requester"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.DECIDED: N_("Decided – reply to print"),
    Status.PRINTED: N_("Reply printed"),
    Status.SENT: N_("Sent"),
    Status.AWAITING_PICKUP: N_("Awaiting pickup"),
    Status.HANDED_OVER: N_("Handed over"),
    Status.CLOSED: N_("Closed"),
    Status.PURGED: N_("Purged"),
}
DECISIONS = {
    Decision.GRANTED: N_("Granted"),
    Decision.PARTLY_GRANTED: N_("Partly granted"),
    Decision.REFUSED: N_("Refused"),
    Decision.NO_DATA: N_("No data held"),
    Decision.TRANSFERRED: N_("Transferred to another controller"),
    Decision.WITHDRAWN: N_("Withdrawn by the requester"),
}
DELIVERIES = {
    Delivery.REGISTERED_MAIL: N_("Registered mail"),
    Delivery.PICKUP: N_("Pickup at the registry office"),
    Delivery.EMAIL: N_("Ordinary e-mail (no personal data)"),
}
IDENTITY_METHODS = {
    IdentityMethod.SIGNATURE: N_("Signature on a written request"),
    IdentityMethod.PASSPORT: N_("Passport"),
    IdentityMethod.ID_CARD: N_("Identity card"),
    IdentityMethod.DRIVING_LICENCE: N_("Driving licence"),
    IdentityMethod.STRONG_EID: N_("Strong electronic identification"),
}
ATTACHMENT_KINDS = {
    AttachmentKind.SIGNED_FORM: N_("Signed request form"),
    AttachmentKind.EMAIL: N_("E-mail"),
    AttachmentKind.POWER_OF_ATTORNEY: N_("Power of attorney"),
    AttachmentKind.EXTRACT: N_("Data extract"),
    AttachmentKind.REPLY: N_("Reply letter"),
    AttachmentKind.OTHER: N_("Other"),
}
LANGUAGES = {Language.FI: N_("Finnish"), Language.SV: N_("Swedish"), Language.EN: N_("English")}
LETTER_KINDS = {
    LetterKind.ACKNOWLEDGEMENT: N_("Acknowledgement of receipt"),
    LetterKind.CLARIFICATION: N_("Request for clarification"),
    LetterKind.EXTENSION: N_("Extension notice"),
    LetterKind.ACCESS_REPLY: N_("Access reply"),
    LetterKind.NO_DATA: N_("No data held"),
    LetterKind.RECTIFICATION_DONE: N_("Rectification done"),
    LetterKind.REFUSAL: N_("Refusal certificate"),
    LetterKind.PICKUP_NOTICE: N_("Pickup notice"),
    LetterKind.RECORDING_APPOINTMENT: N_("Recording listening appointment"),
    LetterKind.REPLY: N_("Reply"),
}
FIELDS = {
    "requester.name": N_("Name"),
    "requester.hetu": N_("Personal identity code"),
    "requester.language": N_("Language"),
    "requester.email": N_("E-mail"),
    "requester.phone": N_("Phone"),
    "requester.address.street": N_("Street address"),
    "requester.address.postcode": N_("Postcode"),
    "requester.address.city": N_("Post office"),
    "requester.address.country": N_("Country"),
    "requester.representative": N_("Representative"),
    "details": N_("Details of the request"),
    "signed": N_("Signed"),
    "channel": N_("Channel"),
    "right": N_("Right"),
    "received": N_("Received"),
    "registers": N_("Registers"),
}


def label(table: dict, code: object) -> str:
    """The translated word for a code (or the code itself when unknown)."""
    for key, message in table.items():
        if key == code or getattr(key, "value", None) == code:
            return _(message)
    return str(code or "")


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
            f"{label(FIELDS, path)}: {_show(change.get('old'))} → {_show(change.get('new'))}"
            for path, change in p.get("changes", {}).items()
        ]
        return _("Corrected ({reason}): {changes}").format(
            reason=p.get("reason", ""), changes="; ".join(parts)
        )
    if t is EventType.CONFLICT_RESOLVED:
        return _("Conflicting edits of {field} resolved: {value}").format(
            field=label(FIELDS, p["field"]), value=_show(p.get("value"))
        )
    if t is EventType.CASE_PURGED:
        return _("Personal data purged after the retention period")
    return t.value


def _iso(value: str):
    from datetime import date

    return date.fromisoformat(value)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else "–"
