"""Jobs, their inputs and their results, kept in one SQLite file (WAL mode).

Every screenshot of a job is an *item* with its own state::

    pending --claim--> running --commit--> done | error
       ^                  |
       +---- release -----+   (worker died, or the service restarted)

A claim bumps ``attempts``; a result is committed only by the claim that still holds the item
(``state = 'running' AND attempts = <the claim's attempt>``), in the same transaction that drops
the item's input. So a result is written exactly once, even when a worker from a killed service
finishes late, and a restart loses nothing that was committed.

The store is used from the service's threads and from the worker processes; every call opens its
own short-lived connection, so nothing is shared across threads or processes.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

ItemState = Literal["pending", "running", "done", "error"]
JobState = Literal["queued", "running", "completed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    options TEXT NOT NULL,
    total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    verdict TEXT,
    result TEXT,
    error_code TEXT,
    error_message TEXT,
    started_at REAL,
    finished_at REAL,
    UNIQUE (job_id, idx)
);
CREATE INDEX IF NOT EXISTS items_by_state ON items (state, id);
CREATE INDEX IF NOT EXISTS items_by_job ON items (job_id, state, verdict);
CREATE TABLE IF NOT EXISTS inputs (
    item_id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class JobOptions:
    """How every screenshot of a job is analysed."""

    density: float | None = None
    width_dp: float | None = None
    profile: str | None = None
    ocr: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """One item handed to a worker: only this attempt may commit its result."""

    item_id: int
    job_id: str
    attempt: int


@dataclass(frozen=True, slots=True)
class WorkItem:
    """What a worker needs to analyse one claimed item."""

    name: str
    data: bytes
    options: JobOptions


@dataclass(frozen=True, slots=True)
class JobStatus:
    id: str
    state: JobState
    created_at: float
    finished_at: float | None
    total: int
    counts: dict[str, int]
    verdicts: dict[str, int]
    options: JobOptions

    @property
    def progress(self) -> float:
        finished = self.counts.get("done", 0) + self.counts.get("error", 0)
        return finished / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class ItemResult:
    """A finished item: its report (as stored JSON text) or its error."""

    index: int
    name: str
    state: ItemState
    report_json: str | None
    error_code: str | None
    error_message: str | None


class JobStore:
    """SQLite-backed jobs. Safe to use from many threads and processes at once."""

    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms

    # --- connections ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout_ms / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        # FULL: a committed result survives even a power cut, not only a killed process.
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    @contextmanager
    def _transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def initialize(self) -> None:
        """Create the file and tables (idempotent) and switch the file to WAL mode."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)

    # --- jobs -----------------------------------------------------------------------------
    def create_job(self, files: Sequence[tuple[str, bytes]], options: JobOptions) -> str:
        """Store a job and all its inputs in one transaction; return its id."""
        job_id = uuid.uuid4().hex
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO jobs (id, created_at, options, total) VALUES (?, ?, ?, ?)",
                (job_id, time.time(), json.dumps(asdict(options)), len(files)),
            )
            for idx, (name, data) in enumerate(files):
                cur = conn.execute(
                    "INSERT INTO items (job_id, idx, name) VALUES (?, ?, ?)", (job_id, idx, name)
                )
                conn.execute("INSERT INTO inputs (item_id, data) VALUES (?, ?)", (cur.lastrowid, data))
        return job_id

    def job_status(self, job_id: str) -> JobStatus | None:
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT created_at, options, total FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return None
            created_at, options_json, total = row
            counts = {"pending": 0, "running": 0, "done": 0, "error": 0}
            verdicts: dict[str, int] = {}
            finished_at: float | None = None
            for item_state, verdict, n, last in conn.execute(
                "SELECT state, verdict, COUNT(*), MAX(finished_at) FROM items WHERE job_id = ? "
                "GROUP BY state, verdict",
                (job_id,),
            ):
                counts[item_state] = counts.get(item_state, 0) + n
                if verdict is not None:
                    verdicts[verdict] = verdicts.get(verdict, 0) + n
                if last is not None:
                    finished_at = max(finished_at or 0.0, last)
        finished = counts["done"] + counts["error"]
        state: JobState
        if finished >= total:
            state = "completed"
        else:
            state = "queued" if finished == 0 and counts["running"] == 0 else "running"
            finished_at = None
        return JobStatus(
            id=job_id,
            state=state,
            created_at=created_at,
            finished_at=finished_at,
            total=total,
            counts=counts,
            verdicts=verdicts,
            options=JobOptions(**json.loads(options_json)),
        )

    def delete_job(self, job_id: str) -> bool:
        """Forget a job, its inputs and results. A worker still busy on it commits nothing."""
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM inputs WHERE item_id IN (SELECT id FROM items WHERE job_id = ?)", (job_id,)
            )
            conn.execute("DELETE FROM items WHERE job_id = ?", (job_id,))
            return conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def iter_results(self, job_id: str, *, batch: int = 200) -> Iterator[ItemResult]:
        """Finished items of a job in upload order, read in batches (never all at once)."""
        last = -1
        while True:
            with closing(self._connect()) as conn:
                rows = conn.execute(
                    "SELECT idx, name, state, result, error_code, error_message FROM items "
                    "WHERE job_id = ? AND idx > ? AND state IN ('done', 'error') ORDER BY idx LIMIT ?",
                    (job_id, last, batch),
                ).fetchall()
            if not rows:
                return
            for idx, name, state, result, code, message in rows:
                yield ItemResult(idx, name, state, result, code, message)
            last = rows[-1][0]

    def queue_depth(self) -> dict[str, int]:
        """Items waiting and running over all jobs."""
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT state, COUNT(*) FROM items WHERE state IN ('pending', 'running') GROUP BY state"
            ).fetchall()
        depth = {"pending": 0, "running": 0}
        depth.update({state: n for state, n in rows})
        return depth

    # --- the work loop --------------------------------------------------------------------
    def recover(self, max_attempts: int) -> int:
        """After a restart: put items left running back in the queue (or fail those tried too often)."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE items SET state = 'error', error_code = 'worker_crashed', "
                "error_message = 'the worker died on this screenshot ' || attempts || ' times', "
                "finished_at = ? WHERE state = 'running' AND attempts >= ?",
                (time.time(), max_attempts),
            )
            conn.execute("DELETE FROM inputs WHERE item_id IN (SELECT id FROM items WHERE state = 'error')")
            return conn.execute("UPDATE items SET state = 'pending' WHERE state = 'running'").rowcount

    def claim_next(self) -> Claim | None:
        """Take the oldest pending item, mark it running, and return the claim."""
        with self._transaction() as conn:
            row = conn.execute(
                "UPDATE items SET state = 'running', attempts = attempts + 1, started_at = ? "
                "WHERE id = (SELECT id FROM items WHERE state = 'pending' ORDER BY id LIMIT 1) "
                "RETURNING id, job_id, attempts",
                (time.time(),),
            ).fetchone()
        return Claim(row[0], row[1], row[2]) if row else None

    def release(self, claim: Claim, max_attempts: int) -> None:
        """Give back a claim whose worker died: retry it, or fail it after ``max_attempts``."""
        if claim.attempt >= max_attempts:
            self.fail(claim, "worker_crashed", f"the worker died on this screenshot {claim.attempt} times")
            return
        with self._transaction() as conn:
            conn.execute(
                "UPDATE items SET state = 'pending' WHERE id = ? AND state = 'running' AND attempts = ?",
                (claim.item_id, claim.attempt),
            )

    def load_work(self, claim: Claim) -> WorkItem | None:
        """The input of a claimed item, or ``None`` when the claim is stale or the job is gone."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT i.name, d.data, j.options FROM items i JOIN inputs d ON d.item_id = i.id "
                "JOIN jobs j ON j.id = i.job_id WHERE i.id = ? AND i.state = 'running' AND i.attempts = ?",
                (claim.item_id, claim.attempt),
            ).fetchone()
        if row is None:
            return None
        return WorkItem(row[0], bytes(row[1]), JobOptions(**json.loads(row[2])))

    def complete(self, claim: Claim, report: dict[str, Any]) -> bool:
        """Commit a finished report. False when the claim no longer holds the item."""
        return self._finish(
            claim, "done", verdict=str(report.get("verdict")), result=json.dumps(report, ensure_ascii=False)
        )

    def fail(self, claim: Claim, code: str, message: str) -> bool:
        """Commit an item's error. False when the claim no longer holds the item."""
        return self._finish(claim, "error", error_code=code, error_message=message)

    def _finish(
        self,
        claim: Claim,
        state: ItemState,
        *,
        verdict: str | None = None,
        result: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> bool:
        with self._transaction() as conn:
            updated = conn.execute(
                "UPDATE items SET state = ?, verdict = ?, result = ?, error_code = ?, error_message = ?, "
                "finished_at = ? WHERE id = ? AND state = 'running' AND attempts = ?",
                (
                    state,
                    verdict,
                    result,
                    error_code,
                    error_message,
                    time.time(),
                    claim.item_id,
                    claim.attempt,
                ),
            ).rowcount
            if updated:
                conn.execute("DELETE FROM inputs WHERE item_id = ?", (claim.item_id,))
        return bool(updated)
