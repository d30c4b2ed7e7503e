"""The SQLite job store's item states (exactly-once commits, stale claims, recovery), the zip
reader's limits as plain functions, and the settings read from CLOSECHECK_* variables."""

from __future__ import annotations

import io
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest

from service.core.config import Settings
from service.errors import ApiError
from service.ingest import Upload, clean_name, expand, unsafe_member
from service.jobs.export import csv_lines, jsonl_lines
from service.jobs.store import JobOptions, JobStore


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    s = JobStore(tmp_path / "jobs.sqlite3")
    s.initialize()
    return s


def report(verdict: str = "pass") -> dict[str, object]:
    return {"schema": "closecheck.report/1", "verdict": verdict, "findings": [], "elements": [], "image": {}}


def test_database_is_in_wal_mode(store: JobStore) -> None:
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_job_lifecycle(store: JobStore) -> None:
    job_id = store.create_job([("a.png", b"A"), ("b.png", b"B")], JobOptions(density=2.0))
    status = store.job_status(job_id)
    assert status is not None and status.state == "queued" and status.total == 2
    assert status.options == JobOptions(density=2.0)

    first = store.claim_next()
    assert first is not None and first.job_id == job_id and first.attempt == 1
    work = store.load_work(first)
    assert work is not None and work.name == "a.png" and work.data == b"A"
    assert store.job_status(job_id).state == "running"  # type: ignore[union-attr]

    assert store.complete(first, report("fail"))
    second = store.claim_next()
    assert second is not None
    assert store.fail(second, "corrupt", "b.png: bad CRC")
    assert store.claim_next() is None

    status = store.job_status(job_id)
    assert status is not None and status.state == "completed" and status.progress == 1.0
    assert status.counts == {"pending": 0, "running": 0, "done": 1, "error": 1}
    assert status.verdicts == {"fail": 1}
    results = list(store.iter_results(job_id))
    assert [(r.index, r.state, r.error_code) for r in results] == [(0, "done", None), (1, "error", "corrupt")]
    with sqlite3.connect(store.path) as conn:  # inputs go once their item is finished
        assert conn.execute("SELECT COUNT(*) FROM inputs").fetchone()[0] == 0


def test_a_result_is_committed_once(store: JobStore) -> None:
    store.create_job([("a.png", b"A")], JobOptions())
    claim = store.claim_next()
    assert claim is not None
    assert store.complete(claim, report())
    assert not store.complete(claim, report("fail"))
    assert not store.fail(claim, "corrupt", "late")
    job_results = list(store.iter_results(claim.job_id))
    assert len(job_results) == 1 and '"pass"' in (job_results[0].report_json or "")


def test_stale_claim_after_restart_commits_nothing(store: JobStore) -> None:
    """A worker of a killed service finishing late must not write over the new attempt."""
    store.create_job([("a.png", b"A")], JobOptions())
    old = store.claim_next()
    assert old is not None
    assert store.recover(max_attempts=3) == 1  # the restart puts the item back
    new = store.claim_next()
    assert new is not None and new.attempt == 2
    assert store.load_work(old) is None
    assert not store.complete(old, report("fail"))
    assert store.complete(new, report("pass"))
    [only] = list(store.iter_results(new.job_id))
    assert '"pass"' in (only.report_json or "")


def test_recover_fails_items_that_keep_killing_workers(store: JobStore) -> None:
    job_id = store.create_job([("a.png", b"A")], JobOptions())
    for _ in range(2):
        assert store.claim_next() is not None
        store.recover(max_attempts=2)
    status = store.job_status(job_id)
    assert status is not None and status.counts["error"] == 1
    [item] = list(store.iter_results(job_id))
    assert item.error_code == "worker_crashed"


def test_release_retries_then_fails(store: JobStore) -> None:
    job_id = store.create_job([("a.png", b"A")], JobOptions())
    for attempt in (1, 2):
        claim = store.claim_next()
        assert claim is not None and claim.attempt == attempt
        store.release(claim, max_attempts=2)
    status = store.job_status(job_id)
    assert status is not None and status.counts["error"] == 1


def test_deleting_a_running_job(store: JobStore) -> None:
    job_id = store.create_job([("a.png", b"A")], JobOptions())
    claim = store.claim_next()
    assert claim is not None
    assert store.delete_job(job_id)
    assert not store.complete(claim, report())
    assert store.job_status(job_id) is None
    assert not store.delete_job(job_id)


