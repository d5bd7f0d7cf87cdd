"""Every network wait is bounded: a silent server ends the sync with one line and leaves nothing locked."""

from __future__ import annotations

import threading

import psycopg
import pytest

from desktop.i18n import error_text
from desktop.sync import connection
from desktop.sync.connection import ServerTimeout
from desktop.sync.server_schema import init_server

pytestmark = pytest.mark.postgres
BOUND = 60  # seconds a test waits before it calls a sync hung


def _run_bounded(function):
    """Run `function` in a thread; (finished, result or exception)."""
    outcome: list = []

    def target():
        try:
            outcome.append(function())
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(BOUND)
    return (not thread.is_alive()), (outcome[0] if outcome else None)


@pytest.fixture
def short_bounds(monkeypatch):
    monkeypatch.setattr(connection, "READ_TIMEOUT_SECONDS", 2.0)
    monkeypatch.setattr(connection, "IDLE_IN_TRANSACTION_SECONDS", 2)


def test_stalled_push_ends_in_bounded_time_and_leaves_nothing_locked(server, make_desk, proxy, short_bounds):
    a = make_desk("a", server, url=proxy.url("through-the-proxy", server.database))
    b = make_desk("b", server)
    a.register("Anna Ahonen")
    b.register("Bertil Berg")
    proxy.stall_after(b"kirjaamo_stamp")  # the push reached the log's lock; the answers stop coming

    finished, outcome = _run_bounded(a.sync)
    assert finished, "a sync on a silent connection must end"
    assert isinstance(outcome, ServerTimeout)
    assert error_text(outcome) == (
        "The server did not answer within 2 seconds; the connection was closed and nothing was left half-done."
    )
    assert a.service.status().state == "error"

    # The stalled session (still open behind the proxy) holds nothing: another desk syncs at once.
    finished, outcome = _run_bounded(b.sync)
    assert finished and not isinstance(outcome, BaseException), outcome
    proxy.resume()
    finished, outcome = _run_bounded(a.sync)
    assert finished and not isinstance(outcome, BaseException), outcome
    b.sync()
    assert a.case_ids() == b.case_ids() and len(a.case_ids()) == 2
    numbers = sorted(a.cases.get(case_id).diary_number for case_id in a.case_ids())
    assert numbers == ["KEHA/1/2026", "KEHA/2/2026"]


def test_stalled_pull_ends_in_bounded_time(server, make_desk, proxy, short_bounds):
    b = make_desk("b", server)
    b.register()
    b.sync()
    a = make_desk("a", server, url=proxy.url("through-the-proxy", server.database))
    proxy.stall_after(b"FROM change_log WHERE server_seq >")
    finished, outcome = _run_bounded(a.sync)
    assert finished and isinstance(outcome, ServerTimeout)
    proxy.resume()
    a.sync()
    assert a.case_ids() == b.case_ids()


def test_server_init_bounds_desk_sessions(server, make_desk):
    from urllib.parse import urlsplit

    desk_login = urlsplit(make_desk("a", server).url).username
    for role in (desk_login, server.privileged_role):
        with psycopg.connect(f"host=127.0.0.1 user={role} dbname={server.database}") as conn:
            idle = conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0]
            statement = conn.execute("SHOW statement_timeout").fetchone()[0]
        assert (idle, statement) == (
            f"{connection.IDLE_IN_TRANSACTION_SECONDS}s",
            f"{connection.STATEMENT_TIMEOUT_SECONDS}s",
        )
    # Running init again keeps them (it is idempotent).
    init_server(server.admin_url)


def test_connection_messages_carry_no_libpq_guesswork():
    text = connection._reason(
        psycopg.OperationalError(
            "server closed the connection unexpectedly\n\tThis probably means the server terminated "
            "abnormally\n\tbefore or while processing the request."
        )
    )
    assert text == "server closed the connection unexpectedly"
