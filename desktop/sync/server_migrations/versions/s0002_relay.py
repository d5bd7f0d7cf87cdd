"""The server as an untrusted relay: sealed records, desk enrolment with a login role per desk.

- `change_log` gains `diary` (the diary number of a registration, for the office's counters) and
  `blob_ref` (the opaque server name of the file an event needs); payloads are sealed envelopes from now
  on (a log made by the previous release is resealed from a desk: `kirjaamo server reseal`).
- `sealed_records` replaces `accounts` and `office` (renamed `legacy_*` until the reseal empties them;
  dropped at once on a server that holds nothing yet): nothing a desk's login reads holds a password hash.
- `desks`: one row per enrolment (its login role, the sealed one-time package, expiry, claim, removal).
  `kirjaamo_peek_enrolment()` / `kirjaamo_claim_enrolment(verifier, device)` let a new desk's login fetch
  its package and, once, join the group role `<db>_desks` that holds the desks' grants.
- The shared workstation role is dropped; the privileged role may create and remove desk logins.

Revision ID: s0002
Revises: s0001
"""

from alembic import op

from desktop.sync.server_schema import desk_group_name

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 2

TABLES = [
    "ALTER TABLE kirjaamo_schema ADD COLUMN desk_group text NOT NULL DEFAULT ''",
    # False while the log still holds payloads of the previous release in clear (until the reseal).
    "ALTER TABLE kirjaamo_schema ADD COLUMN sealed boolean NOT NULL DEFAULT false",
    "ALTER TABLE change_log ADD COLUMN diary text, ADD COLUMN blob_ref text",
    "CREATE INDEX change_log_blob_ref ON change_log (blob_ref) WHERE blob_ref IS NOT NULL",
    "CREATE TABLE sealed_records (kind text NOT NULL, name text NOT NULL, sealed bytea NOT NULL, "
    "PRIMARY KEY (kind, name))",
    "CREATE TABLE desks (role text PRIMARY KEY, label text NOT NULL, device_id text, "
    "created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL, package bytea, "
    "claimed_at timestamptz, removed_at timestamptz)",
    "ALTER TABLE accounts RENAME TO legacy_accounts",
    "ALTER TABLE office RENAME TO legacy_office",
]

