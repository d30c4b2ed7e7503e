"""End-to-end speed on ../shared/realdev: per-stage p50/p95 and CPU per screenshot.

Runs ``Analyzer.analyze`` on every realdev screenshot and prints, per variant, the wall time of
each stage (``report.timings_ms``), the process CPU time per screenshot (all onnxruntime threads
included) and the CPU spent inside the OCR reader, split into the whole-screen pass, the
corner re-read (``read`` with a region, :mod:`detector.pills`), the second look with stretched
contrast (``read`` with ``skip``, :mod:`detector.secondlook`) and single-line calls
(``read_line`` / ``spot``). On a shared machine wall time measures the neighbours too; CPU time
measures our work, so compare variants by CPU. Variants run interleaved (A, B, A, B per image),
so a load spike hits all of them alike.

    .venv/bin/python benchmarks/latency.py                              # defaults
    .venv/bin/python benchmarks/latency.py --set "" --set rec_batch_num=12  # A/B two settings
    .venv/bin/python benchmarks/latency.py --limit 20 --repeat 2

``--set`` takes OcrSettings overrides (``key=value[,key=value]``; ``""`` is the defaults).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ocr import parse_override  # noqa: E402  (benchmarks/ocr.py)

from detector import Analyzer  # noqa: E402
from detector.ocr import Spotting, TextReader  # noqa: E402
from detector.types import Box, TextSpan  # noqa: E402

REALDEV = ROOT.parent / "shared" / "realdev"


class TimedReader:
    """Wraps a reader and adds up the CPU time of its calls, by kind of call."""

    def __init__(self, inner: TextReader) -> None:
        self.inner = inner
        self.name = inner.name
        self.cpu: dict[str, float] = defaultdict(float)

    def _timed(self, kind: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        c0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            self.cpu[kind] += (time.process_time() - c0) * 1000.0

    def read(self, rgb: Any, *, region: Box | None = None, scale: float | None = None,
             min_score: float | None = None, skip: Sequence[Box] = ()) -> list[TextSpan]:
        kind = "ocr_second" if skip else "ocr_screen" if region is None else "ocr_corner"
        result: list[TextSpan] = self._timed(kind, self.inner.read, rgb, region=region, scale=scale,
                                             min_score=min_score, skip=skip)
        return result

    def read_line(self, rgb: Any, box: Box) -> TextSpan | None:
        result: TextSpan | None = self._timed("ocr_line", self.inner.read_line, rgb, box)
        return result

    def spot(self, rgb: Any, box: Box, phrases: Sequence[str]) -> Spotting | None:
        result: Spotting | None = self._timed("ocr_line", self.inner.spot, rgb, box, phrases)
        return result


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=REALDEV / "labels.jsonl")
    parser.add_argument("--set", action="append", default=[], metavar="K=V[,K=V]",
                        help="OcrSettings overrides for one variant (repeatable; \"\" = defaults)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N screenshots (0: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per screenshot and variant; the best counts")
    parser.add_argument("--json", type=Path, help="also write the per-image figures here")
    args = parser.parse_args()
    if not args.labels.exists():
        print(f"no realdev set at {args.labels}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in args.labels.read_text("utf-8").splitlines() if line.strip()]
    if args.limit:
        rows = rows[: args.limit]
    specs = args.set or [""]
    analyzers = [Analyzer(ocr_options=parse_override(spec)) for spec in specs]
    readers = [TimedReader(a.reader) for a in analyzers]
    for analyzer, reader in zip(analyzers, readers, strict=True):
        analyzer.reader = reader
        analyzer.analyze(args.labels.parent / rows[0]["image"])  # warm-up: first-call allocations

    # figures[variant][metric] -> one value per screenshot
    figures: list[dict[str, list[float]]] = [defaultdict(list) for _ in specs]
    load = [os.getloadavg()[0]]
    for row in rows:
        path = args.labels.parent / row["image"]
        for analyzer, reader, fig in zip(analyzers, readers, figures, strict=True):
            best: dict[str, float] | None = None
            for _ in range(max(1, args.repeat)):
                reader.cpu.clear()
                c0 = time.process_time()
                report = analyzer.analyze(path)
                run = {"cpu": (time.process_time() - c0) * 1000.0, **reader.cpu}
                run.update({f"wall_{stage}": ms for stage, ms in report.timings_ms})
                if best is None or run["cpu"] < best["cpu"]:
                    best = run
            assert best is not None
            for key in ("cpu", "ocr_screen", "ocr_corner", "ocr_second", "ocr_line"):
                fig[key].append(best.get(key, 0.0))
            for key, value in best.items():
                if key.startswith("wall_"):
                    fig[key].append(value)
        load.append(os.getloadavg()[0])

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"\n{len(rows)} screenshots, {os.cpu_count()} CPUs, load average (1 min) during the run: "
          f"min {min(load):.1f} median {statistics.median(load):.1f} max {max(load):.1f}; "
          f"best of {args.repeat} per screenshot; peak RSS of this process {peak_mb:.0f} MB "
          f"({len(specs)} analyzer(s) loaded)\n")
    stages = sorted({k for fig in figures for k in fig if k.startswith("wall_")}, key=lambda k: (k == "wall_total", k))
    keys = ["cpu", "ocr_screen", "ocr_corner", "ocr_second", "ocr_line", *stages]
    print("| variant | " + " | ".join(f"{k} p50 / p95" for k in keys) + " |")
    print("|---|" + "---|" * len(keys))
    for spec, fig in zip(specs, figures, strict=True):
        cells = [f"{statistics.median(fig[k]):.0f} / {percentile(fig[k], 0.95):.0f}" for k in keys]
        print(f"| {spec or 'defaults'} | " + " | ".join(cells) + " |")
    print("\ncpu = process CPU ms per screenshot (all threads); ocr_* = CPU ms inside the OCR reader; "
          "wall_* = report.timings_ms")
    if args.json:
        args.json.write_text(json.dumps({"images": [r["image"] for r in rows],
                                         "variants": {s or "defaults": dict(f) for s, f in zip(specs, figures, strict=True)}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
