"""Tests of the × model's run-time wrapper (detector/model.py); they need onnxruntime, not torch.

Screens are rendered here with Pillow (supersampled, so edges are anti-aliased like real
screenshots) and with datasets.synth.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from detector.model import (
    MANIFEST_NAME,
    MODEL_DIR,
    ModelError,
    ModelIcons,
    crop_candidates,
    fuse,
    load_spec,
    min_classical,
    model_available,
    normalise,
)
from detector.types import Box

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
W, H = 1080, 1920
DENSITY = W / 360.0
SS = 4  # supersampling


@pytest.fixture(scope="module")
def model() -> ModelIcons:
    return ModelIcons()


def _copy_model(dst: Path) -> Path:
    spec = load_spec()
    shutil.copy(MODEL_DIR / MANIFEST_NAME, dst / MANIFEST_NAME)
    shutil.copy(spec.path, dst / spec.path.name)
    return dst / MANIFEST_NAME


# --- the committed model --------------------------------------------------------------------


def test_committed_model_matches_its_manifest() -> None:
    spec = load_spec()
    manifest = json.loads((MODEL_DIR / MANIFEST_NAME).read_text("utf-8"))
    assert spec.path.is_file() and spec.path.stat().st_size <= 10 * 1024 * 1024
    import hashlib

    assert hashlib.sha256(spec.path.read_bytes()).hexdigest() == manifest["sha256"] == spec.sha256
    assert model_available()
    for key in ("labels", "input", "training", "metrics", "versions", "fusion"):
        assert key in manifest


def test_tampered_copy_is_refused(tmp_path: Path) -> None:
    manifest = _copy_model(tmp_path)
    onnx = tmp_path / load_spec(manifest).path.name
    data = bytearray(onnx.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its manifest"):
        ModelIcons(manifest)
    assert not model_available(manifest)


def test_intact_copy_loads(tmp_path: Path) -> None:
    assert model_available(_copy_model(tmp_path))


@pytest.mark.parametrize("remove", ["manifest", "model"])
def test_absent_model(tmp_path: Path, remove: str) -> None:
    manifest = _copy_model(tmp_path)
    (manifest if remove == "manifest" else tmp_path / load_spec(manifest).path.name).unlink()
    assert not model_available(manifest)
    with pytest.raises(ModelError, match="not found"):
        ModelIcons(manifest)


def test_absent_folder() -> None:
    assert not model_available(Path("/nonexistent/closecheck/manifest.json"))


def test_runtime_does_not_import_torch() -> None:
    code = "import sys, detector.model, detector.pipeline; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]).returncode == 0


# --- screens ------------------------------------------------------------------------------


def _screen(style: str) -> tuple[np.ndarray, Box]:
    """A pop-up card over a dimmed page with a × close control; returns the picture and the ×'s box."""
    img = Image.new("RGB", (W * SS, H * SS), (236, 238, 242))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 44 * SS)
    for i in range(12):  # the page below: list rows of text
        d.text((60 * SS, (200 + 140 * i) * SS), f"列表内容 {i} 今日推荐", font=font, fill=(40, 40, 40))
    img = Image.blend(img, Image.new("RGB", img.size, (0, 0, 0)), 0.55)  # scrim
    d = ImageDraw.Draw(img)
    card = (140 * SS, 560 * SS, 940 * SS, 1360 * SS)
    d.rounded_rectangle(card, radius=40 * SS, fill=(255, 255, 255))
    d.text((220 * SS, 700 * SS), "新人专享红包", font=ImageFont.truetype(FONT, 64 * SS), fill=(220, 40, 40))
    d.rounded_rectangle((240 * SS, 1160 * SS, 840 * SS, 1280 * SS), radius=60 * SS, fill=(240, 80, 60))
    d.text((400 * SS, 1180 * SS), "立即领取", font=ImageFont.truetype(FONT, 60 * SS), fill=(255, 255, 255))
    if style == "circle-below":  # white outlined circle with a × centred below the card
        cx, cy, r, g, t = 540, 1480, 48, 20, 5
        d.ellipse(((cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS), outline=(255, 255, 255), width=t * SS)
        colour = (255, 255, 255)
        box = Box(cx - r, cy - r, cx + r, cy + r)
    elif style == "plain-in-card":  # thin grey × at the card's top-right
        cx, cy, g, t = 890, 610, 22, 4
        colour = (150, 150, 150)
        box = Box(cx - g, cy - g, cx + g, cy + g)
    else:  # dark translucent filled circle at the top-right of the screen
        cx, cy, r, g, t = 990, 150, 45, 17, 5
        d.ellipse(((cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS), fill=(70, 70, 70))
        colour = (255, 255, 255)
        box = Box(cx - r, cy - r, cx + r, cy + r)
    for sx in (-1, 1):
        d.line(((cx - g) * SS, (cy - sx * g) * SS, (cx + g) * SS, (cy + sx * g) * SS), fill=colour, width=t * SS)
    rgb = np.asarray(img.resize((W, H), Image.LANCZOS))
    return rgb, box


@pytest.mark.parametrize("style", ["circle-below", "plain-in-card", "circle-corner"])
def test_finds_the_close_icon(model: ModelIcons, style: str) -> None:
    rgb, box = _screen(style)
    found = model(rgb, density=DENSITY, exclude=())
    assert found, "no candidate at all"
    best = found[0]
    assert best.score >= 0.5, found[:3]
    assert best.box.iou(box) >= 0.3 or box.contains_point(*best.box.center), (best, box)
    assert best.score >= 0.0 and all(0.0 <= c.score <= 1.0 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_no_close_icon_on_a_plain_page(model: ModelIcons) -> None:
    img = Image.new("RGB", (W * SS, H * SS), (250, 250, 250))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 44 * SS)
    for i in range(12):
        d.text((60 * SS, (200 + 140 * i) * SS), f"XBOX 设置 {i} 通知 Wi-Fi", font=font, fill=(30, 30, 30))
    rgb = np.asarray(img.resize((W, H), Image.LANCZOS))
    assert [c for c in model(rgb, density=DENSITY, exclude=()) if c.score >= 0.5] == []


def test_finds_icons_on_generated_screens(model: ModelIcons) -> None:
    """Screens from datasets.synth (seed 4242, used in no training) with a × close control."""
    from datasets.synth import render_screen
    from models.icon_eval import density_of, matches

    labelled = found = 0
    for index in range(40):
        rgb, record = render_screen(np.random.default_rng([4242, index]), index, negatives=0.0)
        icons = [Box.from_xyxy(c["box"]) for c in record["close_controls"] if c["kind"] == "icon"]
        if not icons:
            continue
        dets = [c for c in model(rgb, density=density_of(rgb), exclude=()) if c.score >= 0.5]
        labelled += len(icons)
        found += sum(any(matches(c.box, b) for c in dets) for b in icons)
        if labelled >= 8:
            break
    assert labelled >= 8
    assert found / labelled >= 0.75, (found, labelled)


# --- pieces -----------------------------------------------------------------------------------


def test_crops_are_centred_and_edge_padded() -> None:
    gray = np.zeros((100, 100), np.uint8)
    gray[40:60, 40:60] = 255
    crops = crop_candidates(gray, [Box(40, 40, 60, 60), Box(0, 0, 10, 10)], size=16, contexts=(1.0, 2.0), min_box_px=4)
    assert crops.shape == (2, 2, 16, 16) and crops.dtype == np.uint8
    assert crops[0, 0].min() == 255  # context 1: the box itself
    assert crops[0, 1, 4:12, 4:12].min() == 255 and crops[0, 1, 0, 0] == 0  # context 2: a dark frame around
    x = normalise(crops, 0.02)
    assert x.dtype == np.float32 and abs(float(x[0, 1].mean())) < 1e-5


def test_glyph_channels_come_first() -> None:
    gray = np.zeros((100, 100), np.uint8)
    gray[45:55, 45:55] = 255  # the glyph, inside a 40 px button box
    crops = crop_candidates(gray, [Box(30, 30, 70, 70)], [Box(45, 45, 55, 55)], size=8, contexts=(1.0,),
                            glyph_contexts=(1.0,), min_box_px=4)
    assert crops.shape == (1, 2, 8, 8)
    assert crops[0, 0].min() == 255 and crops[0, 1].min() == 0
    with pytest.raises(ValueError, match="glyphs"):
        crop_candidates(gray, [Box(30, 30, 70, 70)], [], size=8, contexts=(1.0,), min_box_px=4)


def test_fuse_maps_threshold_to_half() -> None:
    p, s = np.array([0.0, 0.3, 0.6, 1.0]), np.array([1.0, 1.0, 0.2, 1.0])
    assert fuse(p, s, "model", 0.3).tolist() == pytest.approx([0.0, 0.5, 0.5 + 0.5 * 0.3 / 0.7, 1.0])
    assert fuse(p, s, "mean").tolist() == pytest.approx([0.5, 0.65, 0.4, 1.0])
    assert fuse(p, s, "geometric")[3] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse(p, s, "max")


def test_min_classical_is_the_fusion_floor() -> None:
    for method, t in (("geometric", 0.6), ("mean", 0.7), ("model", 0.5)):
        floor = min_classical(method, t)
        if method == "model":
            assert floor == 0.0
            continue
        assert fuse(np.array([1.0]), np.array([floor]), method, t)[0] == pytest.approx(0.5)
        assert fuse(np.array([1.0]), np.array([floor - 0.01]), method, t)[0] < 0.5
