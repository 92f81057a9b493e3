"""Source text for SQLAlchemy elements: types, columns, defaults, constraints."""

from __future__ import annotations

import inspect
import re
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.sql.schema import DefaultClause
from sqlalchemy.types import TypeEngine

from schemadiff.renderers.python.context import AutogenContext

_DOTTED = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*\.$")


def render_name(name: Any, ctx: AutogenContext) -> str:
    """A constraint name; names produced by a naming convention use op.f()."""
    if type(name).__name__ == "conv":
        return f"{ctx.op_prefix}f({str(name)!r})"
    return repr(str(name))


def has_name(obj: Any) -> bool:
    name = getattr(obj, "name", None)
    return isinstance(name, str) and type(name).__name__ != "_NoneName"


def render_type(type_: TypeEngine[Any], ctx: AutogenContext) -> str:
    hook = ctx.user_hook("type", type_)
    if isinstance(hook, str):
        return hook
    return _module_prefix(type_, ctx) + _type_repr(type_, ctx)


def _module_prefix(type_: TypeEngine[Any], ctx: AutogenContext) -> str:
    module = type(type_).__module__
    if module.startswith("sqlalchemy.dialects."):
        dname = module.split(".")[2]
        ctx.imports.add(f"from sqlalchemy.dialects import {dname}")
        return f"{dname}."
    if module.startswith("sqlalchemy."):
        return ctx.sqlalchemy_module_prefix
    prefix = ctx.user_module_prefix
    if prefix is None:
        ctx.imports.add(f"import {module}")
        return f"{module}."
    if _DOTTED.match(prefix):
        ctx.imports.add(f"import {prefix[:-1]}")
    return prefix


def _type_repr(type_: TypeEngine[Any], ctx: AutogenContext) -> str:
    """``repr()`` of the type, with types nested inside it prefixed too.

    ``postgresql.JSONB()`` reprs as ``JSONB(astext_type=Text())`` and
    ``ARRAY(Integer())`` carries its item type; left bare, those inner
    names would not resolve in the migration script.
    """
    text = repr(type_)
    nested: list[TypeEngine[Any]] = []
    for name in _init_params(type(type_)):
        value = getattr(type_, name, None)
        if isinstance(value, type) and issubclass(value, TypeEngine):
            value = value()
        if isinstance(value, TypeEngine) and value not in nested:
            nested.append(value)
    for inner in nested:
        inner_text = repr(inner)
        rendered = render_type(inner, ctx)
        text = re.sub(
            r"(?<=[(=, ])" + re.escape(inner_text), lambda _m: rendered, text, count=1
        )
    return text


def _init_params(cls: type) -> list[str]:
    try:
        params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    except (TypeError, ValueError):
        return []
    return [n for n, p in params.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]


def render_server_default(default: Any, ctx: AutogenContext) -> str | None:
    hook = ctx.user_hook("server_default", default)
    if isinstance(hook, str):
        return hook
    if hook is None:
        return None
    if isinstance(default, DefaultClause):
        default = default.arg
    if isinstance(default, str):
        # repr() gives an exact, inert Python literal whatever the quotes
        # or backslashes inside.
        return repr(default)
    if isinstance(default, TextClause):
        return f"{ctx.sqlalchemy_module_prefix}text({default.text!r})"
    if isinstance(default, ClauseElement):
        text = str(default.compile(dialect=ctx.dialect, compile_kwargs={"literal_binds": True}))
        return f"{ctx.sqlalchemy_module_prefix}text({text!r})"
    return repr(default)


def render_column(column: Column[Any], ctx: AutogenContext) -> str | None:
    hook = ctx.user_hook("column", column)
    if isinstance(hook, str):
        return hook
    if hook is None:
        return None
    sa = ctx.sqlalchemy_module_prefix
    args = [repr(column.name), render_type(column.type, ctx)]
    if isinstance(column.computed, Computed):
        args.append(_render_computed(column.computed, ctx))
    if isinstance(column.identity, Identity):
        args.append(_render_identity(column.identity, ctx))
    kwargs: list[str] = []
    if column.server_default is not None and not isinstance(
        column.server_default, (Computed, Identity)
    ):
        rendered = render_server_default(column.server_default, ctx)
        if rendered is not None:
            kwargs.append(f"server_default={rendered}")
    if isinstance(column.autoincrement, bool) and column.autoincrement is not (
        column.primary_key and _is_integer(column)
    ):
        kwargs.append(f"autoincrement={column.autoincrement!r}")
    kwargs.append(f"nullable={bool(column.nullable)!r}")
    if column.comment is not None:
        kwargs.append(f"comment={column.comment!r}")
    return f"{sa}Column({', '.join(args + kwargs)})"


