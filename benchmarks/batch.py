"""Throughput of ``closecheck batch``: 1 vs 2 pool workers, Dask local, resume, and a kill -9 check.

    .venv/bin/python benchmarks/batch.py [--reencodes 2] [--work DIR] [--skip-dask] [--json out.json]

The corpus is built from ../shared/realdev/images (never copied into the repository): every
screenshot as is, a renamed byte-identical copy of each (deduplicated by content sha256, so
never scored twice), and ``--reencodes`` JPEG re-encodings of each at different qualities
(byte-different, so scored like new images). Each configuration runs the real CLI in a
subprocess on a fresh results file. Throughput is reported two ways: over the whole command
(start-up included) and steady state (between the first and last committed result).
Peak RSS per worker is the largest ``ru_maxrss`` each worker process reported.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "realdev" / "images"
REENCODE_QUALITIES = (90, 80, 70, 60)
KILL_FRACTION = 0.8  # kill -9 when this many rows per chosen screenshot are committed (of 3 distinct)


def build_corpus(folder: Path, reencodes: int) -> tuple[int, int]:
    """Write the corpus; returns (files, distinct contents)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in REALDEV.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    contents: set[bytes] = set()
    files = 0
    for i, src in enumerate(sources):
        data = src.read_bytes()
        variants = [(f"orig_{i:03d}{src.suffix}", data), (f"copy_{i:03d}_renamed{src.suffix}", data)]
        picture = Image.open(io.BytesIO(data)).convert("RGB")
        for quality in REENCODE_QUALITIES[:reencodes]:
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=quality)
            variants.append((f"reenc_q{quality}_{i:03d}.jpg", buffer.getvalue()))
        for name, payload in variants:
            (folder / name).write_bytes(payload)
            contents.add(payload)
            files += 1
    return files, len(contents)


def run_batch(inputs: list[Path], results: Path, *extra: str) -> tuple[float, str]:
    args = [sys.executable, "-m", "detector.bulk", "batch", *map(str, inputs), "--out", str(results), *extra]
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=REPO, env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return wall, proc.stdout.strip()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def db_stats(results: Path) -> dict[str, float]:
    conn = sqlite3.connect(results)
    try:
        n, first, last = conn.execute(
            "SELECT COUNT(*), MIN(scored_at), MAX(scored_at) FROM results WHERE status != 'error'"
        ).fetchone()
        rss = [
            r[0]
            for r in conn.execute(
                "SELECT MAX(peak_rss_mb) FROM results WHERE worker IS NOT NULL GROUP BY worker"
            )
        ]
        dups = conn.execute("SELECT COALESCE(SUM(n_scored - 1), 0) FROM results").fetchone()[0]
        cpu_ms, wall_ms = conn.execute(
            "SELECT AVG(cpu_ms), AVG(elapsed_ms) FROM results WHERE status != 'error'"
        ).fetchone()
        errors = conn.execute("SELECT COUNT(*) FROM results WHERE status = 'error'").fetchone()[0]
    finally:
        conn.close()
    steady = (n - 1) / (last - first) if n > 1 and last > first else float("nan")
    return {
        "scored": n,
        "errors": errors,
        "steady_img_s": steady,
        "peak_rss_mb_per_worker": max(rss) if rss else float("nan"),
        "workers_seen": len(rss),
        "duplicates": dups,
        "cpu_s_per_img": (cpu_ms or float("nan")) / 1000.0,
        "worker_wall_s_per_img": (wall_ms or float("nan")) / 1000.0,
    }


def measure(name: str, corpus: Path, work: Path, *extra: str) -> dict[str, object]:
    results = work / f"{name}.sqlite"
    wall, summary = run_batch([corpus], results, *extra)
    stats = db_stats(results)
    row: dict[str, object] = {"config": name, "wall_s": round(wall, 1), **stats}
    row["overall_img_s"] = stats["scored"] / wall
    print(
        f"{name:>14}: {stats['scored']:.0f} scored in {wall:6.1f} s  overall {row['overall_img_s']:.3f} img/s  "
        f"steady {stats['steady_img_s']:.3f} img/s  peak RSS/worker {stats['peak_rss_mb_per_worker']:.0f} MB "
        f"({stats['workers_seen']:.0f} workers); per image {stats['cpu_s_per_img']:.2f} CPU-s in "
        f"{stats['worker_wall_s_per_img']:.2f} s wall",
        flush=True,
    )
    print(f"{'':>16}{summary}", flush=True)
    return row


def _count(results: Path) -> int:
    try:
        conn = sqlite3.connect(results, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def kill_test(corpus: Path, work: Path, n_screens: int) -> dict[str, object]:
    """Kill -9 a 2-worker batch over every variant of ``n_screens`` screenshots, run it again."""
    listing = work / "kill_list.txt"
    chosen = [p for p in sorted(corpus.iterdir()) if int(re.findall(r"_(\d{3})", p.name)[0]) < n_screens]
    listing.write_text("\n".join(map(str, chosen)) + "\n")
    results = work / "kill.sqlite"
    args = [
        sys.executable,
        "-m",
        "detector.bulk",
        "batch",
        str(listing),
        "--out",
        str(results),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(args, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = max(1, int(n_screens * KILL_FRACTION))
    while _count(results) < target and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _count(results)
    _, summary = run_batch([listing], results, "--workers", "2")
    stats = db_stats(results)
    print(f"   kill -9 test: {before} committed before the kill; rerun: {summary}", flush=True)
    print(f"{'':>16}rows {_count(results)}, duplicates {stats['duplicates']:.0f}", flush=True)
    return {
        "killed_after": before,
        "rows": _count(results),
        "duplicates": stats["duplicates"],
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reencodes", type=int, default=2, help="byte-different JPEG copies per screenshot")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument(
        "--kill-screens", type=int, default=12, help="screenshots (all variants) in the kill test"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="closecheck-batch-bench-"))
    corpus = work / "corpus"
    files, distinct = build_corpus(corpus, args.reencodes)
    print(
        f"corpus: {files} files, {distinct} distinct contents (renamed copies are deduplicated) in {corpus}"
    )
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()}", flush=True)

    rows = [
        measure("pool-1", corpus, work, "--workers", "1"),
        measure("pool-2", corpus, work, "--workers", "2"),
    ]
    if not args.skip_dask:
        rows.append(measure("dask-local-2", corpus, work, "--workers", "2", "--dask", "local"))
    start = time.perf_counter()
    _, summary = run_batch([corpus], work / "pool-2.sqlite", "--workers", "2")
    resume_s = time.perf_counter() - start
    print(f"  resume (done): {resume_s:.2f} s  ({summary})")
    base = rows[0]
    for row in rows[1:]:
        print(
            f"scaling {row['config']} / pool-1: overall {row['overall_img_s'] / base['overall_img_s']:.2f}x, "  # type: ignore[operator]
            f"steady {row['steady_img_s'] / base['steady_img_s']:.2f}x"  # type: ignore[operator]
        )
    kill = kill_test(corpus, work, args.kill_screens)
    print(f"load average after: {os.getloadavg()}")
    if args.json:
        figures = {"files": files, "distinct": distinct, "runs": rows, "resume_s": resume_s, "kill": kill}
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
