"""Propose × close icons anywhere on the screen with a small fully convolutional ONNX model.

Why a second model
------------------
The × classifier (:mod:`detector.model`) only rescores what the classical detector proposes, so
a × the classical stage never cuts out (a bold × whose arm touches a pill below it, a grey ×
straddling a picture's edge, a 10-dp disc on a 300-px screenshot) is lost whatever the
classifier would have said. The proposer looks at the whole screen instead.

How it works
------------
1. **Input.** The screenshot in grey, resampled to ``px_per_dp`` pixels per dp (so a 270-px and
   a 1440-px screenshot look alike), and its local contrast (each pixel's difference from its
   neighbourhood mean over the neighbourhood's spread plus a noise floor, as the second look
   stretches it): a × drawn at 1.3:1 is as visible there as a 10:1 one. Two channels, padded to
   a multiple of the output stride.
2. **Model.** A CenterNet-style network (``models/train_proposer.py``) gives, on a grid of
   ``stride`` input pixels, the probability that a close icon's centre lies in each cell, the
   centre's offset inside the cell and the icon's width and height (log, in cells).
3. **Peaks.** Cells that are the maximum of their 3×3 neighbourhood and reach
   ``min_output_score`` become boxes in original pixels, best first.

The model file is checked against the sha256 of its manifest (``models/proposer.json``) when it
loads, once per process; onnxruntime only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .icons import IconCandidate, drop_nested
from .model import ModelIcons, checked_session, fuse
from .types import Box

__all__ = [
    "PROPOSER_MANIFEST",
    "Proposal",
    "ProposedIcons",
    "ProposerError",
    "ProposerFusion",
    "ProposerMaps",
    "ProposerSpec",
    "calibrate",
    "decode",
    "input_planes",
    "load_fusion",
    "load_proposer_spec",
    "preprocess",
    "propose",
    "proposer_available",
    "run_proposer",
]

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

PROPOSER_MANIFEST = Path(__file__).resolve().parents[1] / "models" / "proposer.json"


class ProposerError(RuntimeError):
    """The proposer model cannot be used: missing, altered (sha256 mismatch), or unreadable."""


@dataclass(frozen=True)
class ProposerSpec:
    """What the runtime needs from the proposer's manifest to feed and read the model."""

    path: Path
    sha256: str
    px_per_dp: float  # the input's resolution
    stride: int  # input pixels per output cell
    contrast_window_dp: float  # the local-contrast channel's neighbourhood
    contrast_noise_floor: float  # grey levels added to the neighbourhood's spread
    contrast_gain: float  # one spread maps to this many levels (of 255) around mid-grey
    max_input_px: int  # the resampled input's longer side is capped (a very tall capture)
    min_output_score: float  # peaks below this probability are not returned
    max_proposals: int
    input_name: str
    output_name: str


@dataclass(frozen=True)
class Proposal:
    """One proposed close icon: its box in original pixels and the model's probability."""

    box: Box
    score: float


