"""The register catalog as shipped in `resources/registers/*.toml` (one file per register, named by its id)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from desktop.domain.errors import N_, DomainError
from desktop.domain.registers import RegisterCatalog, register_from_dict
from desktop.paths import resource_dir

REGISTERS_DIR: Path = resource_dir("registers")


def load_catalog(directory: Path | None = None) -> RegisterCatalog:
    """Read every `*.toml` in `directory` (default `REGISTERS_DIR`), sorted by id.

    A file that cannot be read, is not valid TOML, has an id other than its file name or breaks a register
    rule raises `DomainError` naming the file (its id is its name).
    """
    directory = REGISTERS_DIR if directory is None else Path(directory)
    if not directory.is_dir():
        raise DomainError(N_("Register directory {directory} does not exist"), directory=str(directory))
    registers = []
    for path in sorted(directory.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise DomainError(
                N_("Register file {file} is not valid TOML: {reason}"), file=path.name, reason=str(exc)
            ) from exc
        except OSError as exc:
            raise DomainError(
                N_("Register file {file} cannot be read: {reason}"),
                file=path.name,
                reason=exc.strerror or str(exc),
            ) from exc
        if "id" in data and data["id"] != path.stem:
            raise DomainError(
                N_("Register file {file} has id {register_id}; the id must be the file name without .toml"),
                file=path.name,
                register_id=str(data["id"]),
            )
        registers.append(register_from_dict(data, source=path.name))
    return RegisterCatalog(registers)
