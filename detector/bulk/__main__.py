"""``python -m detector.bulk batch|export|report ...``, the same subcommands as ``closecheck``."""

from __future__ import annotations

import sys

from detector.bulk.cli import main

if __name__ == "__main__":
    sys.exit(main())
