"""Each operation kind to ``op.*`` source, without a database.

These pin the exact call each op renders to; golden files
(test_golden_scripts.py) pin whole scripts, and backend round trips
(test_scripts_run.py) prove the calls run.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

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
    DropTableCommentOp,
    DropTableOp,
    ModifyTableOps,
    RenameTableOp,
    UpgradeOps,
)
from schemadiff.plugins import default_registries
from schemadiff.renderers.python import AutogenContext, render_body

CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def render(*ops, **ctx_kw) -> list[str]:
    """The body's statement lines, without the begin/end comments and the
    ``# HAZARD`` comments (tests/hazards covers those)."""
    ctx = AutogenContext(**{"dialect": postgresql.dialect(), **ctx_kw})
    body = render_body(UpgradeOps(list(ops)), ctx, default_registries().renderers)
    lines = [line.strip() for line in body.splitlines()]
    return [line for line in lines if line and not line.startswith(("# ###", "# HAZARD"))]


def one(*ops, **ctx_kw) -> str:
    lines = render(*ops, **ctx_kw)
    assert len(lines) == 1, lines
    return lines[0]


def _tables() -> tuple[sa.Table, sa.Table]:
    md = sa.MetaData(naming_convention=CONVENTION)
    account = sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sa.CheckConstraint("id > 0", name="positive"),
    )
    order = sa.Table(
        "order",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE")),
        schema="sales",
    )
    return account, order


def _constraint(table: sa.Table, kind: type) -> sa.Constraint:
    return next(c for c in table.constraints if isinstance(c, kind))


def test_table_ops():
    account, _ = _tables()
    assert render(CreateTableOp(account)) == [
        "op.create_table(",
        "'account',",
        "sa.Column('id', sa.Integer(), nullable=False),",
        "sa.Column('name', sa.String(length=50), nullable=False),",
        "sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),",
        "sa.CheckConstraint('id > 0', name=op.f('ck_account_positive')),",
        "sa.UniqueConstraint('name', name=op.f('uq_account_name')),",
        ")",
    ]
    assert one(DropTableOp("account", "s")) == "op.drop_table('account', schema='s')"
    assert one(RenameTableOp("a", "b")) == "op.rename_table('a', 'b')"


def test_column_ops():
    col = sa.Column("phone", sa.String(20), nullable=True)
    assert (
        one(AddColumnOp("account", col))
        == "op.add_column('account', sa.Column('phone', sa.String(length=20), nullable=True))"
    )
    assert one(DropColumnOp("account", "phone", "s")) == (
        "op.drop_column('account', 'phone', schema='s')"
    )


def test_alter_column_renders_every_attribute_with_existing_hints():
    op = AlterColumnOp(
        "account",
        "name",
        nullable=Delta(True, False),
        type=Delta(sa.VARCHAR(50), sa.String(100)),
        server_default=Delta("'a'", sa.DefaultClause("b")),
        comment=Delta(None, "the name"),
        new_column_name="full_name",
    )
    assert one(op) == (
        "op.alter_column('account', 'name', existing_type=sa.VARCHAR(length=50), "
        "type_=sa.String(length=100), nullable=False, server_default='b', "
        "existing_server_default=sa.text(\"'a'\"), comment='the name', existing_comment=None, "
        "new_column_name='full_name')"
    )


def test_index_ops_use_op_f_for_convention_names():
    _, order = _tables()
    ix = sa.Index(None, order.c.account_id)
    assert one(CreateIndexOp(ix)) == (
        "op.create_index(op.f('ix_sales_order_account_id'), 'order', ['account_id'], "
        "unique=False, schema='sales')"
    )
    assert one(DropIndexOp("ix_old", "order", "sales")) == (
        "op.drop_index('ix_old', table_name='order', schema='sales')"
    )
    assert one(CreateIndexOp(ix).reverse()) == (
        "op.drop_index(op.f('ix_sales_order_account_id'), table_name='order', schema='sales')"
    )


def test_partial_and_expression_indexes_keep_their_sql():
    account, _ = _tables()
    ix = sa.Index(
        "ix_lower_name", sa.func.lower(account.c.name), postgresql_where=account.c.id > 10
    )
    assert one(CreateIndexOp(ix)) == (
        "op.create_index('ix_lower_name', 'account', [sa.text('lower(name)')], unique=False, "
        "postgresql_where=sa.text('id > 10'))"
    )


def test_constraint_ops():
    account, order = _tables()
    uq = _constraint(account, sa.UniqueConstraint)
    ck = _constraint(account, sa.CheckConstraint)
    fk = _constraint(order, sa.ForeignKeyConstraint)
    pk = account.primary_key
    assert one(AddConstraintOp(uq)) == (
        "op.create_unique_constraint(op.f('uq_account_name'), 'account', ['name'])"
    )
    assert one(AddConstraintOp(ck)) == (
        "op.create_check_constraint(op.f('ck_account_positive'), 'account', 'id > 0')"
    )
    assert one(AddConstraintOp(pk)) == (
        "op.create_primary_key(op.f('pk_account'), 'account', ['id'])"
    )
    # the source table's schema is source_schema=, as op.create_foreign_key takes it
    assert one(AddConstraintOp(fk)) == (
        "op.create_foreign_key(op.f('fk_order_account_id_account'), 'order', 'account', "
        "['account_id'], ['id'], ondelete='CASCADE', source_schema='sales')"
    )
    assert one(DropConstraintOp("uq_x", "account", "unique")) == (
        "op.drop_constraint('uq_x', 'account', type_='unique')"
    )
    assert one(AddConstraintOp(fk).reverse()) == (
        "op.drop_constraint(op.f('fk_order_account_id_account'), 'order', "
        "type_='foreignkey', schema='sales')"
    )


