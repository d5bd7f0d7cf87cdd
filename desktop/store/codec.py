"""Events to rows and back. JSON is compact and key-sorted so the same event always gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from desktop.domain.events import Event, EventType


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_to_params(event: Event) -> tuple[Any, ...]:
    return (
        event.id,
        event.case_id,
        event.type.value,
        dumps(event.payload),
        event.actor,
        event.at.isoformat(timespec="microseconds"),
        event.device_id,
        event.hlc,
    )


def row_to_event(row: Sequence[Any]) -> Event:
    """Row columns: id, case_id, type, payload, actor, at, device_id, hlc."""
    return Event(
        id=row[0],
        case_id=row[1],
        type=EventType(row[2]),
        payload=json.loads(row[3]),
        actor=row[4],
        at=datetime.fromisoformat(row[5]),
        device_id=row[6],
        hlc=row[7],
    )
