"""``python -m benchmarks.dev_url``: how long ``check --dev-url embedded`` takes.

Builds a project of N revisions (default 50: each creates a table with an
index and a foreign key to the previous table, every fifth also adds a
column to an older table) whose models match, then times, each as the
user runs it (a fresh ``schemadiff`` process):

- the embedded server alone: initdb + start + stop, in-process;
- a cold ``check --dev-url embedded`` (empty cache: initdb, replay, compare);
- warm runs (the replayed cluster comes from the cache: the pre-commit case);
- ``check --dev-url sqlite://`` on the same project, for scale.

Prints medians and writes nothing else; temporary folders are removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from schemadiff.devdb import embedded

REVISION = '''\
"""step {n}

Revision ID: r{n:04d}
Revises: {down}
"""

revision = "r{n:04d}"
down_revision = {down_repr}
branch_labels = None
depends_on = None

from schemadiff import op
import sqlalchemy as sa


def upgrade():
{body}


def downgrade():
    pass
'''


def build_project(root: Path, count: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "schemadiff", "init", "migrations"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    ini = root / "schemadiff.ini"
    text = ini.read_text().replace(
        "sqlalchemy.url = sqlite:///%(here)s/app.db",
        "sqlalchemy.url = postgresql+psycopg://nobody:secret@127.0.0.1:1/unreachable",
    )
    ini.write_text(text)
    env_py = root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None\n", "import models\ntarget_metadata = models.metadata\n"
        )
    )
    model = ["import sqlalchemy as sa", "", "metadata = sa.MetaData()", ""]
    versions = root / "migrations" / "versions"
    for n in range(1, count + 1):
        columns = [
            'sa.Column("id", sa.Integer, primary_key=True)',
            'sa.Column("name", sa.String(80), nullable=False)',
            'sa.Column("created", sa.DateTime, server_default=sa.func.now())',
        ]
        if n > 1:
            columns.append(f'sa.Column("parent_id", sa.Integer, sa.ForeignKey("t{n - 1}.id"))')
        body = [f'op.create_table("t{n}", {", ".join(columns)})']
        body.append(f'op.create_index("ix_t{n}_name", "t{n}", ["name"])')
        if n % 5 == 0 and n > 5:
            body.append(f'op.add_column("t{n - 5}", sa.Column("note{n}", sa.Text))')
        model.append(f't{n} = sa.Table("t{n}", metadata, {", ".join(columns)})')
        model.append(f'sa.Index("ix_t{n}_name", t{n}.c.name)')
        if n % 5 == 0 and n + 5 <= count:  # revision n + 5 adds this column
            model.append(f't{n}.append_column(sa.Column("note{n + 5}", sa.Text))')
        down = f"r{n - 1:04d}" if n > 1 else None
        (versions / f"r{n:04d}_step.py").write_text(
            REVISION.format(
                n=n,
                down=down or "",
                down_repr=repr(down),
                body="\n".join(f"    {line}" for line in body),
            )
        )
    (root / "models.py").write_text("\n".join(model) + "\n")


def timed_check(root: Path, env: dict[str, str], dev_url: str) -> float:
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "-q", "check", "--dev-url", dev_url],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"check exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def server_start(install: embedded.PostgresInstall) -> float:
    began = time.perf_counter()
    with embedded.EmbeddedPostgres(install):
        pass
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dev_url")
    parser.add_argument("--revisions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    install = embedded.find_install()
    work = Path(tempfile.mkdtemp(prefix="sd-bench-dev-"))
    work.chmod(0o711)  # as root the server runs as 'nobody', who must pass through
    try:
        project, cache, tmp = work / "project", work / "cache", work / "tmp"
        for folder in (project, cache, tmp):
            folder.mkdir()
            folder.chmod(0o711)
        build_project(project, args.revisions)
        env = {
            **os.environ,
            "SCHEMADIFF_CACHE_DIR": str(cache),
            "TMPDIR": str(tmp),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        os.environ["TMPDIR"] = str(tmp)
        tempfile.tempdir = None
        starts = [server_start(install) for _ in range(args.repeat)]
        cold = []
        for _ in range(max(1, args.repeat // 2)):
            shutil.rmtree(cache)
            cache.mkdir()
            cache.chmod(0o711)
            cold.append(timed_check(project, env, "embedded"))
        warm = [timed_check(project, env, "embedded") for _ in range(args.repeat)]
        sqlite = [timed_check(project, env, "sqlite://") for _ in range(args.repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"embedded PostgreSQL {install.version} from {install.bindir}")
    print(f"{args.revisions} revisions, median of {args.repeat} (cold: {len(cold)})")
    rows = [
        ("server alone: initdb + start + stop", starts),
        ("check --dev-url embedded, cold (initdb + replay)", cold),
        ("check --dev-url embedded, warm (cached replay)", warm),
        ("check --dev-url sqlite:// (replay on SQLite)", sqlite),
    ]
    for label, times in rows:
        print(f"  {label:<52} {statistics.median(times):6.2f} s  (min {min(times):.2f} s)")


if __name__ == "__main__":
    main()
