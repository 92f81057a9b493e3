"""A realistic long Alembic history, written as an Alembic project on disk.

Used by the replay test (``tests/backends/test_alembic_history.py``) and the
``upgrade`` benchmark suite: the same project is run by Alembic and, after
``schemadiff import-alembic`` on a copy, by schemadiff; both must reach the
same schema.

What real long-lived histories do, and so what this one does, cycling
through revision kinds: create tables (with server defaults, foreign keys
and indexes), add columns, data migrations (``bulk_insert``, ``UPDATE``),
batch steps (``batch_alter_table`` changing a type: a move-and-copy on
SQLite), ``autocommit_block()`` (``CREATE INDEX CONCURRENTLY`` on
PostgreSQL), scripts that ``op.get_bind().commit()`` and go on, scripts
reading ``op.get_context().config``, ``if_exists``/``if_not_exists``
directives, branches merged back, and scripts that use
``histapp.db.types`` after a bare ``import histapp`` -- a submodule that
only the *last* revision script imports, so it works only when every
script is loaded before the first step runs, as Alembic does.

Everything is deterministic: the same ``count`` writes the same files.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HistoryRevision", "plan_history", "write_history_project", "write_trivial_project"]

KINDS = (
    "table",
    "column",
    "data",
    "index",
    "batch",
    "commit",
    "autocommit",
    "config",
    "if_exists",
    "app",
)
#: a branch (two revisions off one parent) and its merge, every this many revisions
BRANCH_EVERY = 23


@dataclass(frozen=True)
class HistoryRevision:
    index: int
    rev_id: str
    down: tuple[str, ...]
    kind: str
    table: str  # the table this revision works on (new for "table")


def _rev_id(index: int) -> str:
    return f"{index:04d}{(index * 2654435761) % (16**8):08x}"


def plan_history(count: int) -> list[HistoryRevision]:
    """``count`` revisions: a main line with branches that merge back."""
    out: list[HistoryRevision] = []
    tables: list[str] = []
    heads: tuple[str, ...] = ()
    index = 0

    def add(kind: str, down: tuple[str, ...]) -> HistoryRevision:
        nonlocal index
        index += 1
        if kind in ("table", "last") or not tables:
            kind = kind if kind == "last" else "table"
            tables.append(f"t{index:04d}")
            table = tables[-1]
        else:
            table = tables[(index * 7) % len(tables)]
        rev = HistoryRevision(index, _rev_id(index), down, kind, table)
        out.append(rev)
        return rev

    while index < count:
        if index and index % BRANCH_EVERY == 0 and count - index >= 3:
            left = add("table", heads)
            right = add("table", heads)
            heads = (add("merge", (left.rev_id, right.rev_id)).rev_id,)
            continue
        kind = KINDS[index % len(KINDS)] if index < count - 1 else "last"
        heads = (add(kind, heads).rev_id,)
    return out


def _body(rev: HistoryRevision) -> tuple[str, str, str]:
    """(module-level imports, upgrade body, downgrade body) for one revision."""
    t, i = rev.table, rev.index
    if rev.kind in ("table", "last"):
        ref = ""
        if rev.index > 1:
            ref = '    sa.Column("parent_id", sa.Integer, sa.ForeignKey("t0001.id")),\n'
        imports = "import histapp.db.types\n" if rev.kind == "last" else ""
        up = (
            f'op.create_table(\n    "{t}",\n'
            '    sa.Column("id", sa.Integer, primary_key=True),\n'
            '    sa.Column("name", sa.String(40), nullable=False, server_default="n"),\n'
            '    sa.Column("amount", histapp.db.types.Money, nullable=True),\n'
            '    sa.Column("status", sa.String(10), server_default=sa.text("\'new\'")),\n'
            f"{ref})\n"
            f'op.create_index("ix_{t}_name", "{t}", ["name"])\n'
        )
        return imports, up, f'op.drop_table("{t}")\n'
    if rev.kind == "merge":
        return "", "pass\n", "pass\n"
    if rev.kind == "column":
        return (
            "",
            f'op.add_column("{t}", sa.Column("c{i}", sa.Integer, nullable=True))\n',
            f'op.drop_column("{t}", "c{i}")\n',
        )
    if rev.kind == "data":
        up = (
            f'table = sa.table("{t}", sa.column("id", sa.Integer), sa.column("name", sa.String))\n'
            f"op.bulk_insert(table, {[{'id': i * 10 + k, 'name': f'row{k}'} for k in range(3)]!r})\n"
            f"op.execute(\"UPDATE {t} SET status = 'seen' WHERE id = {i * 10 + 1}\")\n"
        )
        return "", up, f'op.execute("DELETE FROM {t} WHERE id >= {i * 10} AND id < {i * 10 + 3}")\n'
    if rev.kind == "index":
        return (
            "",
            f'op.create_index("ix_{t}_amount_{i}", "{t}", ["amount", "id"], if_not_exists=True)\n',
            f'op.drop_index("ix_{t}_amount_{i}", table_name="{t}")\n',
        )
    if rev.kind == "batch":
        up = (
            f'with op.batch_alter_table("{t}") as batch_op:\n'
            f'    batch_op.add_column(sa.Column("b{i}", sa.String(20), nullable=True))\n'
            '    batch_op.alter_column("status", existing_type=sa.String(10), '
            "type_=sa.String(30), existing_server_default=sa.text(\"'new'\"))\n"
        )
        down = f'with op.batch_alter_table("{t}") as batch_op:\n    batch_op.drop_column("b{i}")\n'
        return "", up, down
    if rev.kind == "commit":
        up = (
            f"op.execute(\"INSERT INTO {t} (id, name) VALUES ({i * 10 + 5}, 'committed')\")\n"
            "op.get_bind().commit()\n"
            "with op.get_context().autocommit_block():\n"
            f'    op.create_index("ix_{t}_k_{i}", "{t}", ["id", "name"], '
            "postgresql_concurrently=True)\n"
            f'op.add_column("{t}", sa.Column("k{i}", sa.Integer, nullable=True))\n'
        )
        down = f'op.drop_column("{t}", "k{i}")\nop.drop_index("ix_{t}_k_{i}", table_name="{t}")\n'
        return "", up, down
    if rev.kind == "autocommit":
        up = (
            "with op.get_context().autocommit_block():\n"
            f'    op.create_index("ix_{t}_status_{i}", "{t}", ["status"], '
            "postgresql_concurrently=True)\n"
        )
        return "", up, f'op.drop_index("ix_{t}_status_{i}", table_name="{t}")\n'
    if rev.kind == "config":
        up = (
            "ctx = op.get_context()\n"
            'assert ctx.config.get_main_option("script_location")\n'
            "section = ctx.config.get_section(ctx.config.config_ini_section, {})\n"
            'assert "sqlalchemy.url" in section\n'
            f'op.add_column("{t}", sa.Column("cfg{i}", sa.Boolean, nullable=True))\n'
        )
        return "", up, f'op.drop_column("{t}", "cfg{i}")\n'
    if rev.kind == "if_exists":
        up = (
            f'op.drop_index("ix_gone_{i}", table_name="{t}", if_exists=True)\n'
            f'op.drop_table("gone_{i}", if_exists=True)\n'
            f'op.create_table("x{i}", sa.Column("id", sa.Integer, primary_key=True), '
            "if_not_exists=True)\n"
        )
        return "", up, f'op.drop_table("x{i}")\n'
    if rev.kind == "app":
        return (
            "",
            f'op.add_column("{t}", sa.Column("m{i}", histapp.db.types.Money, nullable=True))\n',
            f'op.drop_column("{t}", "m{i}")\n',
        )
    raise ValueError(rev.kind)


def _script(rev: HistoryRevision) -> str:
    imports, up, down = _body(rev)
    if len(rev.down) > 1:
        down_rev = repr(rev.down)
    else:
        down_rev = repr(rev.down[0]) if rev.down else "None"
    revises = ", ".join(rev.down)
    return (
        f'"""{rev.kind} step {rev.index}\n\nRevision ID: {rev.rev_id}\nRevises: {revises}\n'
        f'Create Date: 2024-01-01 09:00:00.000000\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\nimport histapp\n"
        f"{imports}\n"
        f"revision = {rev.rev_id!r}\ndown_revision = {down_rev}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{textwrap.indent(up, '    ')}\n\n"
        f"def downgrade():\n{textwrap.indent(down, '    ')}"
    )


ENV_PY = """\
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

INI = """\
[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = {level}
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""


def write_history_project(
    root: Path, url: str, count: int, *, log_level: str = "INFO"
) -> list[HistoryRevision]:
    """An Alembic project in ``root`` (``alembic.ini``, ``migrations/``, ``histapp/``)."""
    revisions = plan_history(count)
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url=url.replace("%", "%%"), level=log_level))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    types_dir = root / "histapp" / "db"
    types_dir.mkdir(parents=True)
    (root / "histapp" / "__init__.py").write_text(
        '"""The application (its db layer is not imported here)."""\n'
    )
    (types_dir / "__init__.py").write_text("")
    (types_dir / "types.py").write_text("import sqlalchemy as sa\n\nMoney = sa.Numeric(12, 2)\n")
    for rev in revisions:
        (versions / f"{rev.rev_id}_{rev.kind}_step_{rev.index}.py").write_text(_script(rev))
    return revisions


def dump_catalog(url: str) -> dict[str, object]:
    """Every table's columns, keys, indexes and rows, in a form two databases can be
    compared by (``==``): what a replay by each tool must leave identical."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    out: dict[str, object] = {}
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            for name in sorted(insp.get_table_names()):
                columns = [
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in insp.get_columns(name)
                ]
                indexes = sorted(
                    (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                    for i in insp.get_indexes(name)
                )
                fks = sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in insp.get_foreign_keys(name)
                )
                pk = tuple(insp.get_pk_constraint(name)["constrained_columns"])
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                order = [table.c[c] for c in pk] or list(table.c)
                rows = [tuple(map(str, r)) for r in conn.execute(sa.select(table).order_by(*order))]
                out[name] = {
                    "columns": columns,
                    "pk": pk,
                    "indexes": indexes,
                    "fks": fks,
                    "rows": rows,
                }
    finally:
        engine.dispose()
    return out


#: env.py of the trivial history: the template's default, one transaction for the run
TRIVIAL_ENV_PY = ENV_PY.replace("            transaction_per_migration=True,\n", "")


def _trivial_script(index: int) -> str:
    rev = _rev_id(index)
    down = repr(_rev_id(index - 1)) if index > 1 else "None"
    return (
        f'"""trivial step {index}\n\nRevision ID: {rev}\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )


def write_trivial_project(root: Path, url: str, count: int) -> None:
    """An Alembic project of ``count`` revisions in a line, each doing nothing.

    What such a run measures is the tool's own cost per revision: reading
    and importing the script, walking the graph, moving the version row.
    """
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url=url.replace("%", "%%"), level="WARNING"))
    (root / "migrations" / "env.py").write_text(TRIVIAL_ENV_PY)
    for index in range(1, count + 1):
        (versions / f"{_rev_id(index)}_trivial_step_{index}.py").write_text(_trivial_script(index))
