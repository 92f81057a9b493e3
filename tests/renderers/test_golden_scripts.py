"""Whole revision scripts per dialect, after black, against golden files.

Each golden file starts with a ``# dialect: NAME`` line naming the dialect
its script was rendered for; the rest is the script as written to disk
(``Create Date`` aside).  ``SCHEMADIFF_UPDATE_GOLDEN=1`` rewrites them after
an intended change; review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    Delta,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableOp,
    MigrationScript,
    ModifyTableOps,
    UpgradeOps,
)
from schemadiff.plugins import default_registries
from schemadiff.renderers.python import AutogenContext, template_args
from schemadiff.scriptdir import ScriptDirectory

GOLDEN = Path(__file__).parents[2] / "fixtures" / "golden" / "scripts"
TEMPLATES = Path(__file__).parents[2] / "schemadiff" / "templates"
DIALECTS = {"postgresql": postgresql.dialect, "mysql": mysql.dialect, "sqlite": sqlite.dialect}
CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _model(dialect: str) -> tuple[sa.Table, sa.Table]:
    """An account and an order table, with what each dialect adds of its own."""
    md = sa.MetaData(naming_convention=CONVENTION)
    extra: list[sa.Column] = []
    if dialect == "postgresql":
        extra = [
            sa.Column("tags", postgresql.ARRAY(sa.String(20))),
            sa.Column("profile", postgresql.JSONB, server_default=sa.text("'{}'::jsonb")),
            sa.Column("external_id", postgresql.UUID(as_uuid=True)),
        ]
    elif dialect == "mysql":
        extra = [
            sa.Column("code", mysql.VARCHAR(10, charset="utf8mb4")),
            sa.Column("flags", mysql.TINYINT(unsigned=True), server_default=sa.text("0")),
        ]
    account = sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120), unique=True),
        sa.Column("balance", sa.Numeric(10, 2), nullable=False, server_default=sa.text("0")),
        sa.Column("note", sa.String(200), server_default='it\'s \\ "quoted"', comment="free"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        *extra,
        sa.CheckConstraint("balance >= 0", name="balance_positive"),
        comment="Customer accounts",
    )
    sa.Index(None, account.c.name)
    order = sa.Table(
        "order",
        md,
        sa.Column("id", sa.Integer, sa.Identity(start=100), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("total", sa.Numeric(12, 2), sa.Computed("quantity * 2")),
        sa.Column("quantity", sa.Integer),
    )
    return account, order


def _create_tables(dialect: str) -> UpgradeOps:
    account, order = _model(dialect)
    return UpgradeOps(
        [
            CreateTableOp(account),
            *[CreateIndexOp(ix) for ix in sorted(account.indexes, key=lambda i: str(i.name))],
            CreateTableOp(order),
        ]
    )


def _modify_tables(dialect: str) -> UpgradeOps:
    account, order = _model(dialect)
    phone = sa.Column("phone", sa.String(20), server_default="n/a")
    account.append_column(phone)
    uq = sa.UniqueConstraint(account.c.name, phone, name="uq_name_phone")
    account.append_constraint(uq)
    fk = next(c for c in order.constraints if isinstance(c, sa.ForeignKeyConstraint))
    ix = sa.Index("ix_order_quantity", order.c.quantity, unique=True)
    return UpgradeOps(
        [
            ModifyTableOps(
                "account",
                [
                    AddColumnOp("account", phone),
                    AlterColumnOp(
                        "account",
                        "name",
                        nullable=Delta(False, True),
                        type=Delta(sa.VARCHAR(50), sa.String(100)),
                    ),
                    AlterColumnOp(
                        "account",
                        "note",
                        server_default=Delta("'old'", account.c.note.server_default),
                        existing_type=sa.VARCHAR(200),
                    ),
                    CreateTableCommentOp("account", "Customers", existing_comment="Accounts"),
                    AddConstraintOp(uq),
                    DropConstraintOp("ck_account_legacy", "account", "check"),
                    DropColumnOp("account", "legacy", existing=sa.Column("legacy", sa.Text)),
                ],
            ),
            ModifyTableOps(
                "order",
                [
                    DropIndexOp("ix_order_old", "order"),
                    CreateIndexOp(ix),
                    DropConstraintOp("order_account_id_fkey", "order", "foreignkey"),
                    AddConstraintOp(fk),
                ],
            ),
            DropTableOp(
                "audit_log",
                existing=sa.Table("audit_log", sa.MetaData(), sa.Column("id", sa.Integer)),
            ),
        ]
    )


CASES: dict[str, tuple[str, Callable[[str], UpgradeOps], bool]] = {
    "postgresql_create_tables": ("postgresql", _create_tables, False),
    "postgresql_modify_tables": ("postgresql", _modify_tables, False),
    "mysql_create_tables": ("mysql", _create_tables, False),
    "mysql_modify_tables": ("mysql", _modify_tables, False),
    "sqlite_create_tables": ("sqlite", _create_tables, False),
    "sqlite_modify_tables_batch": ("sqlite", _modify_tables, True),
}


def _without_create_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("Create Date:"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_script_matches_golden_file(case, tmp_path):
    dialect_name, build, batch = CASES[case]
    upgrade = build(dialect_name)
    script = MigrationScript(upgrade_ops_list=[upgrade], downgrade_ops_list=[upgrade.reverse()])
    dialect = DIALECTS[dialect_name]()

    def make_context(token: str, imports: set[str]) -> AutogenContext:
        return AutogenContext(dialect=dialect, imports=imports, render_as_batch=batch)

    args = template_args(script, make_context, default_registries().renderers)
    root = tmp_path / "migrations"
    (root / "versions").mkdir(parents=True)
    (root / "script.py.mako").write_text((TEMPLATES / "generic" / "script.py.mako").read_text())
    path = ScriptDirectory(root).write_revision(
        "1975ea83b712", case.replace("_", " "), down_revision="ae1027a6acf", **args
    )
    rendered = f"# dialect: {dialect_name}\n" + path.read_text()
    golden = GOLDEN / f"{case}.py"
    if os.environ.get("SCHEMADIFF_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered)
    expected = golden.read_text()
    assert expected.splitlines()[0] == f"# dialect: {dialect_name}"
    assert _without_create_date(rendered) == _without_create_date(expected)
    compile(rendered, str(golden), "exec")  # the script is valid Python as written
