"""The scenario rules: list them with their thresholds; admins switch them on or off and move thresholds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from molehunt.audit.entries import JsonValue
from molehunt.detect.rules import builtin_rules
from molehunt.detect.rules.settings import (
    RuleSettingError,
    check_setting,
    effective_rules,
    load_settings,
    save_setting,
    threshold_label,
    thresholds,
)
from molehunt.web.context import Ctx, admin_form, viewer
from molehunt.workbench import trail

router = APIRouter()


@router.get("/rules")
def rule_list(ctx: Annotated[Ctx, Depends(viewer)]) -> Response:
    shipped = {rule.id: thresholds(rule) for rule in builtin_rules()}
    current = effective_rules(ctx.store)
    return ctx.render(
        "rules.html", rules=[(rule, thresholds(rule), shipped[rule.id]) for rule in current],
        settings=load_settings(ctx.store), label=threshold_label,
    )  # fmt: skip


@router.post("/rules/{rule_id}")
async def change_rule(request: Request, ctx: Annotated[Ctx, Depends(admin_form)], rule_id: str) -> Response:
    form = await request.form()
    values: dict[str, float] = {}
    for key, raw in form.items():
        if key.startswith("t:") and isinstance(raw, str):
            try:
                values[key[2:]] = float(raw)
            except ValueError:
                raise RuleSettingError(f"{key[2:]}: {raw!r} is not a number") from None
    setting = check_setting(rule_id, form.get("enabled") == "on", values, ctx.me.name)
    changed: dict[str, JsonValue] = {key: f"{value:g}" for key, value in setting.thresholds.items()}
    trail.record(ctx.home, ctx.me.name, "rule.change", rule_id, {"enabled": setting.enabled, "thresholds": changed})
    save_setting(ctx.store, rule_id, setting)
    return RedirectResponse(f"/rules#{rule_id}", status_code=303)
