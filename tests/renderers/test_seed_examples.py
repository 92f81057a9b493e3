"""The seeds' rendering examples, word for word.

"Rendering Custom Types", "Controlling the Module Prefix", batch mode with
autogenerate and naming conventions: the hooks are the seeds' own code,
and the output is compared with the seeds' text before black reformats it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from schemadiff.ops import AddColumnOp, AddConstraintOp, MigrationScript, ModifyTableOps, UpgradeOps
from schemadiff.plugins import default_registries
from schemadiff.renderers.python import AutogenContext, render_body, template_args
from schemadiff.scriptdir import ScriptDirectory

TEMPLATES = Path(__file__).parents[2] / "schemadiff" / "templates"


class MySpecialType(TypeDecorator):
    impl = sa.String
    cache_ok = True

    def __repr__(self) -> str:
        return "MySpecialType()"


def _body(*ops, **ctx_kw) -> tuple[str, AutogenContext]:
    ctx = AutogenContext(dialect=sqlite.dialect(), **ctx_kw)
    return render_body(UpgradeOps(list(ops)), ctx, default_registries().renderers), ctx


def _add_mycolumn(type_) -> AddColumnOp:
    return AddColumnOp("sometable", sa.Column("mycolumn", type_))


def test_render_item_with_module_prefix():
    # the seeds' hook, verbatim
    def render_item(type_, obj, autogen_context):
        """Apply custom rendering for selected items."""

        if type_ == 'type' and isinstance(obj, MySpecialType):  # fmt: skip
            return "mypackage.%r" % obj  # noqa: UP031

        # default rendering for other objects
        return False

    body, _ = _body(_add_mycolumn(MySpecialType()), render_item=render_item)
    assert (
        "op.add_column('sometable', sa.Column('mycolumn', mypackage.MySpecialType(), "
        "nullable=True))" in body
    )


def test_render_item_adds_imports_to_the_script(tmp_path):
    # the seeds' hook, verbatim
    def render_item(type_, obj, autogen_context):
        """Apply custom rendering for selected items."""

        if type_ == 'type' and isinstance(obj, MySpecialType):  # fmt: skip
            # add import for this type
            autogen_context['imports'].add("from mymodel import types")  # fmt: skip
            return "types.%r" % obj  # noqa: UP031

        # default rendering for other objects
        return False

    upgrade = UpgradeOps([_add_mycolumn(MySpecialType())])
    script = MigrationScript(
        rev_id="27c6a30d7c24", upgrade_ops_list=[upgrade], downgrade_ops_list=[upgrade.reverse()]
    )

    def make_context(token: str, imports: set[str]) -> AutogenContext:
        return AutogenContext(dialect=sqlite.dialect(), imports=imports, render_item=render_item)

    args = template_args(script, make_context, default_registries().renderers)
    root = tmp_path / "migrations"
    (root / "versions").mkdir(parents=True)
    (root / "script.py.mako").write_text((TEMPLATES / "generic" / "script.py.mako").read_text())
    path = ScriptDirectory(root, hooks={"hooks": ""}).write_revision(
        "27c6a30d7c24", "add mycolumn", down_revision=None, **args
    )
    text = path.read_text()
    assert "from schemadiff import op\nimport sqlalchemy as sa\nfrom mymodel import types\n" in text
    assert (
        "    op.add_column('sometable', sa.Column('mycolumn', types.MySpecialType(), "
        "nullable=True))" in text
    )


def _custom_type_in(module: str) -> sa.types.TypeEngine:
    """A type whose class lives in ``module``, as the seeds' MyCustomType does."""
    cls = type(
        "MyCustomType",
        (TypeDecorator,),
        {"impl": sa.Integer, "cache_ok": True, "__module__": module},
    )
    return cls()


def test_custom_type_renders_with_its_module_by_default():
    col = sa.Column("my_column", _custom_type_in("myapp.models.utils.types"))
    body, ctx = _body(AddColumnOp("t", col))
    assert "sa.Column('my_column', myapp.models.utils.types.MyCustomType(), nullable=True)" in body
    assert "import myapp.models.utils.types" in ctx.imports


def test_user_module_prefix_replaces_the_module():
    col = sa.Column("my_column", _custom_type_in("myapp.models.utils.types"))
    body, ctx = _body(AddColumnOp("t", col), user_module_prefix="myapp.migration_types.")
    assert "sa.Column('my_column', myapp.migration_types.MyCustomType(), nullable=True)" in body
    assert ctx.imports == {"import myapp.migration_types"}


def test_sqlalchemy_types_use_the_sa_prefix():
    body, _ = _body(AddColumnOp("t", sa.Column("my_column", sa.Integer())))
    assert "sa.Column('my_column', sa.Integer(), nullable=True)" in body


def test_batch_mode_with_autogenerate():
    op = ModifyTableOps(
        "address", [AddColumnOp("address", sa.Column("street", sa.String(50), nullable=True))]
    )
    body, _ = _body(op, render_as_batch=True)
    assert (
        "with op.batch_alter_table('address', schema=None) as batch_op:\n"
        "        batch_op.add_column(sa.Column('street', sa.String(length=50), nullable=True))"
    ) in body


def test_naming_convention_names_render_with_op_f():
    md = sa.MetaData(naming_convention={"uq": "uq_const_%(column_0_name)s"})
    table = sa.Table("some_table", md, sa.Column("x", sa.Integer))
    uq = sa.UniqueConstraint(table.c.x)
    table.append_constraint(uq)
    body, _ = _body(AddConstraintOp(uq))
    assert "op.create_unique_constraint(op.f('uq_const_x'), 'some_table', ['x'])" in body


def test_named_boolean_renders_its_name():
    col = sa.Column("q", sa.Boolean(name="q_bool"))
    body, _ = _body(AddColumnOp("sometable", col))
    assert (
        "op.add_column('sometable', sa.Column('q', sa.Boolean(name='q_bool'), nullable=True))"
        in (body)
    )
