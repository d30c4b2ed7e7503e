"""Synthetic labelled screenshots of splash screens, interstitials, pop-ups, dialogs and plain pages.

``closecheck synth OUT --n N --seed S`` writes ``OUT/images/*`` and ``OUT/labels.jsonl`` in the
../shared/LABELS.md format, plus a ``truth`` key per record with what the generator knows for
sure (thresholds for the findings live in :mod:`datasets.truth`)::

    "truth": {
      "density": 3.0,              # px per dp in the saved image (short side / 360, or the mockup scale)
      "width_dp": 360.0, "density_source": "short-side/360" | "mockup",
      "scale": 1.0,                # saved width / rendered width (downscaled copies < 1)
      "render_size": [1080, 2400], "crop_height": null, "jpeg_quality": null | 60..95,
      "close_controls": [          # parallel to close_controls
        {"size_dp": 28.0,          # shorter side of the button shape if visible, else of the glyph ink
         "contrast": 4.6,          # WCAG ratio, glyph colour vs the median colour right behind it
         "zone": "top-right",      # where it was put: top-right, status-bar, inside-picture,
                                   # below-window-center, window-top-right, above-window-right, ...
         "zone_screen": "top-right", "button": true, "fg": [r, g, b], "bg": [r, g, b]}],
      "ad_label": {"text": "广告", "text_height_dp": 9.5, "contrast": 4.1} | null,
      "countdown_s": 5 | null, "countdown_blocks": false, "floating_jump": false, "cta": true,
      "max_jump_button_fraction": 0.04,
      "findings": {"CLOSE_MISSING": "pass", ...}   # {} on a none screen (not applicable)
    }

The same seed gives byte-identical labels and images: every image draws from its own
``numpy.random.default_rng([seed, index])``, so sets can also be generated in parallel.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from datasets.render import Canvas
from datasets.scenes import COMPOSERS, SceneState
from datasets.truth import ScreenFacts, expected_findings

log = logging.getLogger(__name__)

PHONE_SIZES: tuple[tuple[int, int], ...] = (
    (720, 1600),
    (1080, 2340),
    (1080, 2400),
    (1170, 2532),
    (1440, 3200),
    (750, 1334),
)
# iOS-style mockups render at a fixed scale instead of short side / 360
MOCKUP_SCALES: dict[tuple[int, int], float] = {(750, 1334): 2.0, (1170, 2532): 3.0}
MOCKUP_FRACTION = 0.5
BASE_WIDTH_DP = 360.0
SCREEN_WEIGHTS: dict[str, float] = {"splash": 0.3, "interstitial": 0.2, "popup": 0.28, "dialog": 0.22}
DEFAULT_NEGATIVES = 0.3
DEFAULT_JPEG_FRACTION = 0.35
DEFAULT_DOWNSCALE_FRACTION = 0.3
CROP_FRACTION = 0.06  # some collected screenshots are cut off at the bottom
CROP_KEEP = (0.55, 0.95)
DOWNSCALE_WIDTH = (270, 540)
JPEG_QUALITY = (60, 95)
ZH_FRACTION = 0.65


def _scale_box(box: Sequence[int], fx: float, fy: float, w: int, h: int) -> list[int]:
    x1 = min(max(math.floor(box[0] * fx), 0), w)
    y1 = min(max(math.floor(box[1] * fy), 0), h)
    x2 = min(max(math.ceil(box[2] * fx), x1), w)
    y2 = min(max(math.ceil(box[3] * fy), y1), h)
    return [x1, y1, x2, y2]


def render_screen(rng: np.random.Generator, index: int, *, sizes: Sequence[tuple[int, int]] | None = None,
                  negatives: float = DEFAULT_NEGATIVES,
                  downscale_fraction: float = DEFAULT_DOWNSCALE_FRACTION) -> tuple[np.ndarray, dict[str, Any]]:
    """Render one labelled screen.

    Returns the RGB uint8 picture (possibly downscaled, as collected screenshots often are) and
    its label record in the LABELS.md format without the ``image`` key, boxes in the returned
    picture's pixels, with the extra ``truth`` key.
    """
    sizes = tuple(sizes) if sizes else PHONE_SIZES
    if rng.random() < negatives:
        screen = "none"
    else:
        names = list(SCREEN_WEIGHTS)
        p = np.array([SCREEN_WEIGHTS[n] for n in names])
        screen = names[int(rng.choice(len(names), p=p / p.sum()))]
    w, h = sizes[int(rng.integers(len(sizes)))]
    density = min(w, h) / BASE_WIDTH_DP
    density_source = "short-side/360"
    if (w, h) in MOCKUP_SCALES and rng.random() < MOCKUP_FRACTION:
        density, density_source = MOCKUP_SCALES[(w, h)], "mockup"
    zh = bool(rng.random() < ZH_FRACTION)
    st = SceneState(rng=rng, canvas=Canvas.solid(w, h, (255, 255, 255)), d=density, screen=screen, zh=zh,
                    facts=ScreenFacts(screen))
    COMPOSERS[screen](st)
    findings = expected_findings(st.facts)

    rgb = st.canvas.rgb
    window = st.window
    crop_h = None
    if rng.random() < CROP_FRACTION:
        keep = int(h * float(rng.uniform(*CROP_KEEP)))
        labelled = [c["box"] for c in st.controls] + ([list(st.ad_label)] if st.ad_label else [])
        if all(b[3] <= keep for b in labelled) and (window is None or window[1] < keep - 8):
            rgb = rgb[:keep]
            crop_h = keep
            if window is not None:
                window = (window[0], window[1], window[2], min(window[3], keep))
            st.notes.append(f"cut off at {keep} px of {h}")
    fx = fy = 1.0
    h_now = rgb.shape[0]
    if rng.random() < downscale_fraction:
        nw = int(rng.integers(DOWNSCALE_WIDTH[0], DOWNSCALE_WIDTH[1] + 1))
        nh = int(round(h_now * nw / w))
        rgb = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
        fx, fy = nw / w, nh / h_now
    out_h, out_w = rgb.shape[:2]

    def sb(box: Sequence[int] | None) -> list[int] | None:
        return None if box is None else _scale_box(box, fx, fy, out_w, out_h)

    controls = []
    for c in st.controls:
        c = dict(c)
        c["box"] = sb(c["box"])
        controls.append(c)
    overlay = screen != "none"
    note = "synthetic " + screen + ": " + "; ".join(st.notes)
    if st.traps:
        note += " [not close controls: " + ", ".join(dict.fromkeys(st.traps)) + "]"
    truth: dict[str, Any] = {
        "density": round(density * fx, 4),
        "width_dp": round(w / density, 1),
        "density_source": density_source,
        "scale": round(fx, 4),
        "render_size": [w, h],
        "crop_height": crop_h,
        "close_controls": st.control_truth,
        "ad_label": st.ad_truth if overlay else None,
        "countdown_s": st.facts.countdown_s if overlay else None,
        "countdown_blocks": st.facts.countdown_blocks,
        "floating_jump": st.facts.floating_jump,
        "cta": st.facts.cta,
        "max_jump_button_fraction": round(st.facts.max_jump_button_fraction, 4),
        "findings": findings,
    }
    record: dict[str, Any] = {
        "width": out_w,
        "height": out_h,
        "screen": screen,
        "window": sb(window) if overlay else None,
        "close_controls": controls,
        "ad_label": sb(st.ad_label) if overlay else None,
        "cues": dict(st.cues) if overlay else {"jump_hint": False, "shake": False, "countdown": False},
        "texts": list(st.texts) if overlay else [],
        "note": note,
        "truth": truth,
    }
    return np.ascontiguousarray(rgb), record


def _encode(rgb: np.ndarray, quality: int | None) -> bytes:
    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if quality is None:
        im.save(buf, format="PNG", compress_level=1)
    else:
        im.save(buf, format="JPEG", quality=quality, subsampling=2 if quality < 85 else 0)
    return buf.getvalue()


def _make_one(args: tuple[int, int, tuple[tuple[int, int], ...] | None, float, float, float]) -> tuple[str, bytes, dict[str, Any]]:
    seed, index, sizes, jpeg_fraction, negatives, downscale_fraction = args
    rng = np.random.default_rng([seed, index])
    rgb, record = render_screen(rng, index, sizes=sizes, negatives=negatives, downscale_fraction=downscale_fraction)
    quality = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)) if rng.random() < jpeg_fraction else None
    name = f"images/{index:05d}.{'jpg' if quality else 'png'}"
    record["truth"]["jpeg_quality"] = quality
    return name, _encode(rgb, quality), {"image": name, **record}


def generate_set(out: Path, n: int, seed: int, *, sizes: Sequence[tuple[int, int]] | None = None,
                 jpeg_fraction: float = DEFAULT_JPEG_FRACTION, negatives: float = DEFAULT_NEGATIVES,
                 downscale_fraction: float = DEFAULT_DOWNSCALE_FRACTION, workers: int = 1) -> Path:
    """Write ``n`` labelled screens to ``out/images`` and ``out/labels.jsonl``; returns the labels path.

    Deterministic for a seed whatever ``workers`` is.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    for name, frac in (("jpeg_fraction", jpeg_fraction), ("negatives", negatives),
                       ("downscale_fraction", downscale_fraction)):
        if not 0.0 <= frac <= 1.0:
            raise ValueError(f"{name} must be within 0..1, got {frac}")
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    size_t = tuple((int(a), int(b)) for a, b in sizes) if sizes else None
    jobs = [(seed, i, size_t, jpeg_fraction, negatives, downscale_fraction) for i in range(n)]
    labels_path = out / "labels.jsonl"
    tmp = labels_path.with_suffix(".jsonl.tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        if workers > 1 and n > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                results = pool.map(_make_one, jobs, chunksize=4)
                for name, data, record in results:
                    (out / name).write_bytes(data)
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            for job in jobs:
                name, data, record = _make_one(job)
                (out / name).write_bytes(data)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                log.debug("wrote %s", name)
    tmp.replace(labels_path)
    return labels_path


def _parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        a, _, b = part.strip().lower().partition("x")
        if not (a.isdigit() and b.isdigit()) or int(a) < 64 or int(b) < 64:
            raise argparse.ArgumentTypeError(f"bad size {part!r}; use WxH, e.g. 1080x2400")
        sizes.append((int(a), int(b)))
    return sizes


def _fraction(text: str) -> float:
    v = float(text)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction within 0..1, got {text}")
    return v


def _run(args: argparse.Namespace) -> int:
    if args.n < 1:
        sys.stderr.write(f"closecheck synth: --n must be at least 1, got {args.n}\n")
        return 2
    if args.workers < 1:
        sys.stderr.write(f"closecheck synth: --workers must be at least 1, got {args.workers}\n")
        return 2
    try:
        path = generate_set(args.out, args.n, args.seed, sizes=args.sizes, jpeg_fraction=args.jpeg_fraction,
                            negatives=args.negatives, downscale_fraction=args.downscale_fraction, workers=args.workers)
    except OSError as exc:
        sys.stderr.write(f"closecheck synth: cannot write {args.out}: {exc}\n")
        return 2
    sys.stdout.write(f"wrote {args.n} labelled screens to {path}\n")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``synth`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser("synth", help="generate a labelled synthetic screenshot set",
                              description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("out", type=Path, help="output folder (images/ and labels.jsonl are written there)")
    p.add_argument("--n", type=int, default=50, help="number of screens (default 50)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--jpeg-fraction", type=_fraction, default=DEFAULT_JPEG_FRACTION,
                   help=f"share of images saved as JPEG (default {DEFAULT_JPEG_FRACTION})")
    p.add_argument("--negatives", type=_fraction, default=DEFAULT_NEGATIVES,
                   help=f"share of plain app screens with no overlay (default {DEFAULT_NEGATIVES})")
    p.add_argument("--downscale-fraction", type=_fraction, default=DEFAULT_DOWNSCALE_FRACTION,
                   help=f"share of images downscaled to 270-540 px wide (default {DEFAULT_DOWNSCALE_FRACTION})")
    p.add_argument("--sizes", type=_parse_sizes, default=None, help="comma-separated WxH phone sizes")
    p.add_argument("--workers", type=int, default=1, help="processes to use (output is the same)")
    p.set_defaults(func=_run)


__all__ = ["PHONE_SIZES", "generate_set", "register", "render_screen"]
