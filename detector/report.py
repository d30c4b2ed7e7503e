"""The stable, versioned JSON form of a :class:`Report` (schema ``closecheck.report/1``).

Adding keys keeps the version; renaming or removing one bumps it. The README documents each key.
"""

from __future__ import annotations

from typing import Any

from .types import Element, ElementKind, Finding, Measurement, Report, Size, TextSpan

SCHEMA = "closecheck.report/1"


def _size(s: Size) -> dict[str, float]:
    return {"px": s.px, "dp": s.dp, "mm": s.mm}


def element_to_dict(e: Element) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind.value,
        "box": e.box.to_list(),
        "score": e.score,
        "text": e.text,
        "source": e.source,
        "button": e.button.to_list() if e.button else None,
        "countdown_s": e.countdown_s,
        "attrs": {k: v for k, v in e.attrs},
    }


def measurement_to_dict(m: Measurement) -> dict[str, Any]:
    return {
        "element": m.element_id,
        "width": _size(m.width),
        "height": _size(m.height),
        "short_side": _size(m.short_side),
        "contrast_ratio": m.contrast_ratio,
        "foreground_rgb": list(m.foreground_rgb) if m.foreground_rgb else None,
        "background_rgb": list(m.background_rgb) if m.background_rgb else None,
        "zone_screen": m.zone_screen,
        "zone_window": m.zone_window,
        "edge_distance_dp": dict(zip(("left", "top", "right", "bottom"), m.edge_distance_dp, strict=True)),
        "overlaps_status_bar": m.overlaps_status_bar,
        "overlaps_navigation_bar": m.overlaps_navigation_bar,
        "cta_distance_dp": m.cta_distance_dp,
    }


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule.value,
        "severity": f.severity.value,
        "message": f.message,
        "evidence": list(f.evidence),
        "value": f.value,
        "threshold": f.threshold,
        "unit": f.unit,
        "clause": f.clause,
    }


def span_to_dict(s: TextSpan) -> dict[str, Any]:
    return {"text": s.text, "box": s.box.to_list(), "confidence": round(s.confidence, 3)}


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data; see README "Report JSON" for every key."""
    screen = report.screen
    return {
        "schema": SCHEMA,
        "image": {
            "name": report.image_name,
            "width": screen.width,
            "height": screen.height,
            "sha256": report.image_sha256,
        },
        "screen": {
            "type": screen.screen_type.value,
            "window": screen.window.to_list() if screen.window else None,
            "density": screen.density,
            "width_dp": round(screen.width / screen.density, 1),
            "height_dp": round(screen.height / screen.density, 1),
            "confidence": screen.type_confidence,
            "reason": screen.type_reason,
        },
        "verdict": report.verdict.value,
        "verdict_reason": report.verdict_reason,
        "elements": [element_to_dict(e) for e in screen.elements],
        "measurements": [measurement_to_dict(m) for m in report.measurements],
        "findings": [finding_to_dict(f) for f in report.findings],
        "texts": [span_to_dict(s) for s in report.texts],
        "profile": report.profile,
        "timings_ms": dict(report.timings_ms),
        "versions": dict(report.versions),
        "notes": list(report.notes),
    }


def control_label(e: Element) -> str:
    """What a close control shows a person: × for an icon, its text, or "[unread]" for a skip
    pill whose label no pass could read (its shape is the evidence)."""
    if e.kind == ElementKind.CLOSE_ICON:
        return "×"
    return e.text if e.text is not None else "[unread]"


def summary_line(report: Report) -> str:
    """One human line per screenshot for the CLI."""
    screen = report.screen
    controls = []
    for e in screen.close_controls:
        m = report.measurement(e.id)
        label = control_label(e)
        if m is not None:
            controls.append(f"{label} {m.short_side.dp:g} dp · {m.contrast_ratio}:1 · {m.zone_window or m.zone_screen}")
        else:
            controls.append(label)
    failing = [f"{f.rule.value}({f.severity.value})" for f in report.findings if f.severity.value != "pass"]
    parts = [
        f"{report.image_name}: {report.verdict.value.upper()} — {screen.screen_type.value}",
        f"close: {'; '.join(controls) if controls else 'none'}",
    ]
    if failing:
        parts.append("findings: " + ", ".join(failing))
    parts.append(report.verdict_reason)
    return " | ".join(parts)
