"""Secure e-mail: CPython's own sample messages, stdlib-built messages, an Outlook .msg, S/MIME."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from datetime import date

import pytest
from evidence_samples import (
    CPYTHON_EMAIL_DATA,
    SIGNATURE_BODY,
    build_email,
    build_msg,
    email_bytes,
    office_identity,
    png_image,
    reportlab_pdf,
    smime_encrypted_email,
    write_identity,
)

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind, Channel, Right
from desktop.services.clock import HELSINKI
from desktop.services.email_import import (
    NEEDS_KEYS,
    EncryptedEmail,
    guess_requester,
    read_email,
    request_from_email,
)

# CPython's test suite ships these as real-world messages (multipart, digests, attachments, odd charsets).
CPYTHON_SAMPLES = {
    "msg_01.txt": ("bbb@ddd.com", "This is a test message", 0),
    "msg_07.txt": ("barry@digicool.com", "Here is your dingus fish", 1),  # a GIF: kept inside the message
    "msg_22.txt": ("b@example.com", "", 2),  # two JPEGs
    "msg_26.txt": ("father.time@xcar.wooster.local", "IMAP file test", 1),
    "msg_45.txt": ("foo@bar.baz", "test", 1),  # PGP-signed
}


def _sample(name: str, tmp_path):
    if CPYTHON_EMAIL_DATA is None:
        pytest.skip("CPython's test package is not installed here; the stdlib-built messages cover the path")
    target = tmp_path / name.replace(".txt", ".eml")
    shutil.copyfile(CPYTHON_EMAIL_DATA / name, target)
    return target


@pytest.mark.parametrize("name", sorted(CPYTHON_SAMPLES))
def test_cpython_sample_messages_import_and_round_trip(evidence, diary, tmp_path, name):
    sender, subject, attachments = CPYTHON_SAMPLES[name]
    path = _sample(name, tmp_path)
    data = path.read_bytes()
    mail = read_email(data, path.name)
    assert (mail.sender_address, mail.subject, len(mail.attachments)) == (sender, subject, attachments)
    batch = evidence.attach_file(diary, path, AttachmentKind.EMAIL)
    assert batch.main.media_type == "message/rfc822"
    assert batch.main.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.read(batch.main.sha256) == data  # the original, unchanged
    stored = {a.sha256 for a in batch.state.attachments}
    kept = [f for f in batch.files[1:]]
    assert all(f.sha256 in stored for f in kept)
    assert len(kept) + len(batch.skipped) == attachments  # each one stored or said why not


def test_jpeg_attachments_of_a_cpython_sample_are_separate_files(evidence, diary, tmp_path):
    path = _sample("msg_22.txt", tmp_path)
    batch = evidence.attach_file(diary, path, AttachmentKind.EMAIL)
    names = [f.filename for f in batch.files[1:]]
    assert names == ["wibble.JPG", "wibble2.JPG"]
    assert all(f.media_type == "image/jpeg" and f.kind is AttachmentKind.OTHER for f in batch.files[1:])
    mail = read_email(path.read_bytes(), path.name)
    for part, stored in zip(mail.attachments, batch.files[1:], strict=True):
        assert evidence.read(stored.sha256) == part.data


def test_a_gif_inside_a_message_is_not_split_out_but_the_message_keeps_it(evidence, diary, tmp_path):
    path = _sample("msg_07.txt", tmp_path)
    batch = evidence.attach_file(diary, path, AttachmentKind.EMAIL)
    assert [name for name, _reason in batch.skipped] == ["dingusfish.gif"]
    assert len(batch.state.attachments) == 1  # the message itself, which still holds the picture


def test_stdlib_built_message_prefills_a_new_request(evidence, clerk_service, tmp_path):
    # Sent 22.30 UTC on 5.11. is 00.30 on 6.11. in Helsinki: the office received it on the 6th.
    message = build_email(
        attachments=[
            ("lomake.pdf", reportlab_pdf(), "application/pdf"),
            ("kuva.png", png_image(), "image/png"),
        ],
        date=dt.datetime(2026, 11, 5, 22, 30, tzinfo=dt.UTC),
    )
    data = email_bytes(message)
    path = tmp_path / "tietopyynto.eml"
    path.write_bytes(data)
    imported = evidence.import_email(path)
    request = imported.request
    assert request["channel"] == "secure_email" and request["right"] == "access"
    assert request["received"] == "2026-11-06"
    assert request["requester"] == {
        "name": "Maija Meikäläinen",
        "hetu": "131052-308T",
        "language": "fi",
        "email": "maija.meikalainen@example.fi",
        "phone": "040 123 4567",
        "address": {
            "street": "Mannerheimintie 1 A 2",
            "postcode": "00100",
            "city": "Helsinki",
            "country": "",
        },
    }
    batch = evidence.register_from_email(imported)
    state = batch.state
    assert (state.channel, state.right, state.received) == (
        Channel.SECURE_EMAIL,
        Right.ACCESS,
        date(2026, 11, 6),
    )
    assert state.requester.address.city == "HELSINKI"
    assert [(a.filename, a.kind) for a in state.attachments] == [
        ("tietopyynto.eml", AttachmentKind.EMAIL),
        ("lomake.pdf", AttachmentKind.OTHER),
        ("kuva.png", AttachmentKind.OTHER),
    ]
    assert clerk_service.read_attachment(state.attachments[0].sha256) == data


def test_outlook_msg_is_read_and_its_attachment_stored_separately(evidence, clerk_service, tmp_path):
    pdf = reportlab_pdf()
    data = build_msg(
        "Tarkastuspyyntö",
        SIGNATURE_BODY,
        "Maija Meikäläinen",
        "maija.meikalainen@example.fi",
        dt.datetime(2026, 11, 4, 9, 15, tzinfo=dt.UTC),
        [("allekirjoitettu lomake.pdf", pdf)],
    )
    path = tmp_path / "pyynto.msg"
    path.write_bytes(data)
    imported = evidence.import_email(path)
    mail = imported.mail
    assert (mail.format, mail.sender_name, mail.sender_address) == (
        "msg",
        "Maija Meikäläinen",
        "maija.meikalainen@example.fi",
    )
    assert mail.date == dt.datetime(2026, 11, 4, 9, 15, tzinfo=dt.UTC)
    assert "pyydän saada kopiot" in mail.body
    assert imported.request["requester"]["address"]["postcode"] == "00100"
    batch = evidence.register_from_email(imported)
    assert [(f.filename, f.media_type) for f in batch.files] == [
        ("pyynto.msg", "application/vnd.ms-outlook"),
        ("allekirjoitettu lomake.pdf", "application/pdf"),
    ]
    assert clerk_service.read_attachment(batch.files[0].sha256) == data
    assert clerk_service.read_attachment(batch.files[1].sha256) == pdf


def test_damaged_msg_is_refused_for_a_new_request_but_kept_when_attached(evidence, diary):
    data = build_msg("x", "y", "A B", "a@b.fi", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    broken = data[:2048]
    with pytest.raises(DomainError, match="could not be read as an Outlook message"):
        evidence.import_email_bytes(broken, "rikki.msg")
    batch = evidence.attach_bytes(diary, broken, "rikki.msg", AttachmentKind.EMAIL)
    assert batch.main.warning  # kept as received, with a warning the clerk sees
    assert batch.notes


# -- S/MIME ----------------------------------------------------------------------------------------


@pytest.fixture
def office_keys(workspace, tmp_path):
    certificate, key = office_identity()
    cert_path, key_path = write_identity(tmp_path, certificate, key)
    return certificate, cert_path, key_path


def test_smime_message_is_decrypted_with_the_office_key(evidence, workspace, office_keys, tmp_path):
    certificate, cert_path, key_path = office_keys
    pdf = reportlab_pdf()
    data = smime_encrypted_email(
        build_email(attachments=[("lomake.pdf", pdf, "application/pdf")]), certificate
    )
    assert b"application/pkcs7-mime" in data and b"Maija" not in data.split(b"\r\n\r\n", 1)[1]
    path = tmp_path / "salattu.eml"
    path.write_bytes(data)
    workspace.settings.smime_cert_path, workspace.settings.smime_key_path = str(cert_path), str(key_path)
    imported = evidence.import_email(path)
    assert imported.mail.encrypted
    assert imported.request["requester"]["name"] == "Maija Meikäläinen"
    assert "131052-308T" in imported.mail.body
    batch = evidence.register_from_email(imported)
    assert evidence.read(batch.files[0].sha256) == data  # the encrypted original, unchanged
    assert evidence.read(batch.files[1].sha256) == pdf  # its attachment, decrypted


def test_smime_message_without_the_key_is_refused_with_what_is_needed(
    evidence, workspace, office_keys, tmp_path
):
    certificate, _cert, _key = office_keys
    data = smime_encrypted_email(build_email(), certificate)
    path = tmp_path / "salattu.eml"
    path.write_bytes(data)
    blobs_before = list(workspace.blobs.root.rglob("*")) if workspace.blobs.root.exists() else []
    with pytest.raises(EncryptedEmail) as refused:
        evidence.import_email(path)
    assert refused.value.message == NEEDS_KEYS
    assert "certificate" in str(refused.value) and "private key" in str(refused.value)
    after = list(workspace.blobs.root.rglob("*")) if workspace.blobs.root.exists() else []
    assert after == blobs_before


def test_smime_message_for_another_certificate_is_refused_clearly(evidence, workspace, office_keys, tmp_path):
    _certificate, cert_path, key_path = office_keys
    stranger, _key = office_identity("Joku muu virasto")
    path = tmp_path / "vieras.eml"
    path.write_bytes(smime_encrypted_email(build_email(), stranger))
    workspace.settings.smime_cert_path, workspace.settings.smime_key_path = str(cert_path), str(key_path)
    with pytest.raises(EncryptedEmail, match="not for the office's certificate"):
        evidence.import_email(path)


def test_encrypted_message_attached_without_key_is_kept_with_a_note(evidence, diary, office_keys):
    certificate, _cert, _key = office_keys
    data = smime_encrypted_email(
        build_email(attachments=[("a.pdf", reportlab_pdf(), "application/pdf")]), certificate
    )
    batch = evidence.attach_bytes(diary, data, "salattu.eml", AttachmentKind.EMAIL)
    assert len(batch.files) == 1 and evidence.read(batch.main.sha256) == data
    assert any("encrypted" in note for note in batch.notes)


# -- guessing the requester ------------------------------------------------------------------------


def test_swedish_signature_and_language():
    body = (
        "Hej,\n\nJag begär att få ta del av mina uppgifter i kundregistret.\n\n"
        "Med vänliga hälsningar\nAnders Lindqvist\nStorgatan 5 B 7\n65100 Vasa\ntel. +358 40 765 4321\n"
        "\n> Tidigare meddelande\n"
    )
    guessed = guess_requester(body, "", "anders.lindqvist@example.fi")
    assert guessed["name"] == "Anders Lindqvist"
    assert guessed["address"] == {
        "street": "Storgatan 5 B 7",
        "postcode": "65100",
        "city": "Vasa",
        "country": "",
    }
    assert guessed["phone"] == "+358 40 765 4321"
    assert guessed["language"] == "sv"


def test_without_a_signature_the_sender_name_is_used():
    assert (
        guess_requester("Please send my data.", "Virtanen, Matti", "mv@example.fi")["name"]
        == "Matti Virtanen"
    )
    assert (
        guess_requester("Please send my data.", "", "matti.virtanen@example.fi")["name"] == "Matti Virtanen"
    )
    assert guess_requester("Please send my data.", "", "mv@example.fi")["language"] == "en"


def test_a_future_or_missing_date_becomes_today():
    mail = read_email(email_bytes(build_email(date=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))), "x.eml")
    assert request_from_email(mail, date(2026, 11, 23), HELSINKI)["received"] == "2026-11-23"


def test_an_rectification_request_is_recognised():
    mail = read_email(
        email_bytes(build_email(body="Pyydän oikaisemaan osoitteeni.", subject="Oikaisu")), "x.eml"
    )
    assert request_from_email(mail, date(2026, 11, 23), HELSINKI)["right"] == "rectification"


# -- the command line ------------------------------------------------------------------------------


def test_cli_import_email_prints_the_new_diary_number(run_cli, tmp_path):
    path = tmp_path / "pyynto.eml"
    path.write_bytes(
        email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(), "application/pdf")]))
    )
    code, out, err = run_cli("import-email", path)
    assert (code, out.strip(), err) == (0, "KEHA/1/2026", "")
    code, out, err = run_cli("cases", "show", "KEHA/1/2026", "--json")
    shown = json.loads(out)
    assert shown["channel"] == "secure_email" and shown["requester"]["name"] == "Maija Meikäläinen"
    assert [(a["filename"], a["kind"]) for a in shown["attachments"]] == [
        ("pyynto.eml", "email"),
        ("lomake.pdf", "other"),
    ]


def test_cli_import_email_onto_an_existing_case(run_cli, tmp_path, paper_request):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(paper_request), encoding="utf-8")
    assert run_cli("cases", "register", "--json", request)[1].strip() == "KEHA/1/2026"
    path = tmp_path / "lisatieto.eml"
    data = email_bytes(build_email())
    path.write_bytes(data)
    code, out, err = run_cli("import-email", path, "--case", "KEHA/1/2026")
    assert code == 0 and out.split() == [hashlib.sha256(data).hexdigest(), "KEHA/1/2026"]
    code, out, _err = run_cli("import-email", path, "--case", "KEHA/1/2026")
    assert code == 0 and "already attached" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (lambda tmp: (tmp / "kuva.eml", png_image()), "named as message/rfc822"),
        (lambda tmp: (tmp / "lomake.pdf", reportlab_pdf()), "is not an e-mail message"),
        (lambda tmp: (tmp / "tyhja.eml", b""), "is empty"),
    ],
    ids=["png-named-eml", "pdf", "empty"],
)
def test_cli_import_email_refuses_what_is_not_a_message(run_cli, tmp_path, content, expected):
    path, data = content(tmp_path)
    path.write_bytes(data)
    code, out, err = run_cli("import-email", path)
    assert code == 1 and out == "" and expected in err and len(err.strip().splitlines()) == 1
    assert run_cli("cases", "list", "--json")[1].strip() == "[]"


def test_cli_import_encrypted_email_without_key_says_what_is_needed(run_cli, tmp_path):
    certificate, _key = office_identity()
    path = tmp_path / "salattu.eml"
    path.write_bytes(smime_encrypted_email(build_email(), certificate))
    code, out, err = run_cli("import-email", path)
    assert code == 1 and out == ""
    assert "encrypted (S/MIME)" in err and len(err.strip().splitlines()) == 1
