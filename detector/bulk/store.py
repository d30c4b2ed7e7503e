"""The results database of a batch: one SQLite file in WAL mode, one row per distinct image.

Rows are keyed by the sha256 of the image bytes, so a renamed copy maps to the row already
there and is not scored again. Inputs that cannot even be read (an unsafe zip member, a
listed file that is missing) have no content to hash and are keyed ``input:<sha256 of the
source name>``. Each result is committed as soon as it arrives, so a batch killed at any
moment keeps everything finished before the kill; ``n_scored`` counts how often a key was
written (it stays 1 unless something scored an image twice, which the tests check).

The ``sources`` table maps every input name ever seen to its key, with the file's size and
mtime (or zip member size and CRC): a resumed batch trusts that cache instead of reading and
hashing unchanged files again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"
STATUSES = ("pass", "fail", "review", "not_applicable", "error")
_IN_CHUNK = 500  # keys per "IN (...)" query, under SQLite's variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    sha256 TEXT,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict_reason TEXT,
    error TEXT,
    rules_failed TEXT NOT NULL DEFAULT '[]',
    rules_warned TEXT NOT NULL DEFAULT '[]',
    close_size_dp REAL,
    close_contrast REAL,
    report TEXT,
    thumb BLOB,
    elapsed_ms REAL,
    cpu_ms REAL,
    worker TEXT,
    peak_rss_mb REAL,
    scored_at REAL NOT NULL,
    n_scored INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS results_status ON results(status);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    stamp TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_key ON sources(key);
"""


