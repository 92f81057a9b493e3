"""The golden loop on every backend: autogenerate -> upgrade -> check is clean;
downgrade -> check against the old model is clean."""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff import command
from tests.helpers import make_project


def model_v1() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("description", sa.Unicode(200)),
    )
    return md


def model_v2() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("description", sa.Unicode(200)),
        sa.Column("last_transaction_date", sa.DateTime),
        sa.Column("balance", sa.Numeric(10, 2), nullable=False, server_default="0"),
    )
    sa.Table(
        "shopping_cart",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Index("ix_shopping_cart_account_id", "account_id"),
    )
    return md


def _version_rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars())


def test_autogenerate_upgrade_check_downgrade(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)

    # 1. empty database, model v1: autogenerate the first revision and apply it
    (first,) = command.revision(
        project.config(model_v1()), message="create account table", autogenerate=True
    )
    source = first.read_text()
    assert "op.create_table(" in source and 'op.drop_table("account")' in source
    command.upgrade(project.config(model_v1()), "head")
    assert command.check(project.config(model_v1())) is False
    assert sa.inspect(engine).has_table("account")

    # 2. model v2 drifts; check says so; autogenerate, upgrade, check clean
    assert command.check(project.config(model_v2())) is True
    (second,) = command.revision(project.config(model_v2()), message="add cart", autogenerate=True)
    command.upgrade(project.config(model_v2()), "head")
    assert command.check(project.config(model_v2())) is False
    second_id = second.name.split("_")[0]
    assert _version_rows(engine) == [second_id]

    # 3. downgrade one step: the database matches model v1 again
    command.downgrade(project.config(model_v2()), "-1")
    assert command.check(project.config(model_v1())) is False
    first_id = first.name.split("_")[0]
    assert _version_rows(engine) == [first_id]

    # 4. all the way down and up again
    command.downgrade(project.config(model_v1()), "base")
    assert _version_rows(engine) == []
    assert not sa.inspect(engine).has_table("account")
    command.upgrade(project.config(model_v2()), "head")
    assert command.check(project.config(model_v2())) is False


def test_autogenerate_refuses_an_out_of_date_database(database, tmp_path):
    project = make_project(tmp_path, database.url_string)
    command.revision(project.config(model_v1()), message="one", autogenerate=True)
    import pytest

    from schemadiff.errors import CommandError

    with pytest.raises(CommandError, match="Target database is not up to date."):
        command.revision(project.config(model_v2()), message="two", autogenerate=True)
