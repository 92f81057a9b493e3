"""Source text for SQLAlchemy elements: types, columns, defaults, constraints.

Every literal that comes from the model or the database (names, comments,
default values, SQL text) goes through ``repr()``, so whatever quotes,
backslashes or code-like text it holds, the script gets an exact and inert
Python string.  Each element first goes to the user's ``render_item`` hook.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy
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
from sqlalchemy.sql.schema import DefaultClause, FetchedValue
from sqlalchemy.types import TypeEngine

from schemadiff.ops.constraint_ops import constraint_type
from schemadiff.renderers.python.context import AutogenContext

_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+\.$")


def render_name(name: Any, ctx: AutogenContext) -> str:
    """A constraint name; names produced by a naming convention use op.f()."""
    if type(name).__name__ == "conv":
        return f"{ctx.op_prefix}f({str(name)!r})"
    return repr(str(name))


def has_name(obj: Any) -> bool:
    name = getattr(obj, "name", None)
    return isinstance(name, str) and type(name).__name__ != "_NoneName"


# -- types ---------------------------------------------------------------------
def render_type(type_: TypeEngine[Any], ctx: AutogenContext) -> str | None:
    """``sa.String(length=50)``; None when the user's hook leaves the type out."""
    hook = ctx.user_hook("type", type_)
    if hook is not False:
        return hook if isinstance(hook, str) else None
    return _module_prefix(type_, ctx) + _type_repr(type_, ctx)


def _module_prefix(type_: TypeEngine[Any], ctx: AutogenContext) -> str:
    cls = type(type_)
    module = cls.__module__
    if module.startswith("sqlalchemy.dialects."):
        dname = module.split(".")[2]
        if _exports(f"sqlalchemy.dialects.{dname}", cls):
            ctx.imports.add(f"from sqlalchemy.dialects import {dname}")
            return f"{dname}."
    elif module == "sqlalchemy" or module.startswith("sqlalchemy."):
        if getattr(sqlalchemy, cls.__name__, None) is cls:
            return ctx.sqlalchemy_module_prefix
        if getattr(sqlalchemy.types, cls.__name__, None) is cls:
            return f"{ctx.sqlalchemy_module_prefix}types."
    else:
        prefix = ctx.user_module_prefix
        if prefix is not None:
            # A package path ("myapp.migration_types.") is importable as is;
            # a bare name ("types.") is the user's own import in the template.
            if _DOTTED.match(prefix):
                ctx.imports.add(f"import {prefix[:-1]}")
            return prefix
    # A type from a module nothing else names: import that module.
    ctx.imports.add(f"import {module}")
    return f"{module}."


def _exports(module_name: str, cls: type) -> bool:
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # pragma: no cover - every SQLAlchemy dialect imports
        return False
    return getattr(module, cls.__name__, None) is cls


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
        rendered = render_type(inner, ctx) or _module_prefix(inner, ctx) + inner_text
        # A callable replacement: the rendered text is taken literally, never
        # read for backreferences.
        text = re.sub(r"(?<=[(=, ])" + re.escape(inner_text), _literal(rendered), text, count=1)
    return text


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


def _init_params(cls: type) -> list[str]:
    try:
        params = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    except (TypeError, ValueError):
        return []
    return [n for n, p in params.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD]


