"""Real files of each kind the office receives, made by tools other than ours (ReportLab, Qt, pypdf, Pillow,
the stdlib e-mail package, extract-msg's OLE writer, cryptography's PKCS#7), and CPython's own e-mail samples."""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import struct
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

CPYTHON_EMAIL_DATA: Path | None
try:
    import test as _cpython_tests

    CPYTHON_EMAIL_DATA = Path(os.path.dirname(_cpython_tests.__file__)) / "test_email" / "data"
    if not CPYTHON_EMAIL_DATA.is_dir():
        CPYTHON_EMAIL_DATA = None
except ImportError:  # some distributions leave the test package out
    CPYTHON_EMAIL_DATA = None


def wait_idle(qtbot, runner, timeout: int = 10_000) -> None:
    """Until the worker has nothing left and its results have reached the widgets."""
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: runner.pending == 0, timeout=timeout)
    QApplication.processEvents()


# -- PDFs ------------------------------------------------------------------------------------------


def reportlab_pdf(pages: int = 2, text: str = "Tarkastuspyyntö – allekirjoitettu lomake") -> bytes:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        pdf.setFont("Helvetica", 16)
        pdf.drawString(72, 760, f"{text} ({page + 1}/{pages})")
        pdf.rect(72, 400, 300, 200, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def qt_pdf(pages: int = 2) -> bytes:
    """A PDF written by Qt's own QPdfWriter (needs a QGuiApplication: use the qapp fixture)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
    from PySide6.QtGui import QColor, QPainter, QPdfWriter

    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setCreator("Network scanner (Qt)")
    painter = QPainter(writer)
    for page in range(pages):
        if page:
            writer.newPage()
        painter.fillRect(QRect(500, 500, 4000, 3000), QColor("#1a237e"))
        painter.drawText(500, 5000, f"Sivu {page + 1}")
    painter.end()
    buffer.close()
    return bytes(array.data())


def pypdf_pdf() -> bytes:
    """ReportLab's pages rewritten by pypdf: a different producer, object layout and cross-reference table."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(reportlab_pdf(3, "Valtakirja")))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_metadata({"/Producer": "pypdf", "/Title": "Valtakirja"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- images ----------------------------------------------------------------------------------------


def _page_image(index: int, size=(420, 594)):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40 + 60 * index, 380, 160 + 60 * index), fill=(20, 30, 120))
    draw.text((50, 500), f"page {index + 1}", fill="black")
    return image


def tiff_multipage(pages: int = 3, compression: str = "tiff_lzw") -> bytes:
    """A multi-page TIFF as a scanner writes one (Pillow, LZW)."""
    images = [_page_image(i) for i in range(pages)]
    out = io.BytesIO()
    images[0].save(out, format="TIFF", save_all=True, append_images=images[1:], compression=compression)
    return out.getvalue()


def jpeg_photo() -> bytes:
    out = io.BytesIO()
    _page_image(0).save(out, format="JPEG", quality=85)
    return out.getvalue()


def png_image() -> bytes:
    out = io.BytesIO()
    _page_image(1).save(out, format="PNG")
    return out.getvalue()


# -- e-mail ----------------------------------------------------------------------------------------

SIGNATURE_BODY = """Hei,

pyydän saada kopiot kaikista minua koskevista tiedoista asiakasrekisteristänne
(tietosuoja-asetuksen 15 artikla). Henkilötunnukseni on 131052-308T.

Ystävällisin terveisin
Maija Meikäläinen
Mannerheimintie 1 A 2
00100 Helsinki
puh. 040 123 4567
"""


def build_email(
    body: str = SIGNATURE_BODY,
    attachments: list[tuple[str, bytes, str]] | None = None,
    sender: str = '"Maija Meikäläinen" <maija.meikalainen@example.fi>',
    subject: str = "Tietopyyntö",
    date: dt.datetime | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "kirjaamo@testivirasto.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(date or dt.datetime(2026, 11, 5, 21, 30, tzinfo=dt.UTC))
    message["Message-ID"] = "<tietopyynto-1@example.fi>"
    message.set_content(body)
    for name, data, media_type in attachments or []:
        main, sub = media_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message


def email_bytes(message: EmailMessage) -> bytes:
    """As a mail client saves it: BytesGenerator, CRLF line ends."""
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue()


def office_identity(common_name: str = "Testivirasto kirjaamo"):
    """A self-signed RSA certificate and its key, as an office's S/MIME identity."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def write_identity(folder: Path, certificate, key) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / "office-cert.pem", folder / "office-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def smime_encrypted_email(message: EmailMessage, certificate) -> bytes:
    """The message's MIME content encrypted to `certificate` (PKCS#7 enveloped-data), under its own headers."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    outer_names = ("From", "To", "Subject", "Date", "Message-ID")
    outer = b"".join(f"{name}: {message[name]}\r\n".encode() for name in outer_names if message[name])
    content = copy.deepcopy(message)
    for name in outer_names:
        del content[name]
    smime = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(email_bytes(content))
        .add_recipient(certificate)
        .encrypt(Encoding.SMIME, [])
    )
    return outer + smime.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# -- Outlook .msg --------------------------------------------------------------------------------


