"""A hard crash in the middle of a job: the real service (uvicorn in a subprocess, a temporary
database) is killed with SIGKILL while its workers are busy, then started again. The job must
finish with every screenshot's result exactly once, and results committed before the crash must
survive unchanged (not be computed a second time)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
REALDEV = ROOT.parent / "shared" / "realdev" / "images"
N_IMAGES = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(self, db: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CLOSECHECK_DATABASE_PATH": str(db), "CLOSECHECK_WORKERS": "2"}
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the service exited with {self.proc.returncode}; see {log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the service did not start in 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@pytest.fixture
def images() -> list[Path]:
    paths = sorted(REALDEV.glob("*.jpg"))[:N_IMAGES] if REALDEV.is_dir() else []
    if len(paths) < N_IMAGES:
        pytest.skip(f"needs {N_IMAGES} realdev screenshots in {REALDEV}")
    return paths


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def results(url: str, job_id: str) -> list[dict[str, Any]]:
    text = httpx.get(f"{url}/v1/jobs/{job_id}/results", timeout=30).text
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.slow
def test_kill_9_mid_job_then_restart_loses_nothing_and_repeats_nothing(
    tmp_path: Path, images: list[Path], servers: list[Server]
) -> None:
    db, log = tmp_path / "jobs.sqlite3", tmp_path / "service.log"
    first = Server(db, log)
    servers.append(first)

    files = [("files", (p.name, p.read_bytes(), "image/jpeg")) for p in images]
    response = httpx.post(f"{first.url}/v1/jobs", files=files, timeout=60)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]

    # Wait until some results are committed and others are still to do, then crash hard.
    deadline = time.monotonic() + 240
    while True:
        job = httpx.get(f"{first.url}/v1/jobs/{job_id}", timeout=10).json()
        if job["counts"]["done"] >= 2:
            break
        assert time.monotonic() < deadline, f"no progress: {job}"
        time.sleep(0.1)
    before = {r["index"]: r for r in results(first.url, job_id)}
    workers = psutil.Process(first.proc.pid).children(recursive=True)
    os.kill(first.proc.pid, signal.SIGKILL)
    first.proc.wait(10)
    assert len(before) < N_IMAGES, "the job finished before the crash; use more images"

    # The orphaned worker processes notice and exit on their own.
    _gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"workers still running after the service was killed: {alive}"

    second = Server(db, log)
    servers.append(second)
    deadline = time.monotonic() + 300
    while (job := httpx.get(f"{second.url}/v1/jobs/{job_id}", timeout=10).json())["state"] != "completed":
        assert time.monotonic() < deadline, f"the job did not finish after the restart: {job}"
        time.sleep(0.3)

    after = results(second.url, job_id)
    assert sorted(r["index"] for r in after) == list(range(N_IMAGES))  # every one, exactly once
    assert [r["name"] for r in after] == [p.name for p in images]
    assert all(r["status"] == "done" for r in after), [r for r in after if r["status"] != "done"]
    assert job["counts"] == {"pending": 0, "running": 0, "done": N_IMAGES, "error": 0}
    for index, committed in before.items():  # the same report, timings included: not recomputed
        assert after[index] == committed