# -- SQL text and defaults -----------------------------------------------------
def sql_text(expr: Any, ctx: AutogenContext) -> str:
    """SQL as the DDL would spell it, unqualified by table names."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, TextClause):
        return expr.text
    compiled = expr.compile(
        dialect=ctx.dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


def render_sql(expr: Any, ctx: AutogenContext) -> str:
    """``sa.text('...')`` for SQL that must reach the database verbatim."""
    return f"{ctx.sqlalchemy_module_prefix}text({sql_text(expr, ctx)!r})"


def render_server_default(default: Any, ctx: AutogenContext) -> str | None:
    """A server default as Python; None when there is nothing to render.

    A plain string default becomes a Python string literal (SQLAlchemy
    quotes it in the DDL); SQL expressions become ``sa.text(...)``.
    """
    hook = ctx.user_hook("server_default", default)
    if hook is not False:
        return hook if isinstance(hook, str) else None
    if isinstance(default, DefaultClause):
        default = default.arg
    elif isinstance(default, FetchedValue):
        return None  # a trigger-maintained value: nothing to declare
    if isinstance(default, str):
        return repr(default)
    if isinstance(default, ClauseElement):
        return render_sql(default, ctx)
    return repr(default)


def render_kwargs(values: Any, ctx: AutogenContext) -> list[str]:
    """Dialect options (``mysql_engine='InnoDB'``, ``postgresql_where=...``)."""
    out = []
    for key, value in sorted(dict(values).items()):
        if value is None:
            continue
        if isinstance(value, ClauseElement):
            out.append(f"{key}={render_sql(value, ctx)}")
        elif isinstance(value, (str, int, float, bool)):
            out.append(f"{key}={value!r}")
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, Column)) for v in value):
            # postgresql_include may name columns by object
            names = [v.name if isinstance(v, Column) else v for v in value]
            out.append(f"{key}={names!r}")
        elif (
            isinstance(value, dict)
            and value
            and all(
                isinstance(k, str) and isinstance(v, (str, int, float, bool))
                for k, v in value.items()
            )
        ):
            # postgresql_ops={'a': 'gin_trgm_ops'}, postgresql_with={'fillfactor': 70}
            out.append(f"{key}={dict(sorted(value.items()))!r}")
    return out


# -- columns -------------------------------------------------------------------
def render_column(column: Column[Any], ctx: AutogenContext) -> str | None:
    hook = ctx.user_hook("column", column)
    if hook is not False:
        return hook if isinstance(hook, str) else None
    sa = ctx.sqlalchemy_module_prefix
    args = [repr(column.name)]
    type_text = render_type(column.type, ctx)
    if type_text is not None:
        args.append(type_text)
    if isinstance(column.computed, Computed):
        args.append(_render_computed(column.computed, ctx))
    if isinstance(column.identity, Identity):
        args.append(render_identity(column.identity, ctx))
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
    kwargs.extend(render_kwargs(column.dialect_kwargs, ctx))
    return f"{sa}Column({', '.join(args + kwargs)})"


def _is_integer(column: Column[Any]) -> bool:
    affinity = getattr(column.type, "_type_affinity", None)
    return affinity is not None and affinity.__name__ == "Integer"


def _render_computed(computed: Computed, ctx: AutogenContext) -> str:
    text = sql_text(computed.sqltext, ctx)
    extra = "" if computed.persisted is None else f", persisted={computed.persisted!r}"
    return f"{ctx.sqlalchemy_module_prefix}Computed({text!r}{extra})"


#: ``Identity`` keywords in its signature's order; unset ones (None) are left out.
_IDENTITY_OPTIONS = (
    "on_null",
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
)


def render_identity(identity: Identity, ctx: AutogenContext) -> str:
    kw = ["always=True"] if identity.always else []
    for name in _IDENTITY_OPTIONS:
        value = getattr(identity, name, None)
        if value is not None:
            kw.append(f"{name}={value!r}")
    return f"{ctx.sqlalchemy_module_prefix}Identity({', '.join(kw)})"


# -- constraints ---------------------------------------------------------------
def _name_kw(obj: Any, ctx: AutogenContext) -> list[str]:
    return [f"name={render_name(obj.name, ctx)}"] if has_name(obj) else []


def _timing_kw(constraint: Any) -> list[str]:
    out = []
    for attr in ("deferrable", "initially"):
        value = getattr(constraint, attr, None)
        if value is not None:
            out.append(f"{attr}={value!r}")
    return out


#: ``drop_constraint(type_=...)`` names -> the names ``render_item`` hooks receive
_HOOK_TYPES = {
    "primary": "primary_key",
    "unique": "unique",
    "foreignkey": "foreign_key",
    "check": "check",
}


def hook_type(constraint: Any) -> str:
    """The ``type_`` a ``render_item`` hook receives for a constraint."""
    try:
        return _HOOK_TYPES[constraint_type(constraint)]
    except TypeError:
        return "constraint"


def fk_options(constraint: ForeignKeyConstraint) -> list[str]:
    out = []
    for attr in ("onupdate", "ondelete", "match"):
        value = getattr(constraint, attr)
        if value is not None:
            out.append(f"{attr}={value!r}")
    return out + _timing_kw(constraint)


def render_constraint(constraint: Any, ctx: AutogenContext) -> str | None:
    """A constraint inside ``op.create_table(...)``; None to leave it out."""
    hook = ctx.user_hook(hook_type(constraint), constraint)
    if hook is not False:
        return hook if isinstance(hook, str) else None
    sa = ctx.sqlalchemy_module_prefix
    extra = _name_kw(constraint, ctx) + render_kwargs(constraint.dialect_kwargs, ctx)
    if isinstance(constraint, PrimaryKeyConstraint):
        if not constraint.columns:
            return None
        cols = [repr(c.name) for c in constraint.columns]
        return f"{sa}PrimaryKeyConstraint({', '.join(cols + extra)})"
    if isinstance(constraint, UniqueConstraint):
        cols = [repr(c.name) for c in constraint.columns]
        return f"{sa}UniqueConstraint({', '.join(cols + extra + _timing_kw(constraint))})"
    if isinstance(constraint, ForeignKeyConstraint):
        local = [e.parent.name for e in constraint.elements]
        remote = [e.target_fullname for e in constraint.elements]
        kw = extra + fk_options(constraint)
        return f"{sa}ForeignKeyConstraint({local!r}, {remote!r}{''.join(', ' + k for k in kw)})"
    if isinstance(constraint, CheckConstraint):
        text = sql_text(constraint.sqltext, ctx)
        return f"{sa}CheckConstraint({', '.join([repr(text)] + extra + _timing_kw(constraint))})"
    return None


def index_columns(index: Index, ctx: AutogenContext) -> str:
    return index_columns_and_ops(index, ctx)[0]


def index_columns_and_ops(index: Index, ctx: AutogenContext) -> tuple[str, dict[str, str]]:
    """An index's elements as Python, and its ``postgresql_ops`` keyed to match them.

    SQLAlchemy finds an operator class by the element's key; a column is
    rendered by name and an expression with an operator class as
    ``sa.literal_column(sql)``, whose key is that SQL, so the mapping is
    re-keyed the same way (``sa.text()`` has no key and would lose it).
    """
    given = index.__dict__.get("dialect_options")  # present once any option was given
    ops = dict(given["postgresql"]["ops"] or {}) if given and "postgresql" in given else {}
    parts: list[str] = []
    rendered_ops: dict[str, str] = {}
    for expr in index.expressions:
        key = getattr(expr, "key", None)
        if isinstance(expr, Column):
            parts.append(repr(expr.name))
            if key in ops:
                rendered_ops[expr.name] = ops[key]
        elif key is not None and key in ops:
            text = sql_text(expr, ctx)
            parts.append(f"{ctx.sqlalchemy_module_prefix}literal_column({text!r})")
            rendered_ops[text] = ops[key]
        else:
            parts.append(render_sql(expr, ctx))
    return f"[{', '.join(parts)}]", rendered_ops
