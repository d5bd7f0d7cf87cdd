"""Reading a saved e-mail (.eml or Outlook .msg): sender, date, subject, text and attachments.

S/MIME-encrypted messages (`application/pkcs7-mime`, enveloped-data) are decrypted with the office's
certificate and key when they are configured; otherwise the clerk is told what is needed. Nothing here
writes anything: the caller decides what to store.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email
import email.utils
import html
import mimetypes
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import Message
from pathlib import Path

from desktop.domain import identifiers
from desktop.domain.errors import N_, DomainError
from desktop.services.filetypes import OUTLOOK, safe_filename, sniff

MAX_ATTACHMENTS = 200
MAX_DEPTH = 8  # nested multiparts deeper than this are not looked into (a hostile message can nest forever)
PKCS7_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")
# Header decoding is bounded: the standard library's parser takes time that grows faster than the header
# (20,000 encoded words took a minute). A header is cut at MAX_HEADER_BYTES, the header block at
# MAX_HEADERS lines, before anything parses them; what a person needs of a header fits easily.
MAX_HEADER_BYTES = 4096
MAX_HEADERS = 400
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_START = re.compile(rb"\r?\n(?![ \t])")


class EncryptedEmail(DomainError):
    """An S/MIME message that cannot be opened without the office's certificate and key."""


@dataclass(frozen=True)
class SmimeKeys:
    certificate: object  # cryptography.x509.Certificate
    private_key: object  # an RSA private key


@dataclass(frozen=True)
class MailAttachment:
    filename: str  # made safe: never a path
    data: bytes
    content_type: str


@dataclass(frozen=True)
class ImportedEmail:
    filename: str
    format: str  # "eml" or "msg"
    sender_name: str = ""
    sender_address: str = ""
    recipients: str = ""
    date: datetime | None = None
    subject: str = ""
    body: str = ""
    attachments: tuple[MailAttachment, ...] = ()
    encrypted: bool = False  # it was S/MIME-encrypted (and has been decrypted)
    signed: bool = False  # it carries an S/MIME signature (not verified here)
    notes: tuple[str, ...] = field(default=())  # message ids: what could not be read


# -- keys ------------------------------------------------------------------------------------------


def load_smime_keys(cert_path: str, key_path: str) -> SmimeKeys | None:
    """The office's S/MIME certificate and key (PEM or DER files); None when they are not configured."""
    if not cert_path.strip() or not key_path.strip():
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert_bytes = Path(cert_path).read_bytes()
        key_bytes = Path(key_path).read_bytes()
    except OSError as error:
        raise DomainError(
            N_("The office's e-mail certificate or key cannot be read: {reason}"),
            reason=error.strerror or str(error),
        ) from None
    try:
        certificate = (
            x509.load_pem_x509_certificate(cert_bytes)
            if b"-----BEGIN" in cert_bytes
            else x509.load_der_x509_certificate(cert_bytes)
        )
    except ValueError:
        raise DomainError(N_("The office's e-mail certificate is not a PEM or DER certificate.")) from None
    try:
        private_key = (
            serialization.load_pem_private_key(key_bytes, password=None)
            if b"-----BEGIN" in key_bytes
            else serialization.load_der_private_key(key_bytes, password=None)
        )
    except TypeError:
        raise DomainError(
            N_("The office's e-mail private key is protected by a password; save it without one.")
        ) from None
    except ValueError:
        raise DomainError(N_("The office's e-mail private key is not a PEM or DER private key.")) from None
    return SmimeKeys(certificate, private_key)


NEEDS_KEYS = N_(
    "This e-mail is encrypted (S/MIME). To open it, Kirjaamo needs the office's e-mail certificate and "
    "its private key: an administrator sets the two files in the settings."
)


def _decrypt(der: bytes, keys: SmimeKeys | None) -> bytes:
    if keys is None:
        raise EncryptedEmail(NEEDS_KEYS)
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        return pkcs7.pkcs7_decrypt_der(der, keys.certificate, keys.private_key, [])
    except ValueError:
        raise EncryptedEmail(
            N_(
                "This e-mail is encrypted (S/MIME) but not for the office's certificate, or it is damaged; "
                "it cannot be opened here."
            )
        ) from None


# -- reading ---------------------------------------------------------------------------------------


