"""process_revision_directives, the Rewriter, and the "Detected ..." log lines."""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff import commands
from schemadiff.ops import (
    AddColumnOp,
    CreateIndexOp,
    DropColumnOp,
    MigrationScript,
    ModifyTableOps,
    UpgradeOps,
)
from schemadiff.renderers.python import Rewriter
from tests.helpers import make_project


def _existing_account(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50))"
        )
    engine.dispose()


def _model() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120), nullable=False),
    )
    return md


def test_rewriter_rewrites_ops_in_the_generated_script(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _existing_account(url)
    project = make_project(tmp_path, url)
    writer = Rewriter()

    @writer.rewrites(AddColumnOp)
    def add_column(context, revision, op):
        # the seeds' recipe: new columns start nullable, and get an index
        op.column.nullable = True
        index = sa.Index(f"ix_{op.table_name}_{op.column.name}", op.column)
        return [op, CreateIndexOp(index)]

    config = project.config(_model(), configure={"process_revision_directives": writer})
    (path,) = commands.revision(config, message="email", autogenerate=True)
    script = path.read_text()
    assert (
        'op.add_column("account", sa.Column("email", sa.String(length=120), nullable=True))'
        in script
    )
    assert 'op.create_index("ix_account_email", "account", ["email"], unique=False)' in script


def test_process_revision_directives_can_empty_the_script(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    project = make_project(tmp_path, url)

    def skip_empty(context, revision, directives):
        if directives[0].upgrade_ops.is_empty():
            directives[:] = []

    config = project.config(sa.MetaData(), configure={"process_revision_directives": skip_empty})
    assert commands.revision(config, message="nothing", autogenerate=True) == []
    assert project.versions() == []


def test_rewriter_rules_drop_chain_and_reach_nested_ops():
    first, second = Rewriter(), Rewriter()
    seen: list[str] = []

    @first.rewrites(DropColumnOp)
    def keep_columns(context, revision, op):
        seen.append(f"first:{op.column_name}")
        return []

    @second.rewrites(AddColumnOp)
    def mark(context, revision, op):
        seen.append(f"second:{op.column.name}")
        return op

    upgrade = UpgradeOps(
        [
            ModifyTableOps("t", [DropColumnOp("t", "old")]),
            ModifyTableOps("u", [AddColumnOp("u", sa.Column("new", sa.Integer))]),
        ]
    )
    script = MigrationScript(upgrade_ops_list=[upgrade], downgrade_ops_list=[upgrade.reverse()])
    first.chain(second)(None, ("rev", None), [script])
    # the emptied table block is gone; the downgrade's DropColumnOp went too
    assert [m.table_name for m in script.upgrade_ops.ops] == ["u"]
    assert seen == ["first:old", "first:new", "second:new"]
    downgrade_leaves = [type(op).__name__ for op in script.downgrade_ops.iter_leaves()]
    assert "DropColumnOp" not in downgrade_leaves


def test_detected_log_lines(tmp_path):
    # through the CLI: env.py's fileConfig() owns the loggers in-process
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _existing_account(url)
    project = make_project(tmp_path, url)
    project.write_models(
        "import sqlalchemy as sa\n"
        "metadata = sa.MetaData()\n"
        "sa.Table('account', metadata, sa.Column('id', sa.Integer, primary_key=True),\n"
        "    sa.Column('name', sa.String(50), nullable=False),\n"
        "    sa.Column('email', sa.String(120)))\n"
        "sa.Table('audit', metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
    )
    stderr = project.cli("revision", "--autogenerate", "-m", "log").stderr
    prefix = "INFO  [schemadiff.autogenerate.compare] "
    assert f"{prefix}Detected added table 'audit'" in stderr
    assert f"{prefix}Detected added column 'account.email'" in stderr
    assert f"{prefix}Detected NOT NULL on column 'account.name'" in stderr


def test_rewriter_applies_once_per_op_when_called_per_engine():
    # a multidb env.py runs the hook after each engine, with the whole script
    writer = Rewriter()
    calls: list[str] = []

    @writer.rewrites(AddColumnOp)
    def count(context, revision, op):
        calls.append(op.column.name)
        return op

    def upgrade(name: str) -> UpgradeOps:
        return UpgradeOps([AddColumnOp("t", sa.Column(name, sa.Integer))], f"{name}_upgrades")

    script = MigrationScript(upgrade_ops_list=[upgrade("one")], downgrade_ops_list=[])
    writer(None, ("rev", None), [script])
    script.upgrade_ops_list.append(upgrade("two"))
    writer(None, ("rev", None), [script])
    assert calls == ["one", "two"]
