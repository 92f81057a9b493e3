"""Shared helpers for tests: projects on disk, running the CLI, models."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schemadiff.config import Config
from schemadiff.ops.base import Change

ENV_HOOK = (
    "target_metadata = config.attributes.get('target_metadata')\n"
    "if target_metadata is None:\n"
    "    import models\n"
    "    target_metadata = models.metadata\n"
    "extra_options = dict(config.attributes.get('configure') or {})\n"
    "extra_options.setdefault('render_as_batch', config.attributes.get('render_as_batch', False))\n"
)
ENV_CONFIGURE = "context.configure(connection=connection, target_metadata=target_metadata)"


@dataclass
class Project:
    """A migration environment in a temporary folder, pointed at one database."""

    root: Path
    url: str

    @property
    def ini(self) -> Path:
        return self.root / "schemadiff.ini"

    def config(self, metadata: sa.MetaData | None = None, **attributes: Any) -> Config:
        import io

        cfg = Config(str(self.ini), stdout=io.StringIO())
        if metadata is not None:
            cfg.attributes["target_metadata"] = metadata
        cfg.attributes.update(attributes)
        return cfg

    def write_models(self, source: str) -> None:
        (self.root / "models.py").write_text(source)

    def cli(self, *args: str, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "schemadiff", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=env,
        )
        if expect is not None:
            assert proc.returncode == expect, (
                f"schemadiff {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
                f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
            )
        return proc

    def versions(self) -> list[Path]:
        return sorted((self.root / "migrations" / "versions").glob("*.py"))


def make_project(root: Path, url: str) -> Project:
    """``schemadiff init migrations`` in root, with the URL and a models hook."""
    import io

    from schemadiff import commands

    cwd = os.getcwd()
    os.chdir(root)
    try:
        commands.init(Config(str(root / "schemadiff.ini"), stdout=io.StringIO()), "migrations")
    finally:
        os.chdir(cwd)
    ini = root / "schemadiff.ini"
    text = ini.read_text()
    text = text.replace("script_location = migrations", f"script_location = {root / 'migrations'}")
    text = text.replace("prepend_sys_path = .", f"prepend_sys_path = {root}")
    text = text.replace(
        "sqlalchemy.url = sqlite:///%(here)s/app.db", f"sqlalchemy.url = {url.replace('%', '%%')}"
    )
    ini.write_text(text)
    env_py = root / "migrations" / "env.py"
    env_text = env_py.read_text().replace("target_metadata = None\n", ENV_HOOK)
    assert ENV_CONFIGURE in env_text
    env_text = env_text.replace(
        ENV_CONFIGURE,
        "context.configure(connection=connection, target_metadata=target_metadata, **extra_options)",
    )
    env_py.write_text(env_text)
    (root / "models.py").write_text("import sqlalchemy as sa\nmetadata = sa.MetaData()\n")
    return Project(root, url)


def describe(changes: list[Change]) -> str:
    """Every change on its own line, so a failing assert shows them all."""
    return (
        "\n".join(f"  {c.kind} {c.schema}.{c.table}.{c.name} {c.detail}" for c in changes)
        or "  (none)"
    )
