"""The key file (`keys.json` beside the database): the data key wrapped per user and for the recovery key,
and the sign-in guard (wrong-password backoff, failures waiting to be written to the access log).

It is the one file of an encrypted data dir that is not encrypted: it holds nothing readable without a
password or the recovery key. Changes are written whole (temp file, fsync, rename) under a lock file, so
the desktop app and the command line on the same desk never lose each other's changes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.errors import N_, DomainError, Nn_
from desktop.store import crypto

KEY_FILE = "keys.json"
LOCK_FILE = ".keys.lock"
FORMAT = "kirjaamo-keys"
VERSION = 1
# Argon2id cost of new password wraps; each wrap stores its own, so this can grow without breaking old ones.
KDF = crypto.KdfParams()
FREE_ATTEMPTS = 3  # wrong passwords in a row before the waiting starts
MAX_WAIT_SECONDS = 300
MAX_GUARDED_NAMES = 200
MAX_PENDING_FAILURES = 1000


class WrongPassword(DomainError):
    """The user name or the password is wrong (one message for both: no hint which)."""

    def __init__(self) -> None:
        super().__init__(N_("Wrong user name or password."))


class SignInDelayed(DomainError):
    """Too many wrong passwords in a row: the next try has to wait."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def key_file(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def _empty() -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "encrypted": False,
        "wraps": {},
        "guard": {},
        "failures": [],
    }


