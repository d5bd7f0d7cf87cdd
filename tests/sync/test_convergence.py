"""Desks that edit offline and sync in any order end up showing the same thing; nothing is lost."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from conftest import NOW, assert_converged, sync_all

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind, IdentityMethod
from desktop.services.ids import HybridClock
from desktop.sync.connection import SyncRefused

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_desks_converge_whatever_the_order(server, make_desk, order):
    a, b = make_desk("a", server), make_desk("b", server)
    shared = a.register("Aino Aaltonen")
    b_case = b.register("Bertil Berg")
    sync_all([a, b])

    # Offline on both desks: different fields of the same case, notes, a new case.
    a.cases.correct(shared, {"requester.name": "Aino Aalto"}, "Nimi muuttunut.")
    a.cases.verify_identity(shared, IdentityMethod.SIGNATURE)
    a.cases.add_note(b_case, "A:n muistiinpano.")
    b.cases.correct(shared, {"details": "Vain vuoden 2025 tiedot."}, "Tarkennettu.")
    b.cases.add_note(shared, "B:n muistiinpano.")
    b.cases.extend(b_case, "Laaja pyyntö.")
    b.register("Cecilia Carlsson")

    desks = {"a": a, "b": b}
    sync_all([desks[name] for name in order])
    shown = assert_converged([a, b], server)

    case = shown[shared]
    assert case["requester"]["name"] == "Aino Aalto" and case["details"] == "Vain vuoden 2025 tiedot."
    assert case["identity"]["method"] == "signature" and case["conflicts"] == []
    assert shown[b_case]["extended"] is True
    assert sorted(c["diary_number"] for c in shown.values()) == ["KEHA/1/2026", "KEHA/2/2026", "KEHA/3/2026"]


_EDITABLE = ("details", "requester.email", "requester.phone", "requester.address.city")


def _random_work(desk, case_ids: list[str], rng: random.Random, steps: int) -> None:
    for step in range(steps):
        case_id = rng.choice(case_ids)
        action = rng.random()
        try:
            if action < 0.4:
                desk.cases.add_note(case_id, f"{desk.name} {step}")
            elif action < 0.8:
                field = rng.choice(_EDITABLE)
                desk.cases.correct(case_id, {field: f"{desk.name}-{step}"}, "Korjaus.")
            elif action < 0.9:
                desk.cases.verify_identity(case_id, IdentityMethod.PASSPORT, "passi")
            else:
                case_ids.append(desk.register(f"{desk.name} uusi {step}"))
        except DomainError:
            pass  # the workflow said no on this desk: nothing written


@pytest.mark.parametrize("seed, order", [(1, "abc"), (2, "cba"), (3, "bca")])
def test_three_desks_converge(server, make_desk, seed, order):
    rng = random.Random(seed)
    desks = {name: make_desk(name, server) for name in "abc"}
    for desk in desks.values():
        desk.register(f"{desk.name} alku")
    sync_all(list(desks.values()))
    case_ids = desks["a"].case_ids()

    for _round in range(2):
        for name in order:
            _random_work(desks[name], list(case_ids), rng, 6)
        # Part of the desks sync in between, the others stay offline a round longer.
        desks[order[0]].sync()
        _random_work(desks[order[2]], list(case_ids), rng, 3)
        desks[order[1]].sync()

    sync_all([desks[name] for name in order])
    shown = assert_converged(list(desks.values()), server)
    numbers = [case["diary_number"] for case in shown.values()]
    assert len(set(numbers)) == len(numbers) and not any("/P" in n for n in numbers)


def test_same_field_on_two_desks_is_a_conflict_resolved_once(server, make_desk):
    a, b = make_desk("a", server), make_desk("b", server)
    case_id = a.register()
    sync_all([a, b])

    a.cases.correct(case_id, {"requester.email": "aino@example.fi"}, "Uusi osoite.")
    b.cases.correct(case_id, {"requester.email": "aino.aalto@example.fi"}, "Puhelimessa.")
    sync_all([a, b])

    for desk in (a, b):  # the badge on both desks, both values kept
        state = desk.cases.get(case_id)
        assert [(c.field, c.values) for c in state.conflicts] == [
            ("requester.email", ("aino@example.fi", "aino.aalto@example.fi"))
        ]
    assert a.show(case_id) == b.show(case_id)

    a.cases.resolve_conflict(case_id, "requester.email", "aino@example.fi")
    assert b.cases.get(case_id).conflicts  # until B hears of it
    sync_all([a, b])
    shown = assert_converged([a, b], server)[case_id]
    assert shown["conflicts"] == [] and shown["requester"]["email"] == "aino@example.fi"
    assert [e["type"] for e in shown["events"]].count("ConflictResolved") == 1
    with pytest.raises(DomainError, match="no conflicting edits"):
        b.cases.resolve_conflict(case_id, "requester.email", "other@example.fi")


class _WallClockOf(HybridClock):
    """The desk's hybrid clock driven by its (wrong) wall clock."""

    def __init__(self, device_id: str, clock) -> None:
        super().__init__(device_id)
        self.clock = clock

    def now(self, wall_millis: int | None = None) -> str:
        return super().now(int(self.clock.now().timestamp() * 1000))


