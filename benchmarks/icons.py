"""Benchmark the classical × detector on ../shared/realdev.

Prints icon recall (labelled close controls of kind "icon"), false alarms per image at the
score threshold (any detection that matches no labelled close control of any kind), split
into `none` screens and overlay screens, and milliseconds per image (median, p95; one core).

    .venv/bin/python benchmarks/icons.py [--realdev PATH] [--threshold 0.5] [-v]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from detector.icons import IconCandidate, IconSettings, find_close_icons
from detector.types import Box

REALDEV = Path(__file__).resolve().parents[1].parent / "shared" / "realdev"
BASELINE_WIDTH_DP = 360.0  # the profile's units.baseline_width_dp
MATCH_IOU = 0.3  # ../shared/LABELS.md matching rule


def matches(det: IconCandidate, label: Box) -> bool:
    """LABELS.md: IoU ≥ 0.3 or the detection's centre inside the label box."""
    return det.box.iou(label) >= MATCH_IOU or label.contains_point(*det.box.center)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdev", type=Path, default=REALDEV)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=2, help="timing runs per image (best counts)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    settings = IconSettings.from_yaml()
    rows = [json.loads(line) for line in (args.realdev / "labels.jsonl").read_text("utf-8").splitlines() if line]

    icons = hits = 0
    fps: dict[str, list[int]] = {"none": [], "overlay": []}
    times: list[float] = []
    for row in rows:
        rgb = np.asarray(Image.open(args.realdev / row["image"]).convert("RGB"))
        density = min(rgb.shape[:2]) / BASELINE_WIDTH_DP
        best = float("inf")
        for _ in range(args.repeat):  # CPU time of this (single-threaded) process: robust to a busy machine
            t0 = time.process_time()
            dets = find_close_icons(rgb, density=density, settings=settings)
            best = min(best, (time.process_time() - t0) * 1000)
        times.append(best)
        dets = [d for d in dets if d.score >= args.threshold]
        labels = [(Box.from_xyxy(c["box"]), c["kind"]) for c in row["close_controls"]]
        name = Path(row["image"]).name
        for box, kind in labels:
            if kind != "icon":
                continue
            icons += 1
            found = any(matches(d, box) for d in dets)
            hits += found
            if not found and args.verbose:
                print(f"MISS {name} {box.to_list()}")
        false = [d for d in dets if not any(matches(d, box) for box, _ in labels)]
        fps["none" if row["screen"] == "none" else "overlay"].append(len(false))
        if args.verbose:
            for d in false:
                print(f"FP   {name} {row['screen']} {d.box.to_list()} score={d.score} {d.style} {d.polarity}")

    p95 = float(np.percentile(times, 95))
    print(f"images: {len(rows)}   threshold: {args.threshold}")
    print("| metric | value |")
    print("|---|---|")
    print(f"| icon recall | {hits}/{icons} = {hits / max(icons, 1):.2f} |")
    for key, counts in fps.items():
        print(f"| false alarms / image, {key} screens ({len(counts)}) | {sum(counts) / max(len(counts), 1):.2f} "
              f"({sum(counts)} total) |")
    print(f"| CPU ms / image, median / p95 (1 thread) | {statistics.median(times):.1f} / {p95:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
