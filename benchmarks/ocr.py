"""OCR benchmark on ../shared/realdev: recall of the labelled dismiss/cue strings, and time.

For every image in labels.jsonl, the strings that matter are the label's ``texts`` plus each
close control's ``text``. A string counts as found when, after normalising case, whitespace and
punctuation, it is a substring of the image's concatenated OCR text, or some window of that text
matches it with difflib ratio >= 0.8. Prints a markdown table per engine (and per setting override).

    .venv/bin/python benchmarks/ocr.py                       # both engines, all images
    .venv/bin/python benchmarks/ocr.py --engines ppocr --limit 20
    .venv/bin/python benchmarks/ocr.py --engines ppocr --set max_side=1280 --set max_side=640
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detector.ocr import ENGINES, OcrSettings, make_reader  # noqa: E402

REALDEV = ROOT.parent / "shared" / "realdev"
FUZZY_RATIO = 0.8  # the threshold for a near-miss read ("跳过5" vs "跳过 S")


def normalise(text: str) -> str:
    """Lower-case, NFKC (full-width to ASCII), and drop whitespace, punctuation and symbols."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def found(target: str, haystack: str) -> bool:
    """Is the normalised ``target`` in the normalised ``haystack``, exactly or fuzzily?"""
    if not target:
        return True
    if target in haystack:
        return True
    n = len(target)
    for size in {max(1, n - 1), n, n + 1}:
        for start in range(max(1, len(haystack) - size + 1)):
            window = haystack[start : start + size]
            if difflib.SequenceMatcher(None, target, window).ratio() >= FUZZY_RATIO:
                return True
    return False


def targets(row: dict[str, Any]) -> list[str]:
    """The label's strings worth reading, normalised and de-duplicated (empty ones dropped)."""
    raw = list(row.get("texts") or []) + [c.get("text") for c in row.get("close_controls") or []]
    out: list[str] = []
    for text in raw:
        norm = normalise(text) if text else ""
        if norm and norm not in out:
            out.append(norm)
    return out


def parse_override(spec: str) -> dict[str, Any]:
    """``key=value[,key=value]`` into typed OcrSettings overrides."""
    types = {f.name: f.type for f in dataclasses.fields(OcrSettings)}
    out: dict[str, Any] = {}
    for part in filter(None, spec.split(",")):
        key, _, value = part.partition("=")
        kind = str(types.get(key, "str"))
        if value.lower() == "none":
            out[key] = None
        elif kind.startswith("int"):
            out[key] = int(value)
        elif kind.startswith("float"):
            out[key] = float(value)
        elif kind.startswith("bool"):
            out[key] = value.lower() in {"1", "true", "yes"}
        else:
            out[key] = value
    return out


@dataclasses.dataclass
class Variant:
    """One engine with one set of setting overrides, and what it scored."""

    engine: str
    options: dict[str, Any]
    times: list[float] = dataclasses.field(default_factory=list)
    cpu: list[float] = dataclasses.field(default_factory=list)
    hit: int = 0
    total: int = 0
    cn_hit: int = 0
    cn_total: int = 0

    @property
    def label(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.options.items()) or "defaults"


def score(variant: Variant, row: dict[str, Any], text: str, verbose: bool) -> None:
    haystack = normalise(text)
    for target in targets(row):
        ok = found(target, haystack)
        variant.total += 1
        variant.hit += ok
        if any("\u4e00" <= ch <= "\u9fff" for ch in target):
            variant.cn_total += 1
            variant.cn_hit += ok
        if verbose and not ok:
            print(
                f"  miss {variant.engine} [{variant.label}]: {target!r} in {row['image']} -> {haystack[:100]!r}"
            )


def run(variants: list[Variant], rows: list[dict[str, Any]], repeat: int, verbose: bool) -> None:
    """Read every image with every variant in turn (interleaved, so load spikes on a shared
    machine hit all variants alike); an image's time is the best of ``repeat`` runs."""
    readers = [make_reader(v.engine, **v.options) for v in variants]
    first = np.asarray(Image.open(REALDEV / rows[0]["image"]).convert("RGB"))
    for reader in readers:
        reader.read(first)  # warm-up: first-call allocations are not per-screenshot cost
    for row in rows:
        rgb = np.asarray(Image.open(REALDEV / row["image"]).convert("RGB"))
        for variant, reader in zip(variants, readers, strict=True):
            omp_for(variant)
            best = best_cpu = float("inf")
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), cpu_seconds()
                spans = reader.read(rgb)
                best = min(best, (time.perf_counter() - t0) * 1000.0)
                best_cpu = min(best_cpu, (cpu_seconds() - c0) * 1000.0)
            variant.times.append(best)
            variant.cpu.append(best_cpu)
            score(variant, row, "".join(s.text for s in spans), verbose)


def omp_for(variant: Variant) -> None:
    """Give each tesseract variant its own OMP_THREAD_LIMIT (the reader only sets it once per
    process, and only when unset), so ``--set tesseract_omp_threads=None`` measures OpenMP's default."""
    if variant.engine != "tesseract":
        return
    threads = variant.options.get("tesseract_omp_threads", OcrSettings().tesseract_omp_threads)
    if threads is None:
        os.environ.pop("OMP_THREAD_LIMIT", None)
    else:
        os.environ["OMP_THREAD_LIMIT"] = str(threads)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract runs as a subprocess).

    On a shared machine wall time measures the neighbours too; CPU time measures our work.
    """
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: ppocr,tesseract")
    parser.add_argument("--limit", type=int, default=0, help="only the first N images (0: all)")
    parser.add_argument("--only-text", action="store_true", help="skip images with no labelled strings")
    parser.add_argument(
        "--set", action="append", default=[], metavar="K=V[,K=V]", help="OcrSettings override (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per image; its time is the best run")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every missed string")
    args = parser.parse_args()
    labels = REALDEV / "labels.jsonl"
    if not labels.exists():
        print(f"no realdev set at {labels}", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.only_text:
        rows = [r for r in rows if targets(r)]
    if args.limit:
        rows = rows[: args.limit]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    variants = [Variant(e, parse_override(spec)) for e in engines for spec in args.set or [""]]
    run(variants, rows, max(1, args.repeat), args.verbose)
    print(
        f"\n{len(rows)} screenshots, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, time = best of {args.repeat} per image; "
        "CPU = process CPU time (all threads, tesseract subprocesses included)\n"
    )
    print("| engine | options | strings found | recall | 中文 found | p50 ms | p95 ms | CPU p50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for v in variants:
        recall = v.hit / v.total if v.total else float("nan")
        print(
            f"| {v.engine} | {v.label} | {v.hit}/{v.total} | {recall:.1%} | {v.cn_hit}/{v.cn_total} "
            f"| {statistics.median(v.times):.0f} | {percentile(v.times, 0.95):.0f} | {statistics.median(v.cpu):.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