def _without_times(shown: dict) -> dict:
    result = {key: value for key, value in shown.items() if key != "diary_number"}
    result["events"] = [{k: v for k, v in e.items() if k != "at"} for e in shown["events"]]
    return result


def test_a_desk_with_a_wrong_clock_neither_wins_nor_loses_edits(server, make_desk):
    right, wrong = make_desk("right", server), make_desk("wrong", server)
    wrong.workspace.__dict__["hlc"] = _WallClockOf("desk-wrong", wrong.clock)
    outcomes = {}
    for label, instant in {
        "correct": NOW,
        "a day ahead": NOW + timedelta(days=1),
        "a day behind": NOW - timedelta(days=1),
        "year 2001": datetime(2001, 3, 1, 9, 0, tzinfo=UTC),
    }.items():
        wrong.clock.set(instant)
        case_id = right.register("Aino Aaltonen")
        sync_all([right, wrong])

        # Different fields: both survive. The wrong clock edits first in real time, and last in its clock.
        wrong.cases.correct(case_id, {"details": "Vain tallenteet."}, "Tarkennus.")
        wrong.cases.add_note(case_id, "Väärän kellon muistiinpano.")
        right.cases.correct(case_id, {"requester.name": "Aino Aalto"}, "Nimi.")
        # The same field: whoever reaches the server later is current, and the other value is kept.
        wrong.cases.correct(case_id, {"requester.email": "wrong@example.fi"}, "Email.")
        right.cases.correct(case_id, {"requester.email": "right@example.fi"}, "Email.")
        right.cases.correct(case_id, {"requester.phone": "040 111"}, "Puhelin.")
        wrong.cases.correct(case_id, {"requester.phone": "040 222"}, "Puhelin.")
        wrong.sync()
        right.sync()
        wrong.sync()
        shown = assert_converged([right, wrong], server)[case_id]
        outcomes[label] = _without_times(shown)

    baseline = outcomes["correct"]
    assert baseline["details"] == "Vain tallenteet." and baseline["requester"]["name"] == "Aino Aalto"
    assert baseline["requester"]["email"] == "right@example.fi"  # pushed later, not "newer" by the clock
    assert baseline["requester"]["phone"] == "040 111"
    assert {c["field"] for c in baseline["conflicts"]} == {"requester.email", "requester.phone"}
    for label, outcome in outcomes.items():
        assert outcome == baseline, label


def test_a_purge_reaches_every_desk_and_later_edits_are_refused(server, make_desk):
    a, b = make_desk("a", server), make_desk("b", server)
    case_id = a.register("Maija Meikäläinen")
    sha = a.cases.attach_bytes(
        case_id, b"%PDF-1.4 Maija's form", "lomake.pdf", AttachmentKind.SIGNED_FORM
    ).sha256
    a.cases.withdraw(case_id, "Peruttu puhelimessa.")
    a.cases.close(case_id)
    kept = a.register("Toinen Asiakas")
    sync_all([a, b])
    assert b.workspace.blobs.exists(sha)
    b.cases.add_note(case_id, "Meikäläinen soitti vielä.")  # offline, not yet on the server

    with pytest.raises(SyncRefused):  # a workstation may not purge
        a.service.purge(case_id, a.url)  # its own login
    assert a.cases.get(case_id).status.value == "closed"

    purged = a.service.purge(case_id, server.privileged_url)
    assert purged.status.value == "purged" and purged.requester.name == "" and purged.attachments == ()
    assert not a.workspace.blobs.exists(sha)
    assert server.query("SELECT count(*) FROM blobs")[0][0] == 0

    b.sync()  # its late note goes up (stripped by the server), the purge comes down
    assert b.cases.get(case_id).status.value == "purged"
    assert not b.workspace.blobs.exists(sha)
    with pytest.raises(DomainError, match="purged"):
        b.cases.add_note(case_id, "Vielä yksi.")
    sync_all([a, b])
    shown = assert_converged([a, b], server)
    assert shown[case_id]["requester"]["name"] == "" and shown[kept]["requester"]["name"] == "Toinen Asiakas"

    assert (
        server.query("SELECT count(*) FROM change_log WHERE payload LIKE %s", ("%Meikäläinen%",))[0][0] == 0
    )
    for desk in (a, b):
        with desk.workspace.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            assert (
                cursor.execute("SELECT count(*) FROM events WHERE payload LIKE '%Meikäläinen%'").fetchone()[0]
                == 0
            )
            assert (
                cursor.execute(
                    "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'Meikäläinen'"
                ).fetchone()[0]
                == 0
            )
