"""Tests of the × proposer (detector/proposer.py): the committed ONNX model, its decoding and its
fusion with the classifier. They need onnxruntime, not torch; screens come from datasets.synth
with seeds no training used."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from datasets.synth import render_screen
from detector.icons import IconCandidate
from detector.model import ModelIcons
from detector.pipeline import default_icon_detectors
from detector.proposer import (
    PROPOSER_MANIFEST,
    Proposal,
    ProposedIcons,
    ProposerError,
    ProposerFusion,
    ProposerMaps,
    _explains,
    calibrate,
    decode,
    load_proposer_spec,
    propose,
    proposer_available,
)
from detector.types import Box
from models.icon_eval import density_of, matches

SEED = 4242  # a set no training used (models/manifest.json, models/proposer.json)


@pytest.fixture(scope="module")
def fused() -> ProposedIcons:
    return ProposedIcons(ModelIcons())


def _copy(dst: Path) -> Path:
    spec = load_proposer_spec()
    shutil.copy(PROPOSER_MANIFEST, dst / PROPOSER_MANIFEST.name)
    shutil.copy(spec.path, dst / spec.path.name)
    return dst / PROPOSER_MANIFEST.name


def _screens_with_icons(n: int) -> list[tuple[np.ndarray, list[Box]]]:
    out = []
    for index in range(200):
        rgb, record = render_screen(np.random.default_rng([SEED, index]), index, negatives=0.0)
        icons = [Box.from_xyxy(c["box"]) for c in record["close_controls"] if c["kind"] == "icon"]
        if icons:
            out.append((rgb, icons))
        if len(out) >= n:
            break
    return out


# --- the committed model --------------------------------------------------------------------


def test_committed_proposer_matches_its_manifest() -> None:
    import hashlib

    spec = load_proposer_spec()
    manifest = json.loads(PROPOSER_MANIFEST.read_text("utf-8"))
    assert spec.path.stat().st_size <= 10 * 1024 * 1024
    assert hashlib.sha256(spec.path.read_bytes()).hexdigest() == manifest["sha256"] == spec.sha256
    assert proposer_available()
    for key in ("labels", "input", "output", "training", "metrics", "versions", "fusion"):
        assert key in manifest
    assert [type(d).__name__ for d in default_icon_detectors()] == ["ProposedIcons"]


def test_tampered_copy_is_refused(tmp_path: Path) -> None:
    manifest = _copy(tmp_path)
    onnx = tmp_path / load_proposer_spec(manifest).path.name
    data = bytearray(onnx.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx.write_bytes(bytes(data))
    with pytest.raises(ProposerError, match="does not match its manifest"):
        ProposedIcons(manifest=manifest)
    assert not proposer_available(manifest)


@pytest.mark.parametrize("remove", ["manifest", "model"])
def test_absent_proposer(tmp_path: Path, remove: str) -> None:
    manifest = _copy(tmp_path)
    (manifest if remove == "manifest" else tmp_path / load_proposer_spec(manifest).path.name).unlink()
    assert not proposer_available(manifest)
    with pytest.raises(ProposerError, match="not found"):
        ProposedIcons(manifest=manifest)


def test_runtime_does_not_import_torch() -> None:
    code = "import sys, detector.proposer; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]).returncode == 0


# --- behaviour on generated screens -----------------------------------------------------------


def test_proposes_the_close_icons_of_generated_screens() -> None:
    spec = load_proposer_spec()
    screens = _screens_with_icons(12)
    labelled = sum(len(icons) for _, icons in screens)
    found = 0
    for rgb, icons in screens:
        props = [p for p in propose(rgb, density_of(rgb), spec) if p.score >= 0.5]
        found += sum(any(matches(p.box, b) for p in props) for b in icons)
        assert all(0.0 <= p.score <= 1.0 for p in props)
    assert labelled >= 12
    assert found / labelled >= 0.8, (found, labelled)


def test_finds_more_than_the_classifier_alone(fused: ProposedIcons) -> None:
    """On the same screens the fused detector finds every × the classifier finds, and more."""
    base, both = 0, 0
    for rgb, icons in _screens_with_icons(30):
        d = density_of(rgb)
        alone = [c for c in fused.base(rgb, density=d, exclude=()) if c.score >= 0.5]
        joined = [c for c in fused(rgb, density=d, exclude=()) if c.score >= 0.5]
        base += sum(any(matches(c.box, b) for c in alone) for b in icons)
        both += sum(any(matches(c.box, b) for c in joined) for b in icons)
    assert both > base, (both, base)


def test_no_proposal_on_a_flat_screen() -> None:
    rgb = np.full((1600, 720, 3), 245, np.uint8)
    assert [p for p in propose(rgb, 2.0, load_proposer_spec()) if p.score >= 0.3] == []


# --- pieces -----------------------------------------------------------------------------------


def test_decode_puts_a_peak_back_in_original_pixels() -> None:
    spec = load_proposer_spec()
    out = np.full((1, 5, 20, 10), -9.0, np.float32)
    out[0, 1:, :, :] = 0.0
    out[0, 0, 5, 3] = 4.0  # one peak at cell (x 3, y 5)
    out[0, 1:5, 5, 3] = (0.25, -0.25, np.log(6.0), np.log(4.0))
    scale = 0.5  # input px per original px
    (p,) = decode(out, scale, (1000, 2000), spec, min_score=0.5)
    s = spec.stride
    assert p.box.center == pytest.approx(((3.75) * s / scale, (5.25) * s / scale))
    assert (p.box.width, p.box.height) == pytest.approx((6 * s / scale, 4 * s / scale))
    assert p.score == pytest.approx(1 / (1 + np.exp(-4.0)))


@pytest.mark.parametrize(("p", "threshold", "expected"), [(0.0, 0.7, 0.0), (0.7, 0.7, 0.5), (1.0, 0.7, 1.0),
                                                          (0.35, 0.7, 0.25), (0.85, 0.7, 0.75)])
def test_calibrate_maps_threshold_to_half(p: float, threshold: float, expected: float) -> None:
    assert calibrate(p, threshold) == pytest.approx(expected)


@pytest.mark.parametrize(("cand", "prop", "explains"), [
    (Box(100, 100, 140, 140), Box(102, 98, 138, 142), True),  # the same button
    (Box(100, 100, 140, 140), Box(300, 100, 340, 140), False),  # elsewhere
    (Box(100, 100, 400, 400), Box(240, 240, 260, 260), False),  # a small × inside a big plate's box
])
def test_a_candidate_explains_a_proposal_at_its_place_and_size(cand: Box, prop: Box, explains: bool) -> None:
    c = IconCandidate(box=cand, glyph=cand, score=0.3, style="plain", polarity="dark-on-light")
    assert _explains(c, Proposal(box=prop, score=0.9), 2.0) is explains



@pytest.mark.parametrize("logit", [2.0, 4.0, 6.197313, 9.0, 15.0])
def test_decode_keeps_a_peak_however_close_to_one(logit: float) -> None:
    """A peak's probability is compared with its neighbourhood's maximum in one dtype (in float64
    against float32, half the peaks near 1 were lost)."""
    out = np.full((1, 5, 20, 10), -9.0, np.float32)
    out[0, 1:] = 0.0
    out[0, 0, 7, 4] = logit
    out[0, 0, 7, 5] = logit - 1.0  # a weaker neighbour is not a second peak
    props = decode(out, 1.0, (40, 80), load_proposer_spec(), min_score=0.5)
    assert len(props) == 1 and props[0].box.contains_point(4.5 * 4, 7.5 * 4)


def _heat(cells: dict[tuple[int, int], float]) -> ProposerMaps:
    heat = np.zeros((100, 50), np.float64)
    for (x, y), v in cells.items():
        heat[y, x] = v
    return ProposerMaps(heat=heat, scale=0.5, stride=4)  # one cell = 8 original px


def _candidate(box: Box, score: float) -> IconCandidate:
    return IconCandidate(box=box, glyph=box, score=score, style="circle", polarity="light-on-dark")


FUSION = ProposerFusion(confirm_threshold=0.5, alone_threshold=0.8, max_box_ratio=2.0, veto_below=0.2, veto_score=0.49)


def test_a_proposal_between_the_floor_and_the_alone_threshold_is_returned_below_the_icon_threshold(
        fused: ProposedIcons) -> None:
    """From ``alone_floor`` a proposal nothing explains comes back at calibrate(p, alone), under
    0.5: only a corroborating stage (a floating picture's corner) takes it; below the floor it is
    dropped as before."""
    det = ProposedIcons(fused.base)
    det.fusion = dataclasses.replace(FUSION, alone_floor=0.56)
    gray = np.zeros((800, 400), np.float32)
    heat = _heat({(12, 12): 0.9, (40, 80): 0.7, (20, 30): 0.5})
    out = det.fuse([_candidate(Box(96, 96, 112, 112), 0.8)],
                   [Proposal(Box(316, 636, 332, 652), 0.7), Proposal(Box(156, 236, 172, 252), 0.5)], heat, gray, 2.0)
    assert [(tuple(round(v) for v in c.box.to_list()), c.score) for c in out] == [
        ((96, 96, 112, 112), pytest.approx(0.8)), ((316, 636, 332, 652), pytest.approx(0.4375, abs=1e-3))]


@pytest.mark.parametrize(("heat", "proposals", "expected"), [
    # a candidate the heat map sees keeps its score; one it does not see is capped below 0.5
    ({(12, 12): 0.9}, [], [((96, 96, 112, 112), 0.8)]),
    ({}, [], [((96, 96, 112, 112), 0.49)]),
    # a confident proposal on the candidate lifts it to calibrate(p, confirm)
    ({(12, 12): 0.95}, [((97, 97, 111, 111), 0.95)], [((96, 96, 112, 112), 0.95)]),
    # a proposal nothing explains becomes a plain × at or above the alone threshold, not below
    ({(12, 12): 0.9, (40, 80): 0.9}, [((316, 636, 332, 652), 0.9)],
     [((96, 96, 112, 112), 0.8), ((316, 636, 332, 652), 0.75)]),
    ({(12, 12): 0.9, (40, 80): 0.7}, [((316, 636, 332, 652), 0.7)], [((96, 96, 112, 112), 0.8)]),
])
def test_fusion_table(fused: ProposedIcons, heat: dict[tuple[int, int], float],
                      proposals: list[tuple[tuple[int, int, int, int], float]],
                      expected: list[tuple[tuple[int, int, int, int], float]]) -> None:
    det = ProposedIcons(fused.base)
    det.fusion = FUSION
    gray = np.zeros((800, 400), np.float32)
    out = det.fuse([_candidate(Box(96, 96, 112, 112), 0.8)], [Proposal(Box(*b), s) for b, s in proposals],
                   _heat(heat), gray, 2.0)
    assert [(tuple(round(v) for v in c.box.to_list()), c.score) for c in out] == [
        (b, pytest.approx(s, abs=1e-3)) for b, s in expected]
