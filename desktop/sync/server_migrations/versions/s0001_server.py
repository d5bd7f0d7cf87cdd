"""The server schema: the shared change log, devices, blobs, diary numbers, accounts, office, roles.

A snapshot in plain DDL: later changes come as new revisions, never as edits here.

Revision ID: s0001
Revises:
"""

import uuid

from alembic import op

from desktop.sync.server_schema import role_names

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA_VERSION = 1

TABLES = [
    # What a client checks before it talks to the server; one row.
    "CREATE TABLE kirjaamo_schema (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
    "version integer NOT NULL, server_id text NOT NULL, workstation_role text NOT NULL, "
    "privileged_role text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
    # The one lock of the log: a push bumps this row, so pushes commit in the order of their numbers.
    "CREATE TABLE sync_counter (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
    "last_seq bigint NOT NULL CHECK (last_seq >= 0))",
    "INSERT INTO sync_counter (singleton, last_seq) VALUES (true, 0)",
    "CREATE TABLE change_log (server_seq bigint PRIMARY KEY CHECK (server_seq > 0), id text NOT NULL UNIQUE, "
    "case_id text NOT NULL, type text NOT NULL, payload text NOT NULL, actor text NOT NULL, at text NOT NULL, "
    "device_id text NOT NULL, hlc text NOT NULL, device_seq bigint, "
    "pushed_at timestamptz NOT NULL DEFAULT now(), UNIQUE (device_id, device_seq))",
    "CREATE INDEX change_log_case ON change_log (case_id, server_seq)",
    "CREATE INDEX change_log_type ON change_log (type, case_id)",
    "CREATE TABLE devices (device_id text PRIMARY KEY, last_device_seq bigint NOT NULL DEFAULT 0, "
    "first_push timestamptz NOT NULL DEFAULT now(), last_push timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE blobs (sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'), "
    "size bigint NOT NULL CHECK (size >= 0), chunk_count integer NOT NULL CHECK (chunk_count >= 0), "
    "complete boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE blob_chunks (sha256 text NOT NULL REFERENCES blobs ON DELETE CASCADE, "
    "idx integer NOT NULL CHECK (idx >= 0), data bytea NOT NULL, PRIMARY KEY (sha256, idx))",
    "CREATE TABLE diary_counters (prefix text NOT NULL, year integer NOT NULL, last integer NOT NULL, "
    "PRIMARY KEY (prefix, year))",
    # The final number of each case registered offline: a retried push finds it here.
    "CREATE TABLE case_numbers (case_id text PRIMARY KEY, diary_number text NOT NULL UNIQUE, "
    "provisional text NOT NULL, event_id text NOT NULL)",
    "CREATE TABLE accounts (username text PRIMARY KEY, display_name text NOT NULL, role text NOT NULL, "
    "active boolean NOT NULL, password_hash text, created_at text NOT NULL)",
    "CREATE TABLE office (key text PRIMARY KEY, value text NOT NULL)",
]

