"""The CLI as a user runs it: a real subprocess, real images, real OCR."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from datasets.synth import generate_set
from detector.types import RuleId

CLI = [sys.executable, "-m", "detector.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def synth_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_set(tmp_path_factory.mktemp("synth"), n=4, seed=11)


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.png"
    text.write_text("this is not an image\n", encoding="utf-8")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    png = tmp_path / "ok.png"
    Image.new("RGB", (200, 300), (200, 30, 30)).save(png)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(png.read_bytes()[: len(png.read_bytes()) // 2])
    return {"text": text, "empty": empty, "truncated": truncated, "missing": tmp_path / "nope.png"}


@pytest.mark.parametrize("which", ["text", "empty", "truncated", "missing"])
def test_bad_input_exits_2_with_one_line(bad_files: dict[str, Path], which: str) -> None:
    result = run("check", str(bad_files[which]))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("closecheck: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check"],  # no image
        ["check", "x.png", "--density", "0"],
        ["check", "x.png", "--density", "2", "--width-dp", "360"],  # mutually exclusive
        ["check", "x.png", "--ocr", "easyocr"],
        ["bogus"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_unknown_profile_exits_2(synth_set: Path) -> None:
    image = next((synth_set.parent / "images").iterdir())
    result = run("check", str(image), "--profile", "no-such-profile")
    assert result.returncode == 2
    assert "unknown profile" in result.stderr and "Traceback" not in result.stderr


def test_check_json_and_annotate(synth_set: Path, tmp_path: Path) -> None:
    images = sorted((synth_set.parent / "images").iterdir())[:2]
    result = run("check", *map(str, images), "--json", "--annotate", str(tmp_path / "ann"))
    assert result.returncode in (0, 1), result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["image"]["name"] for r in reports] == [p.name for p in images]
    for r in reports:
        assert r["schema"] == "closecheck.report/1"
        assert r["verdict"] in {"pass", "fail", "review", "not_applicable"}
        assert set(r) >= {"screen", "elements", "measurements", "findings", "texts", "timings_ms", "versions"}
    pictures = sorted((tmp_path / "ann").glob("*.png"))
    assert len(pictures) == 2
    with Image.open(pictures[0]) as im, Image.open(images[0]) as src:  # the screenshot plus a legend band
        assert im.width == src.width and im.height > src.height
    failed = any(r["verdict"] == "fail" for r in reports)
    assert result.returncode == (1 if failed else 0)


def test_check_summary_line(synth_set: Path) -> None:
    image = sorted((synth_set.parent / "images").iterdir())[0]
    result = run("check", str(image))
    assert result.returncode in (0, 1)
    assert result.stdout.startswith(image.name + ": ")


def test_rules_table_lists_every_rule_with_source() -> None:
    result = run("rules")
    assert result.returncode == 0
    for rule in RuleId:
        assert rule.value in result.stdout
    assert "292号" in result.stdout and "WCAG" in result.stdout and "12 dp" in result.stdout
    table = json.loads(run("rules", "--json").stdout)
    assert {r["id"] for r in table} == {r.value for r in RuleId}
    assert all(r["clause"] for r in table)


def test_eval_writes_the_contract_keys(synth_set: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    result = run("eval", str(synth_set), "--json", str(out), "--verbose")
    assert result.returncode == 0, result.stderr
    assert "close controls" in result.stdout and "screen type accuracy" in result.stdout
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert set(metrics) == {"images", "close_controls", "by_kind", "screen", "cues", "latency_ms", "peak_rss_mb"}
    assert metrics["images"] == 4
    assert set(metrics["close_controls"]) == {"tp", "fp", "fn", "precision", "recall", "f1"}
    assert set(metrics["by_kind"]) == {"icon", "text", "countdown"}
    assert all(set(v) == {"tp", "fn", "recall"} for v in metrics["by_kind"].values())
    assert set(metrics["screen"]) == {"accuracy", "confusion"}
    assert set(metrics["cues"]) == {"jump_hint", "shake", "countdown", "ad_label"}
    assert all(set(v) == {"precision", "recall", "f1"} for v in metrics["cues"].values())
    assert set(metrics["latency_ms"]) == {"p50", "p95", "max"}


def test_eval_bad_labels_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "labels.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = run("eval", str(bad))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
