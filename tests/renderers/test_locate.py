"""Reports point at the model line behind each change."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import uuid
from pathlib import Path

from schemadiff.ops.base import Change
from schemadiff.renderers.report.locate import locate_changes

MODELS = textwrap.dedent(
    """\
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class TimestampMixin:
        created_at: Mapped[str] = mapped_column(sa.String(30), nullable=True)


    class Account(TimestampMixin, Base):
        __tablename__ = "account"

        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        _email: Mapped[str] = mapped_column("email", sa.String(120), index=True)
        owner_id: Mapped[int] = mapped_column(sa.ForeignKey("other.id"))
        code: Mapped[str] = mapped_column(sa.String(10), unique=True)


    audit = sa.Table(
        "audit",
        Base.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.Text),
        sa.Index("ix_audit_note", "note"),
        sa.UniqueConstraint("id", "note"),
    )

    sa.Table("other", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
    Base.metadata.tables["audit"].append_column(sa.Column("late", sa.Integer))
    """
)


def _import(tmp_path: Path):
    path = tmp_path / "models.py"
    path.write_text(MODELS)
    name = f"models_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _line(text: str) -> int:
    return next(i for i, line in enumerate(MODELS.splitlines(), 1) if text in line)


def test_changes_point_at_the_lines_that_define_them(tmp_path):
    module = _import(tmp_path)
    try:
        changes = [
            Change("add_table", None, "account", "account"),
            Change("add_column", None, "account", "name"),
            Change("modify_nullable", None, "account", "email", {"from": True, "to": False}),
            Change("add_column", None, "account", "created_at"),
            Change("add_index", None, "account", "ix_account_email", {"columns": ["email"]}),
            Change("add_fk", None, "account", None, {"columns": ["owner_id"]}),
            Change("add_unique", None, "account", "uq_account_code", {"columns": ["code"]}),
            Change("add_table", None, "audit", "audit"),
            Change("modify_type", None, "audit", "note"),
            Change("add_column", None, "audit", "late"),
            Change("add_index", None, "audit", "ix_audit_note"),
            Change("add_unique", None, "audit", None, {"columns": ["id", "note"]}),
            Change("add_table", None, "other", "other"),
            Change("remove_table", None, "gone", "gone"),
        ]
        located = locate_changes(
            changes, module.Base.metadata, root=tmp_path, env_py=tmp_path / "env.py"
        )
    finally:
        sys.modules.pop(module.__name__, None)
    where = [(c.source.path, c.source.line) if c.source else None for c in located]
    assert where == [
        ("models.py", _line("class Account(")),
        ("models.py", _line("name: Mapped[str]")),
        ("models.py", _line("_email: Mapped[str]")),
        ("models.py", _line("created_at: Mapped")),  # from the mixin
        # index=True, ForeignKey and unique=True: names in no source, the column's line
        ("models.py", _line("_email: Mapped[str]")),
        ("models.py", _line("owner_id: Mapped")),
        ("models.py", _line("code: Mapped")),
        ("models.py", _line("audit = sa.Table(")),
        ("models.py", _line('sa.Column("note"')),
        ("models.py", _line('append_column(sa.Column("late"')),
        ("models.py", _line('sa.Index("ix_audit_note"')),
        ("models.py", _line('sa.UniqueConstraint("id", "note")')),
        ("models.py", _line('sa.Table("other"')),
        # what the models no longer define: their module, but no line of it
        ("models.py", None),
    ]


def test_without_models_on_disk_the_env_py_line_is_used(tmp_path):
    import sqlalchemy as sa

    env_py = tmp_path / "env.py"
    env_py.write_text("from schemadiff import context\n\ntarget_metadata = None\n")
    (change,) = locate_changes(
        [Change("remove_table", None, "gone", "gone")],
        sa.MetaData(),
        root=tmp_path,
        env_py=env_py,
    )
    assert change.source is not None and (change.source.path, change.source.line) == ("env.py", 3)
