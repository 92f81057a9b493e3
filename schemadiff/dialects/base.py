"""Per-backend knowledge, in one place per backend.

A ``DialectImpl`` answers the questions where backends differ: whether two
types are the same once the database has had its say, how a server default
looks after the round trip, whether DDL is transactional, and how each
ALTER is spelled.  Comparators and the runtime ask it; they never test the
dialect name themselves.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.types import Enum, NullType, TypeEngine

from schemadiff.dialects.sqltext import plain_dialect
from schemadiff.errors import MigrationError

if TYPE_CHECKING:  # annotations only: the runner needs no ops package to connect
    from schemadiff.ops.constraint_ops import DropConstraintOp
    from schemadiff.ops.schema_ops import AlterColumnOp

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class DropConstraintPlan:
    """How ``drop_constraint`` goes on a backend: the kind to spell, and an index
    the backend made for the constraint that goes with it."""

    type_: str | None
    then_drop_index: str | None = None


def _nothing() -> None:
    return None


class DialectImpl:
    """Defaults shared by every backend; subclasses override the quirks."""

    name: ClassVar[str] = "default"
    transactional_ddl: ClassVar[bool] = False
    #: groups of compiled type names the backend stores as one type
    type_synonyms: ClassVar[tuple[frozenset[str], ...]] = ()
    supports_alter_column: ClassVar[bool] = True
    #: a UNIQUE constraint is stored and reported as a unique index (MySQL)
    unique_constraint_is_index: ClassVar[bool] = False
    #: reflection reports indexes on expressions (SQLAlchemy 2.1 skips them on SQLite)
    reflects_expression_indexes: ClassVar[bool] = True
    #: the backend adds an index for each foreign key that lacks one (MySQL)

    implicit_fk_indexes: ClassVar[bool] = False
    #: reflection reports each index key's order and collation (PostgreSQL)
    reflects_index_modifiers: ClassVar[bool] = False
    #: foreign key actions that mean "nothing happens" on this backend
    default_fk_actions: ClassVar[frozenset[str]] = frozenset({"NO ACTION"})
    #: foreign keys keep DEFERRABLE / INITIALLY and report them back (PostgreSQL)
    compares_fk_deferrability: ClassVar[bool] = False
    #: enums are named types of their own, created before a column uses one (PostgreSQL)
    named_enum_types: ClassVar[bool] = False
    #: ADD COLUMN carries the column's REFERENCES and CHECK inline; no ALTER adds them (SQLite)
    inline_column_constraints: ClassVar[bool] = False
    #: ADD/DROP COLUMN take IF [NOT] EXISTS (not SQLite)
    column_exists_guards: ClassVar[bool] = True
    #: sequence syntax: ``AS type`` accepted, the CACHE a sequence has by default,
    #: the spelling of NO CYCLE, and how to read where a sequence stands
    sequence_as_type: ClassVar[bool] = True
    sequence_default_cache: ClassVar[int] = 1
    sequence_no_cycle: ClassVar[str] = "NO CYCLE"

    #: DROP INDEX names its table (MySQL)
    drop_index_needs_table: ClassVar[bool] = False
    #: an integer key with a sequence default is SERIAL, so a rebuilt table keeps
    #: the DEFAULT nextval(...) rather than asking for a second SERIAL (PostgreSQL)
    serial_defaults: ClassVar[bool] = False
    #: materialized views, functions and triggers as schema objects (PostgreSQL)
    has_routines: ClassVar[bool] = False
    #: CREATE OR REPLACE VIEW may change a view's columns (MySQL); elsewhere a
    #: changed view is dropped and created again
    replaces_views_in_place: ClassVar[bool] = False
    #: how an offline script opens a transaction
    offline_begin: ClassVar[str] = "BEGIN;"
    #: ``autocommit_block`` switches the connection to AUTOCOMMIT isolation (not
    #: SQLite, whose driver is in manual mode for a migration: a COMMIT is enough)
    autocommit_by_isolation: ClassVar[bool] = True

    # -- the migration transaction -------------------------------------------------
    def transaction_scope(
        self, conn: Connection
    ) -> contextlib.AbstractContextManager[Callable[[], None]]:
        """Entered around each migration transaction; yields a check to run right
        before its COMMIT (SQLite: deferred foreign-key enforcement)."""
        return contextlib.nullcontext(_nothing)

    def explicit_begin(self, lock_run: bool) -> str | None:
        """The BEGIN schemadiff issues itself where the driver does not (SQLite);
        ``lock_run``: the run writes, and the BEGIN takes the write lock."""
        return None

    def begin_transaction(self, conn: Connection, *, lock_run: bool, lock_timeout: float) -> None:
        """Right after SQLAlchemy's ``begin()``: issue ``explicit_begin``, waiting
        visibly for a lock it takes."""
        statement = self.explicit_begin(lock_run)
        if statement is not None:
            conn.exec_driver_sql(statement)

    def sequence_position_sql(self, quoted_name: str) -> str:
        return f"SELECT last_value FROM {quoted_name}"

    @property
    def display_name(self) -> str:
        """The backend's name as users know it, for messages."""
        return self.dialect.name

    def changes_views_cannot_survive(
        self, schema: str | None, table: str, op: Any
    ) -> Iterable[tuple[str | None, str, str | None]]:
        """``(schema, table, column)`` (column None: the whole table) a view reading
        them must be dropped before ``op`` and recreated after it: the backend binds
        views to what they read (PostgreSQL) or rebuilds the table (SQLite)."""
        return ()

    # -- what a backend looks up on the live database before an ALTER --------------
    def complete_alter_column(self, bind: Connection | None, op: AlterColumnOp) -> AlterColumnOp:
        """The op with whatever the backend's ALTER must restate (``bind`` is None
        offline, where nothing can be looked up)."""
        return op

    def plan_drop_constraint(
        self, bind: Connection | None, op: DropConstraintOp
    ) -> DropConstraintPlan | None:
        """None when ``if_exists`` is given and it is not there (for a backend whose
        DROP takes no IF EXISTS)."""
        return DropConstraintPlan(op.type_)

    def __init__(self, dialect: Dialect) -> None:
        # Everything built here is plain SQL ('%' left alone), see dialects.sqltext.
        self.dialect = plain_dialect(dialect)
        self.preparer = self.dialect.identifier_preparer
        self._compiled: dict[Any, tuple[str | None, str | None]] = {}
        self._by_identity: dict[int, tuple[Any, tuple[str | None, str | None]]] = {}
        self._default_verdicts: dict[tuple[str | None, str | None], bool] = {}

        self._synonyms: dict[str, str] = {}

        for group in self.type_synonyms:
            canonical = sorted(group)[0]
            for member in group:
                self._synonyms[member] = canonical

    # -- types -------------------------------------------------------------
    def compile_type(self, type_: TypeEngine[Any]) -> str | None:
        """The DDL text of ``type_`` on this dialect; None where it has none."""
        return self._compiled_and_signature(type_)[0]

    def type_signature(self, type_: TypeEngine[Any]) -> str | None:
        """The normalized text two types must share to be the same stored type."""
        # Asked twice per column: a type seen before is answered from here.
        seen = self._by_identity.get(id(type_))
        if seen is not None and seen[0] is type_:
            return seen[1][1]
        return self._compiled_and_signature(type_)[1]

    def _compiled_and_signature(self, type_: TypeEngine[Any]) -> tuple[str | None, str | None]:
        # Reflected columns share type objects: remember those by identity,
        # holding the object so its id cannot be reused meanwhile.  Model
        # columns each own a type object, but thousands of them are equal;
        # those meet in the cache keyed by class and attributes.
        seen = self._by_identity.get(id(type_))
        if seen is not None and seen[0] is type_:
            return seen[1]
        key = _type_key(type_)
        found = self._compiled.get(key, _MISSING) if key is not None else _MISSING
        if found is _MISSING:
            text = self._compile_type(type_)
            found = (text, None if text is None else self.normalize_type_text(text))
            if key is not None:
                self._compiled[key] = found
        self._by_identity[id(type_)] = (type_, found)  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def _compile_type(self, type_: TypeEngine[Any]) -> str | None:
        if isinstance(type_, NullType):
            return None
        try:
            return str(self.dialect.type_compiler_instance.process(type_))
        except Exception:  # a type this dialect cannot render: cannot judge
            return None

    def normalize_type_text(self, text: str) -> str:
        text = _WS.sub(" ", text.upper()).strip()
        text = text.replace(", ", ",").replace(" (", "(")
        base, _, args = text.partition("(")
        base = self._synonyms.get(base, base)
        return f"{base}({args}" if args else base

    def types_differ(self, inspected: TypeEngine[Any], metadata: TypeEngine[Any]) -> bool:
        """True when the database's type is not what the model asks for.

        Both sides are compiled by this dialect, so a model type and the
        type the database reports for it meet in one vocabulary; anything
        that cannot be compiled (an unknown reflected type) is not reported.
        """
        left, right = self.type_signature(inspected), self.type_signature(metadata)
        if left is not None and right is not None and left != right:
            return not self.stored_alike(inspected, metadata)
        if isinstance(inspected, Enum) and isinstance(metadata, Enum):
            # A native enum compiles to its name only; its labels matter too.
            return list(inspected.enums) != list(metadata.enums)
        return False

    def stored_alike(self, inspected: TypeEngine[Any], metadata: TypeEngine[Any]) -> bool:
        """Types that compile differently but which the backend stores as one."""
        return False

    # -- server defaults ---------------------------------------------------
    def normalize_default(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = text.strip()
        while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
        return text

    def defaults_differ(self, inspected: str | None, metadata: str | None) -> bool:
        """Compared by meaning: see ``dialects.expressions``.

        The verdict depends on the two texts only, and a schema repeats a
        few pairs (``current_timestamp()`` against ``CURRENT_TIMESTAMP`` on
        every table), so each pair is judged once per comparison.
        """
        key = (inspected, metadata)
        verdict = self._default_verdicts.get(key)
        if verdict is None:
            from schemadiff.dialects.expressions import same_expression

            verdict = self._default_verdicts[key] = not same_expression(
                self.normalize_default(inspected), self.normalize_default(metadata), self.name
            )
        return verdict

    def expressions_differ(self, inspected: str | None, metadata: str | None) -> bool:
        """CHECK bodies, index expressions, predicates: compared by meaning."""
        from schemadiff.dialects.expressions import same_expression

        return not same_expression(inspected, metadata, self.name)

    def canonical(self, text: str) -> str:
        # sqlglot is imported on first use: the runner (upgrade, downgrade)
        # never compares expressions, and its start-up should not pay for it
        from schemadiff.dialects.expressions import canonical_sql

        return canonical_sql(text, self.name)

    def index_option_signature(self, index: Any) -> tuple[Any, ...]:
        """The dialect options of an index snapshot that the backend stores.

        Two indexes with the same keys but different signatures are
        different indexes; ``()`` means "nothing compared" (the default,
        for backends whose reflection reports no such options reliably).
        """
        return ()

    def normalize_name(self, name: str | None) -> str | None:
        """A constraint or index name as the database would store it."""
        return name

    def normalize_fk_action(self, action: str | None) -> str | None:
        if action is None:
            return None
        action = " ".join(action.upper().split())
        return None if action in self.default_fk_actions else action

    def effective_nullable(self, table: Any, column: Any) -> bool:
        """Whether the reflected column can really hold NULL."""
        return bool(column.nullable)

    def identity_signature(self, identity: Any, type_: TypeEngine[Any]) -> Any:
        """What two identities must share to generate alike (see PostgresqlImpl).

        Here the options as given; a backend whose catalog fills in defaults
        the model leaves out blanks those, so that both sides line up.
        """
        return identity

    def sequence_signature(self, seq: Any) -> Any:
        """What two sequences (``snapshot.objects.SequenceSnapshot``) must share to be alike.

        Here the options as given; a backend whose catalog reports the
        defaults a model leaves out blanks those (see PostgresqlImpl, MySQLImpl).
        """
        return (
            seq.start,
            seq.increment,
            seq.minvalue,
            seq.maxvalue,
            bool(seq.cycle),
            seq.cache,
            seq.data_type,
        )

    def is_implicit_default(self, inspected: str | None, column: Any) -> bool:
        """A default the database adds on its own (e.g. a serial's nextval())."""
        return False

    # -- DDL ---------------------------------------------------------------
    def ddl_compiler(self) -> DDLCompiler:
        # A compiler for single column and type specifications: no statement needed.
        return self.dialect.ddl_compiler(self.dialect, None)  # type: ignore[arg-type]

    #: the connection's ``schema_translate_map`` execution option, applied to
    #: the DDL written as text here as SQLAlchemy applies it to its constructs
    schema_translate_map: Mapping[str | None, str | None] | None = None

    def quote_table(self, name: str, schema: str | None) -> str:
        q = self.preparer.quote
        if self.schema_translate_map and schema in self.schema_translate_map:
            schema = self.schema_translate_map[schema]
        return f"{self.preparer.quote_schema(schema)}.{q(name)}" if schema else q(name)

    def column_spec(self, table_name: str, column: Column[Any], schema: str | None) -> str:
        if column.table is None:
            Table(table_name, MetaData(), column, schema=schema)
        return str(self.ddl_compiler().get_column_specification(column))

    def add_column(self, table_name: str, column: Column[Any], schema: str | None) -> list[str]:
        spec = self.column_spec(table_name, column, schema)
        stmts = [f"ALTER TABLE {self.quote_table(table_name, schema)} ADD COLUMN {spec}"]
        if column.comment is not None and self.dialect.supports_comments:
            stmts.extend(self.column_comment(table_name, column.name, column.comment, schema))
        return stmts

    def drop_column(self, table_name: str, column_name: str, schema: str | None) -> list[str]:
        return [
            f"ALTER TABLE {self.quote_table(table_name, schema)} "
            f"DROP COLUMN {self.preparer.quote(column_name)}"
        ]

    def column_comment(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None
    ) -> list[str]:
        target = f"{self.quote_table(table_name, schema)}.{self.preparer.quote(column_name)}"
        value = "NULL" if comment is None else self.literal(comment)
        return [f"COMMENT ON COLUMN {target} IS {value}"]

    def table_comment(self, table_name: str, comment: str | None, schema: str | None) -> list[str]:
        value = "NULL" if comment is None else self.literal(comment)
        return [f"COMMENT ON TABLE {self.quote_table(table_name, schema)} IS {value}"]

    def rename_table(self, old: str, new: str, schema: str | None) -> list[str]:
        return [f"ALTER TABLE {self.quote_table(old, schema)} RENAME TO {self.preparer.quote(new)}"]

    def literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def default_sql(self, default: Any) -> str | None:
        """SQL text for a server default given as str, text() or DefaultClause."""
        if default is None:
            return None
        arg = getattr(default, "arg", default)
        if isinstance(arg, str):
            return self.literal(arg)
        text = getattr(arg, "text", None)
        if isinstance(text, str):
            return text
        return str(arg.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))

    def alter_column(self, op: AlterColumnOp) -> list[str]:
        if not self.supports_alter_column:
            raise MigrationError(
                f"{self.name} cannot ALTER column '{op.table_name}.{op.column_name}'; "
                "use op.batch_alter_table() (render_as_batch=True) for this backend"
            )
        return self.generic_alter_column(op)

    def batch_needs_recreate(self, op: Any, table: Any = None) -> bool:
        """Whether ``op`` needs the table rebuilt (move and copy) on this backend.

        ``table`` describes the live table (a batch ``Rebuild``) when one is at
        hand, for answers that depend on it; backends with a full ALTER
        TABLE never need a rebuild.
        """
        return False

    def generic_alter_column(self, op: AlterColumnOp) -> list[str]:
        table = self.quote_table(op.table_name, op.schema)
        col = self.preparer.quote(op.column_name)
        out: list[str] = []
        if op.nullable is not None:
            verb = "DROP NOT NULL" if op.nullable.new else "SET NOT NULL"
            out.append(f"ALTER TABLE {table} ALTER COLUMN {col} {verb}")
        if op.server_default is not None:
            sql = self.default_sql(op.server_default.new)
            verb = "DROP DEFAULT" if sql is None else f"SET DEFAULT {sql}"
            out.append(f"ALTER TABLE {table} ALTER COLUMN {col} {verb}")
        if op.type is not None:
            out.append(
                f"ALTER TABLE {table} ALTER COLUMN {col} TYPE {self.compile_type(op.type.new)}"
            )
        if op.comment is not None:
            out.extend(
                self.column_comment(op.table_name, op.column_name, op.comment.new, op.schema)
            )
        if op.new_column_name:
            out.append(
                f"ALTER TABLE {table} RENAME COLUMN {col} TO {self.preparer.quote(op.new_column_name)}"
            )
        return out


_MISSING = object()


def _type_key(type_: TypeEngine[Any]) -> Any:
    """A hashable description of a type instance, or None if it has none.

    Thousands of columns share a few dozen distinct types; compiling each
    distinct one once keeps type comparison off the profile.
    """
    # Attribute order follows the constructor, so equal types built the same
    # way give equal keys without sorting; a differing order only costs a
    # cache miss.
    # ``dispatch`` (Boolean, Enum: DDL event hooks) is per instance and has
    # no bearing on the DDL text.
    attrs = type_.__dict__
    items = (
        tuple(i for i in attrs.items() if i[0] != "dispatch")
        if "dispatch" in attrs
        else tuple(attrs.items())
    )
    key = (type(type_), items)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _balanced(text: str) -> bool:

    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