class StoreError(Exception):
    """The results file cannot be opened or written (exit code 2)."""


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One scored image (or one error) as stored in the ``results`` table."""

    key: str
    name: str
    source: str
    status: str
    sha256: str | None = None
    verdict_reason: str | None = None
    error: str | None = None
    rules_failed: tuple[str, ...] = ()
    rules_warned: tuple[str, ...] = ()
    close_size_dp: float | None = None
    close_contrast: float | None = None
    report: dict[str, Any] | None = None
    thumb: bytes | None = None
    elapsed_ms: float | None = None
    cpu_ms: float | None = None
    worker: str | None = None
    peak_rss_mb: float | None = None
    scored_at: float = field(default_factory=time.time)
    n_scored: int = 1

    def without_volatile(self) -> dict[str, Any]:
        """The fields that must match between two runs on the same inputs (no timings, workers)."""
        report = dict(self.report or {})
        for key in ("timings_ms", "versions"):
            report.pop(key, None)
        return {
            "key": self.key,
            "status": self.status,
            "verdict_reason": self.verdict_reason,
            "error": self.error,
            "rules_failed": self.rules_failed,
            "rules_warned": self.rules_warned,
            "close_size_dp": self.close_size_dp,
            "close_contrast": self.close_contrast,
            "findings": report.get("findings"),
            "elements": report.get("elements"),
        }


def error_record(key: str, name: str, source: str, message: str, sha256: str | None = None) -> ResultRecord:
    return ResultRecord(key=key, name=name, source=source, status="error", sha256=sha256, error=message)


class Store:
    """A results database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        """Open (and with ``create`` make) a results file; raises StoreError with a one-line message."""
        path = Path(path)
        if not create and not path.is_file():
            raise StoreError(f"results file not found: {path}")
        if create and not path.parent.is_dir():
            raise StoreError(f"cannot write results: folder does not exist: {path.parent}")
        try:
            conn = sqlite3.connect(str(path), timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if create:
                conn.executescript(_SCHEMA)
                _add_missing_columns(conn)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
                conn.commit()
            else:
                conn.execute("SELECT 1 FROM results LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot use results file {path}: {exc}") from exc
        return cls(conn, path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # -- meta -----------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self._conn.commit()

    # -- sources --------------------------------------------------------------------------------
    def cached_key(self, source: str, stamp: str) -> str | None:
        """The key recorded for ``source`` if its stamp (size, mtime/CRC) is unchanged."""
        if not stamp:
            return None
        row = self._conn.execute("SELECT key, stamp FROM sources WHERE source = ?", (source,)).fetchone()
        if row is None or row[1] != stamp:
            return None
        return str(row[0])

    def remember_sources(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Record ``(source, key, stamp)`` rows in one transaction."""
        self._conn.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", rows)
        self._conn.commit()

    def sources_of(self, key: str) -> list[str]:
        rows = self._conn.execute("SELECT source FROM sources WHERE key = ? ORDER BY source", (key,))
        return [str(r[0]) for r in rows]

    # -- results --------------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        return self._conn.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def error_keys(self) -> set[str]:
        return {str(r[0]) for r in self._conn.execute("SELECT key FROM results WHERE status = 'error'")}

    def delete(self, keys: Iterable[str]) -> None:
        self._conn.executemany("DELETE FROM results WHERE key = ?", ((k,) for k in keys))
        self._conn.commit()

    def save(self, record: ResultRecord) -> None:
        """Insert one result and commit it (a second write of the same key bumps ``n_scored``)."""
        values = _record_values(record)
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c not in ("key", "n_scored"))
        self._conn.execute(
            f"INSERT INTO results ({columns}) VALUES ({marks}) "
            f"ON CONFLICT(key) DO UPDATE SET {updates}, n_scored = results.n_scored + 1",
            tuple(values.values()),
        )
        self._conn.commit()

    def get(self, key: str) -> ResultRecord | None:
        cursor = self._conn.execute("SELECT * FROM results WHERE key = ?", (key,))
        row = cursor.fetchone()
        return None if row is None else _row_record(cursor.description, row)

    def iter_records(
        self, *, with_thumbs: bool = False, where: str = "", params: Sequence[Any] = ()
    ) -> Iterator[ResultRecord]:
        present = [str(row[1]) for row in self._conn.execute("PRAGMA table_info(results)")]
        columns = ", ".join(c for c in present if c in _COLUMNS and (with_thumbs or c != "thumb"))
        cursor = self._conn.execute(f"SELECT {columns} FROM results {where} ORDER BY source", tuple(params))
        for row in cursor:
            yield _row_record(cursor.description, row)

    def status_counts(self, keys: Iterable[str] | None = None) -> dict[str, int]:
        """Rows per status, over all rows or over the given keys."""
        counts = dict.fromkeys(STATUSES, 0)
        if keys is None:
            for status, n in self._conn.execute("SELECT status, COUNT(*) FROM results GROUP BY status"):
                counts[str(status)] = counts.get(str(status), 0) + int(n)
            return counts
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            query = f"SELECT status, COUNT(*) FROM results WHERE key IN ({marks}) GROUP BY status"
            for status, n in self._conn.execute(query, chunk):
                counts[str(status)] = counts.get(str(status), 0) + int(n)
        return counts

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])


_COLUMNS = (
    "key", "sha256", "name", "source", "status", "verdict_reason", "error", "rules_failed",
    "rules_warned", "close_size_dp", "close_contrast", "report", "thumb", "elapsed_ms", "cpu_ms", "worker",
    "peak_rss_mb", "scored_at", "n_scored",
)  # fmt: skip


_ADDED_COLUMNS = {"cpu_ms": "REAL"}  # columns newer than schema 1's first release


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a results file written by an older closecheck up to date (new columns only)."""
    present = {str(row[1]) for row in conn.execute("PRAGMA table_info(results)")}
    for name, sql_type in _ADDED_COLUMNS.items():
        if name not in present:
            conn.execute(f"ALTER TABLE results ADD COLUMN {name} {sql_type}")


def _record_values(record: ResultRecord) -> dict[str, Any]:
    return {
        "key": record.key,
        "sha256": record.sha256,
        "name": record.name,
        "source": record.source,
        "status": record.status,
        "verdict_reason": record.verdict_reason,
        "error": record.error,
        "rules_failed": json.dumps(list(record.rules_failed)),
        "rules_warned": json.dumps(list(record.rules_warned)),
        "close_size_dp": record.close_size_dp,
        "close_contrast": record.close_contrast,
        "report": None if record.report is None else json.dumps(record.report, ensure_ascii=False),
        "thumb": record.thumb,
        "elapsed_ms": record.elapsed_ms,
        "cpu_ms": record.cpu_ms,
        "worker": record.worker,
        "peak_rss_mb": record.peak_rss_mb,
        "scored_at": record.scored_at,
        "n_scored": 1,
    }


def _row_record(description: Any, row: Sequence[Any]) -> ResultRecord:
    data = {d[0]: v for d, v in zip(description, row, strict=True) if d[0] in _COLUMNS}
    data["rules_failed"] = tuple(json.loads(data.get("rules_failed") or "[]"))
    data["rules_warned"] = tuple(json.loads(data.get("rules_warned") or "[]"))
    report = data.get("report")
    data["report"] = None if report is None else json.loads(report)
    return ResultRecord(**data)
