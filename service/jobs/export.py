"""A job's results as JSON Lines or CSV, streamed row by row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from service.jobs.store import ItemResult

CSV_COLUMNS = (
    "index",
    "name",
    "status",
    "verdict",
    "verdict_reason",
    "screen_type",
    "close_controls",
    "fail_rules",
    "warn_rules",
    "width",
    "height",
    "sha256",
    "error",
    "message",
)
_CLOSE_KINDS = frozenset({"close_icon", "close_text", "close_countdown"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def jsonl_lines(results: Iterable[ItemResult]) -> Iterator[str]:
    """One line per finished item: ``{"index", "name", "status", "report" | "error"}``."""
    for item in results:
        if item.state == "done" and item.report_json is not None:
            # The stored report is spliced in verbatim: it is report_to_dict's output unchanged.
            head = json.dumps({"index": item.index, "name": item.name, "status": "done"}, ensure_ascii=False)
            yield f'{head[:-1]}, "report": {item.report_json}}}\n'
        else:
            error = {"error": item.error_code or "error", "message": item.error_message or ""}
            line = {"index": item.index, "name": item.name, "status": "error", "error": error}
            yield json.dumps(line, ensure_ascii=False) + "\n"


def csv_lines(results: Iterable[ItemResult]) -> Iterator[str]:
    """A header, then one row per finished item (spreadsheet formula injection defused)."""
    yield _row(CSV_COLUMNS)
    for item in results:
        yield _row([_safe(v) for v in _csv_values(item)])


def _csv_values(item: ItemResult) -> list[Any]:
    if item.state != "done" or item.report_json is None:
        return [
            item.index,
            item.name,
            "error",
            *[""] * 9,
            item.error_code or "error",
            item.error_message or "",
        ]
    report: dict[str, Any] = json.loads(item.report_json)
    findings = report.get("findings") or []
    image = report.get("image") or {}
    return [
        item.index,
        item.name,
        "done",
        report.get("verdict", ""),
        report.get("verdict_reason", ""),
        (report.get("screen") or {}).get("type", ""),
        sum(1 for e in report.get("elements") or [] if e.get("kind") in _CLOSE_KINDS),
        " ".join(f["rule"] for f in findings if f.get("severity") == "fail"),
        " ".join(f["rule"] for f in findings if f.get("severity") == "warn"),
        image.get("width", ""),
        image.get("height", ""),
        image.get("sha256", ""),
        "",
        "",
    ]


def _safe(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula (names come from clients)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _row(values: Iterable[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(values))
    return buf.getvalue()
