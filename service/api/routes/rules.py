"""The rule table of a profile: thresholds, units, and the clauses they come from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import SettingsDep, check_profile
from service.api.schemas import RulesOut

router = APIRouter(prefix="/v1", tags=["rules"])


@router.get(
    "/rules", summary="The active profile's rules with thresholds and sources", response_model=RulesOut
)
def get_rules(
    settings: SettingsDep,
    profile: Annotated[
        str | None, Query(description="A packaged profile name; default: the service's")
    ] = None,
) -> RulesOut:
    from detector.profile import get_profile

    chosen = get_profile(check_profile(profile) or settings.profile)
    return RulesOut.model_validate(
        {"profile": chosen.name, "title": chosen.title, "rules": chosen.rules_table()}
    )
