"""CSV: one row per event, the columns of `EventRows.columns` in order, JSON-typed values as JSON text.

Empty cells are nulls; booleans are `true`/`false`; dates are ISO. UTF-8 without a BOM, CRLF
line ends (the csv module's default, RFC 4180).
"""

from __future__ import annotations

import csv
import io
import json
from typing import IO, Any

from beltwatch.export import Column, EventRows, ExportResult


def cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write(rows: EventRows, out: IO[bytes]) -> ExportResult:
    result = ExportResult("csv")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow([c.name for c in rows.columns])
        for row in rows:
            writer.writerow([cell(c, row[c.name]) for c in rows.columns])
            result.events += 1
        result.written = result.events
        text.flush()
    finally:
        text.detach()  # leave `out` open: it belongs to the caller
    return result
