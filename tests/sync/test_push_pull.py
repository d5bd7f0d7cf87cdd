"""Push and pull: provisional diary numbers, retries after a cut, duplicate and reordered batches, first sync."""

from __future__ import annotations

import psycopg
import pytest

from desktop.domain.events import EventType
from desktop.services.desks import DeskService, join
from desktop.services.sync_service import SyncService
from desktop.services.workspace import Workspace
from desktop.sync import client as client_module
from desktop.sync.client import SyncClient
from desktop.sync.connection import ServerUnreachable, SyncRefused
from desktop.sync.server import OutgoingEvent, ServerSession

pytestmark = pytest.mark.postgres


def test_offline_registration_gets_its_final_number_on_push(server, make_desk):
    standalone = make_desk("standalone")
    assert (
        standalone.cases.get(standalone.register()).diary_number == "KEHA/1/2026"
    )  # unchanged without server

    a = make_desk("a", server)
    first, second = a.register("Aino"), a.register("Bertil")
    assert [a.cases.get(c).diary_number for c in (first, second)] == ["KEHA/P1/2026", "KEHA/P2/2026"]
    a.cases.add_note(first, "Soitettu asiakkaalle.")

    report = a.sync()
    assert report.pushed == 3 and report.blobs_uploaded == 0
    assert report.final_diary_numbers == {"KEHA/P1/2026": "KEHA/1/2026", "KEHA/P2/2026": "KEHA/2/2026"}
    state = a.cases.get(first)
    assert (state.diary_number, state.provisional_diary_number) == ("KEHA/1/2026", "KEHA/P1/2026")
    assert a.cases.get("KEHA/2/2026").id == second  # found by its final number
    types = [e.type for e in a.cases.timeline(first)]
    assert types == [EventType.CASE_REGISTERED, EventType.DIARY_NUMBER_ASSIGNED, EventType.NOTE_ADDED]

    b = make_desk("b", server)
    b.sync()
    assert b.show(first) == a.show(first)
    third = b.register("Cecilia")
    assert b.cases.get(third).diary_number == "KEHA/P1/2026"  # provisional numbers are per desk
    assert b.sync().final_diary_numbers == {"KEHA/P1/2026": "KEHA/3/2026"}


def test_cut_after_the_server_committed_retry_gives_no_duplicate_and_the_same_number(
    server, make_desk, monkeypatch
):
    a = make_desk("a", server)
    case_id = a.register()
    a.cases.add_note(case_id, "Ensimmäinen muistiinpano.")
    real_push = ServerSession.push

    def push_then_lose_the_answer(self, *args, **kwargs):
        real_push(self, *args, **kwargs)  # committed on the server...
        raise psycopg.OperationalError("server closed the connection unexpectedly")  # ...reply lost

    monkeypatch.setattr(ServerSession, "push", push_then_lose_the_answer)
    with pytest.raises(ServerUnreachable, match="The server is unreachable"):
        a.sync()
    assert len(server.event_ids()) == 3  # registration, final number, note
    assert a.cases.get(case_id).diary_number == "KEHA/P1/2026"  # nothing recorded locally
    assert a.service.status().pending_events == 2
    assert a.service.status().state == "error"

    monkeypatch.setattr(ServerSession, "push", real_push)
    a.cases.add_note(case_id, "Written while offline.")
    report = a.sync()
    assert report.pushed == 1  # only the new note; the first two were already there
    assert report.final_diary_numbers == {"KEHA/P1/2026": "KEHA/1/2026"}  # the same number again
    assert server.query("SELECT count(*) FROM change_log")[0][0] == 4
    assert server.query("SELECT count(*) FROM case_numbers")[0][0] == 1
    assert server.query("SELECT last FROM diary_counters") == [(1,)]
    assert a.cases.get(case_id).diary_number == "KEHA/1/2026"
    assert a.event_ids() == server.event_ids()
    assert a.service.status().state == "synced"


def _outbox(desk) -> list[OutgoingEvent]:
    return SyncClient(
        desk.workspace.engine, desk.workspace.blobs, new_id=lambda: "", hlc_now=lambda: ""
    ).outbox(100)


def test_duplicate_batches_are_no_ops_and_reordered_ones_are_refused(server, make_desk):
    from desktop.services.ids import uuid7

    a = make_desk("a", server)
    case_id = a.register()
    for text in ("yksi", "kaksi", "kolme", "neljä"):
        a.cases.add_note(case_id, text)
    batch = _outbox(a)
    hlc = a.workspace.hlc.now

    with a.session() as session:
        first = session.push(batch[:3], uuid7, hlc)
        assert first.inserted == 3 and len(first.created) == 1  # + the final diary number
        again = session.push(batch[:3], uuid7, hlc)  # the same batch once more: nothing new
        assert again.inserted == 0 and again.seqs == first.seqs
        assert [e.event.id for e in again.created] == [e.event.id for e in first.created]
        log_before = server.query("SELECT server_seq, id FROM change_log ORDER BY server_seq")

        with pytest.raises(SyncRefused, match="out-of-order"):  # newer events before older ones
            session.push([batch[4], batch[3]], uuid7, hlc)
        with pytest.raises(SyncRefused, match="same event twice"):
            session.push([batch[3], batch[3]], uuid7, hlc)
        assert server.query("SELECT server_seq, id FROM change_log ORDER BY server_seq") == log_before

    # The desk itself goes on in order; the refused batches left nothing half-written.
    a.sync()
    seqs = [row[0] for row in server.query("SELECT server_seq FROM change_log ORDER BY server_seq")]
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free
    assert a.event_ids() == server.event_ids()

    # An event held back and sent after a later one of the same desk is refused, clearly, every time.
    a.cases.add_note(case_id, "viisi")
    a.cases.add_note(case_id, "kuusi")
    later = _outbox(a)
    with a.session() as session:
        session.push([later[1]], uuid7, hlc)
        with pytest.raises(SyncRefused, match="out-of-order"):
            session.push([later[0]], uuid7, hlc)
    with pytest.raises(SyncRefused, match="out-of-order"):
        a.sync()