def read_email(data: bytes, filename: str, keys: SmimeKeys | None = None) -> ImportedEmail:
    """Parse a saved message; .msg by its content (OLE), anything else as RFC 5322 text."""
    name = safe_filename(filename)
    if not data:
        raise DomainError(N_("The file {name} is empty."), name=name)
    if sniff(data[:8192]) == OUTLOOK:
        return _as_text(_read_msg(data, name, keys))
    return _as_text(_read_eml(bound_headers(data), name, keys))


def bound_headers(data: bytes) -> bytes:
    """The message with each top-level header cut at MAX_HEADER_BYTES and at most MAX_HEADERS of them."""
    end = _HEADER_END.search(data)
    head, rest = (data[: end.start()], data[end.start() :]) if end else (data, b"")
    if len(head) <= MAX_HEADER_BYTES and head.count(b"\n") < MAX_HEADERS:
        return data
    headers = _HEADER_START.split(head)[:MAX_HEADERS]
    kept = []
    for header in headers:
        if len(header) > MAX_HEADER_BYTES:
            cut = header[:MAX_HEADER_BYTES]
            space = max(cut.rfind(b" "), cut.rfind(b"\t"))
            header = cut[:space] if space > 0 else cut
        kept.append(header)
    return b"\r\n".join(kept) + rest


def _clean(text: str) -> str:
    """Text as stored: bytes the parser could not decode (kept as surrogates) become U+FFFD."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that does not stand for a byte
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _as_text(mail: ImportedEmail) -> ImportedEmail:
    return dataclasses.replace(
        mail,
        sender_name=_clean(mail.sender_name),
        sender_address=_clean(mail.sender_address),
        recipients=_clean(mail.recipients),
        subject=_clean(mail.subject),
        body=_clean(mail.body),
        attachments=tuple(
            dataclasses.replace(a, filename=_clean(a.filename)) if a.filename != _clean(a.filename) else a
            for a in mail.attachments
        ),
    )


def read_email_file(path: Path, keys: SmimeKeys | None = None) -> ImportedEmail:
    return read_email(path.read_bytes(), path.name, keys)


def _read_eml(data: bytes, name: str, keys: SmimeKeys | None) -> ImportedEmail:
    try:
        message = email.message_from_bytes(data, policy=policy.default)
    except Exception:  # the parser is lenient; anything it still raises means "not a message"
        raise DomainError(N_("The file {name} could not be read as an e-mail message."), name=name) from None
    try:
        present = {str(name).lower() for name, _value in message.raw_items()}
    except Exception:
        present = set()
    if not present & {"from", "date", "subject", "to"}:
        raise DomainError(N_("The file {name} could not be read as an e-mail message."), name=name)
    sender_name, sender_address = _sender(message)
    content: Message = message
    encrypted = False
    signed = _content_type(message) == "multipart/signed"
    notes: list[str] = []
    if _is_enveloped(message):
        inner = _decrypt(_payload(message), keys)
        encrypted = True
        content = email.message_from_bytes(inner, policy=policy.default)
        signed = signed or _content_type(content) == "multipart/signed"
    if _is_opaque_signed(content):
        signed = True
        notes.append(N_("The message is signed in a form that hides its text; open it in the system viewer."))
    body, attachments = _body_and_attachments(content)
    return ImportedEmail(
        filename=name,
        format="eml",
        sender_name=sender_name,
        sender_address=sender_address,
        recipients=_header(message, "To"),
        date=_date(message),
        subject=_header(message, "Subject"),
        body=body,
        attachments=tuple(attachments),
        encrypted=encrypted,
        signed=signed,
        notes=tuple(notes),
    )


def _header(message: Message, name: str) -> str:
    """A header as text; a malformed one falls back to its raw value instead of failing the import."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:
        text = next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")
    return " ".join(text.split())[:2000]


def _sender(message: Message) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        if addresses:
            return addresses[0].display_name.strip(), addresses[0].addr_spec.strip()
    except Exception:
        pass  # a malformed header: fall back to the lenient parser below
    display, address = email.utils.parseaddr(_header(message, "From"))
    return display.strip(), address.strip()


def _date(message: Message) -> datetime | None:
    try:
        header = message.get("Date")
        value = getattr(header, "datetime", None)
        if isinstance(value, datetime):
            return value
    except Exception:
        pass  # a malformed header: fall back to the lenient parser below
    try:
        return email.utils.parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    return str(value).lower() if isinstance(value, str) else ""