def test_concurrent_claims_never_share_an_item(store: JobStore) -> None:
    store.create_job([(f"{i}.png", bytes([i])) for i in range(60)], JobOptions())
    claimed: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        while (claim := store.claim_next()) is not None:
            with lock:
                claimed.append(claim.item_id)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 60 and len(set(claimed)) == 60


def test_exports(store: JobStore) -> None:
    job_id = store.create_job([("a.png", b"A"), ("@b.png", b"B")], JobOptions())
    a, b = store.claim_next(), store.claim_next()
    assert a is not None and b is not None
    store.complete(a, {**report("fail"), "findings": [{"rule": "CLOSE_MISSING", "severity": "fail"}]})
    store.fail(b, "not_image", "@b.png: not an image")
    lines = list(jsonl_lines(store.iter_results(job_id)))
    assert '"report": {' in lines[0] and lines[1].startswith('{"index": 1')
    rows = list(csv_lines(store.iter_results(job_id)))
    assert rows[1].startswith("0,a.png,done,fail,") and "CLOSE_MISSING" in rows[1]
    assert rows[2].startswith("1,'@b.png,error,")


# ---------------------------------------------------------------------------------------------
# Ingest


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("a.png", False),
        ("dir/a.png", False),
        ("dir/..a.png", False),
        ("../a.png", True),
        ("dir/../../a.png", True),
        ("/abs.png", True),
        ("\\abs.png", True),
        ("C:/x.png", True),
        ("d:x.png", True),
        ("dir\\..\\x.png", True),
    ],
)
def test_unsafe_member(name: str, unsafe: bool) -> None:
    assert unsafe_member(name) is unsafe


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("shot.png", "shot.png"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        ("a\x00b\nc.png", "abc.png"),
        ("", "upload"),
        (None, "upload"),
    ],
)
def test_clean_name(raw: str | None, clean: str) -> None:
    assert clean_name(raw, "upload") == clean


def test_expand_keeps_order_and_skips_archive_metadata() -> None:
    settings = Settings(database_path=Path("unused.sqlite3"))
    uploads = [
        Upload("one.png", b"1"),
        Upload(
            "bundle.zip",
            _zip({"d/": b"", "d/two.png": b"2", "__MACOSX/d/._two.png": b"x", "d/.DS_Store": b"x"}),
        ),
        Upload("three.png", b"3"),
    ]
    out = expand(uploads, settings)
    assert [(u.name, u.data) for u in out] == [("one.png", b"1"), ("d/two.png", b"2"), ("three.png", b"3")]


def test_zip_recognised_by_content_not_name() -> None:
    settings = Settings(database_path=Path("unused.sqlite3"))
    out = expand([Upload("photo.jpg", _zip({"x.png": b"x"}))], settings)
    assert [u.name for u in out] == ["x.png"]


def test_expand_limits() -> None:
    settings = Settings(database_path=Path("unused.sqlite3"), max_files_per_job=2, max_upload_bytes=10)
    with pytest.raises(ApiError) as too_many:
        expand([Upload(f"{i}", b"x") for i in range(3)], settings)
    assert too_many.value.status_code == 413 and too_many.value.code == "too_many_files"
    with pytest.raises(ApiError) as too_big:
        expand([Upload("a", b"x" * 11)], settings)
    assert too_big.value.code == "file_too_large"
    with pytest.raises(ApiError) as empty:
        expand([], settings)
    assert empty.value.status_code == 400


# ---------------------------------------------------------------------------------------------
# Settings


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLOSECHECK_WORKERS", "3")
    monkeypatch.setenv("CLOSECHECK_API_KEY", "hunter2-secret")
    monkeypatch.setenv("CLOSECHECK_DATABASE_PATH", str(tmp_path / "x.db"))
    monkeypatch.setenv("CLOSECHECK_MAX_ZIP_MEMBERS", "7")
    settings = Settings()
    assert settings.workers == 3 and settings.max_zip_members == 7
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "hunter2-secret"
    assert "hunter2" not in repr(settings)  # the key never shows in logs
    assert settings.database_path == tmp_path / "x.db"


def test_settings_reject_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("CLOSECHECK_WORKERS", "0")
    with pytest.raises(ValidationError):
        Settings()
