"""Rule profiles: every threshold closecheck uses, loaded from packaged YAML.

A profile file lives in ``detector/profiles/NAME.yaml``; ``extends: OTHER`` inherits another
profile and overrides only what it names. A profile can also be loaded from a path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .types import RuleId, ScreenType, Severity

DEFAULT_PROFILE = "cn-miit-2021"


class ProfileError(ValueError):
    """A profile that does not exist or does not parse."""


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    value: float
    unit: str
    why: str


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: RuleId
    checks: str
    severity: Severity
    clause: str
    why: str
    thresholds: tuple[Threshold, ...]
    applies_to: tuple[ScreenType, ...] | None

    def threshold(self, name: str) -> Threshold:
        for t in self.thresholds:
            if t.name == name:
                return t
        raise KeyError(f"rule {self.id} has no threshold {name!r}")


@dataclass(frozen=True, slots=True)
class RuleProfile:
    name: str
    title: str
    rules: tuple[RuleSpec, ...]
    settings: tuple[tuple[str, tuple[Threshold, ...]], ...]  # section name → thresholds

    def rule(self, rule_id: RuleId) -> RuleSpec:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def value(self, rule_id: RuleId, name: str) -> float:
        return self.rule(rule_id).threshold(name).value

    def setting(self, section: str, name: str) -> float:
        for sec, items in self.settings:
            if sec == section:
                for t in items:
                    if t.name == name:
                        return t.value
        raise KeyError(f"profile {self.name} has no setting {section}.{name}")

    def rules_table(self) -> list[dict[str, Any]]:
        """The rule table as plain data (for `closecheck rules`, the API and reports)."""
        return [
            {
                "id": r.id.value,
                "checks": r.checks,
                "severity": r.severity.value,
                "thresholds": [
                    {"name": t.name, "value": t.value, "unit": t.unit, "why": t.why} for t in r.thresholds
                ],
                "clause": r.clause,
                "why": r.why,
                "applies_to": [s.value for s in r.applies_to] if r.applies_to else None,
            }
            for r in self.rules
        ]


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_raw(name_or_path: str) -> dict[str, Any]:
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"}:
        if not path.is_file():
            raise ProfileError(f"profile file not found: {name_or_path}")
        text = path.read_text(encoding="utf-8")
    else:
        res = resources.files("detector").joinpath("profiles", f"{name_or_path}.yaml")
        if not res.is_file():
            raise ProfileError(
                f"unknown profile {name_or_path!r}; known: {', '.join(available_profiles())}"
            )
        text = res.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"profile {name_or_path} does not parse: {exc}".splitlines()[0]) from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"profile {name_or_path} is not a mapping")
    data: dict[str, Any] = dict(raw)
    parent = data.pop("extends", None)
    if parent:
        data = _deep_merge(_read_raw(str(parent)), data)
    return data


def _thresholds(raw: dict[str, Any] | None) -> tuple[Threshold, ...]:
    items = []
    for name, spec in (raw or {}).items():
        if not isinstance(spec, dict) or "value" not in spec:
            raise ProfileError(f"threshold {name} needs value, unit and why")
        items.append(Threshold(name, float(spec["value"]), str(spec.get("unit", "")), str(spec.get("why", ""))))
    return tuple(items)


def available_profiles() -> list[str]:
    # detection-*.yaml files beside the profiles hold a stage's own tuning (the icon detector's), not rules.
    folder = resources.files("detector").joinpath("profiles")
    return sorted(
        p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml") and not p.name.startswith("detection-")
    )


@functools.lru_cache(maxsize=16)
def get_profile(name: str = DEFAULT_PROFILE) -> RuleProfile:
    """Load a profile by name (packaged) or by path to a YAML file."""
    raw = _read_raw(name)
    rules = []
    try:
        for rule_id in RuleId:
            spec = raw["rules"][rule_id.value]
            applies = spec.get("applies_to")
            rules.append(
                RuleSpec(
                    id=rule_id,
                    checks=str(spec["checks"]),
                    severity=Severity(spec["severity"]),
                    clause=str(spec["clause"]),
                    why=str(spec.get("why", "")),
                    thresholds=_thresholds(spec.get("thresholds")),
                    applies_to=tuple(ScreenType(s) for s in applies) if applies else None,
                )
            )
    except (KeyError, ValueError, TypeError) as exc:
        raise ProfileError(f"profile {name} is incomplete or invalid: {exc!r}") from exc
    settings = tuple(
        (section, _thresholds(values))
        for section, values in raw.items()
        if section not in {"rules", "name", "title"} and isinstance(values, dict)
    )
    return RuleProfile(
        name=str(raw.get("name", name)),
        title=str(raw.get("title", "")),
        rules=tuple(rules),
        settings=settings,
    )
