"""``closecheck batch`` end to end: real images, real OCR, run as ``python -m detector.bulk``."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_bulk_support import jpeg_bytes, make_images, run_cli, splash_with_skip

from detector.bulk.store import Store


@dataclass(frozen=True)
class Batch:
    root: Path
    results: Path
    report: Path
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    unique_shas: int


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """One batch over a folder, a zip and a list file, with a renamed copy and bad inputs, run twice."""
    root = tmp_path_factory.mktemp("batch")
    shots = make_images(root / "folder", 4)  # 2 splash kinds + plain screen
    (root / "folder" / "renamed_copy.png").write_bytes(shots[0].read_bytes())
    (root / "folder" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    extra = make_images(root / "extra", 6)[4:]
    with zipfile.ZipFile(root / "more.zip", "w") as zf:
        zf.write(extra[0], "zipped/new.png")
        zf.write(shots[1], "zipped/same_as_folder.png")
        zf.writestr("../escape.png", jpeg_bytes(splash_with_skip(9)))
    (root / "list.txt").write_text(f"{extra[1]}\nextra/does_not_exist.png\n")
    results, report = root / "results.sqlite", root / "report.html"
    args = (root / "folder", root / "more.zip", root / "list.txt", "--out", results, "--workers", "2")
    first = run_cli("batch", *args, "--report", report)
    second = run_cli("batch", *args)
    # distinct contents: 4 shots + broken + 2 extra; plus 2 unreadable inputs (../ member, missing)
    return Batch(root, results, report, first, second, unique_shas=7)


def _rows(results: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(results)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute("SELECT * FROM results ORDER BY source"))
    finally:
        conn.close()


def test_batch_scores_each_content_once_and_exits_1_on_fail(batch: Batch) -> None:
    assert batch.first.returncode == 1, batch.first.stderr
    rows = _rows(batch.results)
    assert len(rows) == batch.unique_shas + 2
    assert all(r["n_scored"] == 1 for r in rows)
    assert {r["status"] for r in rows} >= {"pass", "fail", "not_applicable", "error"}
    summary = batch.first.stdout
    assert "11 inputs: scored 9 now, 0 already scored, 2 duplicate copies" in summary


def test_rerun_scores_nothing(batch: Batch) -> None:
    assert batch.second.returncode == 1
    assert "scored 0 now, 9 already scored, 2 duplicate copies" in batch.second.stdout
    assert all(r["n_scored"] == 1 for r in _rows(batch.results))


def test_bad_inputs_are_error_rows(batch: Batch) -> None:
    errors = {Path(r["source"]).name: r["error"] for r in _rows(batch.results) if r["status"] == "error"}
    assert set(errors) == {"broken.png", "escape.png", "does_not_exist.png"}
    assert "unsafe zip member" in errors["escape.png"]
    assert errors["does_not_exist.png"] == "listed file not found"
    assert errors["broken.png"] and "\n" not in errors["broken.png"]
    assert not (batch.root.parent / "escape.png").exists()


def test_renamed_copy_maps_to_the_same_row(batch: Batch) -> None:
    shot0 = (batch.root / "folder" / "shot_00.png").read_bytes()
    with Store.open(batch.results, create=False) as store:
        sources = store.sources_of(hashlib.sha256(shot0).hexdigest())
    assert [Path(s).name for s in sources] == ["renamed_copy.png", "shot_00.png"]


def test_fail_rows_carry_an_annotated_thumbnail(batch: Batch) -> None:
    fails = [r for r in _rows(batch.results) if r["status"] == "fail"]
    assert fails and all(r["thumb"][:3] == b"\xff\xd8\xff" for r in fails)
    assert all("CLOSE_MISSING" in json.loads(r["rules_failed"]) for r in fails)


def test_export_jsonl_and_csv(batch: Batch) -> None:
    out_jsonl, out_csv = batch.root / "out.jsonl", batch.root / "out.csv"
    assert run_cli("export", batch.results, "-o", out_jsonl).returncode == 0
    assert run_cli("export", batch.results, "-o", out_csv).returncode == 0
    lines = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    assert len(lines) == batch.unique_shas + 2
    scored = [d for d in lines if d["status"] != "error"]
    assert all(d["report"]["schema"] == "closecheck.report/1" for d in scored)
    with out_csv.open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(lines) and {r["status"] for r in table} == {d["status"] for d in lines}
    assert any(r["also_seen_as"] for r in table)


def test_report_is_self_contained_and_has_totals(batch: Batch) -> None:
    page = batch.report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<script src" not in page and "<link" not in page
    counts: dict[str, int] = {}
    for row in _rows(batch.results):
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    for status, n in counts.items():
        assert f'data-total="{status}"><div class="n">{n}</div>' in page
    assert page.count("data:image/png;base64,") == 2
    assert "data:image/jpeg;base64," in page
    again = batch.root / "again.html"
    assert run_cli("report", batch.results, "-o", again).returncode == 0
    assert again.stat().st_size > 10_000


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = run_cli("batch", tmp_path / "nope", "--out", tmp_path / "r.sqlite")
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
    assert "input not found" in missing.stderr
    make_images(tmp_path / "in", 1)
    unwritable = run_cli("batch", tmp_path / "in", "--out", tmp_path / "no" / "dir" / "r.sqlite")
    assert unwritable.returncode == 2 and "cannot write results" in unwritable.stderr
    assert unwritable.stderr.strip().count("\n") == 0
