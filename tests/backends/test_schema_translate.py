"""``schema_translate_map`` on the connection reaches the DDL schemadiff writes as text.

The multi-tenant recipe of docs/cookbook.md: one set of migrations, run once
per tenant schema with ``{None: tenant}``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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
