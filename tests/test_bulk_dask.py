"""Scale-out on Dask: same results as the local pool, and a clear message without Dask."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from test_bulk_support import REPO, cli_env, make_images, run_cli

from detector.bulk.store import ResultRecord, Store

HAS_DASK = importlib.util.find_spec("distributed") is not None


def _records(results: Path) -> dict[str, dict[str, object]]:
    with Store.open(results, create=False) as store:
        records: list[ResultRecord] = list(store.iter_records())
    return {r.key: r.without_volatile() for r in records}


@pytest.mark.skipif(not HAS_DASK, reason="the cluster extra (dask[distributed]) is not installed")
@pytest.mark.parametrize("shared_storage", [False, True], ids=["bytes", "shared-storage"])
def test_dask_local_gives_the_same_results_as_the_pool(tmp_path: Path, shared_storage: bool) -> None:
    make_images(tmp_path / "in", 6)
    (tmp_path / "in" / "bad.png").write_bytes(b"GIF89a truncated")
    pool = run_cli("batch", tmp_path / "in", "--out", tmp_path / "pool.sqlite", "--workers", "2")
    extra = ["--shared-storage"] if shared_storage else []
    dask = run_cli(
        "batch",
        tmp_path / "in",
        "--out",
        tmp_path / "dask.sqlite",
        "--workers",
        "2",
        "--dask",
        "local",
        *extra,
    )
    assert pool.returncode == dask.returncode == 1, dask.stderr
    assert pool.stdout == dask.stdout
    want, got = _records(tmp_path / "pool.sqlite"), _records(tmp_path / "dask.sqlite")
    assert len(want) == 7 and got == want


def test_without_dask_the_message_says_how_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "distributed.py").write_text("raise ImportError('blocked for this test')\n")
    make_images(tmp_path / "in", 1)
    env = cli_env()
    env["PYTHONPATH"] = f"{blocker}:{env['PYTHONPATH']}"
    args = ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "r.sqlite"), "--dask", "local"]
    proc = subprocess.run(
        [sys.executable, "-m", "detector.bulk", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "pip install 'closecheck[cluster]'" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
