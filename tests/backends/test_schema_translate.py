"""``schema_translate_map`` on the connection reaches the DDL schemadiff writes as text.

The multi-tenant recipe of docs/cookbook.md: one set of migrations, run once
per tenant schema with ``{None: tenant}``.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import command, commands
from schemadiff.config import Config
from tests.operations.support import migration


def test_directives_land_in_the_translated_schema(database):
    if database.backend != "postgresql":
        pytest.skip("tenant schemas: PostgreSQL (MySQL's schemas are databases)")
    admin = database.engine()
    with admin.begin() as conn:
        tenant = f"{conn.dialect.default_schema_name}_tenant"
        conn.exec_driver_sql(f'CREATE SCHEMA "{tenant}"')
    try:
        engine = database.engine(execution_options={"schema_translate_map": {None: tenant}})
        with migration(engine) as op:
            op.create_table(
                "thing",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String(20)),
            )
            op.add_column("thing", sa.Column("note", sa.Text))
            op.create_index("ix_thing_name", "thing", ["name"])
            op.alter_column("thing", "name", nullable=False, existing_type=sa.String(20))
            op.drop_column("thing", "note")
        engine.dispose()
        inspector = sa.inspect(admin)
        assert inspector.get_table_names() == []  # nothing in the default schema
        assert inspector.get_table_names(schema=tenant) == ["thing"]
        columns = {c["name"]: c for c in inspector.get_columns("thing", schema=tenant)}
        assert list(columns) == ["id", "name"] and columns["name"]["nullable"] is False
        assert [i["name"] for i in inspector.get_indexes("thing", schema=tenant)] == [
            "ix_thing_name"
        ]
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{tenant}" CASCADE')
        admin.dispose()


COOKBOOK = Path(__file__).parents[2] / "docs" / "cookbook.md"
MODELS = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False))
"""
CREATE_ACCOUNT = '''"""create account"""
revision = "a1"
down_revision = None
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa


def upgrade():
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(50), nullable=False))
    op.execute("INSERT INTO account (id, name) VALUES (1, 'first')")


def downgrade():
    op.drop_table("account")
'''


def _cookbook_block(heading: str, starts: str) -> str:
    """The python block under ``heading`` in docs/cookbook.md that starts with ``starts``."""
    section = COOKBOOK.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    return next(b for b in blocks if starts in b)


def test_the_cookbooks_multi_tenant_recipe(tmp_path, database):
    """docs/cookbook.md's env.py, as written: each tenant migrated and checked on its own."""
    if database.backend != "postgresql":
        pytest.skip("search_path tenants are a PostgreSQL recipe")
    recipe = _cookbook_block("Multi-tenant schemas (PostgreSQL)", "def run_migrations_online")
    # a name of its own: other tests' ``models`` modules stay in sys.modules
    module = f"tenant_models_{uuid.uuid4().hex}"
    ini = Config(str(tmp_path / "schemadiff.ini"), stdout=io.StringIO())
    commands.init(ini, str(tmp_path / "migrations"))
    env_py = tmp_path / "migrations" / "env.py"
    text = env_py.read_text().replace(
        "target_metadata = None", f"from {module} import metadata as target_metadata"
    )
    start = text.index("def run_migrations_online")
    env_py.write_text(
        text[:start] + recipe + "\n\n" + text[text.index("if context.is_offline_mode()") :]
    )
    (tmp_path / f"{module}.py").write_text(MODELS)
    (tmp_path / "migrations" / "versions" / "a1_create_account.py").write_text(CREATE_ACCOUNT)
    admin = database.engine()
    with admin.connect() as conn:
        base = conn.dialect.default_schema_name
    tenants = [f"{base}_acme", f"{base}_globex"]

    def config(tenant: str) -> Config:
        cfg = Config(str(tmp_path / "schemadiff.ini"), stdout=io.StringIO())
        cfg.set_main_option("script_location", str(tmp_path / "migrations"))
        cfg.set_main_option("prepend_sys_path", str(tmp_path))
        cfg.set_main_option("sqlalchemy.url", database.url_string)
        cfg.cmd_opts = argparse.Namespace(x=[f"tenant={tenant}"])
        cfg.attributes["configure_logger"] = False
        return cfg

    try:
        for tenant in tenants:
            command.upgrade(config(tenant), "head")
        for tenant in tenants:
            assert command.check(config(tenant)) is False
            with admin.connect() as conn:
                assert conn.exec_driver_sql(f'SELECT name FROM "{tenant}".account').all() == [
                    ("first",)
                ]
                versions = f'SELECT version_num FROM "{tenant}".schemadiff_version'
                assert conn.exec_driver_sql(versions).all() == [("a1",)]
        assert sa.inspect(admin).get_table_names() == []  # the default schema is untouched
    finally:
        sys.modules.pop(module, None)
        with admin.begin() as conn:
            for tenant in tenants:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{tenant}" CASCADE')
        admin.dispose()
