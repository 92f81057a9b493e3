"""A hostile-input corpus through the whole loop, on every backend.

Names, comments, server defaults, CHECK bodies and the revision message
hold quotes, triple quotes, backslashes, ``%`` and ``%(x)s``, newlines,
control characters, non-ASCII text, bidi overrides, workflow commands
and identifiers at the backend's length limit.  Each goes through
autogenerate -> render -> upgrade -> check clean -> downgrade -> check
clean, and the same migration as ``--sql`` piped into the backend's own
client (psql, mariadb, sqlite3) -> check clean -> downgrade ``--sql`` ->
check clean.  Along the way: the script's docstring is the message, and no
report line can be read as a GitHub workflow command.
"""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schemadiff import commands
from schemadiff.dialects import impl_for
from tests.clients import run_with_client
from tests.helpers import Project, make_project

#: every kind of text that has broken a tool somewhere
CORPUS = {
    "quotes": 'it\'s "q" `b`',
    "triple": 'x"""; import os; os.system("touch pwned"); """',
    "backslash": "back\\slash \\n \\",
    "percent": "50% off %(x)s %s %%",
    # a CR right before a LF is left out: psql and sqlite3 drop it from scripts
    # (schemadiff warns; see test_text_escaping)
    "lines": "new\nline\r::error file=evil.py::pwned\n::warning::x",
    "control": "tab\tbell\x07 esc\x1b[31m red",
    "unicode": "ünï©ødé ☃ \u202eevil",
}
MESSAGE = 'hostile """; import os; os.system("touch pwned"); """\n::error file=evil.py::pwned \\'
#: identifier length limits (PostgreSQL counts bytes, MariaDB characters)
LIMITS = {"postgresql": 63, "mysql": 64, "sqlite": 200}


def _ident(text: str, backend: str) -> str:
    """``text`` cut to the backend's identifier limit."""
    limit = LIMITS[backend]
    if backend == "postgresql":
        return text.encode()[:limit].decode(errors="ignore")
    return text[:limit]


def hostile_metadata(backend: str) -> sa.MetaData:
    literal = impl_for(sa.engine.make_url(_URLS[backend]).get_dialect()()).literal
    md = sa.MetaData()
    for key, text in CORPUS.items():
        if backend == "mysql":
            # SQLAlchemy's MySQL reflection reports a backtick in a column or
            # index name doubled (as SHOW CREATE TABLE quotes it): not compared
            text = text.replace("`", "'")
        sa.Table(
            _ident(f"t {key} {text}", backend),
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(_ident(f"c {text}", backend), sa.String(80), comment=text),
            sa.Column("label", sa.String(80), server_default=text, comment=text),
            sa.CheckConstraint(
                f"label <> {literal(text)}", name=_ident(f"ck {key} {text}", backend)
            ),
            sa.Index(_ident(f"ix {key} {text}", backend), "label"),
            comment=text,
        )
    long_name = _ident("long_" + "x" * 300, backend)
    sa.Table(
        long_name,
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(_ident("col_" + "y" * 300, backend), sa.Integer),
    )
    return md


_URLS = {
    "sqlite": "sqlite://",
    "postgresql": "postgresql+psycopg://",
    "mysql": "mysql+pymysql://",
}
_OPTIONS = {"compare_server_default": True}


def _check(project: Project, metadata: sa.MetaData) -> dict[str, Any]:
    cfg = project.config(metadata, configure=_OPTIONS)
    commands.check(cfg, format="json")
    report: dict[str, Any] = json.loads(cfg.stdout.getvalue())
    return report


def _assert_clean(project: Project, metadata: sa.MetaData, when: str) -> None:
    report = _check(project, metadata)
    assert not report["drift"], f"{when}: spurious differences\n" + "\n".join(
        f"  {c['kind']} {c['table']!r} {c['name']!r} {c['detail']}" for c in report["changes"]
    )


def _offline(project: Project, verb: str, revision: str) -> str:
    cfg = project.config(sa.MetaData())
    out = io.StringIO()
    cfg.output_buffer = out
    getattr(commands, verb)(cfg, revision, sql=True)
    return out.getvalue()


def _no_injected_commands(text: str, kind: str) -> None:
    """No line a name could have started: in the github format only the report's
    own ``::<level> file=migrations/...`` annotations, elsewhere none at all."""
    own = tuple(f"::{level} file=migrations/env.py," for level in ("error", "warning", "notice"))
    for line in text.splitlines():
        if kind == "github" and line.startswith(own):
            continue
        assert not line.lstrip().startswith("::"), f"{kind} has a workflow command: {line!r}"


def test_hostile_corpus_round_trips(database, backend, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    project = make_project(tmp_path, database.url_string)
    model = hostile_metadata(backend)
    empty = sa.MetaData()

    # autogenerate -> render: the script is valid Python, its docstring the message
    cfg = project.config(model, configure=_OPTIONS)
    (script,) = commands.revision(cfg, message=MESSAGE, autogenerate=True)
    tree = ast.parse(script.read_text())
    assert ast.get_docstring(tree, clean=False).startswith(MESSAGE)
    for kind in ("text", "github", "markdown"):
        report_cfg = project.config(model, configure=_OPTIONS)
        assert commands.check(report_cfg, format=kind) is True
        _no_injected_commands(report_cfg.stdout.getvalue(), kind)

    # online: upgrade, check, downgrade, check
    commands.upgrade(project.config(model), "head")
    assert not (tmp_path / "pwned").exists()
    _assert_clean(project, model, "after upgrade")
    commands.downgrade(project.config(model), "base")
    _assert_clean(project, empty, "after downgrade")

    # offline: the same migration through the backend's own client, on a
    # database as fresh as a DBA's (no version table left by the online run)
    engine = database.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE schemadiff_version")
    engine.dispose()
    run_with_client(database, _offline(project, "upgrade", "head"))
    _assert_clean(project, model, "after upgrade --sql")
    rev = script.name.split("_")[0]
    run_with_client(database, _offline(project, "downgrade", f"{rev}:base"))
    _assert_clean(project, empty, "after downgrade --sql")
    assert not (tmp_path / "pwned").exists()
