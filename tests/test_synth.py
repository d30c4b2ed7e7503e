"""Tests for the synthetic labelled-screenshot generator and the LABELS.md reader."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from datasets import generate_set, load_labels, register, render_screen
from datasets.render import contrast_ratio, luminance
from datasets.truth import (
    RULE_IDS,
    ControlFact,
    ScreenFacts,
    control_contrast_severity,
    control_size_severity,
    expected_findings,
)

REALDEV = Path(__file__).resolve().parents[2] / "shared" / "realdev" / "labels.jsonl"
SMALL = [(720, 1600)]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / "images").iterdir())}


@pytest.fixture(scope="module")
def png_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Full-size PNGs only, so pixels can be checked against the truth."""
    out = tmp_path_factory.mktemp("png_set")
    return generate_set(out, 16, 11, sizes=[*SMALL, (1080, 2400)], jpeg_fraction=0.0, downscale_fraction=0.0,
                        negatives=0.2)


@pytest.fixture(scope="module")
def mixed_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mixed_set")
    return generate_set(out, 40, 5, sizes=SMALL)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a = generate_set(tmp_path / "a", 6, 3, sizes=SMALL)
    b = generate_set(tmp_path / "b", 6, 3, sizes=SMALL)
    assert a.read_bytes() == b.read_bytes()
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_parallel_generation_is_identical(tmp_path: Path) -> None:
    a = generate_set(tmp_path / "a", 4, 9, sizes=SMALL)
    b = generate_set(tmp_path / "b", 4, 9, sizes=SMALL, workers=2)
    assert a.read_bytes() == b.read_bytes()
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = generate_set(tmp_path / "a", 4, 1, sizes=SMALL)
    b = generate_set(tmp_path / "b", 4, 2, sizes=SMALL)
    assert a.read_bytes() != b.read_bytes()
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_every_record_validates_and_boxes_fit(mixed_set: Path) -> None:
    records = load_labels(mixed_set, require_images=True)
    assert len(records) == 40
    for rec in records:
        with Image.open(rec.image) as im:
            assert im.size == (rec.width, rec.height)
        for c in rec.close_controls:
            x1, y1, x2, y2 = c.box
            assert 0 <= x1 < x2 <= rec.width and 0 <= y1 < y2 <= rec.height
            assert (c.kind == "icon") == (c.text is None)
        if rec.ad_label:
            assert rec.ad_label[2] > rec.ad_label[0] and rec.ad_label[3] > rec.ad_label[1]


def test_truth_keys_and_findings(mixed_set: Path) -> None:
    for rec in load_labels(mixed_set):
        t = rec.truth
        assert t is not None
        for key in ("density", "width_dp", "close_controls", "ad_label", "findings", "scale", "jpeg_quality"):
            assert key in t, key
        assert t["density"] > 0
        assert len(t["close_controls"]) == len(rec.close_controls)
        for ct in t["close_controls"]:
            assert {"size_dp", "contrast", "zone", "zone_screen", "button"} <= set(ct)
            assert 1.0 <= ct["contrast"] <= 21.0
            assert ct["size_dp"] > 0
        findings = t["findings"]
        if rec.screen == "none":
            assert findings == {}
            continue
        assert set(findings) == set(RULE_IDS)
        assert set(findings.values()) <= {"pass", "warn", "fail"}
        if not rec.close_controls and rec.screen in ("splash", "interstitial", "popup"):
            assert findings["CLOSE_MISSING"] == "fail"
        if rec.close_controls:
            assert findings["CLOSE_MISSING"] == "pass"
            facts = [ControlFact(c.kind, ct["size_dp"], ct["contrast"])
                     for c, ct in zip(rec.close_controls, t["close_controls"], strict=True)]
            both = [(control_size_severity(f), control_contrast_severity(f)) for f in facts]
            best = min(both, key=lambda sev: (sev.count("fail"), sev.count("warn")))
            assert (findings["CLOSE_TOO_SMALL"], findings["CLOSE_LOW_CONTRAST"]) in both  # one control judged
            assert (findings["CLOSE_TOO_SMALL"], findings["CLOSE_LOW_CONTRAST"]).count("fail") == best.count("fail")
        if rec.cues.shake:
            assert findings["SHAKE_TRIGGER"] == "warn"


