"""`kirjaamo server init`: the schema, its version handshake, and the append-only log enforced by roles."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
import pytest

from desktop.sync.connection import SERVER_SCHEMA_VERSION, SchemaMismatch, ServerUnreachable
from desktop.sync.server import ServerSession
from desktop.sync.server_schema import init_server, role_names

pytestmark = pytest.mark.postgres


def test_init_creates_the_schema_and_is_idempotent(empty_database, run_cli):
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{empty_database}"
    code, out, err = run_cli("--user", "admin", "server", "init", "--url", url)
    assert (code, err) == (0, "")
    workstation, privileged = role_names(empty_database)
    assert "created" in out and privileged in out and workstation not in out

    again = init_server(url)
    assert again.before == again.after == "s0002" and not again.changed
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
    assert {
        "change_log",
        "devices",
        "blobs",
        "blob_chunks",
        "diary_counters",
        "case_numbers",
        "sealed_records",
        "desks",
        "kirjaamo_schema",
        "kirjaamo_server_version",
    } <= tables
    assert not tables & {"accounts", "office", "legacy_accounts", "legacy_office"}  # no hashes to read
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as connection:
        roles = {row[0] for row in connection.execute("SELECT rolname FROM pg_roles").fetchall()}
    assert workstation not in roles  # the shared workstation role is gone


def test_a_desk_login_cannot_rewrite_the_log(server, make_desk):
    desk_role = urlsplit(make_desk("a", server).url).username
    with ServerSession.open(server.admin_url) as session:
        session.connection.execute(
            "INSERT INTO change_log (server_seq, id, case_id, type, payload, actor, at, device_id, hlc) "
            "VALUES (1, 'e1', 'c1', 'NoteAdded', '{}', 'a', 'x', 'd', 'h')"
        )
    with server.connect(desk_role) as desk:
        assert desk.execute("SELECT count(*) FROM change_log").fetchone()[0] == 1  # it may read
        for statement in (
            "UPDATE change_log SET actor = 'mallory'",
            "DELETE FROM change_log",
            "TRUNCATE change_log",
            "UPDATE sync_counter SET last_seq = 0",  # nor move the log's numbering
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                desk.execute(statement)

    # Even a grant given by mistake does not open the log: the trigger refuses non-privileged roles.
    server.query(f'GRANT UPDATE, DELETE ON change_log TO "{desk_role}"')
    with server.connect(desk_role) as desk:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            desk.execute("UPDATE change_log SET actor = 'mallory'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            desk.execute("DELETE FROM change_log")

    with server.connect(server.privileged_role) as purger:  # the purge role may
        purger.execute("UPDATE change_log SET payload = '{\"redacted\":true}'")
    assert server.query("SELECT actor, payload FROM change_log") == [("a", '{"redacted":true}')]


def test_client_refuses_a_server_of_another_schema_version(server, empty_database):
    with ServerSession.open(server.admin_url) as session:
        assert session.info.version == SERVER_SCHEMA_VERSION

    server.query("UPDATE kirjaamo_schema SET version = %s", (SERVER_SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaMismatch, match="newer than this Kirjaamo understands"):
        ServerSession.open(server.admin_url)

    server.query("UPDATE kirjaamo_schema SET version = %s", (SERVER_SCHEMA_VERSION - 1,))
    with pytest.raises(SchemaMismatch, match="server init"):
        ServerSession.open(server.admin_url)

    server.query("UPDATE kirjaamo_server_version SET version_num = 's9999'")
    with pytest.raises(SchemaMismatch, match="newer schema"):
        init_server(server.admin_url)


def test_a_database_without_the_schema_is_named_as_such(empty_database):
    with pytest.raises(SchemaMismatch, match="kirjaamo server init"):
        ServerSession.open(f"postgresql+psycopg://postgres@127.0.0.1:5432/{empty_database}")


def test_server_init_failures_are_one_clear_line(run_cli, postgres_available):
    code, out, err = run_cli(
        "--user", "admin", "server", "init", "--url", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    )
    assert code == 1 and out == ""
    assert err.startswith("kirjaamo: The server is unreachable:") and err.count("\n") == 1

    code, _, err = run_cli("--user", "admin", "server", "init", "--url", "http://example.org/db")
    assert code == 1 and "Not a server address" in err and err.count("\n") == 1

    with pytest.raises(ServerUnreachable):
        ServerSession.open("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
