"""Sealing at the sync boundary, without a server: what the server may read, and what it cannot change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.domain.events import Event, EventType
from desktop.sync.sealing import OfficeSeal, SealBroken, new_office_key


def _event(**changes) -> Event:
    values = dict(
        id="0190-e1",
        case_id="c1",
        type=EventType.NOTE_ADDED,
        payload={"text": "Soitin Maija Meikäläiselle, hetu 131052-308T."},
        actor="clerk",
        at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        device_id="desk-a",
        hlc="0001",
    )
    values.update(changes)
    return Event(**values)


def _row(sealed) -> tuple:
    return (
        sealed.id,
        sealed.case_id,
        sealed.type,
        sealed.sealed,
        sealed.actor,
        sealed.at,
        sealed.device_id,
        sealed.hlc,
    )


def test_an_event_opens_as_it_was_and_shows_the_server_nothing_personal():
    seal = OfficeSeal(new_office_key())
    event = _event()
    sealed = seal.seal_event(event)
    assert "Meikäläi" not in sealed.sealed and "131052" not in sealed.sealed and sealed.actor == ""
    assert seal.open_event(_row(sealed)) == event
    assert seal.seal_event(event).sealed != sealed.sealed  # a fresh nonce every time


@pytest.mark.parametrize("column", [1, 2, 6, 7])  # case, type, device, clock stamp
def test_a_payload_moved_to_another_event_does_not_open(column):
    seal = OfficeSeal(new_office_key())
    row = list(_row(seal.seal_event(_event())))
    row[column] = {1: "c2", 2: "CasePurged", 6: "desk-b", 7: "0002"}[column]
    with pytest.raises(SealBroken):
        seal.open_event(tuple(row))


def test_another_office_key_and_plain_rows_from_desks_are_refused():
    sealed = OfficeSeal(new_office_key()).seal_event(_event())
    with pytest.raises(SealBroken):
        OfficeSeal(new_office_key()).open_event(_row(sealed))
    plain = ("e2", "c1", "CasePurged", "{}", "mallory", "2026-11-23T08:00:00+00:00", "desk-b", "0003")
    with pytest.raises(SealBroken, match="not sealed"):
        OfficeSeal(new_office_key()).open_event(plain)


def test_file_chunks_are_deterministic_per_file_and_index_and_bound_to_them():
    seal = OfficeSeal(new_office_key())
    name = seal.blob_name("ab" * 32)
    assert name != "ab" * 32
    first = seal.seal_chunk(name, 1024, 0, 2, b"x" * 1024)
    assert first == seal.seal_chunk(name, 1024, 0, 2, b"x" * 1024)  # a resumed upload sends the same bytes
    assert first != seal.seal_chunk(name, 1024, 1, 2, b"x" * 1024)  # another index: another nonce
    assert seal.open_chunk(name, 1024, 0, 2, first) == b"x" * 1024
    with pytest.raises(SealBroken):
        seal.open_chunk(name, 1024, 1, 2, first)  # a chunk moved to another place
