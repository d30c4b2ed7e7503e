"""The ``closecheck`` command: a thin layer over the library.

Exit codes: 0 every image passes (or the rules do not apply / ask for review), 1 any image fails,
2 bad input or usage (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .imageio import ImageInputError
from .pipeline import ICON_DETECTOR_CHOICES
from .profile import DEFAULT_PROFILE, ProfileError, available_profiles, get_profile

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: reported in one line with exit code 2."""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--density", type=_positive_float, help="px per dp (e.g. 3 for an @3x mockup)")
    scale.add_argument("--width-dp", type=_positive_float, help="the device's logical width in dp")
    p.add_argument("--ocr", choices=("ppocr", "tesseract"), default="ppocr", help="OCR engine (default ppocr)")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help=f"rule profile name or YAML path (default {DEFAULT_PROFILE})")


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_check(args: argparse.Namespace) -> int:
    from .annotate import annotate
    from .pipeline import Analyzer
    from .report import report_to_dict, summary_line
    from .types import Verdict

    out_dir: Path | None = args.annotate
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    analyzer = Analyzer(ocr=args.ocr, profile=args.profile)
    code = EXIT_OK
    bad_input = False
    for path in args.images:
        try:
            report = analyzer.analyze(Path(path), name=Path(path).name, density=args.density, width_dp=args.width_dp)
        except ImageInputError as exc:
            sys.stderr.write(f"closecheck: {exc}\n")
            bad_input = True
            continue
        if args.json:
            data = report_to_dict(report)
            _write(json.dumps(data, ensure_ascii=False, indent=2 if len(args.images) == 1 else None))
        else:
            _write(summary_line(report))
        if out_dir is not None:
            from PIL import Image

            from .imageio import load_image

            picture = annotate(load_image(Path(path)).rgb, report)
            Image.fromarray(picture).save(out_dir / (Path(path).stem + ".annotated.png"))
        if report.verdict == Verdict.FAIL:
            code = EXIT_FAIL
    return EXIT_USAGE if bad_input else code


def cmd_rules(args: argparse.Namespace) -> int:
    profile = get_profile(args.profile)
    if args.json:
        _write(json.dumps(profile.rules_table(), ensure_ascii=False, indent=2))
        return EXIT_OK
    _write(f"profile {profile.name}: {profile.title}\n")
    for rule in profile.rules_table():
        limits = "; ".join(f"{t['name']} {t['value']:g} {t['unit']}" for t in rule["thresholds"]) or "—"
        _write(f"{rule['id']}  [{rule['severity']}]  {rule['checks']}")
        _write(f"    threshold: {limits}")
        for t in rule["thresholds"]:
            _write(f"      {t['name']}: {t['why']}")
        _write(f"    source: {rule['clause']}")
        _write(f"    why: {rule['why']}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from datasets.evaluate import evaluate, format_table

    from .pipeline import Analyzer, icon_detectors_named

    analyzer = Analyzer(ocr=args.ocr, profile=args.profile, icon_detectors=icon_detectors_named(args.icons))
    result = evaluate(Path(args.labels), analyzer=analyzer, verbose_lines=args.verbose, limit=args.limit)
    _write(format_table(result))
    if args.json is not None:
        Path(args.json).write_text(json.dumps(result.metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="closecheck",
        description="Can a person find the close button of a splash screen or pop-up, and close it?",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="judge screenshots; exit 0 pass, 1 fail, 2 bad input")
    check.add_argument("images", nargs="+", metavar="IMAGE")
    check.add_argument("--json", action="store_true", help="print the Report JSON (JSON Lines for several images)")
    check.add_argument("--annotate", type=Path, metavar="DIR", help="write an annotated PNG per screenshot here")
    _add_analysis_options(check)
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="print the rule table with thresholds and sources")
    rules.add_argument("--profile", default=DEFAULT_PROFILE, help=f"known: {', '.join(available_profiles())}")
    rules.add_argument("--json", action="store_true")
    rules.set_defaults(func=cmd_rules)

    ev = sub.add_parser("eval", help="score the analyzer on a labelled set (../shared/LABELS.md format)")
    ev.add_argument("labels", metavar="LABELS.jsonl")
    ev.add_argument("--json", metavar="OUT", help="write the metrics as JSON here")
    ev.add_argument("--verbose", action="store_true", help="list every miss and false alarm")
    ev.add_argument("--limit", type=int, default=None, help="only the first N images")
    ev.add_argument("--ocr", choices=("ppocr", "tesseract"), default="ppocr")
    ev.add_argument("--profile", default=DEFAULT_PROFILE)
    ev.add_argument("--icons", choices=ICON_DETECTOR_CHOICES, default="default",
                    help="the icon stage: default (classifier + proposer), classifier only, or classical only")
    ev.set_defaults(func=cmd_eval)

    _register_plugins(sub)
    return parser


def _register_plugins(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Subcommands that live with their parts: synth (datasets), serve (service), batch (bulk)."""
    import importlib

    for module in ("datasets.synth", "service.cli", "detector.bulk"):
        try:
            importlib.import_module(module).register(sub)
        except ModuleNotFoundError as exc:  # a part not installed: its subcommand is simply absent
            if exc.name is None or not exc.name.startswith(module.split(".")[0]):
                raise


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="closecheck: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ImageInputError, ProfileError, UsageError, FileNotFoundError, NotADirectoryError) as exc:
        sys.stderr.write(f"closecheck: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}\n")
        return EXIT_USAGE
    except ValueError as exc:
        sys.stderr.write(f"closecheck: {str(exc).splitlines()[0] if str(exc) else 'invalid value'}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("closecheck: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
