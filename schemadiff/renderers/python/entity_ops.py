"""Render view, materialized view, function and trigger operations as ``op.*`` source.

SQL text is written as it will run, a multi-line statement one line per
string literal (readable in review, exact to the character).
"""

from __future__ import annotations

from typing import Any

from schemadiff.ops.entity_ops import (
    CreateFunctionOp,
    CreateMaterializedViewOp,
    CreateTriggerOp,
    CreateViewOp,
    DropFunctionOp,
    DropMaterializedViewOp,
    DropTriggerOp,
    DropViewOp,
    RefreshMaterializedViewOp,
    ReplaceFunctionOp,
    ReplaceTriggerOp,
    ReplaceViewOp,
)
from schemadiff.renderers.python.context import AutogenContext
from schemadiff.renderers.python.registry import RendererRegistry


def sql_text(text: str) -> str:
    """A Python literal of ``text``, a multi-line one as one string per line.

    Not a triple-quoted string: the script indents every line it writes,
    which would change the text (a string literal spanning lines, a
    function body); adjacent literals keep it exact and still readable.
    """
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return repr(text)
    return "(" + "\n".join(repr(line) for line in lines) + ")"


def _call(ctx: AutogenContext, name: str, args: list[str]) -> str:
    return f"{ctx.op_prefix}{name}({', '.join(args)})"


def _schema(schema: str | None) -> list[str]:
    return [f"schema={schema!r}"] if schema else []


def render_create_view(op: CreateViewOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), sql_text(op.definition), *_schema(op.schema)]
    if isinstance(op, CreateMaterializedViewOp):
        if not op.with_data:
            args.append("with_data=False")
        return [_call(ctx, "create_materialized_view", args)]
    return [_call(ctx, "create_view", args)]


def render_drop_view(op: DropViewOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema(op.schema)]
    if op.existing is not None:
        args.append(f"existing={sql_text(op.existing)}")
    if isinstance(op, DropMaterializedViewOp):
        if not op.with_data:
            args.append("existing_with_data=False")
        return [_call(ctx, "drop_materialized_view", args)]
    return [_call(ctx, "drop_view", args)]


def render_replace_view(op: ReplaceViewOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), sql_text(op.definition), f"existing={sql_text(op.existing)}"]
    return [_call(ctx, "replace_view", [*args, *_schema(op.schema)])]


def render_refresh(op: RefreshMaterializedViewOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema(op.schema)]
    if op.concurrently:
        args.append("concurrently=True")
    return [_call(ctx, "refresh_materialized_view", args)]


def render_create_function(op: CreateFunctionOp, ctx: AutogenContext) -> list[str]:
    return [_call(ctx, "create_function", [repr(op.name), sql_text(op.ddl), *_schema(op.schema)])]


def render_drop_function(op: DropFunctionOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema(op.schema)]
    if op.existing is not None:
        args.append(f"existing={sql_text(op.existing)}")
    return [_call(ctx, "drop_function", args)]


def render_replace_function(op: ReplaceFunctionOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), sql_text(op.ddl), f"existing={sql_text(op.existing)}"]
    return [_call(ctx, "replace_function", [*args, *_schema(op.schema)])]


def render_create_trigger(op: CreateTriggerOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), repr(op.table_name), sql_text(op.ddl), *_schema(op.schema)]
    return [_call(ctx, "create_trigger", args)]


def render_drop_trigger(op: DropTriggerOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), repr(op.table_name), *_schema(op.schema)]
    if op.existing is not None:
        args.append(f"existing={sql_text(op.existing)}")
    return [_call(ctx, "drop_trigger", args)]


def render_replace_trigger(op: ReplaceTriggerOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), repr(op.table_name), sql_text(op.ddl)]
    args.append(f"existing={sql_text(op.existing)}")
    return [_call(ctx, "replace_trigger", [*args, *_schema(op.schema)])]


def setup(registry: RendererRegistry) -> None:
    renderers: dict[type[Any], Any] = {
        CreateViewOp: render_create_view,
        DropViewOp: render_drop_view,
        ReplaceViewOp: render_replace_view,
        RefreshMaterializedViewOp: render_refresh,
        CreateFunctionOp: render_create_function,
        DropFunctionOp: render_drop_function,
        ReplaceFunctionOp: render_replace_function,
        CreateTriggerOp: render_create_trigger,
        DropTriggerOp: render_drop_trigger,
        ReplaceTriggerOp: render_replace_trigger,
    }
    for op_cls, fn in renderers.items():
        registry.register(op_cls)(fn)
