"""Rescore × candidates with a small ONNX classifier (the ``model`` icon detector).

How it works, and why
---------------------
1. **Candidates.** The classical detector (:func:`detector.icons.find_close_icons`) runs with
   its output threshold lowered to the least classical score the fusion can still accept
   (:func:`min_classical`; 0.36 for the geometric mean at 0.6), so it returns candidates its
   own threshold rejects. Training saw every candidate, down to score zero.
2. **Crops.** Each candidate is cut out, grey, at several context sizes (the manifest's
   ``glyph_contexts``, multiples of the glyph's longer side, then ``contexts``, multiples of
   the box's: the button when there is one), resized to a small square and standardised per
   crop: the strokes up close, the button, and the neighbourhood (the ▷ of an AdChoices mark,
   the letters of a word, the pill of a search box).
3. **Classifier.** A tiny CNN (``models/train.py``, trained only on ``datasets.synth`` screens)
   gives each crop the probability of being a close icon, all crops of a screenshot in one
   batched onnxruntime call.
4. **Fusion.** The returned score is the fusion named in the manifest (see :func:`fuse`),
   calibrated so that 0.5 is the operating point, the same meaning as the classical score.

The model file is checked against the sha256 in ``models/manifest.json`` when it loads; the
session is built once per process and model file (one intra-op thread). This module needs
onnxruntime only, never torch.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from .icons import IconCandidate, IconSettings, drop_nested, find_close_icons
from .types import Box

__all__ = [
    "MANIFEST_NAME",
    "MODEL_DIR",
    "ModelError",
    "ModelIcons",
    "ModelSpec",
    "checked_session",
    "crop_candidates",
    "fuse",
    "load_spec",
    "min_classical",
    "model_available",
    "normalise",
]

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
MANIFEST_NAME = "manifest.json"
FUSIONS = ("model", "mean", "geometric")


class ModelError(RuntimeError):
    """The icon model cannot be used: missing, altered (sha256 mismatch), or unreadable."""


@dataclass(frozen=True)
class ModelSpec:
    """What the runtime needs from ``manifest.json`` to feed and read the model."""

    path: Path  # the .onnx file
    sha256: str
    input_size: int  # crops are input_size × input_size
    glyph_contexts: tuple[float, ...]  # crop side / glyph longer side, one input channel each (first)
    contexts: tuple[float, ...]  # crop side / box longer side, one input channel each (after those)
    min_crop_px: float  # a box shorter than this is treated as this long before the context
    std_floor: float  # per-crop standardisation: (x - mean) / max(std, std_floor), x in 0..1
    fusion: str  # how the model probability and the classical score combine (see fuse)
    threshold: float  # the fused score that is the operating point; mapped to 0.5
    max_candidates: int  # at most this many candidates per screenshot are scored
    min_output_score: float  # fused scores below this are not returned
    input_name: str
    output_name: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_spec(manifest: Path | None = None) -> ModelSpec:
    """Read a manifest (default ``models/manifest.json``) into a :class:`ModelSpec`.

    Raises :class:`ModelError` when the manifest or its model file is missing or malformed.
    The sha256 is checked by :func:`_session`, when the model is loaded.
    """
    manifest = Path(manifest) if manifest is not None else MODEL_DIR / MANIFEST_NAME
    try:
        data: dict[str, Any] = json.loads(manifest.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelError(f"icon model manifest not found: {manifest}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"icon model manifest {manifest} is unreadable: {exc}") from None
    try:
        inp = data["input"]
        spec = ModelSpec(
            path=manifest.parent / str(data["file"]),
            sha256=str(data["sha256"]).lower(),
            input_size=int(inp["size"]),
            glyph_contexts=tuple(float(c) for c in inp.get("glyph_contexts", ())),
            contexts=tuple(float(c) for c in inp["contexts"]),
            min_crop_px=float(inp["min_box_px"]),
            std_floor=float(inp["std_floor"]),
            fusion=str(data["fusion"]["method"]),
            threshold=float(data["fusion"]["threshold"]),
            max_candidates=int(data["candidates"]["max_per_image"]),
            min_output_score=float(data["fusion"]["min_output_score"]),
            input_name=str(inp["name"]),
            output_name=str(data["output"]["name"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"icon model manifest {manifest} lacks or mistypes {exc}") from None
    if not 0.0 < spec.threshold < 1.0:
        raise ModelError(f"icon model manifest {manifest}: fusion threshold must be within (0, 1)")
    if spec.fusion not in FUSIONS:
        raise ModelError(f"icon model manifest {manifest}: unknown fusion {spec.fusion!r} (one of {FUSIONS})")
    if not spec.path.is_file():
        raise ModelError(f"icon model file not found: {spec.path} (named by {manifest})")
    return spec


# --- preprocessing (shared with models/train.py) --------------------------------------------


def crop_candidates(gray: U8, boxes: Sequence[Box], glyphs: Sequence[Box] | None = None, *, size: int,
                    contexts: Sequence[float], glyph_contexts: Sequence[float] = (), min_box_px: float) -> U8:
    """Square grey crops around each candidate, shape (N, len(glyph_contexts) + len(contexts), size, size).

    The first channels are cut around the candidate's glyph (the × strokes; ``glyphs``, default
    the boxes), one per ``glyph_contexts`` entry, the others around its box (the button, when
    there is one), one per ``contexts`` entry. A crop is centred on its box and ``context``
    times the box's longer side (at least ``min_box_px``) wide; what falls outside the image
    repeats its edge pixels. Shrinking averages areas, so thin strokes keep their ink.
    """
    glyphs = boxes if glyphs is None else glyphs
    if len(glyphs) != len(boxes):
        raise ValueError(f"{len(boxes)} boxes but {len(glyphs)} glyphs")
    plan = [(True, c) for c in glyph_contexts] + [(False, c) for c in contexts]
    out = np.zeros((len(boxes), len(plan), size, size), np.uint8)
    for i, (box, glyph) in enumerate(zip(boxes, glyphs, strict=True)):
        for j, (use_glyph, ctx) in enumerate(plan):
            out[i, j] = _crop(gray, glyph if use_glyph else box, ctx, size, min_box_px)
    return out


def _crop(gray: U8, box: Box, context: float, size: int, min_box_px: float) -> U8:
    h, w = gray.shape
    cx, cy = box.center
    half = context * max(box.width, box.height, min_box_px) / 2.0
    x1, y1 = math.floor(cx - half), math.floor(cy - half)
    n = max(1, math.ceil(2 * half))
    x2, y2 = x1 + n, y1 + n
    sx1, sy1, sx2, sy2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    if sx2 <= sx1 or sy2 <= sy1:
        return np.zeros((size, size), np.uint8)
    patch = gray[sy1:sy2, sx1:sx2]
    if (sx1, sy1, sx2, sy2) != (x1, y1, x2, y2):
        patch = np.asarray(cv2.copyMakeBorder(patch, sy1 - y1, y2 - sy2, sx1 - x1, x2 - sx2, cv2.BORDER_REPLICATE),
                           dtype=np.uint8)
    interp = cv2.INTER_AREA if n > size else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(patch, (size, size), interpolation=interp), dtype=np.uint8)


def normalise(crops: U8, std_floor: float) -> F32:
    """Per-crop, per-channel standardisation of uint8 crops: ``(x - mean) / max(std, floor)``.

    Contrast and brightness drop out, so a faint grey × and a bold black one look alike; the
    floor keeps flat crops (no contrast at all) from being blown up into noise.
    """
    x = crops.astype(np.float32) / 255.0
    mean = x.mean(axis=(2, 3), keepdims=True)
    std = np.maximum(x.std(axis=(2, 3), keepdims=True), np.float32(std_floor))
    out: F32 = ((x - mean) / std).astype(np.float32)
    return out


def fuse(model_p: npt.NDArray[np.float64], classical: npt.NDArray[np.float64], method: str,
         threshold: float = 0.5) -> npt.NDArray[np.float64]:
    """Combine the model probability with the classical shape score (both 0..1).

    ``model``: the model's probability alone; ``mean``: their average; ``geometric``: the
    square root of their product (both must agree). The result is then mapped piecewise
    linearly so that ``threshold`` (the operating point chosen on held-out synthetic screens)
    becomes 0.5, the meaning every icon score has in the pipeline; 0 and 1 stay put.
    """
    if method == "model":
        f = np.asarray(model_p, np.float64)
    elif method == "mean":
        f = (np.asarray(model_p, np.float64) + classical) / 2.0
    elif method == "geometric":
        f = np.sqrt(np.asarray(model_p, np.float64) * classical)
    else:
        raise ValueError(f"unknown fusion {method!r} (one of {FUSIONS})")
    out: npt.NDArray[np.float64] = np.where(
        f < threshold, 0.5 * f / threshold, 0.5 + 0.5 * (f - threshold) / (1.0 - threshold)
    )
    return out


def min_classical(method: str, threshold: float) -> float:
    """The lowest classical score that can still reach ``threshold`` once fused with a model
    probability of 1: candidates below it are not worth cropping. ``model`` ignores the score."""
    if method == "geometric":
        return threshold * threshold
    if method == "mean":
        return max(0.0, 2.0 * threshold - 1.0)
    return 0.0


# --- runtime ---------------------------------------------------------------------------------

_SESSIONS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def checked_session(path: Path, sha256: str, error: type[RuntimeError], what: str, retrain: str) -> Any:
    """An onnxruntime session (one thread) for a model file, built once per process after its
    sha256 is checked against its manifest's; ``error`` is raised, naming ``what``, when the file
    is altered, onnxruntime is missing or the file cannot be loaded."""
    key = (str(path.resolve()), sha256)
    with _LOCK:
        cached = _SESSIONS.get(key)
        if cached is not None:
            return cached
        actual = _sha256(path)
        if actual != sha256:
            raise error(
                f"{what} {path} does not match its manifest: sha256 {actual[:16]}… "
                f"expected {sha256[:16]}… (retrain with `{retrain}` or restore the file)"
            )
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise error(f"onnxruntime is needed for the {what}: {exc}") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise error(f"{what} {path} could not be loaded: {exc}") from None
        _SESSIONS[key] = session
        return session


def _session(spec: ModelSpec) -> Any:
    """The onnxruntime session for the × classifier, built once per process (sha256 checked)."""
    return checked_session(spec.path, spec.sha256, ModelError, "icon model", "python -m models.train")


def model_available(manifest: Path | None = None) -> bool:
    """Whether the icon model can be used here: manifest and file present, sha256 matching,
    onnxruntime importable. Never raises."""
    try:
        _session(load_spec(manifest))
    except ModelError:
        return False
    return True


class ModelIcons:
    """The ``model`` icon detector: classical candidates at a low threshold, rescored by the CNN.

    Implements :class:`detector.pipeline.IconDetector`. Build it once; the ONNX session is
    shared by every instance in the process. Raises :class:`ModelError` when the model is
    missing or does not match its manifest.
    """

    name = "model"

    def __init__(self, manifest: Path | None = None, *, settings: IconSettings | None = None) -> None:
        self.spec = load_spec(manifest)
        self._session = _session(self.spec)
        base = settings or IconSettings()  # what ClassicalIcons uses
        # The detector's own floor stays (it also decides which near misses get refined); candidates
        # below min_classical are dropped afterwards: no model probability could lift them to the threshold.
        self.floor = min_classical(self.spec.fusion, self.spec.threshold)
        self.settings = replace(base, min_output_score=min(base.min_output_score, self.floor))

    def candidates(self, rgb: npt.NDArray[np.uint8], *, density: float, exclude: Sequence[Box] = ()) -> list[IconCandidate]:
        """The classical detector's candidates that could pass the fusion (:func:`min_classical`),
        best classical score first, capped."""
        cands = find_close_icons(rgb, density=density, settings=self.settings, exclude=exclude, keep_nested=True)
        return [c for c in cands if c.score >= self.floor][: self.spec.max_candidates]

    def probabilities(self, rgb: npt.NDArray[np.uint8], cands: Sequence[IconCandidate]) -> npt.NDArray[np.float64]:
        """The model's close-icon probability for each candidate, one batched run."""
        if not cands:
            return np.zeros(0, np.float64)
        gray = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb[:, :, :3]), cv2.COLOR_RGB2GRAY), dtype=np.uint8)
        crops = crop_candidates(gray, [c.box for c in cands], [c.glyph for c in cands], size=self.spec.input_size,
                                contexts=self.spec.contexts, glyph_contexts=self.spec.glyph_contexts,
                                min_box_px=self.spec.min_crop_px)
        (logits,) = self._session.run([self.spec.output_name], {self.spec.input_name: normalise(crops, self.spec.std_floor)})
        z = np.asarray(logits, dtype=np.float64).reshape(-1)
        p: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
        return p

    def __call__(self, rgb: npt.NDArray[np.uint8], *, density: float, exclude: Sequence[Box]) -> list[IconCandidate]:
        cands = self.candidates(rgb, density=density, exclude=exclude)
        if not cands:
            return []
        p = self.probabilities(rgb, cands)
        fused = fuse(p, np.array([c.score for c in cands], np.float64), self.spec.fusion, self.spec.threshold)
        out = [
            replace(c, score=round(float(s), 3))
            for c, s in zip(cands, fused, strict=True)
            if s >= self.spec.min_output_score
        ]
        return drop_nested(sorted(out, key=lambda c: -c.score))