def test_first_sync_sets_up_a_desk_and_resumes_after_an_interruption(
    server, make_desk, tmp_path, monkeypatch, run_cli
):
    a = make_desk("a", server)
    ids = [a.register(f"Asiakas {n}") for n in range(12)]
    for case_id in ids[:6]:
        a.cases.add_note(case_id, "Muistiinpano.")
    a.sync()
    total = len(server.event_ids())  # 12 registrations + 12 final numbers + 6 notes

    monkeypatch.setattr(client_module, "PAGE_SIZE", 5)
    real_apply = SyncClient.apply_page
    pages = []

    def apply_then_cut(self, page):
        if len(pages) == 3:
            raise ServerUnreachable("The server is unreachable: {reason}", reason="cable pulled")
        pages.append(page)
        return real_apply(self, page)

    monkeypatch.setattr(SyncClient, "apply_page", apply_then_cut)
    new_desk = tmp_path / "new-desk"
    seen: list[tuple[str, int, int]] = []
    code = DeskService(a.workspace, a.user).enrol(server.privileged_url, "new desk").code
    with pytest.raises(ServerUnreachable):
        join(new_desk, server.privileged_url, code, "clerk", "demo", progress=lambda *p: seen.append(p))
    assert seen == [("pull", 5, total), ("pull", 10, total), ("pull", 15, total)]

    # The desk exists, with what arrived so far; encrypted, it opens for the accounts the server gave it.
    workspace, _clerk = Workspace.unlock(new_desk, "clerk", "demo")
    state = SyncService(workspace).status()
    assert not state.first_sync_complete and state.state == "error"
    assert SyncClient(workspace.engine, workspace.blobs, new_id=str, hlc_now=str).cursor() == 15
    assert workspace.settings.office_prefix == "KEHA" and workspace.settings.office_name == "Testivirasto"
    assert workspace.settings.device_id not in ("", "desk-a")
    workspace.close()

    monkeypatch.setattr(SyncClient, "apply_page", real_apply)
    code, out, err = run_cli("--data-dir", new_desk, "sync")  # the ordinary sync resumes it
    assert (code, err) == (0, ""), err
    assert "received" in out

    workspace, clerk = Workspace.unlock(new_desk, "clerk", "demo")  # accounts came from the server
    try:
        assert SyncService(workspace).status().first_sync_complete
        from desktop.cli import case_json
        from desktop.services.cases import CaseService

        cases = CaseService(workspace, clerk)
        for case_id in ids:
            assert case_json(cases.get(case_id), cases.timeline(case_id)) == a.show(case_id)
    finally:
        workspace.close()


def test_cli_sync_and_its_failures(server, make_desk, run_cli, tmp_path):
    a = make_desk("a", server)
    a.register()
    code, out, err = run_cli("--data-dir", a.workspace.data_dir, "sync")
    assert (code, err) == (0, "")
    assert "KEHA/P1/2026 → KEHA/1/2026" in out

    code, out, err = run_cli("--data-dir", tmp_path / "nothing", "sync")
    assert code == 1 and "--server" in err and err.count("\n") == 1

    # A desk without enrolment is refused with one clear line (the address alone makes no desk).
    code, out, err = run_cli("--data-dir", tmp_path / "fresh", "sync", "--server", server.privileged_url)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("kirjaamo: This desk is not enrolled with the server: ask an administrator")
    assert not (tmp_path / "fresh").exists()
    alone = make_desk("alone")  # an existing desk of its own office is refused too
    code, out, err = run_cli(
        "--data-dir", alone.workspace.data_dir, "sync", "--server", server.privileged_url
    )
    assert code == 1 and err.count("\n") == 1 and "not enrolled" in err
    enrolment = DeskService(a.workspace, a.user).enrol(server.privileged_url, "fresh").code
    code, out, err = run_cli(
        "--data-dir",
        tmp_path / "fresh",
        "--user",
        "clerk",
        "sync",
        "--server",
        server.privileged_url,
        "--enrolment-code",
        enrolment,
    )
    assert (code, err) == (0, "") and "Set up" in out
    code, out, err = run_cli(
        "--data-dir",
        tmp_path / "again",
        "--user",
        "clerk",
        "sync",
        "--server",
        server.privileged_url,
        "--enrolment-code",
        enrolment,
    )
    assert code == 1 and err.count("\n") == 1 and "already used" in err  # once only

    code, out, err = run_cli(
        "--data-dir", a.workspace.data_dir, "sync", "--server", "postgresql+psycopg://x@127.0.0.1:1/none"
    )
    assert code == 1 and out == ""
    assert err.startswith("kirjaamo: The server is unreachable:") and err.count("\n") == 1
