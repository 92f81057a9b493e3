"""The tutorial's loop, end to end, on an embedded SQLite database.

Run with ``make demo``.  Everything happens in ./demo-workdir (recreated
each run), through the real ``schemadiff`` command line, so what you see
is what you would type.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "demo-workdir"
SCHEMADIFF = [sys.executable, "-m", "schemadiff"]

MODEL_V1 = '''\
"""The application's models, first version."""
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("description", sa.Unicode(200)),
)
'''

MODEL_V2 = '''\
"""The application's models, second version: a new column and a new table."""
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("description", sa.Unicode(200)),
    sa.Column("last_transaction_date", sa.DateTime),
)

shopping_cart = sa.Table(
    "shopping_cart",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
'''


def say(text: str) -> None:
    print("\n" + textwrap.fill(text, 78))


def run(*args: str, expect: int = 0) -> str:
    print(f"\n$ schemadiff {shlex.join(args)}", flush=True)
    proc = subprocess.run(
        [*SCHEMADIFF, *args], cwd=WORK, capture_output=True, text=True, env=os.environ.copy()
    )
    for stream in (proc.stderr, proc.stdout):
        if stream.strip():
            print(textwrap.indent(stream.rstrip(), "  "))
    if proc.returncode != expect:
        print(f"\nDEMO FAILED: expected exit status {expect}, got {proc.returncode}")
        sys.exit(1)
    print(f"  (exit status {proc.returncode})")
    return proc.stdout


def show_file(path: Path) -> None:
    print(f"\n--- {path.relative_to(WORK)} ---")
    print(path.read_text().rstrip())
    print("---")


def main() -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir()
    say(
        "schemadiff demo: the tutorial's loop on a SQLite file in ./demo-workdir. "
        "First, create a migration environment."
    )
    run("init", "migrations")

    say("Write the application's models, and point env.py's target_metadata at them.")
    (WORK / "models.py").write_text(MODEL_V1)
    env_py = WORK / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None", "from models import metadata\ntarget_metadata = metadata"
        )
    )
    show_file(WORK / "models.py")

    say("Autogenerate the first revision from the difference between models and database.")
    out = run("revision", "--autogenerate", "-m", "create account table")
    show_file(Path(out.split("Generating ")[1].split(" ...")[0]))

    say("Apply it, and ask the database which revision it is at.")
    run("upgrade", "head")
    run("current")

    say("Now edit the models: a new column on account and a new shopping_cart table.")
    (WORK / "models.py").write_text(MODEL_V2)

    say("`check` compares database and models; it exits 1 because they drifted.")
    run("check", expect=1)
    run("check", "--format", "json", expect=1)

    say("Autogenerate a second revision for the drift, then apply it.")
    out = run("revision", "--autogenerate", "-m", "add shopping cart")
    show_file(Path(out.split("Generating ")[1].split(" ...")[0]))
    run("upgrade", "head")

    say("`check` is clean now (exit 0): the database matches the models.")
    run("check")

    say("The history of revisions, newest first.")
    run("history")

    say("Step back one revision, and see where the database is.")
    run("downgrade", "-1")
    run("current")
    say("That's the loop. Explore ./demo-workdir, or run `make test` for the full suite.")


if __name__ == "__main__":
    main()
