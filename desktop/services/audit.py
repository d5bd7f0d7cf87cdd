"""The access log, for now: one JSON line per view, print or export in `data_dir/access.log`.

Interim (issue 9): the hash-chained, append-only access log of design §3 ("Security") replaces this file;
callers go through `record_access` only, so that change stays here. Nothing reads this file yet.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from desktop.domain.accounts import User
from desktop.domain.errors import N_, DomainError
from desktop.services.workspace import Workspace

ACCESS_LOG_FILE = "access.log"


def record_access(workspace: Workspace, user: User, action: str, subject: str) -> None:
    """Append who did what to which subject, durably (fsync) before the caller goes on."""
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "user": user.username,
        "role": user.role.value,
        "device": workspace.settings.device_id,
        "action": action,
        "subject": subject,
    }
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    path = workspace.data_dir / ACCESS_LOG_FILE
    try:
        # O_APPEND: concurrent writers (GUI and command line on the same desk) never interleave a line.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise DomainError(
            N_("Cannot write the access log {file}: {reason}"),
            file=str(path),
            reason=error.strerror or str(error),
        ) from None
