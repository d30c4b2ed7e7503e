"""``closecheck serve``: run the HTTP service and web page with uvicorn."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``serve`` to closecheck's argparse subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the HTTP API and web page",
        description="Run the HTTP API (/v1/...) and the web page (/). Other settings come from "
        "CLOSECHECK_* environment variables (see service/core/config.py).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=None, help="analysis worker processes")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file for jobs")
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    from pydantic import ValidationError

    from service.core.config import Settings
    from service.main import create_app

    overrides: dict[str, Any] = {}
    if args.workers is not None:
        overrides["workers"] = args.workers
    if args.db is not None:
        overrides["database_path"] = args.db
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        os.write(2, f"closecheck serve: bad setting {where}: {first['msg']}\n".encode())
        return 2
    # One server process: the analysis runs in the settings' worker processes, and the job
    # queue in SQLite has exactly one owner.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m service`` works even before the ``closecheck`` entry point is installed."""
    parser = argparse.ArgumentParser(prog="closecheck")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
