"""Export of stored history to CSV (for people and spreadsheets) and Parquet (for analytics).

Rows are streamed, so an export can follow a paged query without holding a day in memory
(CSV fully; Parquet in row groups of ``batch`` rows). Prices stay integer $0.0001 units and
times integer nanoseconds, as stored: exact, and unambiguous for any reader. Notional sums
can outgrow 64 bits, so Parquet holds them as decimal(38, 0).
"""

from __future__ import annotations

import csv
import dataclasses
import typing
from collections.abc import Iterable, Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TextIO, TypeVar

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from directbroker.domain.marketdata_messages import Bar, QuoteUpdated, TradePrinted

Row = TypeVar("Row", TradePrinted, QuoteUpdated, Bar)


def _columns(row_type: type[Any]) -> list[str]:
    names = [f.name for f in dataclasses.fields(row_type)]
    return [*names, "vwap"] if row_type is Bar else names


def _values(row: Any, columns: list[str]) -> list[Any]:
    out = []
    for name in columns:
        value = getattr(row, name)
        out.append(value.value if isinstance(value, Enum) else value)
    return out


def export_csv(rows: Iterable[Row], out: TextIO | Path, row_type: type[Row]) -> int:
    """Write ``rows`` as CSV with a header; returns how many rows were written."""
    if isinstance(out, Path):
        with out.open("w", newline="", encoding="utf-8") as handle:
            return export_csv(rows, handle, row_type)
    columns = _columns(row_type)
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else v for v in _values(row, columns)])
        count += 1
    return count


def _arrow_type(name: str, hint: Any) -> Any:
    if name == "notional":
        return pa.decimal128(38, 0)
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return pa.int64() if args[0] is int else pa.string()


def _schema(row_type: type[Any]) -> Any:
    hints = typing.get_type_hints(row_type)
    hints["vwap"] = int
    return pa.schema([(name, _arrow_type(name, hints[name])) for name in _columns(row_type)])


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_parquet(
    rows: Iterable[Row], path: Path, row_type: type[Row], batch: int = 65_536
) -> int:
    """Write ``rows`` as a Parquet file; returns how many rows were written."""
    schema = _schema(row_type)
    columns = _columns(row_type)
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for chunk in _batches(rows, batch):
            values = [_values(row, columns) for row in chunk]
            arrays = {
                name: [Decimal(v[i]) if name == "notional" else v[i] for v in values]
                for i, name in enumerate(columns)
            }
            writer.write_table(pa.table(arrays, schema=schema))
            count += len(chunk)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count
