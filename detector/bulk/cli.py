"""The ``batch``, ``export`` and ``report`` subcommands (plugged into ``closecheck`` by :func:`register`).

Exit codes of ``closecheck batch``: 0 when every image of this run's inputs passes or is
not applicable, 1 when any fails, 2 on bad usage (a missing input path, an unwritable or
mismatched results file, ``--dask`` without Dask). Images that need review, and inputs that
could not be scored (error rows), do not change the exit code unless ``--strict`` is given;
they are always counted in the summary line and the results file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from detector.bulk.store import STATUSES, Store, StoreError

log = logging.getLogger("closecheck.bulk")


def register(subparsers: Any) -> None:
    """Add ``batch``, ``export`` and ``report`` to an argparse subparsers object."""
    _add_batch(subparsers)
    _add_export(subparsers)
    _add_report(subparsers)


def _add_batch(subparsers: Any) -> None:
    from detector.bulk.progress import LOG_EVERY_S
    from detector.bulk.runner import default_workers

    p = subparsers.add_parser(
        "batch",
        help="score many screenshots into a resumable results database",
        description="Score folders (recursive), zip files and list files of screenshots. Results go to a "
        "SQLite file, one committed row per image, keyed by content sha256: run the same command again "
        "to resume. Exit 0: all pass or not applicable; 1: any fail; 2: bad usage.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="folder, .zip, list file (.txt/.lst) or image")
    p.add_argument(
        "--out", "-o", required=True, type=Path, metavar="RESULTS", help="results database (SQLite)"
    )
    p.add_argument(
        "--workers", "-j", type=int, default=default_workers(), help="worker processes (default: CPUs)"
    )
    p.add_argument("--report", type=Path, metavar="HTML", help="also write the HTML report here")
    p.add_argument(
        "--dask", metavar="ADDRESS", help="score on Dask: 'local' or a scheduler, e.g. tcp://host:8786"
    )
    p.add_argument(
        "--shared-storage",
        action="store_true",
        help="send workers paths instead of image bytes (every worker must see the inputs at the same path)",
    )
    p.add_argument("--ocr", help="OCR engine (default: the library's)")
    p.add_argument("--profile", help="rule profile name or YAML path (default: the library's)")
    p.add_argument("--retry-errors", action="store_true", help="score again the inputs recorded as errors")
    p.add_argument("--strict", action="store_true", help="exit 1 also when any image needs review or errored")
    p.add_argument("--log-every", type=float, default=LOG_EVERY_S, metavar="S", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_batch)


def _add_export(subparsers: Any) -> None:
    from detector.bulk.export import FORMATS

    p = subparsers.add_parser("export", help="export a results database as JSON Lines or CSV")
    p.add_argument("results", type=Path, metavar="RESULTS")
    p.add_argument("-o", "--output", required=True, help="output file (.jsonl or .csv), or - for stdout")
    p.add_argument("--format", choices=FORMATS, help="default: from the output file's suffix")
    p.set_defaults(func=cmd_export)


def _add_report(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="write the self-contained HTML report of a results database")
    p.add_argument("results", type=Path, metavar="RESULTS")
    p.add_argument("-o", "--output", required=True, type=Path, help="HTML file to write")
    p.set_defaults(func=cmd_report)


def _usage_error(message: str) -> int:
    sys.stderr.write(f"closecheck: error: {message}\n")
    return 2


def ensure_logging() -> None:
    """Send the batch's log lines to stderr when the application has not configured logging."""
    if logging.getLogger().handlers or log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def cmd_batch(args: argparse.Namespace) -> int:
    from detector.bulk.runner import BatchOptions, BatchUsageError, exit_code, run_batch

    ensure_logging()
    if args.workers < 1:
        return _usage_error("--workers must be at least 1")
    if args.out.suffix.lower() in {".jsonl", ".csv", ".json"}:
        return _usage_error(f"--out is a SQLite database; write {args.out.suffix} with 'closecheck export'")
    options = BatchOptions(
        inputs=tuple(args.inputs),
        out=args.out,
        workers=args.workers,
        ocr=args.ocr,
        profile=args.profile,
        dask=args.dask,
        shared_storage=args.shared_storage,
        retry_errors=args.retry_errors,
        log_every_s=args.log_every,
    )
    try:
        summary = run_batch(options)
        if args.report is not None:
            _write_report(args.out, args.report)
    except (BatchUsageError, StoreError) as exc:
        return _usage_error(str(exc))
    counts = ", ".join(f"{s} {summary.counts.get(s, 0)}" for s in STATUSES)
    plan = summary.plan
    sys.stdout.write(
        f"{plan.n_items} inputs: scored {summary.scored} now, {plan.n_already} already scored, "
        f"{plan.n_duplicates} duplicate copies; {counts}\n"
    )
    return exit_code(summary.counts, strict=args.strict)


def cmd_export(args: argparse.Namespace) -> int:
    from detector.bulk.export import export, guess_format

    fmt = args.format or guess_format(args.output)
    if fmt is None:
        return _usage_error("cannot tell the format from the output name; give --format jsonl or csv")
    try:
        with Store.open(args.results, create=False) as store:
            if args.output == "-":
                export(store, sys.stdout, fmt)
                return 0
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                n = export(store, out, fmt)
    except StoreError as exc:
        return _usage_error(str(exc))
    except OSError as exc:
        return _usage_error(f"cannot write {args.output}: {exc.strerror}")
    sys.stdout.write(f"wrote {n} results to {args.output}\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    try:
        _write_report(args.results, args.output)
    except StoreError as exc:
        return _usage_error(str(exc))
    sys.stdout.write(f"wrote {args.output}\n")
    return 0


def _write_report(results: Path, output: Path) -> None:
    from detector.bulk.report_html import write_report

    with Store.open(results, create=False) as store:
        try:
            write_report(store, output)
        except OSError as exc:
            raise StoreError(f"cannot write {output}: {exc.strerror}") from exc


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone parser with the three subcommands (``python -m detector.bulk``)."""
    parser = argparse.ArgumentParser(prog="python -m detector.bulk")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code
