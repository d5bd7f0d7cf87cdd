"""Creating or upgrading the shared server's schema: an administrator's act (`UseCase.SERVER_INIT`).

The command line calls this, never the sync package. (A new desk's first sync is authorised by the
enrolment code an administrator issues: services/desks.py.)
"""

from __future__ import annotations

from desktop.domain.accounts import UseCase, User
from desktop.services import access_log
from desktop.services.accounts import permit
from desktop.services.workspace import Workspace
from desktop.sync.server_schema import InitResult
from desktop.sync.server_schema import init_server as _init_server

__all__ = ["InitResult", "init_server"]


def init_server(workspace: Workspace, user: User, url: str) -> InitResult:
    """Create or upgrade the shared server's schema at `url` (an administrator signed in to a desk)."""
    permit(access_log.bind(workspace, user), UseCase.SERVER_INIT)
    return _init_server(url)
