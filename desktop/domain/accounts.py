"""Roles and what each may do. Checked in services, never only in widgets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"
    REVIEWER = "reviewer"  # decides refusals, approves purges
    ADMIN = "admin"  # users, registers, settings


class Permission(StrEnum):
    VIEW = "view"
    PROCESS = "process"  # register, attach, check identity, decide (not refuse), print, dispatch
    REFUSE = "refuse"
    PURGE = "purge"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_ACCESS_LOG = "view_access_log"
    EXPORT = "export"  # case-level exports (one row a case; no requester data) for the officer
    DOSSIER = "dossier"  # one case's full dossier (for the Ombudsman), and checking one against the register


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.VIEW, Permission.PROCESS}),
    Role.REVIEWER: frozenset(
        {
            Permission.VIEW,
            Permission.PROCESS,
            Permission.REFUSE,
            Permission.PURGE,
            Permission.EXPORT,
            Permission.DOSSIER,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    active: bool = True
    # Where a refused action is written down (the access log of the data dir the user signed in to);
    # set by the services, not part of the user's identity.
    on_denied: Callable[[User, Permission], None] | None = field(default=None, compare=False, repr=False)

    def can(self, permission: Permission) -> bool:
        return self.active and permission in ROLE_PERMISSIONS[self.role]
