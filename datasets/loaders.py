"""Read a labelled set in the ../shared/LABELS.md format (``labels.jsonl``).

:func:`load_labels` parses and validates every line and returns frozen :class:`LabelRecord`
objects whose ``image`` is resolved relative to the labels file. A malformed line raises
``ValueError`` with one line naming the file, the line number and what is wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

SCREEN_TYPES = ("splash", "popup", "interstitial", "dialog", "none")
CONTROL_KINDS = ("icon", "text", "countdown")
CUE_KEYS = ("jump_hint", "shake", "countdown")
REQUIRED_KEYS = ("image", "width", "height", "screen", "window", "close_controls", "ad_label", "cues", "texts")
OPTIONAL_KEYS = ("note", "truth")
CONTROL_KEYS = ("box", "kind", "text")

BoxT = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class CloseControlLabel:
    box: BoxT  # x1, y1, x2, y2 in the image's pixels, x2/y2 exclusive
    kind: str  # icon | text | countdown
    text: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Cues:
    jump_hint: bool = False
    shake: bool = False
    countdown: bool = False


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """One labelled screenshot."""

    image: Path  # resolved path of the image file
    image_rel: str  # the path as written in the labels file
    width: int
    height: int
    screen: str  # splash | popup | interstitial | dialog | none
    window: BoxT | None
    close_controls: tuple[CloseControlLabel, ...]
    ad_label: BoxT | None
    cues: Cues
    texts: tuple[str, ...]
    note: str | None = None
    truth: Mapping[str, Any] | None = None  # synthetic sets only (read-only view)
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # unknown keys, kept
    line: int = 0  # 1-based line number in the labels file

    @property
    def has_overlay(self) -> bool:
        return self.screen != "none"


class _Bad(ValueError):
    pass


def _box(value: Any, what: str, width: int, height: int) -> BoxT:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise _Bad(f"{what}: expected [x1, y1, x2, y2], got {value!r}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise _Bad(f"{what}: box values must be finite numbers, got {value!r}")
    x1, y1, x2, y2 = (float(v) for v in value)
    if x2 < x1 or y2 < y1:
        raise _Bad(f"{what}: needs x2 >= x1 and y2 >= y1, got {value!r}")
    if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
        raise _Bad(f"{what}: {value!r} lies outside the {width}x{height} image")
    return x1, y1, x2, y2


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _record(obj: Any, base: Path, line: int) -> LabelRecord:
    if not isinstance(obj, dict):
        raise _Bad(f"expected a JSON object, got {type(obj).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing and not (set(missing) <= {"ad_label", "cues"} and obj.get("screen") == "none"):
        raise _Bad(f"missing key(s): {', '.join(missing)}")
    image = obj["image"]
    if not isinstance(image, str) or not image.strip():
        raise _Bad(f"image: expected a non-empty path string, got {image!r}")
    width, height = obj["width"], obj["height"]
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise _Bad(f"{name}: expected a positive integer, got {v!r}")
    screen = obj["screen"]
    if screen not in SCREEN_TYPES:
        raise _Bad(f"screen: expected one of {', '.join(SCREEN_TYPES)}, got {screen!r}")
    window = None if obj["window"] is None else _box(obj["window"], "window", width, height)
    controls_raw = obj["close_controls"]
    if not isinstance(controls_raw, list):
        raise _Bad(f"close_controls: expected a list, got {type(controls_raw).__name__}")
    if screen == "none" and controls_raw:
        raise _Bad("close_controls: must be empty on a 'none' screen")
    controls = []
    for i, c in enumerate(controls_raw):
        what = f"close_controls[{i}]"
        if not isinstance(c, dict):
            raise _Bad(f"{what}: expected an object, got {c!r}")
        miss = [k for k in CONTROL_KEYS if k not in c]
        if miss:
            raise _Bad(f"{what}: missing key(s): {', '.join(miss)}")
        if c["kind"] not in CONTROL_KINDS:
            raise _Bad(f"{what}.kind: expected one of {', '.join(CONTROL_KINDS)}, got {c['kind']!r}")
        text = c["text"]
        if text is not None and not isinstance(text, str):
            raise _Bad(f"{what}.text: expected a string or null, got {text!r}")
        note = c.get("note")
        if note is not None and not isinstance(note, str):
            raise _Bad(f"{what}.note: expected a string, got {note!r}")
        controls.append(CloseControlLabel(_box(c["box"], f"{what}.box", width, height), c["kind"], text, note))
    ad_raw = obj.get("ad_label")
    ad_label = None if ad_raw is None else _box(ad_raw, "ad_label", width, height)
    cues_raw = obj.get("cues")
    if cues_raw is None:
        if screen != "none":
            raise _Bad("cues: expected an object with jump_hint, shake, countdown")
        cues = Cues()
    else:
        if not isinstance(cues_raw, dict):
            raise _Bad(f"cues: expected an object, got {cues_raw!r}")
        for k in CUE_KEYS:
            if not isinstance(cues_raw.get(k), bool):
                raise _Bad(f"cues.{k}: expected true or false, got {cues_raw.get(k)!r}")
        cues = Cues(cues_raw["jump_hint"], cues_raw["shake"], cues_raw["countdown"])
    texts = obj["texts"]
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise _Bad(f"texts: expected a list of strings, got {texts!r}")
    note = obj.get("note")
    if note is not None and not isinstance(note, str):
        raise _Bad(f"note: expected a string, got {note!r}")
    truth = obj.get("truth")
    if truth is not None and not isinstance(truth, dict):
        raise _Bad(f"truth: expected an object, got {type(truth).__name__}")
    extra = {k: _freeze(v) for k, v in obj.items() if k not in REQUIRED_KEYS and k not in OPTIONAL_KEYS}
    path = Path(image)
    return LabelRecord(
        image=path if path.is_absolute() else (base / path),
        image_rel=image,
        width=width,
        height=height,
        screen=screen,
        window=window,
        close_controls=tuple(controls),
        ad_label=ad_label,
        cues=cues,
        texts=tuple(texts),
        note=note,
        truth=None if truth is None else _freeze(truth),
        extra=MappingProxyType(extra),
        line=line,
    )


def load_labels(path: Path | str, *, require_images: bool = False) -> list[LabelRecord]:
    """Parse and validate a ``labels.jsonl``; blank lines are skipped.

    Raises ``FileNotFoundError`` when the file is missing and ``ValueError`` (one line:
    ``file:line: what is wrong``) for a malformed line, a duplicate image, or, with
    ``require_images``, an image file that does not exist.
    """
    path = Path(path)
    base = path.parent
    records: list[LabelRecord] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            try:
                rec = _record(obj, base, lineno)
            except _Bad as exc:
                raise ValueError(f"{path}:{lineno}: {exc}") from None
            if rec.image_rel in seen:
                raise ValueError(f"{path}:{lineno}: image {rec.image_rel!r} already labelled on line {seen[rec.image_rel]}")
            seen[rec.image_rel] = lineno
            if require_images and not rec.image.is_file():
                raise ValueError(f"{path}:{lineno}: image file {rec.image} does not exist")
            records.append(rec)
    return records


__all__ = ["CONTROL_KINDS", "CUE_KEYS", "SCREEN_TYPES", "CloseControlLabel", "Cues", "LabelRecord", "load_labels"]
