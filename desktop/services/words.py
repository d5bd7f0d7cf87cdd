"""Words for the domain's codes, as message ids: one translation each, shared by the GUI, the reports
and the letters' labels. Looked up at call time with `label`, so a language switch takes effect."""

from __future__ import annotations

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
from desktop.i18n import N_, _

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


ROLES = {
    "clerk": N_("clerk"),
    "reviewer": N_("reviewer"),
    "admin": N_("administrator"),
}
# What an access-log entry records (desktop.services.access_log.Action values).
ACCESS_ACTIONS = {
    "view": N_("Case opened"),
    "view_file": N_("File opened"),
    "print": N_("Letter or list printed"),
    "export": N_("Exported"),
    "search": N_("Searched"),
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Sign-in failed"),
    "unlock": N_("Unlocked"),
    "denied": N_("Refused (no permission)"),
    "purge": N_("Purged"),
    "backup": N_("Backup made"),
    "restore": N_("Restored"),
    "user_created": N_("User created"),
    "user_disabled": N_("User disabled"),
    "user_enabled": N_("User enabled"),
    "role_changed": N_("Role changed"),
    "password_reset": N_("Password reset"),
    "password_changed": N_("Password changed"),
    "recovery_key_used": N_("Recovery key used"),
    "log_exported": N_("Access log exported"),
}
