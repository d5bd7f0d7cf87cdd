"""The server as documented: its own PostgreSQL cluster with scram-sha-256 only and TLS, desks on verify-full.

The cluster is made here (initdb/pg_ctl from /usr/lib/postgresql/*/bin, a temporary folder, another port on
127.0.0.1) with a self-signed CA and a server certificate for 127.0.0.1 made with `cryptography`.
"""

from __future__ import annotations

import datetime as dt
import glob
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop.services import demo
from desktop.services.desks import DeskService, join
from desktop.sync.server_schema import init_server, role_names

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SUPER_PASSWORD = "super-secret-for-the-test"
PRIVILEGED_PASSWORD = "privileged-secret-for-the-test"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.skip(f"no PostgreSQL server binaries ({name}) under /usr/lib/postgresql")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_certificates(folder: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kirjaamo test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    os.chmod(folder / "server.key", 0o600)


def _as_postgres(args: list[str]) -> list[str]:
    # initdb and the server refuse to run as root: then they run as the system's postgres user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture
def tls_cluster() -> Iterator[tuple[int, Path]]:
    """(port, CA file) of a fresh cluster: scram-sha-256 only, TLS only, superuser `postgres`."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    # Not under pytest's folders: those are private to root, and the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="kirjaamo-tls-"))
    data, certs = root / "data", root / "certs"
    certs.mkdir()
    _write_certificates(certs)
    (root / "pw").write_text(SUPER_PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        for path in [certs, *certs.iterdir(), root / "pw"]:
            shutil.chown(path, "postgres")
    subprocess.run(
        _as_postgres(
            [
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={root / 'pw'}",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    (data / "pg_hba.conf").write_text("hostssl all all 127.0.0.1/32 scram-sha-256\n")
    port = _free_port()
    with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(
            f"\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{root}'\n"
            f"ssl = on\nssl_cert_file = '{certs / 'server.crt'}'\nssl_key_file = '{certs / 'server.key'}'\n"
            "password_encryption = 'scram-sha-256'\nfsync = off\nshared_buffers = 16MB\nmax_connections = 30\n"
        )
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "start"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield port, certs / "ca.pem"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def test_a_desk_syncs_through_scram_and_tls_with_verify_full(tls_cluster, make_desk, tmp_path):
    port, ca = tls_cluster
    tls = f"sslmode=verify-full&sslrootcert={ca}"

    def url(user: str, password: str = "", database: str = "kirjaamo") -> str:
        secret = f":{password}" if password else ""
        return f"postgresql+psycopg://{user}{secret}@127.0.0.1:{port}/{database}?{tls}"

    with psycopg.connect(
        f"host=127.0.0.1 port={port} user=postgres password={SUPER_PASSWORD} dbname=postgres "
        f"sslmode=verify-full sslrootcert={ca}",
        autocommit=True,
    ) as admin:
        admin.execute("CREATE DATABASE kirjaamo")
    init_server(url("postgres", SUPER_PASSWORD))
    _workstation, privileged = role_names("kirjaamo")
    with psycopg.connect(
        f"host=127.0.0.1 port={port} user=postgres password={SUPER_PASSWORD} dbname=kirjaamo "
        f"sslmode=verify-full sslrootcert={ca}",
        autocommit=True,
    ) as admin:
        admin.execute(f"ALTER ROLE \"{privileged}\" PASSWORD '{PRIVILEGED_PASSWORD}'")
    privileged_url = url(privileged, PRIVILEGED_PASSWORD)

    a = make_desk("a")
    case_id = a.register("Salla Salattu")
    DeskService(a.workspace, a.user).found(privileged_url, "a")
    assert PRIVILEGED_PASSWORD not in a.workspace.settings.server_url  # the privileged password is not kept
    assert "sslmode=verify-full" in a.workspace.settings.server_url
    a.sync()
    code = DeskService(a.workspace, a.user).enrol(privileged_url, "b").code
    b = join(tmp_path / "b", url("anyone"), code, "admin", demo.DEMO_PASSWORD)
    try:
        from desktop.domain.accounts import Role, User
        from desktop.services.cases import CaseService

        shown = CaseService(b, User("admin", "Admin", Role.ADMIN)).get(case_id)
        assert shown.requester.name == "Salla Salattu"
    finally:
        b.close()

    with psycopg.connect(
        f"host=127.0.0.1 port={port} user=postgres password={SUPER_PASSWORD} dbname=kirjaamo "
        f"sslmode=verify-full sslrootcert={ca}"
    ) as admin:
        stored = admin.execute(
            "SELECT rolname, rolpassword FROM pg_authid WHERE rolcanlogin AND rolname LIKE 'kirjaamo\\_d%%' "
            "AND rolname <> 'kirjaamo_desks'"
        ).fetchall()
        assert len(stored) == 2 and all(secret.startswith("SCRAM-SHA-256$") for _, secret in stored)
        assert admin.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0]
    with pytest.raises(psycopg.OperationalError):  # no TLS: no entry in pg_hba.conf
        psycopg.connect(
            f"host=127.0.0.1 port={port} user=postgres password={SUPER_PASSWORD} dbname=kirjaamo sslmode=disable"
        )
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            f"host=127.0.0.1 port={port} user={privileged} password=wrong dbname=kirjaamo "
            f"sslmode=verify-full sslrootcert={ca}"
        )
