"""What a purge leaves of a case's events: the rule lives in `desktop.domain.redaction` (the local purge,
the pull of a purge and the server's purge all use it)."""

from __future__ import annotations

from desktop.domain.redaction import redact, referenced_blobs

__all__ = ["redact", "referenced_blobs"]
