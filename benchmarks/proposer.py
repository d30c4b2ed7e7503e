"""Benchmark the × proposer (detector/proposer.py) and its fusion with the classifier, icon stage only.

For a labelled set (default: realdev; pass a synthetic labels.jsonl too), runs the classifier
over the classical candidates and the proposer once per screenshot, then prints icon recall,
precision and false alarms for: the classifier alone, the proposer alone, and the fusion at a
grid of (confirm, alone, veto) settings, plus the proposer's CPU ms per screenshot (median /
p95, one thread). Choose fusion settings on the proposer's validation set (seed 20251102,
models/proposer.json), check them on realdev and fresh seeds.

    .venv/bin/python benchmarks/proposer.py [LABELS.jsonl ...] [--alone 0.5,0.6,0.7,0.8] [-v]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets.loaders import load_labels
from detector.icons import IconCandidate
from detector.model import fuse
from detector.proposer import Proposal, ProposedIcons, ProposerFusion, ProposerMaps, run_proposer
from detector.types import Box
from models.icon_eval import density_of, matches

ROOT = Path(__file__).resolve().parents[1]
REALDEV = ROOT.parent / "shared" / "realdev" / "labels.jsonl"


@dataclass
class Shot:
    name: str
    screen: str
    icons: list[Box]
    others: list[Box]
    scored: list[IconCandidate]  # the classifier's fused candidates (all, before its output floor)
    proposals: list[Proposal]
    maps: ProposerMaps
    gray: np.ndarray
    density: float


def collect(labels: Path, det: ProposedIcons) -> tuple[list[Shot], list[float]]:
    shots, ms = [], []
    for rec in load_labels(labels):
        rgb = np.asarray(Image.open(rec.image).convert("RGB"))
        d = density_of(rgb)
        cands = det.base.candidates(rgb, density=d)
        if cands:
            p = det.base.probabilities(rgb, cands)
            f = fuse(p, np.array([c.score for c in cands]), det.base.spec.fusion, det.base.spec.threshold)
            scored = [replace(c, score=float(v)) for c, v in zip(cands, f, strict=True)]
        else:
            scored = []
        t0 = time.process_time()
        props, maps = run_proposer(rgb, d, det.spec, min_score=0.05)
        ms.append((time.process_time() - t0) * 1000)
        shots.append(Shot(rec.image.name, rec.screen, [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind == "icon"],
                          [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind != "icon"], scored, props, maps,
                          np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), np.float32), d))
    return shots, ms


def detections(shot: Shot, det: ProposedIcons, fusion: ProposerFusion | None) -> list[IconCandidate]:
    """What ProposedIcons returns for this shot under ``fusion`` (None: the classifier alone)."""
    if fusion is None:
        return [c for c in shot.scored if c.score >= 0.5]
    det.fusion = fusion
    return [c for c in det.fuse(shot.scored, shot.proposals, shot.maps, shot.gray, shot.density) if c.score >= 0.5]


def score(shots: list[Shot], pick: object) -> tuple[int, int, int, dict[str, int], list[str]]:
    hits = n = 0
    fa = {"none": 0, "overlay": 0}
    lines: list[str] = []
    for shot in shots:
        dets = pick(shot)  # type: ignore[operator]
        used: set[int] = set()
        for box in shot.icons:
            n += 1
            hit = next((i for i, d in enumerate(dets) if i not in used and matches(d.box, box)), None)
            if hit is None:
                lines.append(f"MISS  {shot.name}: {box.to_list()}")
            else:
                used.add(hit)
                hits += 1
        false = [d for i, d in enumerate(dets) if i not in used and not any(matches(d.box, b) for b in shot.others)]
        fa["none" if shot.screen == "none" else "overlay"] += len(false)
        lines += [f"FALSE {shot.name} ({shot.screen}): {d.box.to_list()} {d.score:.3f}" for d in false]
    return hits, n, hits + sum(fa.values()), fa, lines


def row(name: str, res: tuple[int, int, int, dict[str, int], list[str]]) -> str:
    hits, n, ndet, fa, _ = res
    prec = hits / ndet if ndet else 1.0
    return f"| {name} | {hits}/{n} = {hits / max(1, n):.3f} | {prec:.3f} | {fa['none']} | {fa['overlay']} |"


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*", type=Path)
    parser.add_argument("--confirm", type=floats, default=[0.3, 0.5])
    parser.add_argument("--alone", type=floats, default=[0.5, 0.6, 0.7, 0.8, 0.9])
    parser.add_argument("--veto", type=floats, default=[0.0, 0.02, 0.05])
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    det = ProposedIcons()
    base = det.fusion
    for labels in args.labels or [REALDEV]:
        shots, ms = collect(labels, det)
        print(f"\n{labels} ({len(shots)} screenshots); proposer CPU ms median {statistics.median(ms):.1f} / "
              f"p95 {float(np.percentile(ms, 95)):.1f}; committed fusion {base}")
        print("| detector | icon recall | precision | false alarms, none | false alarms, overlay |\n|---|---|---|---|---|")
        print(row("classifier alone", score(shots, lambda s: detections(s, det, None))))
        print(row("proposer alone, p >= 0.5", score(shots, lambda s: [p for p in s.proposals if p.score >= 0.5])))
        for c, a, v in itertools.product(args.confirm, args.alone, args.veto):
            f = replace(base, confirm_threshold=c, alone_threshold=a, veto_below=v, veto_score=0.49 if v else 1.0)
            res = score(shots, lambda s, f=f: detections(s, det, f))
            print(row(f"fused confirm {c} alone {a} veto {v}", res))
        res = score(shots, lambda s: detections(s, det, base))
        print(row("fused, committed", res))
        if args.verbose:
            print("\n".join(res[4]))
        det.fusion = base
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
