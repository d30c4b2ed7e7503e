"""closecheck: can a person find the close button of a splash screen or pop-up, and close it?

The public face of the library. Everything else is internal and may change.

>>> from detector import Analyzer, report_to_dict
>>> analyzer = Analyzer()                      # loads OCR models once
>>> report = analyzer.analyze("splash.png")    # bytes or a path
>>> report.verdict, [f.rule for f in report.findings]
"""

from .annotate import annotate
from .imageio import ImageInputError, ImageLimits, LoadedImage, load_image
from .pipeline import Analyzer, __version__
from .profile import DEFAULT_PROFILE, ProfileError, RuleProfile, available_profiles, get_profile
from .report import SCHEMA, report_to_dict
from .types import (
    Box,
    Element,
    ElementKind,
    Finding,
    Measurement,
    Report,
    RuleId,
    Screen,
    ScreenType,
    Severity,
    Size,
    TextSpan,
    Verdict,
)

__all__ = [
    "DEFAULT_PROFILE",
    "SCHEMA",
    "Analyzer",
    "Box",
    "Element",
    "ElementKind",
    "Finding",
    "ImageInputError",
    "ImageLimits",
    "LoadedImage",
    "Measurement",
    "ProfileError",
    "Report",
    "RuleId",
    "RuleProfile",
    "Screen",
    "ScreenType",
    "Severity",
    "Size",
    "TextSpan",
    "Verdict",
    "__version__",
    "annotate",
    "available_profiles",
    "get_profile",
    "load_image",
    "report_to_dict",
]
