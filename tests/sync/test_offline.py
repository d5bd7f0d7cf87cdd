"""The server down: one clear error, the desk works on, and the next round catches up."""

from __future__ import annotations

import pytest

from desktop.domain.errors import DomainError
from desktop.sync.connection import ServerUnreachable

pytestmark = pytest.mark.postgres


def test_server_down_then_back(server, make_desk):
    down = f"postgresql+psycopg://nobody@127.0.0.1:1/{server.database}"
    a = make_desk("a", server, url=down)
    assert a.service.status().state == "never"
    case_id = a.register()

    with pytest.raises(ServerUnreachable) as raised:
        a.sync()
    assert str(raised.value).startswith("The server is unreachable: ")
    status = a.service.status()
    assert status.state == "error" and status.last_success is None and status.pending_events == 1
    assert str(status.last_error).startswith("The server is unreachable: ")
    assert a.service.test_connection().startswith("The server is unreachable: ")

    # Work goes on offline, with provisional numbers.
    a.cases.add_note(case_id, "Kirjattu palvelimen ollessa alhaalla.")
    other = a.register("Bertil Berg")
    assert a.cases.get(other).diary_number == "KEHA/P2/2026"

    with pytest.raises(DomainError, match="unreachable"):  # a bad address is not saved
        a.service.set_server(down)
    assert a.service.test_connection(a.url) is None
    a.service.set_server(a.url)
    report = a.sync()
    assert report.pushed == 3 and len(report.final_diary_numbers) == 2
    status = a.service.status()
    assert status.state == "synced" and status.last_error is None and status.pending_events == 0
    assert a.event_ids() == server.event_ids()


def test_a_desk_stays_with_its_server(server, make_desk, new_database):
    from desktop.sync.server_schema import init_server

    a = make_desk("a", server)
    a.register()
    a.sync()
    other = f"postgresql+psycopg://postgres@127.0.0.1:5432/{new_database()}"
    init_server(other)
    with pytest.raises(DomainError, match="another server"):
        a.sync(url=other)
    assert a.service.test_connection(other).startswith("This desk syncs with another server")


def test_standalone_desk_has_no_server(make_desk):
    a = make_desk("a")
    assert a.service.status().state == "standalone"
    with pytest.raises(DomainError, match="No sync server"):
        a.sync()