def _is_enveloped(part: Message) -> bool:
    if _content_type(part) not in PKCS7_TYPES:
        return False
    kind = _param(part, "smime-type")
    return kind in ("enveloped-data", "") and kind != "signed-data"


def _is_opaque_signed(part: Message) -> bool:
    return _content_type(part) in PKCS7_TYPES and _param(part, "smime-type") in ("signed-data", "certs-only")


def _payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    return payload if isinstance(payload, bytes) else b""


def _text(part: Message) -> str:
    raw = _payload(part)
    charset = "utf-8"
    with contextlib.suppress(Exception):
        charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return raw.decode("latin-1")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return name if isinstance(name, str) else ""


def _body_and_attachments(message: Message) -> tuple[str, list[MailAttachment]]:
    plain: list[str] = []
    rich: list[str] = []
    attachments: list[MailAttachment] = []

    def visit(part: Message, depth: int) -> None:
        if depth > MAX_DEPTH or len(attachments) >= MAX_ATTACHMENTS:
            return
        kind = _content_type(part)
        if part.is_multipart() and kind != "message/rfc822":
            payload = part.get_payload()
            children = payload if isinstance(payload, list) else []
            if kind == "multipart/alternative":
                # One body in several forms: the plain text if there is one, else the richest.
                texts = [c for c in children if _content_type(c) == "text/plain" and not _filename(c)]
                chosen = texts[:1] or children[-1:]
                for child in chosen:
                    visit(child, depth + 1)
                return
            for child in children:
                if isinstance(child, Message):
                    visit(child, depth + 1)
            return
        name = _filename(part)
        disposition = ""
        with contextlib.suppress(Exception):
            disposition = part.get_content_disposition() or ""
        if kind in ("text/plain", "text/html") and not name and disposition != "attachment":
            (plain if kind == "text/plain" else rich).append(_text(part))
            return
        if kind in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
            return  # the signature of a multipart/signed body, not a document
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner_message = inner[0] if isinstance(inner, list) and inner else None
            data = _as_bytes(inner_message) if isinstance(inner_message, Message) else _payload(part)
            default = "forwarded.eml"
        else:
            data = _payload(part)
            default = "attachment" + (mimetypes.guess_extension(kind) or ".bin")
        if data:
            attachments.append(MailAttachment(safe_filename(name or default), data, kind))

    visit(message, 0)
    body = "\n\n".join(t.strip() for t in plain if t.strip())
    if not body and rich:
        body = "\n\n".join(html_to_text(t) for t in rich)
    return body, attachments


def _as_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=policy.default.clone(linesep="\r\n", max_line_length=0))
    except Exception:
        try:
            return message.as_bytes(policy=policy.compat32)
        except Exception:
            return b""


