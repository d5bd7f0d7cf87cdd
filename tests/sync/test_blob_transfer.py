"""Files: resumable, hash-checked upload in 1 MiB chunks; eager or on-demand download."""

from __future__ import annotations

import hashlib
import os

import psycopg
import pytest

from desktop.domain.model import AttachmentKind
from desktop.sync.connection import ServerUnreachable, SyncRefused
from desktop.sync.server import CHUNK_SIZE, OutgoingEvent, ServerSession

pytestmark = pytest.mark.postgres


@pytest.mark.slow
def test_a_30_mb_attachment_survives_a_cut_mid_upload_and_arrives_bit_exact(server, make_desk, monkeypatch):
    a, b = make_desk("a", server), make_desk("b", server)
    data = b"%PDF-1.7\n" + os.urandom(30 * CHUNK_SIZE - 9)
    case_id = a.register()
    sha = a.cases.attach_bytes(case_id, data, "skannaus.pdf", AttachmentKind.SIGNED_FORM).sha256

    real_put = ServerSession.put_chunk
    sent: list[int] = []

    def put_then_cut(self, sha256, index, chunk):
        if len(sent) == 12:
            raise psycopg.OperationalError("connection reset by peer")
        real_put(self, sha256, index, chunk)
        sent.append(index)

    monkeypatch.setattr(ServerSession, "put_chunk", put_then_cut)
    with pytest.raises(ServerUnreachable):
        a.sync()
    assert server.query("SELECT count(*) FROM blob_chunks")[0][0] == 12
    assert server.query("SELECT complete FROM blobs") == [(False,)]
    assert server.event_ids() == set()  # the events wait until their file is there

    def put_and_count(self, sha256, index, chunk):
        real_put(self, sha256, index, chunk)
        sent.append(index)

    monkeypatch.setattr(ServerSession, "put_chunk", put_and_count)
    sent.clear()
    report = a.sync()
    assert sorted(sent) == list(range(12, 30))  # resumed: only the missing chunks
    assert report.blobs_uploaded == 1 and report.pushed == 2
    sealed_size = len(data) + 30 * 16  # each chunk sealed with its tag
    assert server.query("SELECT complete, size, chunk_count FROM blobs") == [(True, sealed_size, 30)]

    report = b.sync()
    assert report.blobs_downloaded == 1
    assert b.cases.read_attachment(sha) == data
    assert hashlib.sha256(b.workspace.blobs.path_for(sha).read_bytes()).hexdigest() == sha


def test_a_corrupted_chunk_set_is_rejected_and_sent_again(server, make_desk, monkeypatch):
    a = make_desk("a", server)
    data = b"%PDF-1.4\n" + os.urandom(2 * CHUNK_SIZE + 1000)
    sha = hashlib.sha256(data).hexdigest()
    with a.session() as session:
        session.begin_blob(sha, len(data))
        digest = hashlib.sha256()
        for index in range(3):
            chunk = session.seal_chunk(sha, index, 3, data[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE])
            digest.update(chunk)
            if index == 1:
                chunk = chunk[:100] + bytes([chunk[100] ^ 0xFF]) + chunk[101:]  # one flipped byte
            session.put_chunk(sha, index, chunk)
        assert session.finish_blob(sha, digest.hexdigest()) == "corrupted"
        assert session.blob_state(sha) == (False, set())  # the bad set was thrown away
        assert session.blob_size(sha) is None

    # A desk whose bytes get damaged on the way is told so; nothing is pushed; the next round works.
    case_id = a.register()
    a.cases.attach_bytes(case_id, data, "lomake.pdf", AttachmentKind.SIGNED_FORM)
    real_put = ServerSession.put_chunk

    def damaging_put(self, sha256, index, chunk):
        real_put(self, sha256, index, chunk if index != 2 else chunk[:-1] + b"\x00")

    monkeypatch.setattr(ServerSession, "put_chunk", damaging_put)
    with pytest.raises(SyncRefused, match="arrived damaged"):
        a.sync()
    assert server.event_ids() == set()
    monkeypatch.setattr(ServerSession, "put_chunk", real_put)
    assert a.sync().blobs_uploaded == 1
    with a.session() as session:
        name = session.seal.blob_name(sha)  # the server's name for the file: not its hash
    assert server.query("SELECT complete FROM blobs WHERE sha256 = %s", (name,)) == [(True,)]
    assert server.query("SELECT count(*) FROM blobs WHERE sha256 = %s", (sha,)) == [(0,)]


def test_the_server_refuses_an_attachment_whose_file_it_lacks(server, make_desk):
    from desktop.services.ids import uuid7
    from desktop.sync.client import SyncClient

    a = make_desk("a", server)
    case_id = a.register()
    sha = a.cases.attach_bytes(case_id, b"%PDF-1.4 x", "x.pdf", AttachmentKind.OTHER).sha256
    outbox = SyncClient(a.workspace.engine, a.workspace.blobs, new_id=uuid7, hlc_now=str).outbox(10)
    with a.session() as session, pytest.raises(SyncRefused, match=sha[:12]):
        session.push(outbox, uuid7, a.workspace.hlc.now)
    assert isinstance(outbox[0], OutgoingEvent) and server.event_ids() == set()


def test_on_demand_files_are_fetched_when_opened(server, make_desk):
    a = make_desk("a", server)
    b = make_desk("b", server, download_blobs="on_demand")
    case_id = a.register()
    data = b"%PDF-1.4\n" + os.urandom(CHUNK_SIZE + 5)
    sha = a.cases.attach_bytes(case_id, data, "lomake.pdf", AttachmentKind.SIGNED_FORM).sha256
    a.sync()

    report = b.sync()
    assert report.blobs_downloaded == 0 and not b.workspace.blobs.exists(sha)
    assert b.service.status().missing_files == 1
    from desktop.services.maintenance import verify

    assert verify(b.workspace) == []  # not fetched yet is not "missing"
    assert b.cases.read_attachment(sha) == data  # fetched now
    assert b.service.status().missing_files == 0 and b.workspace.blobs.exists(sha)
