"""A checkpoint's days (checkpoints.DaySlice) as stored: compact JSON text, exact on reading back.

Statuses one letter a day, quantities as JSON numbers, raw strengths as the bytes of their doubles
(base64): a read from stored days returns the very floats a walk would. About 400 bytes a month."""

from __future__ import annotations

import base64
import struct
from datetime import date

import orjson

from server.habits.checkpoints import Checkpoint, DaySlice
from server.habits.model import DayStatus

_LETTER = {DayStatus.DONE: "D", DayStatus.PARTIAL: "P", DayStatus.MISSED: "M", DayStatus.SKIPPED: "S",
           DayStatus.FROZEN: "Z", DayStatus.COVERED: "C", DayStatus.NOT_DUE: "N", DayStatus.CLEAN: "K",
           DayStatus.SLIP: "L", DayStatus.FUTURE: "F", DayStatus.PENDING: "E"}
_STATUS = {letter: status for status, letter in _LETTER.items()}


def pack(days: DaySlice) -> str:
    strengths = base64.b64encode(struct.pack(f"<{len(days.strengths)}d", *days.strengths)).decode()
    return orjson.dumps({"first": days.first.isoformat(), "statuses": "".join(_LETTER[s] for s in days.statuses),
                         "quantities": days.quantities, "strengths": strengths}).decode()


def unpack(text: str) -> DaySlice:
    data = orjson.loads(text)
    raw = base64.b64decode(data["strengths"])
    return DaySlice(date.fromisoformat(data["first"]), tuple(_STATUS[c] for c in data["statuses"]),
                    tuple(float(q) for q in data["quantities"]), struct.unpack(f"<{len(raw) // 8}d", raw))


def days_of(checkpoint: Checkpoint) -> DaySlice | None:
    """The checkpoint's days, unpacked if they come as stored; None where they were not kept."""
    days = checkpoint.days
    return unpack(days) if isinstance(days, str) else days