_TAGS = re.compile(r"<[^>]*>")
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_HIDDEN = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML body (for messages without a plain-text part)."""
    text = _HIDDEN.sub("", markup)
    text = _BLOCK_TAGS.sub("\n", text)
    text = html.unescape(_TAGS.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _read_msg(data: bytes, name: str, keys: SmimeKeys | None) -> ImportedEmail:
    try:
        import extract_msg
    except ImportError:  # pragma: no cover - a dependency
        raise DomainError(
            N_("Outlook messages (.msg) cannot be read: extract-msg is not installed.")
        ) from None
    if len(data) < 1536:  # smaller than any compound file; olefile would take these bytes for a file name
        raise DomainError(N_("The file {name} could not be read as an Outlook message."), name=name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library warns about odd but readable files
        try:
            message = extract_msg.openMsg(data, strict=False)
        except Exception:
            raise DomainError(
                N_("The file {name} could not be read as an Outlook message."), name=name
            ) from None
        try:
            return _from_msg(message, name, keys)
        except DomainError:
            raise
        except Exception:
            raise DomainError(
                N_("The file {name} could not be read as an Outlook message."), name=name
            ) from None
        finally:
            message.close()


def _from_msg(message, name: str, keys: SmimeKeys | None) -> ImportedEmail:
    display, address = email.utils.parseaddr(str(getattr(message, "sender", "") or ""))
    sent = getattr(message, "date", None)
    subject = " ".join(str(getattr(message, "subject", "") or "").split())
    class_type = str(getattr(message, "classType", "") or "").upper()
    attachments: list[MailAttachment] = []
    notes: list[str] = []
    raw_attachments = list(getattr(message, "attachments", []) or [])
    if class_type.startswith("IPM.NOTE.SMIME") and "MULTIPARTSIGNED" not in class_type:
        # An encrypted Outlook message keeps the whole MIME message as one smime.p7m attachment.
        der = next((a.data for a in raw_attachments if isinstance(getattr(a, "data", None), bytes)), b"")
        inner = email.message_from_bytes(_decrypt(der, keys), policy=policy.default)
        body, attachments = _body_and_attachments(inner)
        return ImportedEmail(
            filename=name,
            format="msg",
            sender_name=display.strip(),
            sender_address=address.strip(),
            recipients=str(getattr(message, "to", "") or ""),
            date=sent if isinstance(sent, datetime) else None,
            subject=subject,
            body=body,
            attachments=tuple(attachments),
            encrypted=True,
        )
    body = getattr(message, "body", None) or ""
    if not body.strip():
        html_body = getattr(message, "htmlBody", None)
        if isinstance(html_body, bytes):
            body = html_to_text(html_body.decode("utf-8", errors="replace"))
    for attachment in raw_attachments[:MAX_ATTACHMENTS]:
        payload = getattr(attachment, "data", None)
        if not isinstance(payload, bytes):
            notes.append(N_("An attachment inside the message (e.g. another message) was not extracted."))
            continue
        filename = ""
        for attribute in ("longFilename", "shortFilename", "displayName"):
            value = getattr(attachment, attribute, None)
            if isinstance(value, str) and value.strip("\x00 "):
                filename = value.strip("\x00 ")
                break
        content_type = str(getattr(attachment, "mimetype", "") or "application/octet-stream")
        attachments.append(MailAttachment(safe_filename(filename or "attachment.bin"), payload, content_type))
    return ImportedEmail(
        filename=name,
        format="msg",
        sender_name=display.strip(),
        sender_address=address.strip(),
        recipients=str(getattr(message, "to", "") or ""),
        date=sent if isinstance(sent, datetime) else None,
        subject=subject,
        body=body.replace("\r\n", "\n"),
        attachments=tuple(attachments),
        signed="MULTIPARTSIGNED" in class_type,
        notes=tuple(dict.fromkeys(notes)),
    )


# -- a request from a message ----------------------------------------------------------------------

_CLOSINGS = re.compile(
    r"^\s*(ystävällisin terveisin|ystävällisesti|parhain terveisin|terveisin|yst\.? ?terv\.?|t\.|"
    r"med vänliga hälsningar|med vänlig hälsning|vänliga hälsningar|bästa hälsningar|hälsningar|mvh|"
    r"kind regards|best regards|with best regards|regards|yours sincerely|sincerely|best wishes)[\s,.!]*$",
    re.IGNORECASE,
)
_POSTCODE_LINE = re.compile(r"^\s*(?:FI-)?(\d{5})\s+([A-Za-zÅÄÖåäöÉéÜü][A-Za-zÅÄÖåäöÉéÜü .'-]{1,40})\s*$")
_PHONE = re.compile(
    r"(?:puh\.?|p\.|tel\.?|phone|gsm|mob\.?)?[:\s]*((?:\+358|0)[\d\s-]{6,16}\d)", re.IGNORECASE
)
_NAME = re.compile(r"^[A-ZÅÄÖÉÜ][\w'’-]+(?: [A-ZÅÄÖÉÜ][\w'’.-]*){1,3}$")
_HETU = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b")
_REPLY_MARKERS = re.compile(
    r"^\s*(-{2,}\s*(original message|alkuperäinen viesti|ursprungligt meddelande)|"
    r"(lähettäjä|från|from):\s|on .+ wrote:$|.+ kirjoitti:$|.+ skrev:$)",
    re.IGNORECASE,
)

_LANGUAGE_WORDS = {
    "fi": {
        "pyydän",
        "minua",
        "koskevat",
        "tiedot",
        "tietoja",
        "ja",
        "että",
        "haluan",
        "olen",
        "kiitos",
        "hei",
    },
    "sv": {"jag", "och", "att", "begär", "mig", "uppgifter", "om", "vill", "tack", "hej", "med"},
    "en": {"i", "the", "and", "request", "my", "data", "please", "would", "like", "to", "dear"},
}
_RIGHT_WORDS = (
    ("rectification", ("oikais", "korjaa", "rättels", "rätta", "rectif", "correct")),
    ("erasure", ("poista", "poisto", "radera", "erase", "erasure", "delete")),
    ("restriction", ("rajoit", "begräns", "restrict")),
    ("objection", ("vastust", "invänd", "object")),
    ("consent_withdrawal", ("suostumu", "samtycke", "consent")),
    ("recording", ("puhelutallen", "tallenne", "inspelning", "recording")),
    ("access", ("tarkastus", "pääsy", "kopio", "tillgång", "registerutdrag", "access", "copy")),
)


def _own_text(body: str) -> list[str]:
    """The lines the sender wrote: quoted replies and forwarded history left out."""
    lines = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if _REPLY_MARKERS.match(line):
            break
        if not line.lstrip().startswith(">"):
            lines.append(line.rstrip())
    return lines


def guess_requester(body: str, sender_name: str = "", sender_address: str = "") -> dict:
    """Name, address, phone, personal identity code and language, guessed from the text and its signature."""
    lines = _own_text(body)
    block: list[str] = []
    for index in range(len(lines) - 1, -1, -1):
        if _CLOSINGS.match(lines[index]) or lines[index] == "-- ":
            block = [line.strip() for line in lines[index + 1 :] if line.strip()][:8]
            break
    if not block:
        block = [line.strip() for line in lines if line.strip()][-6:]
    name = next((line for line in block[:2] if _NAME.match(line) and "@" not in line), "")
    street = postcode = city = ""
    for i, line in enumerate(block):
        match = _POSTCODE_LINE.match(line)
        if match:
            postcode, city = match.group(1), match.group(2).strip()
            previous = block[i - 1] if i > 0 else ""
            if previous and previous != name and re.search(r"\d", previous) and "@" not in previous:
                street = previous
            break
    phone = ""
    for line in block:
        match = _PHONE.search(line)
        if match and not _POSTCODE_LINE.match(line):
            phone = " ".join(match.group(1).split())
            break
    if not name:
        name = _name_from_sender(sender_name, sender_address)
    hetus = {
        identifiers.parse_hetu(code).code for code in _HETU.findall(body) if identifiers.is_valid_hetu(code)
    }
    return {
        "name": name,
        "hetu": hetus.pop() if len(hetus) == 1 else "",
        "language": guess_language(body),
        "email": sender_address if _plausible_address(sender_address) else "",
        "phone": phone,
        "address": {"street": street, "postcode": postcode, "city": city, "country": ""},
    }


def _name_from_sender(display: str, address: str) -> str:
    display = " ".join(display.replace('"', "").split())
    if "," in display:  # "Meikäläinen, Maija"
        last, _sep, first = display.partition(",")
        display = f"{first.strip()} {last.strip()}".strip()
    if display and "@" not in display:
        return display[:200]
    local = address.partition("@")[0]
    parts = [p for p in re.split(r"[._-]+", local) if p.isalpha()]
    return " ".join(p.capitalize() for p in parts)[:200] if len(parts) >= 2 else address[:200]


def _plausible_address(address: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address)) and len(address) <= 200


def guess_language(text: str) -> str:
    words = re.findall(r"[a-zåäöé]+", text.lower())[:2000]
    scores = {lang: sum(word in vocabulary for word in words) for lang, vocabulary in _LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else "fi"


def guess_right(text: str) -> str:
    lowered = text.lower()
    for right, stems in _RIGHT_WORDS:
        if any(stem in lowered for stem in stems):
            return right
    return "access"


def request_from_email(mail: ImportedEmail, today: date, zone) -> dict:
    """A new request for the intake form (the shape of `cases register --json`), prefilled from a message."""
    received = today
    if mail.date is not None:
        try:
            sent = mail.date if mail.date.tzinfo else mail.date.replace(tzinfo=zone)
            received = sent.astimezone(zone).date()
        except (OverflowError, ValueError):
            received = today
        if received > today or received.year < 2000:
            received = today
    details = "\n\n".join(part for part in (mail.subject, "\n".join(_own_text(mail.body)).strip()) if part)
    return {
        "right": guess_right(f"{mail.subject}\n{mail.body}"),
        "channel": "secure_email",
        "received": received.isoformat(),
        "registers": [],
        "signed": False,
        "details": details[:20_000],
        "requester": guess_requester(mail.body, mail.sender_name, mail.sender_address),
    }
