"""Parquet: one row per event with an explicit Arrow schema; JSON-typed columns as JSON strings.

Kinds map to Arrow types: int -> int64, float -> float64, bool -> bool, date -> date32,
text and json -> string (json columns carry the field metadata `beltwatch.kind: json`).
Rows are written in row groups of `BATCH_ROWS`, so memory stays flat however many events.
"""

from __future__ import annotations

import json
from datetime import date
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from beltwatch.export import Column, EventRows, ExportResult

BATCH_ROWS = 10_000
ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "text": pa.string(),
    "json": pa.string(),
}


def arrow_schema(columns: list[Column], table: str = "events") -> pa.Schema:
    return pa.schema(
        [
            pa.field(
                c.name, ARROW_TYPES[c.kind], nullable=c.name != "id", metadata={"beltwatch.kind": c.kind}
            )
            for c in columns
        ],
        metadata={"beltwatch.table": table},
    )


def _value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if column.kind == "date":
        return date.fromisoformat(value)
    if column.kind == "float":
        return float(value)
    if column.kind == "text" and not isinstance(value, str):
        return str(value)
    return value


def write(rows: EventRows, out: IO[bytes]) -> ExportResult:
    result = ExportResult("parquet")
    schema = arrow_schema(rows.columns, rows.table)
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(out, schema) as writer:

        def flush() -> None:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            batch.clear()

        for row in rows:
            batch.append({c.name: _value(c, row[c.name]) for c in rows.columns})
            result.events += 1
            if len(batch) >= BATCH_ROWS:
                flush()
        if batch:
            flush()
    result.written = result.events
    return result
