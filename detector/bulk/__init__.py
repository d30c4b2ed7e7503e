"""Bulk scoring: ``closecheck batch`` (resumable, parallel, optionally on Dask), ``export`` and ``report``.

The parts: :mod:`.inputs` walks folders, zips and list files; :mod:`.store` is the SQLite
results database; :mod:`.scoring` scores one image in a worker; :mod:`.runner` plans and
runs a batch on a process pool; :mod:`.dask_runner` runs it on Dask; :mod:`.export` and
:mod:`.report_html` read the database back; :mod:`.cli` holds the subcommands.
"""

from __future__ import annotations

from detector.bulk.cli import register

__all__ = ["register"]
