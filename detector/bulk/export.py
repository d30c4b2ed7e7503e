"""``closecheck export``: the results database as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from detector.bulk.store import ResultRecord, Store

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "key", "sha256", "name", "source", "status", "rules_failed", "rules_warned",
    "close_size_dp", "close_contrast", "verdict_reason", "error", "also_seen_as",
)  # fmt: skip


def guess_format(filename: str) -> str | None:
    """``jsonl`` or ``csv`` from a file name's suffix, None when it says neither."""
    lowered = filename.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return None


def export(store: Store, out: IO[str], fmt: str) -> int:
    """Write every result to ``out``; returns the number of rows written."""
    if fmt == "jsonl":
        return _write_jsonl(store, out)
    if fmt == "csv":
        return _write_csv(store, out)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def record_dict(record: ResultRecord, sources: list[str]) -> dict[str, Any]:
    """The exported form of one result: its summary, every name it was seen as, its report."""
    return {
        "key": record.key,
        "sha256": record.sha256,
        "name": record.name,
        "source": record.source,
        "sources": sources or [record.source],
        "status": record.status,
        "verdict_reason": record.verdict_reason,
        "error": record.error,
        "rules_failed": list(record.rules_failed),
        "rules_warned": list(record.rules_warned),
        "close_size_dp": record.close_size_dp,
        "close_contrast": record.close_contrast,
        "report": record.report,
    }


def _rows(store: Store) -> Iterator[tuple[ResultRecord, list[str]]]:
    for record in store.iter_records():
        yield record, store.sources_of(record.key)


def _write_jsonl(store: Store, out: IO[str]) -> int:
    n = 0
    for record, sources in _rows(store):
        out.write(json.dumps(record_dict(record, sources), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_csv(store: Store, out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for record, sources in _rows(store):
        others = [s for s in sources if s != record.source]
        writer.writerow(
            {
                "key": record.key,
                "sha256": record.sha256 or "",
                "name": record.name,
                "source": record.source,
                "status": record.status,
                "rules_failed": ";".join(record.rules_failed),
                "rules_warned": ";".join(record.rules_warned),
                "close_size_dp": _num(record.close_size_dp),
                "close_contrast": _num(record.close_contrast),
                "verdict_reason": record.verdict_reason or "",
                "error": record.error or "",
                "also_seen_as": ";".join(others),
            }
        )
        n += 1
    return n


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
