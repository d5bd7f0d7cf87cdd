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
    MAINTAIN = "maintain"  # rebuild, verify, demo data, the server's schema, setting up a desk


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


class UseCase(StrEnum):
    """What a person asks the app to do: every command of design §10 and the GUI's actions map to one."""

    READ_CASES = "read_cases"  # list, show, search; letters, dispatch lists and reports as files
    PROCESS_CASES = "process_cases"  # register, attach, import e-mail, the steps of a case
    REFUSE = "refuse"  # a refusal or a partial grant
    DOSSIER = "dossier"  # one case's full dossier for the Ombudsman, and checking one
    EXPORT_CASES = "export_cases"  # one row a case, for the data protection officer
    PURGE = "purge"
    SYNC = "sync"  # one push/pull round of a desk that syncs
    JOIN_SERVER = "join_server"  # a standalone desk founds the office's server
    ENROL_DESK = "enrol_desk"  # a one-time code with which a new desk's first sync sets it up
    SERVER_INIT = "server_init"  # create or upgrade the server's schema
    REBUILD = "rebuild"
    VERIFY = "verify"
    BACKUP = "backup"
    RESTORE = "restore"
    DEMO = "demo"  # invented cases: only into an empty data dir
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_ACCESS_LOG = "view_access_log"


# The permission table: which permission each use case needs. With ROLE_PERMISSIONS it says which role
# may run which use case (`may`); the services check it, tests/test_permission_table.py runs every
# command of the command line as each role against it.
USE_CASE_PERMISSIONS: dict[UseCase, Permission] = {
    UseCase.READ_CASES: Permission.VIEW,
    UseCase.PROCESS_CASES: Permission.PROCESS,
    UseCase.REFUSE: Permission.REFUSE,
    UseCase.DOSSIER: Permission.DOSSIER,
    UseCase.EXPORT_CASES: Permission.EXPORT,
    UseCase.PURGE: Permission.PURGE,
    UseCase.SYNC: Permission.VIEW,
    UseCase.JOIN_SERVER: Permission.MANAGE_SETTINGS,
    UseCase.ENROL_DESK: Permission.MANAGE_SETTINGS,  # the first sync itself needs the code, not a role
    UseCase.SERVER_INIT: Permission.MAINTAIN,
    UseCase.REBUILD: Permission.MAINTAIN,
    UseCase.VERIFY: Permission.MAINTAIN,
    UseCase.BACKUP: Permission.MANAGE_SETTINGS,
    UseCase.RESTORE: Permission.MANAGE_SETTINGS,
    UseCase.DEMO: Permission.MAINTAIN,
    UseCase.MANAGE_USERS: Permission.MANAGE_USERS,
    UseCase.MANAGE_SETTINGS: Permission.MANAGE_SETTINGS,
    UseCase.VIEW_ACCESS_LOG: Permission.VIEW_ACCESS_LOG,
}


def may(role: Role, use_case: UseCase) -> bool:
    """Whether the permission table lets `role` run `use_case`."""
    return USE_CASE_PERMISSIONS[use_case] in ROLE_PERMISSIONS[role]


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
