"""Render enum, sequence and schema operations as ``op.*`` source.

Adding enum values is wrapped in ``autocommit_block()``: PostgreSQL before
12 refuses ``ALTER TYPE ... ADD VALUE`` inside a transaction, and from 12
on a value added in a transaction cannot be used until it commits, so a
new table or default naming the value later in the same migration would
fail ("unsafe use of new value").  Committed first, the value is usable at
once; ``IF NOT EXISTS`` keeps a rerun after a later failure harmless.
"""

from __future__ import annotations

from typing import Any

from schemadiff.ops import (
    AlterEnumOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateSchemaOp,
    CreateSequenceOp,
    DropEnumOp,
    DropSchemaOp,
    DropSequenceOp,
    SequenceOptions,
)
from schemadiff.renderers.python.context import AutogenContext
from schemadiff.renderers.python.elements import render_type
from schemadiff.renderers.python.registry import RendererRegistry


def _schema_kw(schema: str | None) -> list[str]:
    return [f"schema={schema!r}"] if schema else []


def _call(ctx: AutogenContext, name: str, args: list[str]) -> str:
    return f"{ctx.op_prefix}{name}({', '.join(args)})"


def render_create_enum(op: CreateEnumOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), repr(list(op.values)), *_schema_kw(op.schema)]
    return [_call(ctx, "create_enum", args)]


def render_drop_enum(op: DropEnumOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema_kw(op.schema)]
    if op.existing_values is not None:
        args.append(f"existing_values={list(op.existing_values)!r}")
    return [_call(ctx, "drop_enum", args)]


def render_alter_enum(op: AlterEnumOp, ctx: AutogenContext) -> list[str]:
    args = [
        repr(op.name),
        repr(list(op.values)),
        f"existing_values={list(op.existing_values)!r}",
        *_schema_kw(op.schema),
    ]
    if not op.adds_only and op.columns:
        # read from the catalog when run online; these serve --sql output
        args.append(f"columns={[tuple(c) for c in op.columns]!r}")
    call = _call(ctx, "alter_enum", args)
    if not op.adds_only:
        return [call]
    return [f"with {ctx.op_prefix}get_context().autocommit_block():\n    {call}"]


def _option_args(options: SequenceOptions, ctx: AutogenContext, prefix: str = "") -> list[str]:
    out: list[str] = []
    for name in ("start", "increment", "minvalue", "maxvalue", "cycle", "cache"):
        value = getattr(options, name)
        if value is not None:
            out.append(f"{prefix}{name}={value!r}")
    if options.data_type is not None:
        rendered = render_type(options.data_type, ctx)
        if rendered is not None:
            out.append(f"{prefix}data_type={rendered}")
    return out


def render_create_sequence(op: CreateSequenceOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema_kw(op.schema), *_option_args(op.options, ctx)]
    return [_call(ctx, "create_sequence", args)]


def render_drop_sequence(op: DropSequenceOp, ctx: AutogenContext) -> list[str]:
    args = [repr(op.name), *_schema_kw(op.schema)]
    if op.existing is not None:
        args.extend(_option_args(op.existing, ctx, "existing_"))
    return [_call(ctx, "drop_sequence", args)]


def render_alter_sequence(op: AlterSequenceOp, ctx: AutogenContext) -> list[str]:
    args = [
        repr(op.name),
        *_schema_kw(op.schema),
        *_option_args(op.options, ctx),
        *_option_args(op.existing, ctx, "existing_"),
    ]
    return [_call(ctx, "alter_sequence", args)]


def render_create_schema(op: CreateSchemaOp, ctx: AutogenContext) -> list[str]:
    return [_call(ctx, "create_schema", [repr(op.name)])]


def render_drop_schema(op: DropSchemaOp, ctx: AutogenContext) -> list[str]:
    return [_call(ctx, "drop_schema", [repr(op.name)])]


def setup(registry: RendererRegistry) -> None:
    renderers: dict[type[Any], Any] = {
        CreateEnumOp: render_create_enum,
        DropEnumOp: render_drop_enum,
        AlterEnumOp: render_alter_enum,
        CreateSequenceOp: render_create_sequence,
        DropSequenceOp: render_drop_sequence,
        AlterSequenceOp: render_alter_sequence,
        CreateSchemaOp: render_create_schema,
        DropSchemaOp: render_drop_schema,
    }
    for op_cls, fn in renderers.items():
        registry.register(op_cls)(fn)