def load(data_dir: Path) -> dict:
    """The key file's content (an empty one when there is none yet)."""
    path = key_file(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _empty()
    except (OSError, ValueError) as error:
        raise DomainError(
            N_("The key file {file} cannot be read: {reason}"), file=str(path), reason=str(error)
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise DomainError(
            N_("{file} is not a Kirjaamo key file of a version this program knows."), file=str(path)
        )
    for key, value in _empty().items():
        data.setdefault(key, value)
    return data


def _write(data_dir: Path, data: dict) -> None:
    path = key_file(data_dir)
    fd, temp = tempfile.mkstemp(prefix=".keys-", suffix=".tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    lock_path = Path(data_dir) / LOCK_FILE
    with open(lock_path, "a+b") as handle:
        if os.name == "nt":  # pragma: no cover - Windows desks
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update(data_dir: Path, change: Callable[[dict], object]) -> object:
    """Read, change and write the key file under the lock; returns what `change` returned."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_dir):
        data = load(data_dir)
        result = change(data)
        _write(data_dir, data)
    return result


# -- wrapping -----------------------------------------------------------------------------------------------


def _context(username: str) -> bytes:
    return b"user:" + username.encode("utf-8")


def _sealed_to(public: bytes, data_key: bytes, context: bytes) -> dict:
    ephemeral, nonce, sealed = crypto.seal(public, data_key, context)
    return {"public": _b64(public), "eph": _b64(ephemeral), "box_nonce": _b64(nonce), "sealed": _b64(sealed)}


def _open_sealed(entry: dict, private: bytes, context: bytes) -> bytes:
    return crypto.open_sealed(
        private, _unb64(entry["eph"]), _unb64(entry["box_nonce"]), _unb64(entry["sealed"]), context
    )


def password_wrap(
    data_key: bytes, username: str, password: str, params: crypto.KdfParams | None = None
) -> dict:
    """A new key pair for the user: its private key sealed under a key derived from `password` (Argon2id,
    a salt of its own), the data key sealed to its public key (so a key rotation can reseal it)."""
    params = params or KDF
    salt = secrets.token_bytes(16)
    private, public = crypto.new_key_pair()
    nonce, wrapped = crypto.wrap(crypto.password_kek(password, salt, params), private, _context(username))
    return {
        "type": "sealed",
        "kdf": params.to_json(),
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
        **_sealed_to(public, data_key, _context(username)),
    }


def reseal(entry: dict, username: str, data_key: bytes) -> dict | None:
    """The user's entry with `data_key` sealed to their public key instead; None for a wrap made before
    key pairs (the password is needed to replace it: the user signs in, or an administrator resets it)."""
    if entry.get("type") != "sealed":
        return None
    return {**entry, **_sealed_to(_unb64(entry["public"]), data_key, _context(username))}


def verifier_wrap(data_key: bytes, username: str, verifier: str) -> dict | None:
    """The data key sealed under the user's Argon2 password hash (accounts from the sync server, whose
    passwords this desk never saw). Only the hash's salt and parameters are kept; signing in rebuilds the
    hash from the password, unwraps, and replaces this by a password wrap."""
    prefix = crypto.verifier_prefix(verifier or "")
    if prefix is None:
        return None
    salt = secrets.token_bytes(16)
    nonce, wrapped = crypto.wrap(crypto.verifier_kek(verifier, salt), data_key, _context(username))
    return {
        "type": "verifier",
        "verifier": prefix,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
    }


def recovery_wrap(data_key: bytes, recovery_key: bytes) -> dict:
    """The data key sealed to the recovery key's X25519 public key (derived from it and a salt)."""
    salt = secrets.token_bytes(16)
    public = crypto.public_of(crypto.recovery_private_key(recovery_key, salt))
    return {"type": "sealed", "salt": _b64(salt), **_sealed_to(public, data_key, b"recovery")}


def reseal_recovery(entry: dict, data_key: bytes) -> dict | None:
    """The recovery entry for a new data key; None when it predates key pairs (a new recovery key is due)."""
    if entry.get("type") != "sealed":
        return None
    return {**entry, **_sealed_to(_unb64(entry["public"]), data_key, b"recovery")}


def key_id(data_key: bytes) -> str:
    """A short public fingerprint of the data key (tells which key a backup or key file belongs to)."""
    return crypto.subkey(data_key, "key id")[:8].hex()


def unwrap_password(entry: dict, username: str, password: str) -> tuple[bytes, bool]:
    """(data key, whether the entry should be rewritten as a password wrap); WrongPassword otherwise."""
    salt, nonce, wrapped = _unb64(entry["salt"]), _unb64(entry["nonce"]), _unb64(entry["wrapped"])
    try:
        if entry.get("type") == "verifier":
            verifier = crypto.rebuild_verifier(password, entry["verifier"])
            if verifier is None:
                raise WrongPassword()
            return crypto.unwrap(
                crypto.verifier_kek(verifier, salt), nonce, wrapped, _context(username)
            ), True
        params = crypto.KdfParams.from_json(entry["kdf"])
        kek = crypto.password_kek(password, salt, params)
        unwrapped = crypto.unwrap(kek, nonce, wrapped, _context(username))
        if entry.get("type") == "sealed":
            return _open_sealed(entry, unwrapped, _context(username)), params != KDF
        return unwrapped, True  # a wrap from before key pairs: replaced by a sealed one at this sign-in
    except crypto.DecryptionFailed:
        raise WrongPassword() from None


def unwrap_recovery(entry: dict, recovery_key: bytes) -> bytes:
    try:
        if entry.get("type") == "sealed":
            private = crypto.recovery_private_key(recovery_key, _unb64(entry["salt"]))
            return _open_sealed(entry, private, b"recovery")
        return crypto.unwrap(
            crypto.recovery_kek(recovery_key, _unb64(entry["salt"])),
            _unb64(entry["nonce"]),
            _unb64(entry["wrapped"]),
            b"recovery",
        )
    except crypto.DecryptionFailed:
        raise DomainError(N_("That is not the recovery key of this data dir.")) from None


def burn_time(password: str) -> None:
    """Spend what an unwrap would (a user name without a key must not answer faster than a wrong password)."""
    crypto.password_kek(password, b"\0" * 16, KDF)


@dataclass(frozen=True)
class NewKeys:
    data_key: bytes
    recovery_key: bytes  # shown once; only its wrap is stored

    @property
    def recovery_text(self) -> str:
        return crypto.format_recovery_key(self.recovery_key)


def create(data_dir: Path, username: str, password: str) -> NewKeys:
    """A new data key for a new data dir: wrapped for its first user and under a new recovery key."""
    keys = NewKeys(crypto.new_key(), crypto.new_recovery_key())

    def write(data: dict) -> None:
        if data.get("encrypted"):
            raise DomainError(N_("{path} already has a key file."), path=str(data_dir))
        data.update(
            encrypted=True,
            key_id=key_id(keys.data_key),
            wraps={username: password_wrap(keys.data_key, username, password)} if username else {},
            recovery=recovery_wrap(keys.data_key, keys.recovery_key),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        if username:
            data["last_user"] = username  # the first sign-in offers the first administrator

    update(data_dir, write)
    return keys


def is_demo(data_dir: Path) -> bool:
    """A demo data dir (`kirjaamo demo`): its accounts may keep the documented demo password."""
    try:
        return bool(load(Path(data_dir)).get("demo"))
    except DomainError:
        return False


def mark_demo(data_dir: Path) -> None:
    update(data_dir, lambda data: data.update(demo=True))


def set_wrap(data_dir: Path, username: str, entry: dict | None) -> None:
    """Store (or, with None, remove) the user's wrap of the data key."""

    def change(data: dict) -> None:
        if entry is None:
            data["wraps"].pop(username, None)
        else:
            data["wraps"][username] = entry

    update(data_dir, change)


# -- the sign-in guard --------------------------------------------------------------------------------------


def wait_seconds(failures: int) -> int:
    """How long to wait after `failures` wrong passwords in a row: 0, 0, 0, then 2, 4, 8 … up to 5 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_WAIT_SECONDS)


def _guard_key(username: str) -> str:
    return username.strip().casefold()[:64]


def check_guard(data_dir: Path, username: str, now: float | None = None) -> None:
    """Refuse at once (SignInDelayed) while the user name is in its waiting time."""
    now = time.time() if now is None else now
    entry = load(data_dir)["guard"].get(_guard_key(username))
    if not entry:
        return
    remaining = entry["last"] + wait_seconds(entry["failures"]) - now
    if remaining > 0:
        raise SignInDelayed(
            Nn_(
                "Too many wrong passwords for {username}: wait {seconds} second and try again.",
                "Too many wrong passwords for {username}: wait {seconds} seconds and try again.",
            ),
            plural_by="seconds",
            username=username.strip(),
            seconds=int(remaining) + 1,
        )


def record_failure(data_dir: Path, username: str, reason: str, now: float | None = None) -> None:
    """One more wrong password for the name (the wait grows), kept for the access log."""
    now = time.time() if now is None else now

    def change(data: dict) -> None:
        guard = data["guard"]
        key = _guard_key(username)
        entry = guard.setdefault(key, {"failures": 0, "last": now})
        entry["failures"] += 1
        entry["last"] = now
        if len(guard) > MAX_GUARDED_NAMES:
            for oldest in sorted(guard, key=lambda k: guard[k]["last"])[: len(guard) - MAX_GUARDED_NAMES]:
                del guard[oldest]
        failures = data["failures"]
        if len(failures) < MAX_PENDING_FAILURES:
            failures.append(
                {
                    "at": datetime.fromtimestamp(now, UTC).isoformat(timespec="microseconds"),
                    "username": username.strip()[:64],
                    "reason": reason,
                    "count": entry["failures"],
                }
            )
        else:
            data["failures_dropped"] = data.get("failures_dropped", 0) + 1

    update(data_dir, change)


def clear_guard(data_dir: Path, username: str) -> None:
    def change(data: dict) -> None:
        data["guard"].pop(_guard_key(username), None)

    if _guard_key(username) in load(data_dir)["guard"]:
        update(data_dir, change)


def pending_failures(data_dir: Path) -> tuple[list[dict], int]:
    """The failed sign-ins not yet in the access log, and how many more were dropped (file full)."""
    data = load(data_dir)
    return list(data["failures"]), int(data.get("failures_dropped", 0))


def forget_failures(data_dir: Path, count: int, dropped: int) -> None:
    """Forget the first `count` pending failures: they are in the access log now."""

    def change(data: dict) -> None:
        data["failures"] = data["failures"][count:]
        remaining = data.get("failures_dropped", 0) - dropped
        if remaining > 0:
            data["failures_dropped"] = remaining
        else:
            data.pop("failures_dropped", None)

    if count or dropped:
        update(data_dir, change)


def remember_user(data_dir: Path, username: str, language: str = "") -> None:
    """The user name (and UI language) the sign-in dialog offers first, readable before the data is unlocked."""

    def change(data: dict) -> None:
        data["last_user"] = username
        if language:
            data["ui_language"] = language

    current = load(data_dir)
    if current.get("last_user") != username or (language and current.get("ui_language") != language):
        update(data_dir, change)