def test_unnamed_constraint_drop_says_so():
    lines = render(DropConstraintOp(None, "account", "primary"))
    assert lines[0].startswith("# the database reports no name")
    assert lines[1] == "op.drop_constraint(None, 'account', type_='primary')"


def test_table_comment_ops():
    assert one(CreateTableCommentOp("t", "new", existing_comment="old")) == (
        "op.create_table_comment('t', 'new', existing_comment='old')"
    )
    assert one(DropTableCommentOp("t", existing_comment="old")) == (
        "op.drop_table_comment('t', existing_comment='old')"
    )


def test_batch_mode_renders_changes_to_existing_tables_in_a_block():
    account, _ = _tables()
    modify = ModifyTableOps(
        "account",
        [
            AddColumnOp("account", sa.Column("street", sa.String(50))),
            AddConstraintOp(_constraint(account, sa.UniqueConstraint)),
            CreateIndexOp(sa.Index("ix_account_name", account.c.name)),
            AlterColumnOp("account", "name", nullable=Delta(False, True)),
        ],
    )
    lines = render(CreateTableOp(account), modify, render_as_batch=True)
    block = lines[lines.index("with op.batch_alter_table('account', schema=None) as batch_op:") :]
    assert block[1:] == [
        "batch_op.add_column(sa.Column('street', sa.String(length=50), nullable=True))",
        "batch_op.create_unique_constraint(op.f('uq_account_name'), ['name'])",
        "batch_op.create_index('ix_account_name', ['name'], unique=False)",
        "batch_op.alter_column('name', nullable=True)",
    ]
    assert lines[0] == "op.create_table("  # new tables stay outside batch blocks


def test_irreversible_downgrade_is_a_comment_and_still_valid_python():
    upgrade = UpgradeOps([ModifyTableOps("t", [DropColumnOp("t", "legacy")])])
    ctx = AutogenContext(dialect=postgresql.dialect())
    body = render_body(upgrade.reverse(), ctx, default_registries().renderers)
    assert "# cannot reverse automatically: removed column 't.legacy'" in body
    compile(f"def downgrade():\n    {body}\n", "<downgrade>", "exec")
    batch_ctx = AutogenContext(dialect=postgresql.dialect(), render_as_batch=True)
    body = render_body(upgrade.reverse(), batch_ctx, default_registries().renderers)
    compile(f"def downgrade():\n    {body}\n", "<downgrade>", "exec")


def test_dialect_types_add_their_import():
    ctx = AutogenContext(dialect=mysql.dialect())
    col = sa.Column("code", mysql.VARCHAR(20, charset="utf8mb4"))
    body = render_body(UpgradeOps([AddColumnOp("t", col)]), ctx, default_registries().renderers)
    assert "mysql.VARCHAR(charset='utf8mb4', length=20)" in body
    assert ctx.imports == {"from sqlalchemy.dialects import mysql"}


def test_types_sqlalchemy_does_not_export_at_the_top_are_reached_through_sa_types():
    assert "sa.types.NullType()" in one(AddColumnOp("t", sa.Column("x", sa.types.NullType())))


def test_sqlalchemy_module_prefix():
    line = one(AddColumnOp("t", sa.Column("x", sa.Integer)), sqlalchemy_module_prefix="sqlalchemy.")
    assert line == "op.add_column('t', sqlalchemy.Column('x', sqlalchemy.Integer(), nullable=True))"


def test_dialect_options_of_tables_render():
    md = sa.MetaData()
    table = sa.Table("t", md, sa.Column("id", sa.Integer), mysql_engine="InnoDB", comment="c")
    create = "\n".join(render(CreateTableOp(table)))
    assert "comment='c'" in create and "mysql_engine='InnoDB'" in create


def test_render_item_sees_every_item_type_and_may_replace_or_omit_it():
    account, order = _tables()
    sa.Index("ix_account_name", account.c.name)
    account.c.name.server_default = sa.DefaultClause("x")
    seen: set[str] = set()
    replace = {"type": "MyType()", "unique": "my_unique()", "foreign_key": "my_fk()"}

    def render_item(type_, obj, autogen_context):
        seen.add(type_)
        if type_ in replace:
            return replace[type_]
        if type_ in ("check", "server_default"):
            return None  # leave it out
        return False

    lines = render(
        CreateTableOp(account),
        CreateTableOp(order),
        CreateIndexOp(next(iter(account.indexes))),
        render_item=render_item,
    )
    assert seen == {
        "type",
        "column",
        "server_default",
        "unique",
        "foreign_key",
        "check",
        "primary_key",
        "index",
    }
    text = "\n".join(lines)
    assert "sa.Column('name', MyType(), nullable=False)," in lines
    assert "my_unique()," in lines and "my_fk()," in lines
    assert "CheckConstraint" not in text and "server_default" not in text
    assert "op.create_index('ix_account_name', 'account', ['name'], unique=False)" in lines

    def omit_columns_and_indexes(type_, obj, autogen_context):
        return None if type_ in ("column", "index", "unique") else False

    assert render(
        AddColumnOp("account", sa.Column("x", sa.Integer)),
        CreateIndexOp(next(iter(account.indexes))),
        AddConstraintOp(_constraint(account, sa.UniqueConstraint)),
        render_item=omit_columns_and_indexes,
    ) == ["pass"]
