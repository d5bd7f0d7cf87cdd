"""Concurrent edits keep every value; a desk's wrong clock neither opens next year's series nor drags the
office's logical clock along."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sync_fixtures import assert_converged, sync_all

from desktop.domain.errors import DomainError
from desktop.i18n import error_text
from desktop.services.ids import uuid7

pytestmark = pytest.mark.postgres


def test_three_way_edit_keeps_all_three_values(server, make_desk):
    desks = [make_desk(name, server) for name in ("a", "b", "c")]
    a, b, c = desks
    case_id = a.register()
    sync_all(desks)
    a.cases.correct(case_id, {"requester.email": "aino@example.fi"}, "Uusi osoite.")
    b.cases.correct(case_id, {"requester.email": "aino.aalto@example.fi"}, "Puhelimessa.")
    c.cases.correct(case_id, {"requester.email": "a.aalto@example.fi"}, "Kirjeessä.")
    sync_all(desks)
    assert_converged(desks, server)
    for desk in desks:
        (conflict,) = desk.cases.get(case_id).conflicts
        assert conflict.field == "requester.email"
        assert sorted(conflict.values) == ["a.aalto@example.fi", "aino.aalto@example.fi", "aino@example.fi"]
    a.cases.resolve_conflict(case_id, "requester.email", "a.aalto@example.fi")
    sync_all(desks)
    assert assert_converged(desks, server)[case_id]["conflicts"] == []


def _server_now(server) -> datetime:
    return server.query("SELECT now()")[0][0].astimezone(UTC)


def test_a_desk_clock_far_ahead_cannot_push(server, make_desk):
    a = make_desk("a", server)
    a.clock.set(_server_now(server) + timedelta(days=400))
    a.register()
    with pytest.raises(DomainError) as raised:
        a.sync()
    text = error_text(raised.value)
    assert "400 days ahead of the server" in text, text
    assert server.event_ids() == set()

    # The clock is put right: what was recorded under the wrong clock still waits, and says why.
    a.clock.set(_server_now(server))
    with pytest.raises(DomainError) as raised:
        a.sync()
    assert "recorded while this desk's clock was 400 days ahead" in error_text(raised.value)
    assert server.event_ids() == set()


def test_the_server_numbers_by_the_received_year_not_the_desk_clock(server, make_desk):
    a = make_desk("a", server)
    a.clock.set(datetime(2028, 1, 10, 9, 0, tzinfo=UTC))  # the desk thinks it is 2028
    case_id = a.register(received="2026-11-06")
    assert a.cases.get(case_id).diary_number == "KEHA/P1/2028"
    client = a.service.client()
    with a.session() as session:  # as a desk from before the clock check
        result = session.push(client.outbox(100), uuid7, a.workspace.hlc.now)
    assert result.assignments == {"KEHA/P1/2028": "KEHA/1/2026"}
    assert server.query("SELECT prefix, year, last FROM diary_counters") == [("KEHA", 2026, 1)]


def test_the_logical_clock_never_runs_ahead_of_the_server(server, make_desk):
    a, b = make_desk("a", server), make_desk("b", server)
    future = _server_now(server) + timedelta(days=400)
    a.workspace.hlc.observe(f"{int(future.timestamp() * 1000):013d}-0000-elsewhere")
    a.register()
    client = a.service.client()
    with a.session() as session:  # as a desk from before the clock check
        session.push(client.outbox(100), uuid7, a.workspace.hlc.now)
    b.sync()
    assert len(b.case_ids()) == 1
    millis = int(b.workspace.hlc.now().split("-")[0])
    bound = _server_now(server) + timedelta(minutes=6)
    assert millis < bound.timestamp() * 1000