def _filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


def _prop_fixed(tag: int, value: bytes) -> bytes:
    return struct.pack("<II", tag, 6) + value.ljust(8, b"\x00")


def _prop_var(tag: int, size: int) -> bytes:
    return struct.pack("<IIII", tag, 6, size, 0)


def build_msg(
    subject: str,
    body: str,
    sender_name: str,
    sender_email: str,
    sent: dt.datetime,
    attachments: list[tuple[str, bytes]] = (),
) -> bytes:
    """An Outlook message (MS-OXMSG) written with extract-msg's OLE compound-file writer.

    No real Outlook file ships with the libraries on this machine, so this follows the published format:
    property streams, UTF-16 string streams, one recipient, attachments by value.
    """
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    props: list[bytes] = []

    def string(prop_id: int, text: str, base: str = "", into: list[bytes] | None = None) -> None:
        data = text.encode("utf-16-le")
        writer.addEntry(f"{base}__substg1.0_{prop_id:04X}001F", data)
        (props if into is None else into).append(_prop_var((prop_id << 16) | 0x001F, len(data) + 2))

    string(0x001A, "IPM.Note")
    string(0x0037, subject)
    string(0x1000, body)
    string(0x0C1A, sender_name)
    string(0x0C1F, sender_email)
    string(0x5D01, sender_email)
    string(0x0042, sender_name)
    string(0x0065, sender_email)
    string(0x0E04, "kirjaamo@testivirasto.example")
    props.append(_prop_fixed((0x0039 << 16) | 0x0040, struct.pack("<Q", _filetime(sent))))
    props.append(_prop_fixed((0x0E06 << 16) | 0x0040, struct.pack("<Q", _filetime(sent))))
    for index, (name, data) in enumerate(attachments):
        base = f"__attach_version1.0_#{index:08X}/"
        writer.addEntry(base.rstrip("/"), storage=True)
        attachment_props: list[bytes] = []
        writer.addEntry(f"{base}__substg1.0_37010102", data)
        attachment_props.append(_prop_var((0x3701 << 16) | 0x0102, len(data)))
        string(0x3707, name, base, attachment_props)
        string(0x3704, name, base, attachment_props)
        attachment_props.append(_prop_fixed((0x3705 << 16) | 0x0003, struct.pack("<I", 1)))  # by value
        writer.addEntry(f"{base}__properties_version1.0", b"\x00" * 8 + b"".join(attachment_props))
    recipient = "__recip_version1.0_#00000000/"
    writer.addEntry(recipient.rstrip("/"), storage=True)
    recipient_props: list[bytes] = []
    string(0x3001, "Kirjaamo", recipient, recipient_props)
    string(0x39FE, "kirjaamo@testivirasto.example", recipient, recipient_props)
    recipient_props.append(_prop_fixed((0x0C15 << 16) | 0x0003, struct.pack("<I", 1)))
    writer.addEntry(f"{recipient}__properties_version1.0", b"\x00" * 8 + b"".join(recipient_props))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(f"__nameid_version1.0/{stream}", b"")
    header = struct.pack("<8xIIII8x", 1, len(attachments), 1, len(attachments))
    writer.addEntry("__properties_version1.0", header + b"".join(props))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def is_blank(image) -> bool:
    """True when a rendered page or image has (almost) a single colour: nothing was drawn."""
    if image.isNull() or image.width() == 0:
        return True
    small = image.scaled(64, 64)
    colours = {small.pixel(x, y) for x in range(64) for y in range(64)}
    return len(colours) < 2


def type_text(qtbot, widget, text: str) -> None:
    """Type like a clerk at a Finnish keyboard (QTest's keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))
