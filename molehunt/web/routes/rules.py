"""The scenario rules: list them with their thresholds; admins switch them on or off and move thresholds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from molehunt.detect.rules.settings import RuleSettingError, threshold_label
from molehunt.web.context import Ctx, admin_form, viewer
from molehunt.workbench.actions import Workbench
from molehunt.workbench.rules import rule_table

router = APIRouter()


@router.get("/rules")
def rule_list(ctx: Annotated[Ctx, Depends(viewer)]) -> Response:
    table = rule_table(ctx.store)
    return ctx.render("rules.html", rules=table.rows, settings=table.settings, label=threshold_label)


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
    # The settings live in the analytics store (scoring reads them): written in a brief read-write open, then
    # published so the pages show the change (503 while a pipeline run holds the store: see Web.writable).
    with ctx.web.writable() as store:
        Workbench(ctx.home, store).change_rule(rule_id, form.get("enabled") == "on", values, by=ctx.me.name)
        ctx.web.publish(store)
    return RedirectResponse(f"/rules#{rule_id}", status_code=303)
