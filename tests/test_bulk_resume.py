"""Crash safety: kill -9 a batch in the middle, run it again, every image is scored exactly once."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from test_bulk_support import REPO, cli_env, make_images, run_cli

N_IMAGES = 12
KILL_AFTER_ROWS = 3
START_TIMEOUT_S = 180.0


def _count_rows(results: Path) -> int:
    if not results.exists():
        return 0
    try:
        conn = sqlite3.connect(results, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:  # schema not there yet
        return 0


def test_kill_9_mid_batch_then_resume_scores_each_image_once(tmp_path: Path) -> None:
    shots = make_images(tmp_path / "in", N_IMAGES)
    results = tmp_path / "results.sqlite"
    args = [
        sys.executable,
        "-m",
        "detector.bulk",
        "batch",
        str(tmp_path / "in"),
        "--out",
        str(results),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        args, cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while _count_rows(results) < KILL_AFTER_ROWS and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before = _count_rows(results)
    assert KILL_AFTER_ROWS <= before < N_IMAGES, f"kill came too late: {before} rows"

    rerun = run_cli("batch", tmp_path / "in", "--out", results, "--workers", "2")
    assert rerun.returncode in (0, 1), rerun.stderr
    assert f"scored {N_IMAGES - before} now, {before} already scored" in rerun.stdout

    conn = sqlite3.connect(results)
    rows = conn.execute("SELECT key, sha256, n_scored, status FROM results").fetchall()
    conn.close()
    expected = {hashlib.sha256(p.read_bytes()).hexdigest() for p in shots}
    assert {r[0] for r in rows} == expected
    assert len(rows) == N_IMAGES and all(r[2] == 1 for r in rows)
    assert all(r[1] == r[0] and r[3] != "error" for r in rows)