def load_proposer_spec(manifest: Path | None = None) -> ProposerSpec:
    """Read the proposer's manifest (default ``models/proposer.json``)."""
    manifest = Path(manifest) if manifest is not None else PROPOSER_MANIFEST
    try:
        data: dict[str, Any] = json.loads(manifest.read_text("utf-8"))
    except FileNotFoundError:
        raise ProposerError(f"proposer manifest not found: {manifest}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ProposerError(f"proposer manifest {manifest} is unreadable: {exc}") from None
    try:
        inp, out = data["input"], data["output"]
        spec = ProposerSpec(
            path=manifest.parent / str(data["file"]),
            sha256=str(data["sha256"]).lower(),
            px_per_dp=float(inp["px_per_dp"]),
            stride=int(out["stride"]),
            contrast_window_dp=float(inp["contrast_window_dp"]),
            contrast_noise_floor=float(inp["contrast_noise_floor"]),
            contrast_gain=float(inp["contrast_gain"]),
            max_input_px=int(inp["max_input_px"]),
            min_output_score=float(out["min_output_score"]),
            max_proposals=int(out["max_proposals"]),
            input_name=str(inp["name"]),
            output_name=str(out["name"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProposerError(f"proposer manifest {manifest} lacks or mistypes {exc}") from None
    if spec.px_per_dp <= 0 or spec.stride < 1:
        raise ProposerError(f"proposer manifest {manifest}: px_per_dp and stride must be positive")
    if not spec.path.is_file():
        raise ProposerError(f"proposer model file not found: {spec.path} (named by {manifest})")
    return spec


def preprocess(rgb: U8, density: float, spec: ProposerSpec) -> tuple[F32, float]:
    """The model's input (1, 2, H, W) float32 and the scale (input px per original px).

    Channel 0 is grey / 255; channel 1 the local contrast / 255. H and W are padded (edge
    replicated) to multiples of the stride. Shared with training, so both see the same pixels.
    """
    grey = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY), np.uint8)
    return preprocess_grey(grey, density, spec)


def preprocess_grey(grey: U8, density: float, spec: ProposerSpec) -> tuple[F32, float]:
    """:func:`preprocess` from a grey image."""
    planes, scale = input_planes(grey, density, spec)
    x: F32 = (planes.astype(np.float32) / 255.0)[None]
    return x, scale


def input_planes(grey: U8, density: float, spec: ProposerSpec) -> tuple[U8, float]:
    """The two input planes (2, H, W) as uint8 and the scale (input px per original px)."""
    h, w = grey.shape
    scale = spec.px_per_dp / density
    scale = min(scale, spec.max_input_px / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    small = np.asarray(cv2.resize(grey, size, interpolation=interp), np.uint8)
    stacked = np.stack([small, local_contrast(small, spec)])
    s = spec.stride
    ph, pw = (-small.shape[0]) % s, (-small.shape[1]) % s
    if ph or pw:
        stacked = np.pad(stacked, ((0, 0), (0, ph), (0, pw)), mode="edge")
    return stacked, size[0] / w


def local_contrast(small: U8, spec: ProposerSpec) -> U8:
    """Each pixel's difference from its neighbourhood mean over the neighbourhood's spread plus
    a noise floor, times a gain, around mid-grey (as :func:`detector.secondlook.local_contrast`)."""
    k = max(3, round(spec.contrast_window_dp * spec.px_per_dp) | 1)
    g = small.astype(np.float32)
    diff = g - cv2.blur(g, (k, k))
    spread = np.sqrt(np.maximum(cv2.blur(diff * diff, (k, k)), 0.0)) + spec.contrast_noise_floor
    return np.clip(128.0 + spec.contrast_gain * diff / spread, 0, 255).astype(np.uint8)


def decode(out: F32, scale: float, image_size: tuple[int, int], spec: ProposerSpec,
           min_score: float | None = None) -> list[Proposal]:
    """Peaks of the model's output (1, 5, h, w: heat logit, offset x, offset y, log w, log h)
    as boxes in original pixels, best first."""
    floor = spec.min_output_score if min_score is None else min_score
    # one dtype for the heat and its dilation: a float64 heat against a float32 maximum lost about
    # half the peaks near 1 (the float32 rounding of 0.998 lies above it by more than any epsilon)
    heat = np.asarray(1.0 / (1.0 + np.exp(-out[0, 0].astype(np.float64))), np.float32)
    peak = np.asarray(cv2.dilate(heat, np.ones((3, 3), np.uint8)), np.float32)
    ys, xs = np.nonzero((heat >= peak) & (heat >= floor))
    order = np.argsort(-heat[ys, xs])[: spec.max_proposals]
    s = spec.stride
    w_img, h_img = image_size
    props: list[Proposal] = []
    for i in order:
        y, x = int(ys[i]), int(xs[i])
        cx = (x + 0.5 + float(out[0, 1, y, x])) * s / scale
        cy = (y + 0.5 + float(out[0, 2, y, x])) * s / scale
        bw = math.exp(float(np.clip(out[0, 3, y, x], -4, 4))) * s / scale
        bh = math.exp(float(np.clip(out[0, 4, y, x], -4, 4))) * s / scale
        box = Box(max(0.0, cx - bw / 2), max(0.0, cy - bh / 2), min(float(w_img), cx + bw / 2),
                  min(float(h_img), cy + bh / 2))
        if box.width > 0 and box.height > 0:
            props.append(Proposal(box=box, score=float(heat[y, x])))
    return props


def _session(spec: ProposerSpec) -> Any:
    return checked_session(spec.path, spec.sha256, ProposerError, "proposer model", "python -m models.train_proposer")


def proposer_available(manifest: Path | None = None) -> bool:
    """Whether the proposer can be used here (manifest, file, sha256, onnxruntime). Never raises."""
    try:
        _session(load_proposer_spec(manifest))
    except ProposerError:
        return False
    return True


@dataclass(frozen=True)
class ProposerMaps:
    """The heat map of one run, to ask how likely a close icon is at any box."""

    heat: npt.NDArray[np.float64]  # (h, w) probability per cell
    scale: float  # input px per original px
    stride: int

    def heat_at(self, box: Box) -> float:
        """The highest probability among the cells around ``box``'s centre (±1 cell: the
        model's peak can sit one cell off a box drawn by another detector)."""
        cx, cy = box.center
        x = int(cx * self.scale / self.stride)
        y = int(cy * self.scale / self.stride)
        h, w = self.heat.shape
        win = self.heat[max(0, y - 1):min(h, y + 2), max(0, x - 1):min(w, x + 2)]
        return float(win.max()) if win.size else 0.0


def run_proposer(rgb: U8, density: float, spec: ProposerSpec,
                 min_score: float | None = None) -> tuple[list[Proposal], ProposerMaps]:
    """The proposals (best first) and the heat map of one onnxruntime run."""
    x, scale = preprocess(rgb, density, spec)
    (out,) = _session(spec).run([spec.output_name], {spec.input_name: x})
    maps = np.asarray(out, np.float32)
    heat = 1.0 / (1.0 + np.exp(-maps[0, 0].astype(np.float64)))
    props = decode(maps, scale, (rgb.shape[1], rgb.shape[0]), spec, min_score)
    return props, ProposerMaps(heat=heat, scale=scale, stride=spec.stride)


def propose(rgb: U8, density: float, spec: ProposerSpec, min_score: float | None = None) -> list[Proposal]:
    """The proposer's close icons on an RGB screenshot, best first (one onnxruntime run)."""
    return run_proposer(rgb, density, spec, min_score)[0]


# --- fusion with the classical candidates and the × classifier --------------------------------


@dataclass(frozen=True)
class ProposerFusion:
    """How proposals join the classifier's candidates (the manifest's ``fusion``)."""

    confirm_threshold: float  # a proposal on a classical candidate: this probability maps to 0.5
    alone_threshold: float  # a proposal no classical candidate explains: this probability maps to 0.5
    max_box_ratio: float  # a classical candidate explains a proposal when their sizes differ by less than this
    veto_below: float  # a candidate where the heat map stays below this is scored no higher than ``veto_score``
    veto_score: float
    # a proposal nothing explains, from here up to ``alone_threshold``, is still returned at its
    # calibrated score (under 0.5), for a later stage that corroborates it (a floating picture's
    # corner, a top corner of a full-screen ad that nothing else closes)
    alone_floor: float = 1.0


def load_fusion(manifest: Path | None = None) -> ProposerFusion:
    manifest = Path(manifest) if manifest is not None else PROPOSER_MANIFEST
    try:
        f = json.loads(manifest.read_text("utf-8"))["fusion"]
        return ProposerFusion(confirm_threshold=float(f["confirm_threshold"]),
                              alone_threshold=float(f["alone_threshold"]),
                              max_box_ratio=float(f["max_box_ratio"]),
                              veto_below=float(f.get("veto_below", 0.0)),
                              veto_score=float(f.get("veto_score", 1.0)),
                              alone_floor=float(f.get("alone_floor", f["alone_threshold"])))
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ProposerError(f"proposer manifest {manifest} has no usable fusion: {exc}") from None


def calibrate(p: float, threshold: float) -> float:
    """Map a probability piecewise linearly so that ``threshold`` becomes 0.5 (0 and 1 stay)."""
    return 0.5 * p / threshold if p < threshold else 0.5 + 0.5 * (p - threshold) / (1.0 - threshold)


def _explains(c: IconCandidate, p: Proposal, max_ratio: float) -> bool:
    """A classical candidate is the control a proposal found: each centre inside the other's box
    (or the candidate's glyph inside the proposal) and sizes within ``max_ratio``."""
    same_place = (c.box.contains_point(*p.box.center) and p.box.contains_point(*c.box.center)) or (
        p.box.contains_point(*c.glyph.center) and c.glyph.contains_point(*p.box.center))
    if not same_place:
        return False
    big = max(c.box.width, c.box.height, p.box.width, p.box.height)
    small = max(1e-6, min(max(c.box.width, c.box.height), max(p.box.width, p.box.height)))
    return big / small <= max_ratio or p.box.iou(c.box) >= 0.3


def _polarity(gray: npt.NDArray[np.float32], box: Box, ring_px: float) -> str:
    """Whether the inside of ``box`` is lighter or darker than the ring just around it."""
    h, w = gray.shape
    x1, y1, x2, y2 = (int(v) for v in box.to_list())
    r = max(1, round(ring_px))
    inner = gray[max(0, y1):min(h, y2), max(0, x1):min(w, x2)]
    outer = gray[max(0, y1 - r):min(h, y2 + r), max(0, x1 - r):min(w, x2 + r)]
    if inner.size == 0 or outer.size == 0:
        return "unknown"
    ring = np.median(outer)
    extreme = inner.max() if abs(float(inner.max()) - ring) >= abs(float(inner.min()) - ring) else inner.min()
    return "light-on-dark" if extreme > ring else "dark-on-light"


class ProposedIcons:
    """The default × detector: the classifier over classical candidates (:class:`ModelIcons`)
    joined by the proposer's whole-screen heat map.

    - A proposal on a classical candidate lifts it to the proposal's calibrated score when that
      is higher (the classical geometry, glyph and button, is kept);
    - a proposal no candidate explains becomes a plain × of the proposal's box when it reaches
      ``alone_threshold`` (a × the classical stage never cut out); from ``alone_floor`` up it is
      returned below the icon threshold, for the pipeline to take only where something else
      corroborates it (the corner of a floating ad picture, :func:`detector.screen.floating_picture`;
      a top corner of a full-screen ad nothing else closes, :func:`detector.pipeline.ad_corner_icon`);
    - a candidate where the heat map stays below ``veto_below`` is scored no higher than
      ``veto_score`` (the classifier's confident ×s that the whole-screen view does not see as a
      close control: a search field's or chip's ×, a ×-like glyph in a picture).

    Implements :class:`detector.pipeline.IconDetector`; raises :class:`ProposerError` or
    :class:`detector.model.ModelError` when a model is missing or altered.
    """

    name = "model+proposer"

    def __init__(self, base: ModelIcons | None = None, manifest: Path | None = None) -> None:
        self.base = base or ModelIcons()
        self.spec = load_proposer_spec(manifest)
        self.fusion = load_fusion(manifest)
        _session(self.spec)

    def __call__(self, rgb: U8, *, density: float, exclude: Sequence[Box]) -> list[IconCandidate]:
        cands = self.base.candidates(rgb, density=density, exclude=exclude)
        spec = self.base.spec
        if cands:
            p = self.base.probabilities(rgb, cands)
            fused = fuse(p, np.array([c.score for c in cands], np.float64), spec.fusion, spec.threshold)
            scored = [replace(c, score=float(s)) for c, s in zip(cands, fused, strict=True)]
        else:
            scored = []
        proposals, maps = run_proposer(rgb, density, self.spec)
        gray = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY), np.float32)
        return self.fuse(scored, proposals, maps, gray, density)

    def fuse(self, scored: Sequence[IconCandidate], proposals: Sequence[Proposal], maps: ProposerMaps,
             gray: npt.NDArray[np.float32], density: float) -> list[IconCandidate]:
        """Join the classifier's scored candidates and one proposer run (see the class)."""
        f = self.fusion
        joined = list(scored)
        if f.veto_below > 0:
            joined = [replace(c, score=min(c.score, f.veto_score)) if maps.heat_at(c.box) < f.veto_below else c
                      for c in joined]
        added: list[IconCandidate] = []
        for q in proposals:
            hits = [i for i, c in enumerate(joined) if _explains(c, q, f.max_box_ratio)]
            if hits:
                i = max(hits, key=lambda k: joined[k].score)
                lifted = calibrate(q.score, f.confirm_threshold)
                if lifted > joined[i].score:
                    joined[i] = replace(joined[i], score=lifted)
                continue
            if q.score < min(f.alone_threshold, f.alone_floor) or any(a.box.contains_point(*q.box.center) for a in added):
                continue
            added.append(IconCandidate(box=q.box, glyph=q.box, score=calibrate(q.score, f.alone_threshold),
                                       style="plain", polarity=_polarity(gray, q.box, 2 * density)))
        out = [replace(c, score=round(c.score, 3)) for c in joined + added if c.score >= self.base.spec.min_output_score]
        return drop_nested(sorted(out, key=lambda c: -c.score))