FUNCTIONS = [
    "DROP FUNCTION kirjaamo_finish_blob(text)",
    # The server cannot read a file any more; it checks the sealed chunks against the digest the desk
    # computed over them (the same bytes on every upload), and the total size.
    """CREATE FUNCTION kirjaamo_finish_blob(p_name text, p_digest text) RETURNS text LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    DECLARE b blobs%ROWTYPE; digest text; total bigint; n integer;
    BEGIN
        SELECT * INTO b FROM blobs WHERE sha256 = p_name FOR UPDATE;
        IF NOT FOUND THEN RETURN 'missing'; END IF;
        IF b.complete THEN RETURN 'complete'; END IF;
        SELECT count(*), coalesce(sum(length(data)), 0) INTO n, total FROM blob_chunks WHERE sha256 = p_name;
        IF n < b.chunk_count THEN RETURN 'incomplete'; END IF;
        SELECT encode(sha256(coalesce(string_agg(data, ''::bytea ORDER BY idx), ''::bytea)), 'hex')
            INTO digest FROM blob_chunks WHERE sha256 = p_name;
        IF n = b.chunk_count AND total = b.size AND digest = p_digest THEN
            UPDATE blobs SET complete = true WHERE sha256 = p_name;
            RETURN 'complete';
        END IF;
        DELETE FROM blob_chunks WHERE sha256 = p_name;
        RETURN 'corrupted';
    END $$""",
    # A new desk's login, before it is a desk: read its sealed package (nothing else is granted to it).
    """CREATE FUNCTION kirjaamo_peek_enrolment() RETURNS bytea LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public AS $$
    DECLARE d desks%ROWTYPE;
    BEGIN
        SELECT * INTO d FROM desks WHERE role = session_user;
        IF NOT FOUND OR d.removed_at IS NOT NULL THEN
            RAISE EXCEPTION 'kirjaamo: no enrolment for login %', session_user USING ERRCODE = 'KJ003';
        END IF;
        IF d.claimed_at IS NOT NULL THEN
            RAISE EXCEPTION 'kirjaamo: the enrolment code was already used' USING ERRCODE = 'KJ001';
        END IF;
        IF d.expires_at < now() THEN
            RAISE EXCEPTION 'kirjaamo: the enrolment code has expired' USING ERRCODE = 'KJ002';
        END IF;
        RETURN d.package;
    END $$""",
    # Once: the login becomes a desk (member of the desks' group), with a password only the desk knows
    # (`p_verifier` is a SCRAM verifier computed on the desk); the package is gone from the server.
    """CREATE FUNCTION kirjaamo_claim_enrolment(p_verifier text, p_device text) RETURNS bytea
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE d desks%ROWTYPE;
    BEGIN
        SELECT * INTO d FROM desks WHERE role = session_user FOR UPDATE;
        IF NOT FOUND OR d.removed_at IS NOT NULL THEN
            RAISE EXCEPTION 'kirjaamo: no enrolment for login %', session_user USING ERRCODE = 'KJ003';
        END IF;
        IF d.claimed_at IS NOT NULL THEN
            RAISE EXCEPTION 'kirjaamo: the enrolment code was already used' USING ERRCODE = 'KJ001';
        END IF;
        IF d.expires_at < now() THEN
            RAISE EXCEPTION 'kirjaamo: the enrolment code has expired' USING ERRCODE = 'KJ002';
        END IF;
        IF p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
            RAISE EXCEPTION 'kirjaamo: not a SCRAM verifier' USING ERRCODE = 'KJ004';
        END IF;
        UPDATE desks SET claimed_at = now(), package = NULL, device_id = p_device WHERE role = d.role;
        EXECUTE format('GRANT %I TO %I', (SELECT desk_group FROM kirjaamo_schema), session_user);
        EXECUTE format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L', session_user, p_verifier, 'infinity');
        RETURN d.package;
    END $$""",
    "REVOKE ALL ON FUNCTION kirjaamo_finish_blob(text, text) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION kirjaamo_peek_enrolment(), kirjaamo_claim_enrolment(text, text) TO PUBLIC",
    "GRANT SELECT ON kirjaamo_schema TO PUBLIC",
]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _grants(database: str, group: str, privileged: str) -> list[str]:
    gr, pr = _ident(group), _ident(privileged)
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(group)}) THEN "
        f"CREATE ROLE {gr} NOLOGIN; END IF; END $$",
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {gr}",
        f"GRANT CONNECT ON DATABASE {_ident(database)} TO {pr} WITH GRANT OPTION",
        f"GRANT USAGE ON SCHEMA public TO {gr}",
        f"GRANT SELECT ON sync_counter TO {gr}",
        f"GRANT SELECT, INSERT ON change_log TO {gr}",
        f"GRANT SELECT, INSERT, UPDATE ON devices, diary_counters TO {gr}",
        f"GRANT SELECT, INSERT ON blobs, blob_chunks, case_numbers, sealed_records TO {gr}",
        f"GRANT EXECUTE ON FUNCTION kirjaamo_stamp(integer), kirjaamo_finish_blob(text, text) TO {gr}",
        # The privileged role: purges, the reseal, and creating/removing desk logins.
        f"GRANT {gr} TO {pr}",
        f"ALTER ROLE {pr} CREATEROLE",
        f"GRANT pg_signal_backend TO {pr}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON desks TO {pr}",
        f"GRANT UPDATE, DELETE ON change_log TO {pr}",
        f"GRANT UPDATE, DELETE ON blobs, blob_chunks, case_numbers, sealed_records TO {pr}",
        f"GRANT SELECT, DELETE ON legacy_accounts, legacy_office TO {pr}",
        f"GRANT UPDATE (sealed) ON kirjaamo_schema TO {pr}",
    ]


def _drop_workstation(workstation: str) -> str:
    literal = _literal(workstation)
    return (
        f"DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) THEN "
        f"PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = {literal}; "
        f"EXECUTE format('DROP OWNED BY %I', {literal}); EXECUTE format('DROP ROLE %I', {literal}); "
        "END IF; END $$"
    )


def upgrade() -> None:
    bind = op.get_bind()
    database = bind.exec_driver_sql("SELECT current_database()").scalar_one()
    workstation, privileged = bind.exec_driver_sql(
        "SELECT workstation_role, privileged_role FROM kirjaamo_schema"
    ).one()
    group = desk_group_name(database)
    for statement in TABLES + FUNCTIONS + _grants(database, group, privileged):
        op.execute(statement)
    if workstation:
        op.execute(_drop_workstation(workstation))
    empty = bind.exec_driver_sql(
        "SELECT NOT EXISTS (SELECT FROM change_log) AND NOT EXISTS (SELECT FROM legacy_accounts) "
        "AND NOT EXISTS (SELECT FROM legacy_office) AND NOT EXISTS (SELECT FROM blobs)"
    ).scalar_one()
    if empty:  # nothing to reseal: the legacy tables go at once
        op.execute("DROP TABLE legacy_accounts, legacy_office")
    bind.exec_driver_sql(
        "UPDATE kirjaamo_schema SET version = %(version)s, desk_group = %(group)s, workstation_role = '', "
        "sealed = %(sealed)s",
        {"version": SCHEMA_VERSION, "group": group, "sealed": bool(empty)},
    )


def downgrade() -> None:
    raise NotImplementedError("the server cannot go back to holding personal data in clear")
