"""Icon-stage metrics on a labelled set (../shared/LABELS.md), without OCR and without torch.

Used by ``models/train.py`` (the manifest's metrics) and ``benchmarks/model.py``. Only the icon
stage is measured: each detector gets the whole screenshot (no OCR text to exclude) and its
candidates at or above ``threshold`` count as detections.

- icon recall: labelled ``icon`` close controls matched by a detection (IoU ≥ 0.3, or the
  detection's centre inside the label box), one-to-one;
- false alarms: detections that match no labelled close control of any kind (a detection on a
  dismiss text or countdown is neither right nor wrong here: the text stage owns those), split
  into ``none`` screens and overlay screens;
- precision: matched icons / (matched icons + false alarms);
- milliseconds per screenshot: CPU time of this process for the detector call (median, p95).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from detector.icons import IconCandidate
from detector.types import Box

__all__ = ["BASELINE_WIDTH_DP", "IconStats", "density_of", "icon_stats", "matches"]

BASELINE_WIDTH_DP = 360.0  # the profile's units.baseline_width_dp: density = short side / 360
MATCH_IOU = 0.3  # ../shared/LABELS.md

Detector = Callable[..., list[IconCandidate]]


def density_of(rgb: npt.NDArray[np.uint8]) -> float:
    """Pixels per dp as the pipeline assumes when it is not told: short side / 360 dp."""
    return min(rgb.shape[:2]) / BASELINE_WIDTH_DP


def matches(det: Box, label: Box) -> bool:
    """LABELS.md: IoU ≥ 0.3 or the detection's centre inside the label box."""
    return det.iou(label) >= MATCH_IOU or label.contains_point(*det.center)


@dataclass
class IconStats:
    """Icon-stage counts over a labelled set."""

    images: int = 0
    icons: int = 0
    hits: int = 0
    false_alarms: dict[str, list[int]] = field(default_factory=lambda: {"none": [], "overlay": []})
    cpu_ms: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hits / self.icons if self.icons else 1.0

    @property
    def precision(self) -> float:
        fp = sum(sum(v) for v in self.false_alarms.values())
        return self.hits / (self.hits + fp) if self.hits + fp else 1.0

    def summary(self) -> dict[str, Any]:
        fa = {k: round(sum(v) / len(v), 3) if v else 0.0 for k, v in self.false_alarms.items()}
        return {
            "images": self.images,
            "icons": self.icons,
            "icon_recall": round(self.recall, 3),
            "icon_precision": round(self.precision, 3),
            "false_alarms_total": {k: sum(v) for k, v in self.false_alarms.items()},
            "false_alarms_per_image": fa,
            "cpu_ms_median": round(statistics.median(self.cpu_ms), 1) if self.cpu_ms else 0.0,
            "cpu_ms_p95": round(float(np.percentile(self.cpu_ms, 95)), 1) if self.cpu_ms else 0.0,
        }


def icon_stats(labels: Sequence[Any], detector: Detector, *, threshold: float = 0.5) -> IconStats:
    """Run ``detector(rgb, density=..., exclude=())`` on every record (``datasets.loaders``)."""
    stats = IconStats()
    for rec in labels:
        rgb = np.asarray(Image.open(rec.image).convert("RGB"))
        t0 = time.process_time()
        dets = [d for d in detector(rgb, density=density_of(rgb), exclude=()) if d.score >= threshold]
        stats.cpu_ms.append((time.process_time() - t0) * 1000.0)
        stats.images += 1
        name = Path(rec.image).name
        icons = [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind == "icon"]
        others = [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind != "icon"]
        used: set[int] = set()
        for box in icons:
            stats.icons += 1
            hit = next((i for i, d in enumerate(dets) if i not in used and matches(d.box, box)), None)
            if hit is None:
                stats.lines.append(f"MISS  {name}: icon at {box.to_list()}")
            else:
                used.add(hit)
                stats.hits += 1
        false = [d for i, d in enumerate(dets) if i not in used and not any(matches(d.box, b) for b in others)]
        stats.false_alarms["none" if rec.screen == "none" else "overlay"].append(len(false))
        stats.lines += [f"FALSE {name} ({rec.screen}): {d.box.to_list()} score {d.score} {d.style}" for d in false]
    return stats


def fusion_table(labels: Sequence[Any], model: Any, methods: Sequence[str], thresholds: Sequence[float]) -> dict[str, Any]:
    """Icon recall and false alarms of every fusion at every threshold (``model`` is a
    :class:`detector.model.ModelIcons`; its candidates and probabilities are computed once)."""
    from detector.model import fuse

    per_image = []
    for rec in labels:
        rgb = np.asarray(Image.open(rec.image).convert("RGB"))
        cands = model.candidates(rgb, density=density_of(rgb))
        p = model.probabilities(rgb, cands)
        icons = [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind == "icon"]
        others = [Box.from_xyxy(c.box) for c in rec.close_controls if c.kind != "icon"]
        per_image.append((rec.screen, cands, p, np.array([c.score for c in cands], np.float64), icons, others))
    out: dict[str, Any] = {}
    for method in methods:
        rows = {}
        for t in thresholds:
            hits = n = 0
            fa = {"none": 0, "overlay": 0}
            for screen, cands, p, s, icons, others in per_image:
                f = fuse(p, s, method) if len(cands) else np.zeros(0)
                kept = [c.box for c, v in zip(cands, f, strict=True) if v >= t]
                used: set[int] = set()
                for box in icons:
                    n += 1
                    hit = next((i for i, k in enumerate(kept) if i not in used and matches(k, box)), None)
                    if hit is not None:
                        used.add(hit)
                        hits += 1
                fa["none" if screen == "none" else "overlay"] += sum(
                    1 for i, k in enumerate(kept) if i not in used and not any(matches(k, o) for o in others))
            rows[f"{t:.2f}"] = {"icon_recall": f"{hits}/{n}", "false_alarms": fa}
        out[method] = rows
    return out
