"""JSON Lines: one JSON object per event, keys in column order, `arguments` nested."""

from __future__ import annotations

import json
from typing import IO

from beltwatch.export import EventRows, ExportResult


def write(rows: EventRows, out: IO[bytes]) -> ExportResult:
    result = ExportResult("jsonl")
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
        result.events += 1
    result.written = result.events
    return result