def test_none_screens_have_no_controls(tmp_path: Path) -> None:
    records = load_labels(generate_set(tmp_path, 3, 4, sizes=SMALL, negatives=1.0))
    for rec in records:
        assert rec.screen == "none"
        assert rec.close_controls == ()
        assert rec.window is None and rec.ad_label is None
        assert rec.truth is not None and rec.truth["findings"] == {}


def test_jpeg_and_downscaled_variants_appear(mixed_set: Path) -> None:
    records = load_labels(mixed_set)
    assert any(r.image.suffix == ".jpg" for r in records)
    assert any(r.image.suffix == ".png" for r in records)
    small = [r for r in records if r.width < 720]
    assert small and all(270 <= r.width <= 540 for r in small)
    for r in small:  # density follows the saved pixels
        assert r.truth is not None
        assert r.truth["density"] == pytest.approx(r.width / r.truth["width_dp"], rel=0.02)


def test_screen_types_covered(mixed_set: Path) -> None:
    screens = {r.screen for r in load_labels(mixed_set)}
    assert {"splash", "popup", "dialog", "none"} <= screens


def _otsu_contrast(rgb: np.ndarray) -> float:
    """Contrast between the two luminance classes of a patch (Otsu split), from robust class colours."""
    lin = rgb.reshape(-1, 3).astype(np.float64)
    lum = np.array([luminance(p) for p in lin[:: max(len(lin) // 4000, 1)]])
    vals = np.sort(lum)
    best_t, best_v = vals[0], -1.0
    for t in np.unique(np.quantile(vals, np.linspace(0.02, 0.98, 60))):
        lo, hi = vals[vals <= t], vals[vals > t]
        if len(lo) == 0 or len(hi) == 0:
            continue
        v = len(lo) * len(hi) * (lo.mean() - hi.mean()) ** 2
        if v > best_v:
            best_t, best_v = t, v
    lo, hi = vals[vals <= best_t], vals[vals > best_t]
    # the core of each class, away from anti-aliased edges
    a, b = np.median(lo[: max(len(lo) // 2, 1)]), np.median(hi[len(hi) // 2 :])
    return float((max(a, b) + 0.05) / (min(a, b) + 0.05))


def test_control_pixels_match_truth(png_set: Path) -> None:
    records = load_labels(png_set)
    checked = 0
    for rec in records:
        assert rec.truth is not None
        rgb = np.asarray(Image.open(rec.image).convert("RGB"))
        for c, ct in zip(rec.close_controls, rec.truth["close_controls"], strict=True):
            x1, y1, x2, y2 = (int(v) for v in c.box)
            patch = rgb[y1:y2, x1:x2]
            lum = np.array([luminance(p) for p in patch.reshape(-1, 3)[::7]])
            assert np.ptp(lum) > 0.003, f"{rec.image.name}: control box is flat"
            # the truth foreground colour is really there (tiny text never reaches full coverage)
            fg = np.asarray(ct["fg"], np.float64)
            tol = 3 if min(x2 - x1, y2 - y1) >= 28 else 40
            assert np.abs(patch.reshape(-1, 3) - fg).max(axis=1).min() <= tol, f"{rec.image.name}: fg colour missing"
            assert contrast_ratio(ct["fg"], ct["bg"]) == pytest.approx(ct["contrast"], rel=0.02)
            far = patch.reshape(-1, 3)[np.abs(patch.reshape(-1, 3) - fg).max(axis=1) > 60]
            flat_bg = len(far) > 20 and np.mean(np.abs(far - np.median(far, axis=0)).max(axis=1) <= 6) > 0.8
            if 2.0 <= ct["contrast"] <= 12.0 and min(x2 - x1, y2 - y1) >= 14 and flat_bg:
                # inside the box, away from rounded button corners
                bw, bh = x2 - x1, y2 - y1
                iy, ix = int(0.15 * bh), int(0.15 * bh if bw < 1.5 * bh else bh / 2)
                measured = _otsu_contrast(patch[iy : bh - iy, ix : bw - ix])
                assert abs(np.log(measured / ct["contrast"])) < np.log(1.6), (rec.image.name, measured, ct)
                checked += 1
    assert checked >= 3


def test_render_screen_returns_matching_record() -> None:
    rgb, rec = render_screen(np.random.default_rng(7), 0, sizes=SMALL)
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert (rec["width"], rec["height"]) == (rgb.shape[1], rgb.shape[0])
    assert "image" not in rec
    assert {"screen", "window", "close_controls", "ad_label", "cues", "texts", "truth"} <= set(rec)


def test_cli_register(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="closecheck")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["synth", str(tmp_path / "out"), "--n", "2", "--seed", "4", "--sizes", "720x1600"])
    assert args.func(args) == 0
    assert len(load_labels(tmp_path / "out" / "labels.jsonl", require_images=True)) == 2
    bad = parser.parse_args(["synth", str(tmp_path / "x"), "--n", "0"])
    assert bad.func(bad) == 2


# --- expected findings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "rule", "want"),
    [
        (ScreenFacts("splash"), "CLOSE_MISSING", "fail"),
        (ScreenFacts("dialog"), "CLOSE_MISSING", "pass"),
        (ScreenFacts("popup", [ControlFact("icon", 11.9, 10)]), "CLOSE_TOO_SMALL", "fail"),
        (ScreenFacts("popup", [ControlFact("icon", 20, 10)]), "CLOSE_TOO_SMALL", "warn"),
        (ScreenFacts("popup", [ControlFact("icon", 20, 10), ControlFact("text", 30, 10)]), "CLOSE_TOO_SMALL", "pass"),
        (ScreenFacts("popup", [ControlFact("icon", 30, 2.9)]), "CLOSE_LOW_CONTRAST", "fail"),
        (ScreenFacts("popup", [ControlFact("icon", 30, 4.0)]), "CLOSE_LOW_CONTRAST", "pass"),
        # one best control for both rules (as detector.rules.best_control): the big faint × is
        # no way out, the small legible text is, and it is small
        (ScreenFacts("dialog", [ControlFact("icon", 25, 1.6), ControlFact("text", 12.7, 4.9)]), "CLOSE_TOO_SMALL", "warn"),
        (ScreenFacts("dialog", [ControlFact("icon", 25, 1.6), ControlFact("text", 12.7, 4.9)]), "CLOSE_LOW_CONTRAST", "pass"),
        (ScreenFacts("popup", [ControlFact("icon", 30, 2.0), ControlFact("icon", 8, 2.0)]), "CLOSE_TOO_SMALL", "pass"),
        (ScreenFacts("popup", [ControlFact("text", 30, 4.0)]), "CLOSE_LOW_CONTRAST", "warn"),
        (ScreenFacts("splash", countdown_s=6), "COUNTDOWN_TOO_LONG", "warn"),
        (ScreenFacts("splash", countdown_s=5), "COUNTDOWN_TOO_LONG", "pass"),
        (ScreenFacts("interstitial", countdown_s=15), "COUNTDOWN_TOO_LONG", "pass"),
        (ScreenFacts("splash", countdown_blocks=True), "COUNTDOWN_BLOCKS_CLOSE", "fail"),
        (ScreenFacts("splash", floating_jump=True, jump_hint=True), "FULLSCREEN_JUMP", "fail"),
        (ScreenFacts("popup", floating_jump=True, jump_hint=True), "FULLSCREEN_JUMP", "pass"),
        (ScreenFacts("interstitial", max_jump_button_fraction=0.8), "FULLSCREEN_JUMP", "fail"),
        (ScreenFacts("splash", shake=True), "SHAKE_TRIGGER", "warn"),
        (ScreenFacts("splash", cta=True), "AD_LABEL_HIDDEN", "fail"),
        (ScreenFacts("splash", cta=True, ad_label_height_dp=7.9, ad_label_contrast=9), "AD_LABEL_HIDDEN", "fail"),
        (ScreenFacts("splash", cta=True, ad_label_height_dp=9, ad_label_contrast=2.5), "AD_LABEL_HIDDEN", "fail"),
        (ScreenFacts("splash", cta=True, ad_label_height_dp=9, ad_label_contrast=4), "AD_LABEL_HIDDEN", "pass"),
        # a pop-up's call to action alone is the app's own promotion (as detector.rules decides);
        # with a jump hint, or with an ad label drawn (however faint), it is an ad
        (ScreenFacts("popup", cta=True), "AD_LABEL_HIDDEN", "pass"),
        (ScreenFacts("popup", cta=True, jump_hint=True), "AD_LABEL_HIDDEN", "fail"),
        (ScreenFacts("popup", cta=True, ad_label_height_dp=9, ad_label_contrast=1.5), "AD_LABEL_HIDDEN", "fail"),
        (ScreenFacts("splash"), "AD_LABEL_HIDDEN", "pass"),
    ],
)
def test_expected_findings(facts: ScreenFacts, rule: str, want: str) -> None:
    assert expected_findings(facts)[rule] == want


def test_expected_findings_none_screen() -> None:
    assert expected_findings(ScreenFacts("none")) == {}


# --- load_labels ------------------------------------------------------------------------------

GOOD = {
    "image": "images/a.png", "width": 100, "height": 200, "screen": "popup", "window": [10, 10, 90, 150],
    "close_controls": [{"box": [70, 12, 88, 30], "kind": "icon", "text": None}],
    "ad_label": None, "cues": {"jump_hint": False, "shake": False, "countdown": False}, "texts": [],
}


def _with(**changes: object) -> str:
    rec = {**GOOD, **changes}
    return json.dumps({k: v for k, v in rec.items() if v is not ...})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ("// a comment", "not valid JSON"),
        (_with(image=...), "missing key(s): image"),
        (_with(width=0), "width: expected a positive integer"),
        (_with(height="200"), "height: expected a positive integer"),
        (_with(screen="banner"), "screen: expected one of"),
        (_with(window=[10, 10, 5, 150]), "window: needs x2 >= x1"),
        (_with(window=[10, 10, 101, 150]), "outside the 100x200 image"),
        (_with(window=[1, 2, 3]), "window: expected [x1, y1, x2, y2]"),
        (_with(close_controls={}), "close_controls: expected a list"),
        (_with(close_controls=[{"box": [1, 1, 5, 5], "kind": "x", "text": None}]), "close_controls[0].kind"),
        (_with(close_controls=[{"box": [1, 1, 5, 5], "kind": "icon"}]), "close_controls[0]: missing key(s): text"),
        (_with(close_controls=[{"box": [1, 1, 5, "a"], "kind": "icon", "text": None}]), "close_controls[0].box"),
        (_with(close_controls=[{"box": [1, 1, 5, 5], "kind": "text", "text": 5}]), "close_controls[0].text"),
        (_with(screen="none"), "must be empty on a 'none' screen"),
        (_with(ad_label=[0, 0, 10, 300]), "ad_label:"),
        (_with(cues={"jump_hint": True, "shake": False}), "cues.countdown"),
        (_with(cues=None), "cues: expected an object"),
        (_with(texts="跳过"), "texts: expected a list of strings"),
        (_with(truth=[1]), "truth: expected an object"),
    ],
)
def test_load_labels_rejects_malformed(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        load_labels(path)
    text = str(exc.value)
    assert message in text
    assert f"{path}:3:" in text
    assert "\n" not in text


def test_load_labels_good_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    (rec,) = load_labels(path)
    assert rec.image == tmp_path / "images" / "a.png"
    assert rec.close_controls[0].box == (70.0, 12.0, 88.0, 30.0)
    assert rec.line == 1 and rec.truth is None
    with pytest.raises(ValueError, match="does not exist"):
        load_labels(path, require_images=True)
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already labelled on line 1"):
        load_labels(path)


def test_load_labels_none_screen_without_cues(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    rec = {**GOOD, "screen": "none", "close_controls": [], "window": None}
    del rec["cues"], rec["ad_label"]
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (r,) = load_labels(path)
    assert not r.cues.jump_hint and r.ad_label is None


@pytest.mark.skipif(not REALDEV.exists(), reason="../shared/realdev not present")
def test_load_labels_reads_realdev() -> None:
    records = load_labels(REALDEV, require_images=True)
    assert len(records) >= 80
    assert any(r.screen == "none" for r in records)


@pytest.mark.parametrize("style", ["outlined_circle", "outlined_square"])
def test_outlined_icon_is_a_visible_button(style: str) -> None:
    """An outlined × button (circle, or the rounded square many pop-ups draw) is drawn in the
    glyph's colour; its truth box is the outline, the glyph centred inside it."""
    from datasets.controls import icon_sprite, place
    from datasets.render import Canvas

    canvas = Canvas.solid(200, 200, (255, 255, 255))
    placed = place(canvas, icon_sprite(60, style, stroke=3.0, glyph_frac=0.45), 50, 50, contrast=7.0)
    assert placed.button_visible
    x1, y1, x2, y2 = placed.box
    assert x2 - x1 >= 58 and y2 - y1 >= 58  # the outline, not the 27 px glyph
    gx1, gy1, gx2, gy2 = placed.ink_box
    assert abs((gx1 + gx2) - (x1 + x2)) <= 2 and abs((gy1 + gy2) - (y1 + y2)) <= 2
    diagonal = np.array([255 - canvas.rgb[y1 + k, x1 + k].mean() for k in range(20)])
    first_ink = int(np.argmax(diagonal > 100))  # from the box corner inwards: the outline
    # a rounded square's corner (radius 0.22 of the side) lies 4 px in, a circle's 9 px (0.146 of the side)
    assert (first_ink <= 5) == (style == "outlined_square"), first_ink


def test_a_sheets_close_button_keeps_clear_of_its_title() -> None:
    """A bottom sheet closed from its top-left corner starts its title after the × (a real sheet
    never draws its close button over its own title)."""
    from datasets.render import Canvas
    from datasets.scenes import SceneState, _compose_sheet

    left = 0
    for seed in range(60):
        st = SceneState(rng=np.random.default_rng(seed), canvas=Canvas.solid(720, 1600, (255, 255, 255)), d=2.0,
                        screen="popup", zh=bool(seed % 2), facts=ScreenFacts("popup"))
        _compose_sheet(st)
        if not st.controls:
            continue
        x1, y1, x2, y2 = st.controls[0]["box"]
        assert st.window is not None
        inside = [b for b in st.occupied if list(b) != [x1, y1, x2, y2] and b[1] >= st.window[1]]
        tx1, ty1, tx2, ty2 = min(inside, key=lambda b: b[1])  # the title: the sheet's top line
        assert x2 <= tx1 or tx2 <= x1 or y2 <= ty1 or ty2 <= y1, (seed, st.controls[0], (tx1, ty1, tx2, ty2))
        left += st.control_truth[0]["zone"] == "window-top-left"
    assert left >= 3  # the top-left corner was drawn often enough to mean something


def test_a_launch_screens_skip_control_keeps_clear_of_its_logo_and_name() -> None:
    """An app's own launch screen draws its skip control beside its logo and name, not over them
    (the generator once put a 跳过广告 pill across the app's name)."""
    from datasets.render import Canvas
    from datasets.scenes import SceneState, compose_splash

    checked = 0
    for seed in range(120):
        st = SceneState(rng=np.random.default_rng(seed), canvas=Canvas.solid(720, 1600, (255, 255, 255)), d=2.0,
                        screen="splash", zh=bool(seed % 2), facts=ScreenFacts("splash"))
        compose_splash(st)
        if not any("launch screen" in n for n in st.notes) or not st.controls:
            continue
        x1, y1, x2, y2 = st.controls[0]["box"]
        # the logo with the name under it: the screen's one centred block
        content = [b for b in st.occupied if abs(b[0] + b[2] - 720) <= 2 and list(b) != [x1, y1, x2, y2]]
        assert content, st.occupied
        for bx1, by1, bx2, by2 in content:
            assert x2 <= bx1 or bx2 <= x1 or y2 <= by1 or by2 <= y1, (seed, st.controls[0], content)
        checked += 1
    assert checked >= 10


def test_an_ios_alerts_dismiss_cell_is_its_button() -> None:
    """An iOS-style alert divides its button row with lines: the dismiss text's cell (half the
    card wide, the row high) is the visible tap target, so its truth box and size are the cell's.
    A Material dialog's text button draws no shape: its truth is the text ink."""
    from datasets.render import Canvas
    from datasets.scenes import SceneState, compose_dialog

    seen: dict[str, int] = {"ios": 0, "material": 0}
    for seed in range(40):
        st = SceneState(rng=np.random.default_rng(seed), canvas=Canvas.solid(720, 1600, (255, 255, 255)), d=2.0,
                        screen="dialog", zh=bool(seed % 2), facts=ScreenFacts("dialog"))
        compose_dialog(st)
        layout = st.notes[-1].split()[0]
        texts = [(c, t) for c, t in zip(st.controls, st.control_truth, strict=True) if c["text"]]
        if layout not in seen or not texts:
            continue
        (label, truth), = texts
        assert st.window is not None
        x1, _, x2, y2 = label["box"]
        if layout == "ios":
            assert truth["button"] and 48 <= truth["size_dp"] <= 50, (seed, truth)
            assert (x1, y2) == (st.window[0], st.window[3])  # the card's bottom-left cell
            assert abs((x2 - x1) - (st.window[2] - st.window[0]) / 2) <= 1
        else:
            assert not truth["button"] and truth["size_dp"] < 20, (seed, truth)
        seen[layout] += 1
    assert min(seen.values()) >= 3, seen
