"""Roles and what each may do. Checked in services, never only in widgets."""

from __future__ import annotations

from dataclasses import dataclass
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


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.VIEW, Permission.PROCESS}),
    Role.REVIEWER: frozenset({Permission.VIEW, Permission.PROCESS, Permission.REFUSE, Permission.PURGE}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    active: bool = True

    def can(self, permission: Permission) -> bool:
        return self.active and permission in ROLE_PERMISSIONS[self.role]
