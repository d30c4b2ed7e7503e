"""The evaluation harness behind ``closecheck eval``: the analyzer against a labelled set.

Close controls are matched one-to-one (IoU ≥ 0.3, or the detection's centre inside the label
box) and counted on every image, so a detection on a ``none`` screen is a false alarm. Cues are
counted per image on overlay screens only (../shared/LABELS.md). The keys of
:attr:`EvalResult.metrics` are a contract other tools read.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detector.imageio import ImageInputError
from detector.pipeline import Analyzer
from detector.types import Box, ElementKind, Report, ScreenType

from .loaders import LabelRecord, load_labels

MATCH_IOU = 0.3
CUES = ("jump_hint", "shake", "countdown", "ad_label")
KINDS = ("icon", "text", "countdown")
SCREEN_TYPES = tuple(s.value for s in ScreenType)


@dataclass(frozen=True, slots=True)
class Match:
    label_index: int
    detection_index: int


def match_boxes(labels: Sequence[Box], detections: Sequence[Box], *, iou: float = MATCH_IOU) -> list[Match]:
    """One-to-one matches, best pairs first: IoU ≥ ``iou`` or the detection's centre inside the label."""
    pairs: list[tuple[float, int, int]] = []
    for li, lb in enumerate(labels):
        for di, db in enumerate(detections):
            overlap = lb.iou(db)
            centre_inside = lb.contains_point(*db.center)
            if overlap >= iou or centre_inside:
                pairs.append((overlap + (1.0 if centre_inside else 0.0), li, di))
    pairs.sort(reverse=True)
    used_l: set[int] = set()
    used_d: set[int] = set()
    out: list[Match] = []
    for _, li, di in pairs:
        if li in used_l or di in used_d:
            continue
        used_l.add(li)
        used_d.add(di)
        out.append(Match(li, di))
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(f1, 3)}


def predicted_cues(report: Report) -> dict[str, bool]:
    kinds = {e.kind for e in report.elements}
    return {
        "jump_hint": ElementKind.JUMP_HINT in kinds or any(e.attr("jump_hint") for e in report.elements),
        "shake": ElementKind.SHAKE in kinds,
        "countdown": bool(kinds & {ElementKind.CLOSE_COUNTDOWN, ElementKind.COUNTDOWN}),
        "ad_label": ElementKind.AD_LABEL in kinds,
    }


def labelled_cues(rec: LabelRecord) -> dict[str, bool]:
    return {
        "jump_hint": rec.cues.jump_hint,
        "shake": rec.cues.shake,
        "countdown": rec.cues.countdown,
        "ad_label": rec.ad_label is not None,
    }


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    kind_tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kind_fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    cue: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0, 0] for c in CUES})  # tp, fp, fn
    confusion: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: dict.fromkeys(SCREEN_TYPES, 0) for t in SCREEN_TYPES}
    )
    rule_agree: dict[str, list[int]] = field(default_factory=dict)  # rule -> [agreed, compared]
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EvalResult:
    metrics: dict[str, Any]  # exactly the contract keys
    lines: tuple[str, ...]  # misses and false alarms, one per line
    rule_agreement: dict[str, dict[str, float | int]] = field(default_factory=dict)  # synthetic sets only


def _score_rules(rec: LabelRecord, report: Report, tally: _Tally, name: str) -> None:
    """Per-rule agreement with the generator's expected findings (``truth.findings``)."""
    expected = (rec.truth or {}).get("findings")
    if not isinstance(expected, Mapping) or not expected:
        return
    got = {f.rule.value: f.severity.value for f in report.findings}
    for rule, want in expected.items():
        have = got.get(rule, "pass")
        counts = tally.rule_agree.setdefault(rule, [0, 0])
        counts[1] += 1
        if have == want:
            counts[0] += 1
        else:
            tally.lines.append(f"RULE  {name}: {rule} expected {want}, got {have}")


def _score_image(rec: LabelRecord, report: Report, tally: _Tally, name: str) -> None:
    label_boxes = [Box.from_xyxy(c.box) for c in rec.close_controls]
    detected = list(report.screen.close_controls)
    matches = match_boxes(label_boxes, [e.box for e in detected])
    matched_l = {m.label_index for m in matches}
    matched_d = {m.detection_index for m in matches}
    tally.tp += len(matches)
    for li, c in enumerate(rec.close_controls):
        kind = c.kind if c.kind in KINDS else "text"
        if li in matched_l:
            tally.kind_tp[kind] += 1
        else:
            tally.kind_fn[kind] += 1
            tally.fn += 1
            tally.lines.append(f"MISS  {name}: {kind} {c.text!r} at {list(c.box)}")
    for di, e in enumerate(detected):
        if di not in matched_d:
            tally.fp += 1
            tally.lines.append(f"FALSE {name}: {e.kind.label_kind} {e.text!r} at {e.box.to_list()} "
                               f"(score {e.score}, screen {report.screen.screen_type.value})")
    truth_screen, pred_screen = rec.screen, report.screen.screen_type.value
    tally.confusion.setdefault(truth_screen, dict.fromkeys(SCREEN_TYPES, 0))
    tally.confusion[truth_screen][pred_screen] = tally.confusion[truth_screen].get(pred_screen, 0) + 1
    if truth_screen != pred_screen:
        tally.lines.append(f"SCREEN {name}: labelled {truth_screen}, predicted {pred_screen} ({report.screen.type_reason})")
    if truth_screen == ScreenType.NONE.value:
        return
    truth, pred = labelled_cues(rec), predicted_cues(report)
    for cue in CUES:
        t, p = truth[cue], pred[cue]
        if t and p:
            tally.cue[cue][0] += 1
        elif p:
            tally.cue[cue][1] += 1
            tally.lines.append(f"CUE+  {name}: {cue} predicted, not labelled")
        elif t:
            tally.cue[cue][2] += 1
            tally.lines.append(f"CUE-  {name}: {cue} labelled, not found")


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _peak_rss_mb() -> float:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    return round(peak_kb / (1024.0 if sys.platform != "darwin" else 1024.0 * 1024.0), 1)