def _is_integer(column: Column[Any]) -> bool:
    try:
        return column.type._type_affinity.__name__ in ("Integer",)  # type: ignore[union-attr]
    except AttributeError:
        return False


def _render_computed(computed: Computed, ctx: AutogenContext) -> str:
    text = _sqltext(computed.sqltext, ctx)
    extra = "" if computed.persisted is None else f", persisted={computed.persisted!r}"
    return f"{ctx.sqlalchemy_module_prefix}Computed({text!r}{extra})"


def _render_identity(identity: Identity, ctx: AutogenContext) -> str:
    kw = []
    if identity.always:
        kw.append("always=True")
    if identity.start is not None:
        kw.append(f"start={identity.start!r}")
    if identity.increment is not None:
        kw.append(f"increment={identity.increment!r}")
    return f"{ctx.sqlalchemy_module_prefix}Identity({', '.join(kw)})"


def _sqltext(expr: Any, ctx: AutogenContext) -> str:
    if isinstance(expr, str):
        return expr
    if isinstance(expr, TextClause):
        return expr.text
    return str(expr.compile(dialect=ctx.dialect, compile_kwargs={"literal_binds": True}))


def _name_kw(obj: Any, ctx: AutogenContext) -> list[str]:
    return [f"name={render_name(obj.name, ctx)}"] if has_name(obj) else []


def render_constraint(constraint: Any, ctx: AutogenContext) -> str | None:
    """A constraint inside ``op.create_table(...)``."""
    sa = ctx.sqlalchemy_module_prefix
    if isinstance(constraint, PrimaryKeyConstraint):
        hook = ctx.user_hook("primary_key", constraint)
        if hook is not False:
            return hook if isinstance(hook, str) else None
        if not constraint.columns:
            return None
        cols = [repr(c.name) for c in constraint.columns]
        return f"{sa}PrimaryKeyConstraint({', '.join(cols + _name_kw(constraint, ctx))})"
    if isinstance(constraint, UniqueConstraint):
        hook = ctx.user_hook("unique", constraint)
        if hook is not False:
            return hook if isinstance(hook, str) else None
        cols = [repr(c.name) for c in constraint.columns]
        return f"{sa}UniqueConstraint({', '.join(cols + _name_kw(constraint, ctx))})"
    if isinstance(constraint, ForeignKeyConstraint):
        hook = ctx.user_hook("foreign_key", constraint)
        if hook is not False:
            return hook if isinstance(hook, str) else None
        local = [e.parent.name for e in constraint.elements]
        remote = [e.target_fullname for e in constraint.elements]
        kw = _name_kw(constraint, ctx)
        for attr in ("ondelete", "onupdate", "initially", "deferrable"):
            value = getattr(constraint, attr)
            if value is not None:
                kw.append(f"{attr}={value!r}")
        return f"{sa}ForeignKeyConstraint({local!r}, {remote!r}{''.join(', ' + k for k in kw)})"
    if isinstance(constraint, CheckConstraint):
        hook = ctx.user_hook("check", constraint)
        if hook is not False:
            return hook if isinstance(hook, str) else None
        text = _sqltext(constraint.sqltext, ctx)
        return f"{sa}CheckConstraint({', '.join([repr(text)] + _name_kw(constraint, ctx))})"
    return None


def index_columns(index: Index, ctx: AutogenContext) -> str:
    parts = []
    for expr in index.expressions:
        if isinstance(expr, Column):
            parts.append(repr(expr.name))
        else:
            parts.append(f"{ctx.sqlalchemy_module_prefix}text({_sqltext(expr, ctx)!r})")
    return f"[{', '.join(parts)}]"
