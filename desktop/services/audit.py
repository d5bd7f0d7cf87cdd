"""Recording an act in the access log (design §3, issue 6): kept for the callers that log through it.

The entries go to the hash-chained, append-only `access_log` table (`desktop/services/access_log.py`);
`action` is kept as the caller names it (e.g. "export_cases"), `subject` goes to the entry's detail.
"""

from __future__ import annotations

from desktop.domain.accounts import User
from desktop.services import access_log
from desktop.services.workspace import Workspace

# The interim JSON-lines file this module used to write; nothing writes it any more.
ACCESS_LOG_FILE = "access.log"


def record_access(workspace: Workspace, user: User, action: str, subject: str) -> None:
    """Append who did what to which subject, durably (committed) before the caller goes on."""
    access_log.record(workspace, user, action, detail=subject)
