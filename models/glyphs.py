"""Procedural glyph crops: × close icons and the shapes a × detector confuses with them.

The synthetic screens of ``datasets.synth`` hold few of the diagonal things real screenshots are
full of (arrows, chevrons, check marks, slashed bells, play triangles, hatching, letters X/K/Y),
and a classifier trained on them alone fires on such shapes. This module draws single glyphs,
on flat or gradient backgrounds or on patches of the synthetic screens, with or without a
button plate or ring, anti-aliased (4× supersampling), sometimes blurred or JPEG-compressed,
and crops them exactly as the run time does (:func:`detector.model.crop_candidates`) around a
box jittered like the classical detector's boxes.

Everything is drawn in grey, the model's colour space. No real screenshot is used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from detector.model import crop_candidates
from detector.types import Box

__all__ = ["NEGATIVE_SHAPES", "glyph_crops"]

U8 = npt.NDArray[np.uint8]
SS = 4  # supersampling (2 for big glyphs: they need no more)
NEGATIVE_SHAPES = (
    "plus", "check", "slash", "arrow", "chevron", "triangle", "asterisk", "letter", "hatch", "slashed",
    "broken_x", "adchoices", "hamburger", "ring_only", "star",
)
GLYPH_PX = (9.0, 70.0)  # glyph side in output pixels (log-uniform)
LETTER_WORDS = ("FAX", "Fx", "XBOX", "x2", "Mix", "Exit", "KY", "Xi", "AX", "VX", "Box", "Y", "K", "X", "x", "Tax")


def _line(img: U8, a: tuple[float, float], b: tuple[float, float], colour: int, t: float) -> None:
    cv2.line(img, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), colour, max(1, round(t)), cv2.LINE_AA)


def _rot(points: Sequence[tuple[float, float]], angle: float, cx: float, cy: float) -> list[tuple[float, float]]:
    c, s = math.cos(angle), math.sin(angle)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in points]


def _background(rng: np.random.Generator, side: int, patches: Sequence[U8]) -> U8:
    kind = rng.random()
    if kind < 0.3 or not patches:
        return np.full((side, side), int(rng.integers(0, 256)), np.uint8)
    if kind < 0.45:
        a, b = (float(v) for v in rng.integers(0, 256, 2))
        ramp = np.linspace(a, b, side, dtype=np.float32)
        grad = np.tile(ramp, (side, 1))
        return np.asarray((grad if rng.random() < 0.5 else grad.T), dtype=np.uint8)
    src = patches[int(rng.integers(len(patches)))]
    h, w = src.shape
    scale = float(rng.uniform(0.5, 2.0))
    n = max(8, min(h, w, round(side / scale)))
    y, x = int(rng.integers(0, h - n + 1)), int(rng.integers(0, w - n + 1))
    return np.asarray(cv2.resize(src[y : y + n, x : x + n], (side, side), interpolation=cv2.INTER_LINEAR), np.uint8)


def _contrasting(rng: np.random.Generator, under: float) -> int:
    """A grey that differs from ``under`` by a random amount, sometimes faintly."""
    delta = float(rng.uniform(18, 60)) if rng.random() < 0.25 else float(rng.uniform(60, 220))
    up = under + delta <= 255 and (under - delta < 0 or rng.random() < 0.5)
    return int(np.clip(under + delta if up else under - delta, 0, 255))


def _draw_shape(img: U8, rng: np.random.Generator, shape: str, cx: float, cy: float, g: float, t: float,
                colour: int) -> None:
    """Draw one glyph of side ``g`` (supersampled pixels) centred on (cx, cy)."""
    h = g / 2
    tilt = float(rng.normal(0, 0.06))
    if shape in ("x", "broken_x"):
        ax, ay = h * float(rng.uniform(0.85, 1.0)), h * float(rng.uniform(0.85, 1.0))
        arms = [((-ax, -ay), (ax, ay)), ((-ax, ay), (ax, -ay))]
        if shape == "broken_x":  # a V, Y or λ: one half-arm missing
            k = int(rng.integers(4))
            first = arms[k // 2]
            keep = (first[0], (0.0, 0.0)) if k % 2 else ((0.0, 0.0), first[1])
            arms = [keep, arms[1 - k // 2]]
        for a, b in arms:
            p, q = _rot([a, b], tilt, cx, cy)
            _line(img, p, q, colour, t)
        return
    if shape == "plus":
        for a, b in (((0, -h), (0, h)), ((-h, 0), (h, 0))):
            p, q = _rot([a, b], tilt, cx, cy)
            _line(img, p, q, colour, t)
    elif shape == "check":
        pts = _rot([(-h, 0.0), (-h / 3, h * 0.7), (h, -h * 0.75)], tilt + float(rng.choice([0, math.pi / 2])), cx, cy)
        for a, b in itertools.pairwise(pts):
            _line(img, a, b, colour, t)
    elif shape == "slash":
        angle = float(rng.choice([math.pi / 4, -math.pi / 4])) + tilt
        p, q = _rot([(-h, 0.0), (h, 0.0)], angle, cx, cy)
        _line(img, p, q, colour, t)
    elif shape == "arrow":
        angle = float(rng.integers(8)) * math.pi / 4 + tilt
        body = _rot([(-h, 0.0), (h, 0.0)], angle, cx, cy)
        _line(img, body[0], body[1], colour, t)
        head = _rot([(h - h * 0.6, -h * 0.5), (h, 0.0), (h - h * 0.6, h * 0.5)], angle, cx, cy)
        _line(img, head[0], head[1], colour, t)
        _line(img, head[1], head[2], colour, t)
        if rng.random() < 0.3:  # a double-headed arrow (expand / resize)
            tail = _rot([(-h + h * 0.6, -h * 0.5), (-h, 0.0), (-h + h * 0.6, h * 0.5)], angle, cx, cy)
            _line(img, tail[0], tail[1], colour, t)
            _line(img, tail[1], tail[2], colour, t)
    elif shape == "chevron":
        angle = float(rng.integers(4)) * math.pi / 2 + tilt
        pts = _rot([(-h * 0.4, -h), (h * 0.4, 0.0), (-h * 0.4, h)], angle, cx, cy)
        _line(img, pts[0], pts[1], colour, t)
        _line(img, pts[1], pts[2], colour, t)
    elif shape == "triangle":
        angle = float(rng.integers(4)) * math.pi / 2
        tri = _rot([(-h * 0.7, -h), (h * 0.8, 0.0), (-h * 0.7, h)], angle, cx, cy)
        pts = np.array([[round(x), round(y)] for x, y in tri], np.int32)
        if rng.random() < 0.5:
            cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
        else:
            cv2.polylines(img, [pts], True, colour, max(1, round(t)), cv2.LINE_AA)
    elif shape in ("asterisk", "star"):
        n = 3 if shape == "asterisk" else 5
        for k in range(n):
            a = k * math.pi / n + tilt + (math.pi / 2 if shape == "asterisk" else 0.0)
            p, q = _rot([(-h, 0.0), (h, 0.0)], a, cx, cy)
            _line(img, p, q, colour, t)
    elif shape == "letter":
        word = str(rng.choice(LETTER_WORDS))
        font = int(rng.choice([cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_PLAIN]))
        scale = cv2.getFontScaleFromHeight(font, max(4, round(g)), max(1, round(t)))
        (_tw, th), _ = cv2.getTextSize(word, font, scale, max(1, round(t)))
        i = max(word.upper().find("X"), 0)
        (pw, _), _ = cv2.getTextSize(word[:i], font, scale, max(1, round(t)))
        (cw, _), _ = cv2.getTextSize(word[i], font, scale, max(1, round(t)))
        org = (round(cx - pw - cw / 2), round(cy + th / 2))
        cv2.putText(img, word, org, font, scale, colour, max(1, round(t)), cv2.LINE_AA)
    elif shape == "hatch":
        n = int(rng.integers(2, 5))
        angle = float(rng.choice([math.pi / 4, -math.pi / 4])) + tilt
        for k in range(n):
            off = (k - (n - 1) / 2) * g / n * 1.2
            p, q = _rot([(-h, off), (h, off)], angle, cx, cy)
            _line(img, p, q, colour, t)
    elif shape == "slashed":  # bell-off, mute, no-entry: an outline crossed by one diagonal
        r = round(h * 0.8)
        if rng.random() < 0.5:
            cv2.circle(img, (round(cx), round(cy)), r, colour, max(1, round(t)), cv2.LINE_AA)
        else:
            cv2.rectangle(img, (round(cx - r), round(cy - r * 0.8)), (round(cx + r * 0.5), round(cy + r * 0.8)), colour,
                          max(1, round(t)), cv2.LINE_AA)
        p, q = _rot([(-h, 0.0), (h, 0.0)], math.pi / 4 + tilt, cx, cy)
        _line(img, p, q, colour, t)
    elif shape == "hamburger":
        for k in (-1, 0, 1):
            p, q = _rot([(-h, k * h * 0.6), (h, k * h * 0.6)], tilt, cx, cy)
            _line(img, p, q, colour, t)
    elif shape == "ring_only":
        cv2.circle(img, (round(cx), round(cy)), round(h), colour, max(1, round(t)), cv2.LINE_AA)
    else:
        raise ValueError(f"unknown shape {shape!r}")


def _jittered(centre: float, half: float, rng: np.random.Generator) -> Box:
    """A square box of half-side ``half`` around (centre, centre), off by what detectors are off by."""
    s = half * float(rng.uniform(0.9, 1.15))
    dx, dy = (float(v) for v in rng.uniform(-0.08, 0.08, 2) * 2 * half)
    return Box(centre + dx - s, centre + dy - s, centre + dx + s, centre + dy + s)


def _one(rng: np.random.Generator, positive: bool, patches: Sequence[U8]) -> tuple[U8, Box, Box]:
    """A grey canvas with one glyph in its middle, and the box and glyph box a detector would draw."""
    g = math.exp(rng.uniform(math.log(GLYPH_PX[0]), math.log(GLYPH_PX[1])))
    side = math.ceil(g * 11)  # room for the widest context around the widest button
    canvas = _background(rng, side, patches)
    ss = SS if g < 30 else 2
    big = np.asarray(cv2.resize(canvas, (side * ss, side * ss), interpolation=cv2.INTER_LINEAR), np.uint8)
    c = side * ss / 2
    under = float(np.median(canvas[side // 2 - 2 : side // 2 + 3, side // 2 - 2 : side // 2 + 3]))
    shape = "x" if positive else str(rng.choice(NEGATIVE_SHAPES))
    stroke = g * float(rng.uniform(0.06, 0.26))
    box_half = g / 2
    if shape == "adchoices":  # an AdChoices mark: × and ▷ in two light squares side by side
        r = g / 2 * float(rng.uniform(1.2, 1.6))
        plate_grey = _contrasting(rng, under)
        ink = _contrasting(rng, plate_grey)
        gap = float(rng.uniform(0, 0.3)) * r
        left = rng.random() < 0.8
        rr = r * ss
        for k, mark in ((0.0, "x"), ((-1 if left else 1) * (2 * r + gap), "triangle")):
            x0 = c + k * ss
            cv2.rectangle(big, (round(x0 - rr), round(c - rr)), (round(x0 + rr), round(c + rr)), plate_grey, -1)
            _draw_shape(big, rng, mark, x0, c, g * ss, stroke * ss * 0.7, ink)
        box_half = r if rng.random() < 0.6 else g / 2
    else:
        if rng.random() < 0.45:  # a button: filled circle, filled square, or ring
            r = g / 2 * float(rng.uniform(1.5, 2.6))
            plate_grey = _contrasting(rng, under)
            kind = rng.random()
            if kind < 0.5:
                cv2.circle(big, (round(c), round(c)), round(r * ss), plate_grey, -1, cv2.LINE_AA)
                under = plate_grey
            elif kind < 0.75:
                rr = round(r * ss)
                cv2.rectangle(big, (round(c) - rr, round(c) - rr), (round(c) + rr, round(c) + rr), plate_grey, -1)
                under = plate_grey
            else:
                cv2.circle(big, (round(c), round(c)), round(r * ss), plate_grey, max(1, round(g * 0.08 * ss)),
                           cv2.LINE_AA)
            box_half = r
        _draw_shape(big, rng, shape, c, c, g * ss, stroke * ss, _contrasting(rng, under))
    img = np.asarray(cv2.resize(big, (side, side), interpolation=cv2.INTER_AREA), np.uint8)
    if rng.random() < 0.2:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.4, 1.0))), np.uint8)
    if rng.random() < 0.35:
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(55, 95))])
        if ok:
            img = np.asarray(cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE), np.uint8)
    glyph = _jittered(side / 2, g / 2, rng)
    box = glyph if box_half == g / 2 else _jittered(side / 2, box_half, rng)
    return img, box, glyph


def glyph_crops(n_pos: int, n_neg: int, seed: int, patches: Sequence[U8], *, size: int, contexts: Sequence[float],
                glyph_contexts: Sequence[float], min_box_px: float) -> tuple[U8, npt.NDArray[np.int8]]:
    """``n_pos`` × crops and ``n_neg`` other-glyph crops (shuffled), with labels 1/0."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.array([1] * n_pos + [0] * n_neg, np.int8))
    out = np.zeros((len(labels), len(glyph_contexts) + len(contexts), size, size), np.uint8)
    for i, lab in enumerate(labels):
        img, box, glyph = _one(rng, bool(lab), patches)
        out[i] = crop_candidates(img, [box], [glyph], size=size, contexts=contexts, glyph_contexts=glyph_contexts,
                                 min_box_px=min_box_px)[0]
    return out, labels
