"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from detector import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """One analyzer (default profile, PP-OCR, the committed models) for the whole run: it is built
    once and called per screenshot, as the CLI and the service use it, and loading the OCR and
    ONNX models is the slow part."""
    return Analyzer()
