"""Benchmark the × model (detector/model.py) against the classical detector, icon stage only.

Prints, for classical and model, on ../shared/realdev (validation only) and on a FRESH synthetic
set (a generator seed that training never used): icon recall, precision, false alarms per
image on ``none`` and overlay screens, and CPU ms per screenshot (median / p95, one thread);
then the model's own share of the time (crops + ONNX) apart from the candidate search.
With ``--pipeline`` it also runs the lead's eval harness (OCR and all) with each detector and
prints both close-control tables (slow: minutes per run).

    .venv/bin/python benchmarks/model.py [--synth-n 300] [--synth-seed 777] [--pipeline] [-v]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets.loaders import LabelRecord, load_labels
from datasets.synth import generate_set
from detector.model import ModelIcons
from detector.pipeline import ClassicalIcons, IconDetector
from models.icon_eval import IconStats, density_of, icon_stats

ROOT = Path(__file__).resolve().parents[1]
REALDEV = ROOT.parent / "shared" / "realdev" / "labels.jsonl"
TRAINING_SEEDS = {20251101, 20251102, 20251103, 20251104, 20251105}  # models/train.py (screens, screens, procedural glyphs) and models/train_proposer.py (two more screen sets): never benchmark on these


def table(title: str, rows: dict[str, IconStats]) -> str:
    out = [f"\n{title}", "| detector | icon recall | icon precision | false alarms / image, none | "
           "false alarms / image, overlay | CPU ms median / p95 |", "|---|---|---|---|---|---|"]
    for name, st in rows.items():
        s = st.summary()
        fa, tot = s["false_alarms_per_image"], s["false_alarms_total"]
        n_none, n_over = len(st.false_alarms["none"]), len(st.false_alarms["overlay"])
        out.append(f"| {name} | {st.hits}/{st.icons} = {s['icon_recall']:.3f} | {s['icon_precision']:.3f} | "
                   f"{fa['none']:.3f} ({tot['none']} on {n_none}) | {fa['overlay']:.3f} ({tot['overlay']} on {n_over}) | "
                   f"{s['cpu_ms_median']} / {s['cpu_ms_p95']} |")
    return "\n".join(out)


def model_share(records: Sequence[LabelRecord], model: ModelIcons) -> str:
    """CPU ms per screenshot of the candidate search and of the model (crops + ONNX) apart."""
    search, infer, counts = [], [], []
    for rec in records:
        rgb = np.asarray(Image.open(rec.image).convert("RGB"))
        t0 = time.process_time()
        cands = model.candidates(rgb, density=density_of(rgb))
        t1 = time.process_time()
        model.probabilities(rgb, cands)
        t2 = time.process_time()
        search.append((t1 - t0) * 1000)
        infer.append((t2 - t1) * 1000)
        counts.append(len(cands))
    return (f"model share (realdev): candidate search {statistics.median(search):.1f} ms median, "
            f"crops + ONNX {statistics.median(infer):.1f} ms median / {float(np.percentile(infer, 95)):.1f} p95, "
            f"{statistics.median(counts):.0f} candidates median ({max(counts)} max)")


def pipeline_tables() -> str:
    from datasets.evaluate import evaluate, format_table
    from detector.pipeline import Analyzer

    out = []
    detectors: tuple[IconDetector, ...] = (ClassicalIcons(), ModelIcons())
    for det in detectors:
        t0 = time.time()
        r = evaluate(REALDEV, analyzer=Analyzer(icon_detectors=[det]), verbose_lines=True)
        out.append(f"\n== full pipeline, icon_detectors=[{type(det).__name__}()] ({time.time() - t0:.0f} s) ==\n"
                   + format_table(r))
        out.append("metrics: " + json.dumps({k: r.metrics[k] for k in ("close_controls", "by_kind")}))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdev", type=Path, default=REALDEV)
    parser.add_argument("--synth-n", type=int, default=300)
    parser.add_argument("--synth-seed", type=int, default=777)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--pipeline", action="store_true", help="also run the full eval harness both ways")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    if args.synth_seed in TRAINING_SEEDS:
        parser.error(f"seed {args.synth_seed} was used in training; pick another")
    cv2.setNumThreads(1)
    model = ModelIcons()
    detectors: dict[str, IconDetector] = {"classical": ClassicalIcons(), "model": model}

    if args.realdev.is_file():
        records = load_labels(args.realdev)
        rows = {name: icon_stats(records, det, threshold=args.threshold) for name, det in detectors.items()}
        print(table(f"realdev ({len(records)} screenshots, validation only), threshold {args.threshold}", rows))
        print(model_share(records, model))
        if args.verbose:
            for name, st in rows.items():
                print(f"\n{name}:\n" + "\n".join(st.lines))
    else:
        print(f"no realdev at {args.realdev}")

    with tempfile.TemporaryDirectory() as tmp:
        labels = generate_set(Path(tmp), args.synth_n, args.synth_seed, workers=2)
        records = load_labels(labels)
        rows = {name: icon_stats(records, det, threshold=args.threshold) for name, det in detectors.items()}
        print(table(f"fresh synthetic set (seed {args.synth_seed}, {len(records)} screens)", rows))
        if args.verbose:
            for name, st in rows.items():
                print(f"\n{name}:\n" + "\n".join(st.lines))

    if args.pipeline:
        print(pipeline_tables())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
