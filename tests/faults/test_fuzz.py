"""The fuzz pass: Hypothesis over the request JSON parser, the e-mail importers and the backup manifest
reader. Fixed budget (max_examples, derandomized: the same examples every run); the only acceptable
outcomes are a result or one DomainError. Every traceback it ever found is a regression test in
test_bad_input.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest
from counts import count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.errors import DomainError
from desktop.services import backup
from desktop.services.clock import HELSINKI
from desktop.services.email_import import read_email, request_from_email
from desktop.services.intake import load_request, parse_request

sys.path.insert(0, str(Path(__file__).parent.parent / "evidence"))
from evidence_samples import build_email, build_msg, email_bytes, reportlab_pdf  # noqa: E402

BUDGET = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
TODAY = dt.date(2026, 11, 23)

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
)
_VALID = {
    "right": "access",
    "channel": "post",
    "received": "2026-11-06",
    "registers": ["te-asiakasrekisteri"],
    "signed": True,
    "details": "Pyydän tietoni.",
    "requester": {"name": "Maija Meikäläinen", "language": "fi", "email": "m@example.fi"},
}


def _utf8_clean(value: object) -> None:
    """Whatever the importers hand on must be storable: every string encodes as UTF-8."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for key, item in value.items():
            _utf8_clean(key)
            _utf8_clean(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _utf8_clean(item)


@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
@BUDGET
def test_request_parser_bytes(clerk_service, raw):
    count("fuzz", "request bytes")
    try:
        parse_request(clerk_service.context(), load_request(raw))
    except DomainError:
        count("fuzz", "refused")


@given(
    path=st.lists(
        st.sampled_from(
            [
                "right",
                "channel",
                "received",
                "requester",
                "name",
                "address",
                "registers",
                "signed",
                "details",
                "email",
                "postcode",
                "hetu",
                "language",
            ]
        ),
        min_size=1,
        max_size=3,
    ),
    value=_json,
)
@BUDGET
def test_request_parser_mutated_fields(clerk_service, path, value):
    count("fuzz", "request fields")
    data = json.loads(json.dumps(_VALID))
    target = data
    for key in path[:-1]:
        nxt = target.get(key)
        if not isinstance(nxt, dict):
            nxt = target[key] = {}
        target = nxt
    target[path[-1]] = value
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        request = parse_request(clerk_service.context(), load_request(raw))
    except DomainError:
        count("fuzz", "refused")
        return
    _utf8_clean(request.requester.name + request.details)


_EML = email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(1), "application/pdf")]))
_MSG = build_msg(
    "Pyyntö",
    "Hei",
    "Maija Meikäläinen",
    "m@example.fi",
    dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    [("a.pdf", reportlab_pdf(1))],
)


def _mutate(base: bytes, edits: list[tuple[int, int]], cut: int | None, insert: bytes) -> bytes:
    data = bytearray(base)
    for position, byte in edits:
        data[position % len(data)] = byte
    if insert:
        at = edits[0][0] % len(data) if edits else 0
        data[at:at] = insert
    return bytes(data[:cut] if cut else data)


_edits = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=12)
_inserts = st.sampled_from(
    [
        b"",
        b"=?utf-8?b?////?=",
        b"\r\nSubject: =?x?q?\xff?=\r\n",
        b"\x00" * 20,
        b'Content-Type: multipart/mixed; boundary=""\r\n',
        b"=?utf-8?q?" + b"=FF" * 50 + b"?=",
    ]
)


def _import(data: bytes, name: str) -> None:
    try:
        mail = read_email(data, name)
    except DomainError:
        count("fuzz", "refused")
        return
    _utf8_clean(
        [
            mail.sender_name,
            mail.sender_address,
            mail.subject,
            mail.body,
            mail.recipients,
            [a.filename for a in mail.attachments],
        ]
    )
    _utf8_clean(request_from_email(mail, TODAY, HELSINKI))


@given(edits=_edits, cut=st.none() | st.integers(1, len(_EML)), insert=_inserts)
@BUDGET
def test_eml_importer(edits, cut, insert):
    count("fuzz", "eml")
    _import(_mutate(_EML, edits, cut, insert), "fuzz.eml")


@given(edits=_edits, cut=st.none() | st.integers(1, len(_MSG)))
@BUDGET
def test_msg_importer(edits, cut):
    count("fuzz", "msg")
    _import(_mutate(_MSG, edits, cut, b""), "fuzz.msg")


_manifest_values = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["kirjaamo-backup", "x"]) | _scalars,
        "version": st.sampled_from([1, 2]) | _scalars,
    },
    optional={
        "files": _json
        | st.dictionaries(
            st.sampled_from(["kirjaamo.sqlite3", "keys.json", "blobs/aa/" + "b" * 62, "../x", "/etc/passwd"]),
            _json
            | st.fixed_dictionaries(
                {"sha256": _scalars | st.text("0123456789abcdef", min_size=64, max_size=64)}
            ),
            max_size=3,
        )
    },
)


@given(manifest=_manifest_values | _json, raw=st.none() | st.binary(max_size=200))
@BUDGET
def test_backup_manifest_reader(manifest, raw):
    count("fuzz", "manifests")
    data = raw if raw is not None else json.dumps(manifest).encode("utf-8", "surrogatepass")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(backup.MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        try:
            result = backup._read_manifest(tar)
        except DomainError:
            count("fuzz", "refused")
            return
    assert isinstance(result["files"], dict)
    assert all(
        isinstance(entry, dict) and isinstance(entry["sha256"], str) for entry in result["files"].values()
    )


@pytest.mark.parametrize("payload", [b"", b"\x00" * 512, b"not a tar at all" * 40])
def test_restore_of_garbage_is_refused(tmp_path, payload):
    archive = tmp_path / "garbage.tar"
    archive.write_bytes(payload)
    with pytest.raises(DomainError):
        backup.restore(archive, tmp_path / "target", "admin", "demo")
