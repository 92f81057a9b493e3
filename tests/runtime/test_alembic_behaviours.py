"""What revision scripts written for Alembic rely on, on every backend.

``op.get_context()`` with ``.config``, ``.bind``, ``.dialect`` and ``.opts``;
a script's own ``commit()`` followed by more work and an
``autocommit_block()``; every script imported before the first step; a
failure after a script's commit keeping (and recording) what was committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import MigrationError
from schemadiff.runtime import migration as migration_module
from schemadiff.runtime.ledger import InterimCommit
from tests.helpers import make_project

HEADER = '''"""{message}"""
from schemadiff import op
import sqlalchemy as sa
{imports}
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''

CONTEXT_AND_COMMITS = """\
    ctx = op.get_context()
    section = ctx.config.get_section(ctx.config.config_ini_section)
    assert section["script_location"].endswith("migrations"), section
    assert ctx.bind is op.get_bind()
    assert ctx.dialect.name == op.get_bind().dialect.name
    assert ctx.opts["target_metadata"] is ctx.opts.get("target_metadata")
    assert "target_metadata" in ctx.opts and "no_such_option" not in ctx.opts
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40)),
    )
    op.get_bind().commit()
    op.execute("INSERT INTO account (id, name) VALUES (1, 'one')")
    op.get_bind().commit()
    with op.get_context().autocommit_block():
        op.create_index("ix_account_name", "account", ["name"])
    op.add_column("account", sa.Column("note", sa.String(40)))
    op.execute("INSERT INTO account (id, name, note) VALUES (2, 'two', 'n')")"""

FAILS_AFTER_COMMIT = """\
    op.create_table("kept", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO kept (id) VALUES (7)")
    op.get_bind().commit()
    op.execute("INSERT INTO kept (id) VALUES (8)")
    op.execute("INSERT INTO no_such_table (id) VALUES (1)")"""


def _write(root: Path, rev: str, down: str | None, upgrade: str, imports: str = "") -> None:
    (root / "migrations" / "versions" / f"{rev}_step.py").write_text(
        HEADER.format(
            message=f"step {rev}",
            rev=rev,
            down=down,
            imports=imports,
            upgrade=upgrade,
            downgrade="    pass",
        )
    )


@pytest.fixture
def contexts(monkeypatch: pytest.MonkeyPatch) -> list[migration_module.MigrationContext]:
    """Every MigrationContext made while the test runs, to read what it recorded."""
    made: list[migration_module.MigrationContext] = []
    original = migration_module.MigrationContext.__init__

    def init(self: migration_module.MigrationContext, *args: object, **kw: object) -> None:
        original(self, *args, **kw)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(migration_module.MigrationContext, "__init__", init)
    return made


def test_context_commit_then_autocommit_block(database, tmp_path: Path, contexts) -> None:
    project = make_project(tmp_path, database.url_string)
    _write(project.root, "a1", None, CONTEXT_AND_COMMITS)
    _write(project.root, "a2", "a1", FAILS_AFTER_COMMIT)

    command.upgrade(project.config(), "a1")
    engine = database.engine()
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, name, note FROM account ORDER BY id").all()
            versions = conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").all()
            indexes = [i["name"] for i in sa.inspect(conn).get_indexes("account")]
        assert [tuple(r) for r in rows] == [(1, "one", None), (2, "two", "n")]
        assert [v[0] for v in versions] == ["a1"]
        assert "ix_account_name" in indexes
        assert contexts[-1].interim_commits == [
            InterimCommit("a1", "upgrade", "script commit"),
            InterimCommit("a1", "upgrade", "script commit"),
            InterimCommit("a1", "upgrade", "autocommit_block"),
        ]

        with pytest.raises(MigrationError, match="no_such_table"):
            command.upgrade(project.config(), "head")
        # what the script committed stays, on every backend; the row inserted after
        # its commit is rolled back (InnoDB rows are transactional too), and the
        # version table is not moved
        with engine.connect() as conn:
            kept = conn.exec_driver_sql("SELECT id FROM kept ORDER BY id").scalars().all()
            versions = conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").all()
        assert kept == [7]
        assert [v[0] for v in versions] == ["a1"]
        assert contexts[-1].interim_commits == [InterimCommit("a2", "upgrade", "script commit")]
    finally:
        engine.dispose()


def test_every_script_is_imported_before_the_first_step(tmp_path: Path) -> None:
    """The first script uses ``myapp.utils.types`` after a bare ``import myapp``;
    only the second script imports that submodule."""
    app = tmp_path / "myapp" / "utils"
    app.mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (app / "__init__.py").write_text("")
    (app / "types.py").write_text("import sqlalchemy as sa\n\nCode = sa.String(16)\n")
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    uses = '    op.create_table("t", sa.Column("code", myapp.utils.types.Code, primary_key=True))'
    _write(project.root, "b1", None, uses, imports="import myapp\n")
    _write(project.root, "b2", "b1", "    pass", imports="import myapp.utils.types\n")
    for module in [m for m in sys.modules if m == "myapp" or m.startswith("myapp.")]:
        del sys.modules[module]
    try:
        command.upgrade(project.config(), "b1")
    finally:
        for module in [m for m in sys.modules if m == "myapp" or m.startswith("myapp.")]:
            del sys.modules[module]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        columns = sa.inspect(engine).get_columns("t")
    finally:
        engine.dispose()
    assert str(columns[0]["type"]) == "VARCHAR(16)"


def test_import_schemadiff_offers_op_and_context() -> None:
    code = (
        "import schemadiff, types\n"
        "assert isinstance(schemadiff.op, types.ModuleType)\n"
        "assert isinstance(schemadiff.context, types.ModuleType)\n"
        "assert callable(schemadiff.op.create_table) and callable(schemadiff.context.configure)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr
