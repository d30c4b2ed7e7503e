"""Load test of the closecheck service on loopback (bounded: N clients for T seconds).

    .venv/bin/python benchmarks/load.py                       # starts its own service, 8 clients, 60 s
    .venv/bin/python benchmarks/load.py --clients 4 --duration 30 --workers 2
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --pid 12345

Prints requests/s, p50/p95 latency, errors, the service's peak RSS (the server process and all
its children, i.e. the analysis workers), and the service's overhead over a direct library call
(median over the same screenshots, one request at a time, so queueing is not counted).
Only loopback URLs are accepted: this script never sends load anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_IMAGES = ROOT.parent / "shared" / "realdev" / "images"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    sys.exit(f"load.py only targets loopback (127.0.0.1, ::1, localhost), not {host!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_service(workers: int, ocr_threads: int, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CLOSECHECK_DATABASE_PATH": str(db),
        "CLOSECHECK_WORKERS": str(workers),
        "CLOSECHECK_OCR_THREADS": str(ocr_threads),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the service exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the service did not start in 90 s")


def server_pid(url: str) -> int | None:
    port = urlsplit(url).port
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return int(conn.pid)
    except psutil.AccessDenied:
        return None
    return None


class RssSampler(threading.Thread):
    """Peak resident memory of a process and all its children, sampled every 0.25 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self._stop_event = threading.Event()

    def sample(self) -> int:
        total = 0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.peak = max(self.peak, self.sample())
            except psutil.Error:
                return
            self._stop_event.wait(0.25)

    def stop(self) -> int:
        self._stop_event.set()
        self.join(2)
        return self.peak


async def client_loop(
    client: httpx.AsyncClient, images: list[tuple[str, bytes]], start: int, deadline: float, tally: Tally
) -> None:
    i = start
    while time.monotonic() < deadline:
        name, data = images[i % len(images)]
        i += 1
        t0 = time.perf_counter()
        try:
            response = await client.post(
                "/v1/check", files={"file": (name, data, "application/octet-stream")}
            )
        except httpx.HTTPError as exc:
            tally.error(type(exc).__name__)
            continue
        if response.status_code == 200:
            tally.latencies.append(time.perf_counter() - t0)
        else:
            tally.error(f"HTTP {response.status_code}")


async def load_phase(
    url: str, images: list[tuple[str, bytes]], clients: int, duration: float, headers: dict[str, str]
) -> tuple[Tally, float]:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits, headers=headers) as client:
        started = time.monotonic()
        deadline = started + duration
        await asyncio.gather(*(client_loop(client, images, k, deadline, tally) for k in range(clients)))
        elapsed = time.monotonic() - started
    return tally, elapsed


def overhead_phase(
    url: str, images: list[tuple[str, bytes]], headers: dict[str, str], *, ocr_threads: int, rounds: int = 2
) -> tuple[list[float], list[float]]:
    """Per screenshot, interleaved so machine load drifts alike for both: the service's latency
    (one request at a time, nothing queued) and a direct in-process library call."""
    from detector import Analyzer, report_to_dict
    from detector.ocr import make_reader

    analyzer = Analyzer()
    analyzer.reader = make_reader(analyzer.ocr_name, intra_op_threads=ocr_threads)  # as the workers do
    analyzer.analyze(images[0][1], name=images[0][0])  # warm-up, like a worker's first call
    service_s: list[float] = []
    direct_s: list[float] = []
    with httpx.Client(base_url=url, timeout=300, headers=headers) as client:
        for _ in range(rounds):
            for name, data in images:
                t0 = time.perf_counter()
                response = client.post("/v1/check", files={"file": (name, data, "application/octet-stream")})
                service_s.append(time.perf_counter() - t0)
                response.raise_for_status()
                t0 = time.perf_counter()
                report_to_dict(analyzer.analyze(data, name=name))
                direct_s.append(time.perf_counter() - t0)
    return service_s, direct_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running service on loopback (default: start one)")
    parser.add_argument("--pid", type=int, help="its server pid, for RSS (default: found by port)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the service this script starts")
    parser.add_argument(
        "--ocr-threads",
        type=int,
        default=1,
        help="the service's CLOSECHECK_OCR_THREADS (for the direct call)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES, help="folder of screenshots")
    parser.add_argument("--limit", type=int, default=20, help="screenshots to cycle through")
    parser.add_argument("--overhead-samples", type=int, default=8, help="screenshots for the overhead median")
    parser.add_argument("--api-key", default=os.environ.get("CLOSECHECK_API_KEY"))
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 0 < args.duration <= 3600:
        parser.error("--clients must be 1..64 and --duration 0..3600 s")

    paths = sorted(p for p in args.images.glob("*") if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".webp"})
    images = [(p.name, p.read_bytes()) for p in paths[: args.limit]]
    if not images:
        sys.exit(f"no screenshots in {args.images}")
    headers = {"X-API-Key": args.api_key} if args.api_key else {}

    own: subprocess.Popen[bytes] | None = None
    tmp = tempfile.TemporaryDirectory()
    if args.url:
        url = args.url.rstrip("/")
        require_loopback(url)
        pid = args.pid or server_pid(url)
    else:
        own, url = start_service(args.workers, args.ocr_threads, Path(tmp.name) / "jobs.sqlite3")
        pid = own.pid
    sampler = RssSampler(pid) if pid else None
    try:
        if sampler:
            sampler.start()
        # Warm the workers (model loading is not what is measured).
        with httpx.Client(base_url=url, timeout=300, headers=headers) as client:
            for name, data in images[: max(args.workers, 2)]:
                client.post("/v1/check", files={"file": (name, data, "application/octet-stream")})
        print(f"load: {args.clients} clients x {args.duration:g} s against {url}, {len(images)} screenshots")
        tally, elapsed = asyncio.run(load_phase(url, images, args.clients, args.duration, headers))
        peak = sampler.stop() if sampler else 0
        print("overhead: one request at a time vs a direct library call ...")
        service_s, direct_s = overhead_phase(
            url, images[: args.overhead_samples], headers, ocr_threads=args.ocr_threads
        )
    finally:
        if own is not None:
            own.terminate()
            own.wait(30)
        tmp.cleanup()

    n_ok = len(tally.latencies)
    diffs = [s - d for s, d in zip(service_s, direct_s, strict=True)]
    numbers = {
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "requests_ok": n_ok,
        "requests_per_s": round(n_ok / elapsed, 3),
        "latency_p50_s": round(percentile(tally.latencies, 0.5), 3),
        "latency_p95_s": round(percentile(tally.latencies, 0.95), 3),
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "peak_rss_mib": round(peak / 2**20, 1) if peak else None,
        "sequential_service_median_s": round(statistics.median(service_s), 3),
        "direct_library_median_s": round(statistics.median(direct_s), 3),
        "service_overhead_median_ms": round(statistics.median(diffs) * 1000, 1),
        "cpus": os.cpu_count(),
    }
    print(f"requests/s            {numbers['requests_per_s']}  ({n_ok} ok in {elapsed:.1f} s)")
    print(f"latency p50 / p95     {numbers['latency_p50_s']} s / {numbers['latency_p95_s']} s")
    print(f"errors                {numbers['errors']} {tally.errors or ''}")
    print(f"peak RSS (server+workers) {numbers['peak_rss_mib']} MiB")
    print(
        f"overhead (median)     {numbers['service_overhead_median_ms']} ms "
        f"(service {numbers['sequential_service_median_s']} s vs library {numbers['direct_library_median_s']} s)"
    )
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 1 if numbers["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
