"""Secrets in database URLs never reach an output: userinfo and query alike.

A password can be given in the URL's userinfo or as a query parameter
(``?password=...``, ``&sslpassword=...``); drivers accept both.  Every
``check`` format (the markdown of a PR comment and the uploaded SARIF
included), ``current -v``, logs and ``FAILED:`` lines must hide it.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from schemadiff import commands
from schemadiff.redact import mask_secrets, mask_url
from tests.helpers import make_project

SECRET = "hunter2secret"
MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://scott:tiger@host/db", "postgresql://scott:***@host/db"),
        ("at postgresql://u:p@ss/w@host:5/db now", "at postgresql://u:***@host:5/db now"),
        (
            "postgresql+psycopg://u@h/db?sslmode=require&password=tiger&x=1",
            "postgresql+psycopg://u@h/db?sslmode=require&password=***&x=1",
        ),
        ("mysql+pymysql://h/db?PASSWD=tiger", "mysql+pymysql://h/db?PASSWD=***"),
        ("x://h/db?sslpassword=a;access_token=b", "x://h/db?sslpassword=***;access_token=***"),
        ("host=h password='ti ger' dbname=d", "host=h password=*** dbname=d"),
        ("mysql+pymysql://root@127.0.0.1/test", "mysql+pymysql://root@127.0.0.1/test"),
        ("postgresql://h/db?application_name=x", "postgresql://h/db?application_name=x"),
    ],
)
def test_mask_secrets_in_text(text, masked):
    assert mask_secrets(text) == masked


def test_mask_url_covers_userinfo_and_query():
    url = "postgresql+psycopg://scott:tiger@h/db?password=tiger&api_key=k&application_name=app"
    shown = mask_url(url)
    assert "tiger" not in shown and "=k" not in shown
    assert shown.startswith("postgresql+psycopg://scott:***@h/db?")
    assert "application_name=app" in shown and "password=***" in shown


@pytest.fixture
def secret_project(database, tmp_path):
    """A project whose URL carries a password as a query parameter (ignored by
    trust authentication, so the database is still reachable)."""
    url = database.url.update_query_dict({"password": SECRET})
    project = make_project(tmp_path, url.render_as_string(hide_password=False))
    project.write_models(MODELS)
    return project


@pytest.mark.filterwarnings("ignore:Query string argument")
def test_query_password_is_masked_in_every_output(backend, request):
    if backend == "mysql":
        pytest.skip("MariaDB's root would be refused with a password it does not have")
    secret_project = request.getfixturevalue("secret_project")
    from schemadiff.plugins import default_registries

    # in-process, the model is given (a ``models`` module of another test may be imported)
    model = sa.MetaData()
    sa.Table("account", model, sa.Column("id", sa.Integer, primary_key=True))
    for fmt in default_registries().report_formats.names():
        cfg = secret_project.config(model)
        assert commands.check(cfg, format=fmt) is True
        out = cfg.stdout.getvalue()
        assert SECRET not in out, f"{fmt} report shows the password:\n{out}"
    cfg = secret_project.config(model)
    commands.current(cfg, verbose=True)
    out = cfg.stdout.getvalue()
    assert SECRET not in out and "password=***" in out
    for args in (("current", "-v"), ("check", "--format", "markdown")):
        proc = secret_project.cli(*args, expect=None)
        assert SECRET not in proc.stdout + proc.stderr
        assert proc.returncode in (0, 1)


def test_failed_lines_mask_a_query_password():
    """``FAILED:`` lines go through the CLI's masking, which covers the query too."""
    from schemadiff.cli import mask_passwords

    assert (
        mask_passwords(f"cannot reach postgresql://u@h/db?password={SECRET}&x=1")
        == "cannot reach postgresql://u@h/db?password=***&x=1"
    )