def evaluate(
    labels_path: Path,
    *,
    ocr: str = "ppocr",
    profile: str = "cn-miit-2021",
    analyzer: Analyzer | None = None,
    verbose_lines: bool = False,
    limit: int | None = None,
) -> EvalResult:
    """Run the analyzer over every labelled image and score it."""
    records = load_labels(labels_path)
    if limit is not None:
        records = records[:limit]
    analyzer = analyzer or Analyzer(ocr=ocr, profile=profile)
    tally = _Tally()
    for rec in records:
        name = rec.image.name
        start = time.perf_counter()
        try:
            report = analyzer.analyze(rec.image, name=name)
        except ImageInputError as exc:
            tally.errors.append(f"{name}: {exc}")
            tally.lines.append(f"ERROR {name}: {exc}")
            continue
        tally.latencies.append((time.perf_counter() - start) * 1000.0)
        _score_image(rec, report, tally, name)
        _score_rules(rec, report, tally, name)
    scored = len(tally.latencies)
    correct = sum(tally.confusion[t][t] for t in tally.confusion if t in tally.confusion[t])
    metrics: dict[str, Any] = {
        "images": scored,
        "close_controls": _prf(tally.tp, tally.fp, tally.fn),
        "by_kind": {
            k: {
                "tp": tally.kind_tp[k],
                "fn": tally.kind_fn[k],
                "recall": round(tally.kind_tp[k] / (tally.kind_tp[k] + tally.kind_fn[k]), 3)
                if tally.kind_tp[k] + tally.kind_fn[k]
                else 1.0,
            }
            for k in KINDS
        },
        "screen": {"accuracy": round(correct / scored, 3) if scored else 0.0, "confusion": tally.confusion},
        "cues": {
            c: {key: v for key, v in _prf(*tally.cue[c]).items() if key in ("precision", "recall", "f1")}
            for c in CUES
        },
        "latency_ms": {
            "p50": round(_percentile(tally.latencies, 0.5), 1),
            "p95": round(_percentile(tally.latencies, 0.95), 1),
            "max": round(max(tally.latencies), 1) if tally.latencies else 0.0,
        },
        "peak_rss_mb": _peak_rss_mb(),
    }
    if tally.errors:
        metrics["errors"] = tally.errors
    agreement = {
        rule: {"agreed": a, "compared": n, "agreement": round(a / n, 3) if n else 1.0}
        for rule, (a, n) in sorted(tally.rule_agree.items())
    }
    return EvalResult(metrics=metrics, lines=tuple(tally.lines) if verbose_lines else (), rule_agreement=agreement)


def format_table(result: EvalResult) -> str:
    """The human table ``closecheck eval`` prints."""
    m = result.metrics
    cc = m["close_controls"]
    rows = [
        f"images: {m['images']}",
        "",
        "close controls   tp   fp   fn  precision  recall    f1",
        f"  all          {cc['tp']:4d} {cc['fp']:4d} {cc['fn']:4d}  {cc['precision']:9.3f}  {cc['recall']:6.3f} {cc['f1']:5.3f}",
    ]
    for kind, v in m["by_kind"].items():
        rows.append(f"  {kind:<11}  {v['tp']:4d}    - {v['fn']:4d}          -  {v['recall']:6.3f}     -")
    rows += ["", "cues (overlay screens)  precision  recall    f1"]
    for cue, v in m["cues"].items():
        rows.append(f"  {cue:<20}  {v['precision']:9.3f}  {v['recall']:6.3f} {v['f1']:5.3f}")
    rows += ["", f"screen type accuracy: {m['screen']['accuracy']:.3f}"]
    types = list(SCREEN_TYPES)
    rows.append("  labelled \\ predicted " + " ".join(f"{t[:6]:>6}" for t in types))
    for t in types:
        row = m["screen"]["confusion"].get(t, {})
        rows.append(f"  {t:<21} " + " ".join(f"{row.get(p, 0):6d}" for p in types))
    lat = m["latency_ms"]
    rows += ["", f"latency ms: p50 {lat['p50']}  p95 {lat['p95']}  max {lat['max']}   peak RSS {m['peak_rss_mb']} MB"]
    if result.rule_agreement:
        rows += ["", "rule agreement with truth   agreed / compared"]
        for rule, v in result.rule_agreement.items():
            rows.append(f"  {rule:<24} {v['agreement']:6.3f}  {v['agreed']} / {v['compared']}")
    if m.get("errors"):
        rows.append(f"errors: {len(m['errors'])}")
    if result.lines:
        rows += ["", *result.lines]
    return "\n".join(rows)