FUNCTIONS = [
    # Takes the log's lock (n = 0) and reserves n numbers; returns the last number before them.
    """CREATE FUNCTION kirjaamo_stamp(n integer) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $$
    DECLARE before bigint;
    BEGIN
        IF n < 0 THEN RAISE EXCEPTION 'kirjaamo_stamp: negative count %', n; END IF;
        UPDATE sync_counter SET last_seq = last_seq + n RETURNING last_seq - n INTO before;
        RETURN before;
    END $$""",
    # After the last chunk: the server reads the chunks back and hashes them. A complete but wrong set
    # is thrown away ('corrupted'); too few chunks is 'incomplete'; a match marks the blob 'complete'.
    """CREATE FUNCTION kirjaamo_finish_blob(p_sha text) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $$
    DECLARE b blobs%ROWTYPE; digest text; total bigint; n integer;
    BEGIN
        SELECT * INTO b FROM blobs WHERE sha256 = p_sha FOR UPDATE;
        IF NOT FOUND THEN RETURN 'missing'; END IF;
        IF b.complete THEN RETURN 'complete'; END IF;
        SELECT count(*), coalesce(sum(length(data)), 0) INTO n, total FROM blob_chunks WHERE sha256 = p_sha;
        IF n < b.chunk_count THEN RETURN 'incomplete'; END IF;
        SELECT encode(sha256(coalesce(string_agg(data, ''::bytea ORDER BY idx), ''::bytea)), 'hex')
            INTO digest FROM blob_chunks WHERE sha256 = p_sha;
        IF n = b.chunk_count AND total = b.size AND digest = p_sha THEN
            UPDATE blobs SET complete = true WHERE sha256 = p_sha;
            RETURN 'complete';
        END IF;
        DELETE FROM blob_chunks WHERE sha256 = p_sha;
        RETURN 'corrupted';
    END $$""",
    # The log is append-only for everyone but the privileged role (and superusers).
    """CREATE FUNCTION kirjaamo_change_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NOT pg_has_role(current_user, (SELECT privileged_role FROM kirjaamo_schema), 'MEMBER') THEN
            RAISE EXCEPTION 'the change log is append-only: % by % refused', TG_OP, current_user
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log "
    "FOR EACH ROW EXECUTE FUNCTION kirjaamo_change_log_guard()",
    "CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION kirjaamo_change_log_guard()",
    "REVOKE ALL ON FUNCTION kirjaamo_stamp(integer) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION kirjaamo_finish_blob(text) FROM PUBLIC",
]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_role(name: str) -> str:
    # Roles belong to the whole cluster: create them only when missing (a re-run, a second database).
    literal = name.replace("'", "''")
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{literal}') THEN "
        f"CREATE ROLE {_ident(name)} LOGIN; END IF; END $$"
    )


def _grants(database: str, workstation: str, privileged: str) -> list[str]:
    ws, pr = _ident(workstation), _ident(privileged)
    return [
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {ws}, {pr}",
        f"GRANT USAGE ON SCHEMA public TO {ws}, {pr}",
        f"GRANT SELECT ON kirjaamo_schema, sync_counter TO {ws}",
        f"GRANT SELECT, INSERT ON change_log TO {ws}",
        f"GRANT SELECT, INSERT, UPDATE ON devices, diary_counters TO {ws}",
        f"GRANT SELECT, INSERT ON blobs, blob_chunks, case_numbers, accounts, office TO {ws}",
        f"GRANT EXECUTE ON FUNCTION kirjaamo_stamp(integer), kirjaamo_finish_blob(text) TO {ws}",
        f"GRANT {ws} TO {pr}",
        f"GRANT UPDATE, DELETE ON change_log TO {pr}",
        f"GRANT DELETE ON blobs, blob_chunks TO {pr}",
        f"GRANT UPDATE, DELETE ON accounts, office TO {pr}",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    database = bind.exec_driver_sql("SELECT current_database()").scalar_one()
    workstation, privileged = role_names(database)
    for statement in TABLES + FUNCTIONS:
        op.execute(statement)
    op.execute(_create_role(workstation))
    op.execute(_create_role(privileged))
    for statement in _grants(database, workstation, privileged):
        op.execute(statement)
    bind.exec_driver_sql(
        "INSERT INTO kirjaamo_schema (version, server_id, workstation_role, privileged_role) "
        "VALUES (%(version)s, %(id)s, %(ws)s, %(pr)s)",
        {"version": SCHEMA_VERSION, "id": uuid.uuid4().hex, "ws": workstation, "pr": privileged},
    )


def downgrade() -> None:
    for table in (
        "office",
        "accounts",
        "case_numbers",
        "diary_counters",
        "blob_chunks",
        "blobs",
        "devices",
        "change_log",
        "sync_counter",
        "kirjaamo_schema",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for function in ("kirjaamo_stamp(integer)", "kirjaamo_finish_blob(text)", "kirjaamo_change_log_guard()"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
