"""Table and column operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Column, Enum, Identity, Table
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.types import TypeEngine

from schemadiff.ops.base import Change, Delta, MigrateOperation


def _render_type(type_: Any) -> str | None:
    if type_ is None:
        return None
    if isinstance(type_, Enum):
        # compiled generically an enum is VARCHAR(n): say what it holds
        return "ENUM(" + ", ".join(repr(v) for v in type_.enums) + ")"
    try:
        return str(type_.compile())
    except Exception:  # a dialect-only type may not compile generically
        return repr(type_)


@dataclass(frozen=True)
class CreateTableOp(MigrateOperation):
    kind: ClassVar[str] = "add_table"
    table: Table
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def table_name(self) -> str:
        return self.table.name

    @property
    def schema(self) -> str | None:
        return self.table.schema

    def reverse(self) -> DropTableOp:
        return DropTableOp(self.table.name, self.table.schema, existing=self.table)

    def to_changes(self) -> list[Change]:
        return [Change("add_table", self.schema, self.table_name, self.table_name)]


@dataclass(frozen=True)
class DropTableOp(MigrateOperation):
    kind: ClassVar[str] = "remove_table"
    table_name: str
    schema: str | None = None
    existing: Table | None = field(default=None, compare=False)
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def reverse(self) -> CreateTableOp:
        if self.existing is None:
            raise self.not_reversible()
        return CreateTableOp(self.existing)

    def to_changes(self) -> list[Change]:
        return [Change("remove_table", self.schema, self.table_name, self.table_name)]


@dataclass(frozen=True)
class RenameTableOp(MigrateOperation):
    kind: ClassVar[str] = "rename_table"
    old_table_name: str
    new_table_name: str
    schema: str | None = None

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.old_table_name, self.schema)

    def to_changes(self) -> list[Change]:
        return [
            Change(
                "rename_table",
                self.schema,
                self.old_table_name,
                self.old_table_name,
                {"from": self.old_table_name, "to": self.new_table_name},
            )
        ]


@dataclass(frozen=True)
class AddColumnOp(MigrateOperation):
    kind: ClassVar[str] = "add_column"
    table_name: str
    column: Column[Any]
    schema: str | None = None
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)
    #: a removed column of the same table this one may replace (autogenerate's guess)
    possible_rename_of: str | None = field(default=None, compare=False)

    def reverse(self) -> DropColumnOp:
        return DropColumnOp(self.table_name, self.column.name, self.schema, existing=self.column)

    def to_changes(self) -> list[Change]:
        detail: dict[str, Any] = {
            "type": _render_type(self.column.type),
            "nullable": self.column.nullable,
        }
        if self.possible_rename_of is not None:
            detail["possible_rename_of"] = self.possible_rename_of
        return [Change("add_column", self.schema, self.table_name, self.column.name, detail)]


@dataclass(frozen=True)
class DropColumnOp(MigrateOperation):
    kind: ClassVar[str] = "remove_column"
    table_name: str
    column_name: str
    schema: str | None = None
    existing: Column[Any] | None = field(default=None, compare=False)
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def reverse(self) -> AddColumnOp:
        if self.existing is None:
            raise self.not_reversible()
        return AddColumnOp(self.table_name, self.existing, self.schema)

    def to_changes(self) -> list[Change]:
        return [Change("remove_column", self.schema, self.table_name, self.column_name)]


@dataclass(frozen=True)
class AlterColumnOp(MigrateOperation):
    """Changes to one column; each attribute is a Delta or None (untouched).

    The ``existing_*`` values describe the column as it is, which MySQL's
    ``MODIFY`` needs to restate the whole column and renderers print as hints.
    """

    kind: ClassVar[str] = "alter_column"
    table_name: str
    column_name: str
    schema: str | None = None
    nullable: Delta[bool] | None = None
    type: Delta[TypeEngine[Any]] | None = None
    server_default: Delta[Any] | None = None
    comment: Delta[str | None] | None = None
    #: ``Identity`` to ``Identity``: new options; from None: made an identity
    #: column; to None: no longer one.  ``Delta(None, None)`` drops whatever
    #: identity there may be, for a script that does not know.
    identity: Delta[Identity | None] | None = None
    new_column_name: str | None = None
    existing_type: TypeEngine[Any] | None = field(default=None, compare=False)
    existing_nullable: bool | None = None
    existing_server_default: Any = None
    existing_comment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def is_empty(self) -> bool:
        return (
            not (self.nullable or self.type or self.server_default or self.comment or self.identity)
            and self.new_column_name is None
        )

    def reverse(self) -> AlterColumnOp:
        def flip(d: Delta[Any] | None) -> Delta[Any] | None:
            return Delta(d.new, d.old) if d is not None else None

        name = self.new_column_name or self.column_name
        return AlterColumnOp(
            self.table_name,
            name,
            self.schema,
            nullable=flip(self.nullable),
            type=flip(self.type),
            server_default=flip(self.server_default),
            comment=flip(self.comment),
            identity=flip(self.identity),
            new_column_name=self.column_name if self.new_column_name else None,
            existing_type=self.type.new if self.type else self.existing_type,
            existing_nullable=self.nullable.new if self.nullable else self.existing_nullable,
            existing_server_default=(
                self.server_default.new if self.server_default else self.existing_server_default
            ),
            existing_comment=self.comment.new if self.comment else self.existing_comment,
        )

    def to_changes(self) -> list[Change]:
        out: list[Change] = []
        if self.new_column_name and self.new_column_name != self.column_name:
            rename = {"from": self.column_name, "to": self.new_column_name}
            out.append(
                Change("rename_column", self.schema, self.table_name, self.column_name, rename)
            )

        def add(kind: str, old: Any, new: Any) -> None:
            out.append(
                Change(
                    kind, self.schema, self.table_name, self.column_name, {"from": old, "to": new}
                )
            )

        if self.nullable:
            add("modify_nullable", self.nullable.old, self.nullable.new)
        if self.type:
            add("modify_type", _render_type(self.type.old), _render_type(self.type.new))
            old, new = self.type.old, self.type.new
            if isinstance(old, Enum) and isinstance(new, Enum):
                detail = out[-1].detail
                if detail["from"] == detail["to"]:  # one named type for another
                    detail.update({"from": f"{old.name} {detail['from']}"})
                    detail.update({"to": f"{new.name} {detail['to']}"})
                detail.update(from_values=list(old.enums), to_values=list(new.enums))
        if self.server_default:
            add(
                "modify_default",
                _default_text(self.server_default.old),
                _default_text(self.server_default.new),
            )
        if self.comment:
            add("modify_comment", self.comment.old, self.comment.new)
        if self.identity:
            add(
                "modify_identity",
                _identity_text(self.identity.old),
                _identity_text(self.identity.new),
            )
        return out


@dataclass(frozen=True)
class CreateTableCommentOp(MigrateOperation):
    kind: ClassVar[str] = "add_table_comment"
    table_name: str
    comment: str
    schema: str | None = None
    existing_comment: str | None = None

    def reverse(self) -> MigrateOperation:
        if self.existing_comment is None:
            return DropTableCommentOp(self.table_name, self.schema, existing_comment=self.comment)
        return CreateTableCommentOp(
            self.table_name, self.existing_comment, self.schema, existing_comment=self.comment
        )

    def to_changes(self) -> list[Change]:
        return [
            Change(
                "add_table_comment",
                self.schema,
                self.table_name,
                None,
                {"from": self.existing_comment, "to": self.comment},
            )
        ]


@dataclass(frozen=True)
class DropTableCommentOp(MigrateOperation):
    kind: ClassVar[str] = "remove_table_comment"
    table_name: str
    schema: str | None = None
    existing_comment: str | None = None

    def reverse(self) -> MigrateOperation:
        if self.existing_comment is None:
            raise self.not_reversible()
        return CreateTableCommentOp(self.table_name, self.existing_comment, self.schema)

    def to_changes(self) -> list[Change]:
        return [
            Change(
                "remove_table_comment",
                self.schema,
                self.table_name,
                None,
                {"from": self.existing_comment, "to": None},
            )
        ]


def _default_text(value: Any) -> Any:
    """A server default as SQL text, whichever side it came from.

    Reflected defaults already are SQL text; a model's ``server_default="x"``
    means the string literal ``'x'``, so it is quoted to match.
    """
    if value is None or isinstance(value, str):
        return value
    arg = getattr(value, "arg", value)
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    text = getattr(arg, "text", None)
    return text if isinstance(text, str) else str(arg)


def _identity_text(identity: Identity | None) -> str | None:
    """``GENERATED ALWAYS AS IDENTITY (START WITH 10)``: the words a DBA knows."""
    if identity is None:
        return None
    dialect = DefaultDialect()
    return str(dialect.ddl_compiler(dialect, None).process(identity))  # type: ignore[arg-type]
