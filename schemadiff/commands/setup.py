"""``init`` and ``list_templates``: creating a migration environment."""

from __future__ import annotations

import shutil
from pathlib import Path

from schemadiff.config import Config
from schemadiff.errors import CommandError

TEMPLATES_DIR = Path(__file__).parent.parent / "templates"


def _template_description(path: Path) -> str:
    readme = path / "README"
    if readme.exists():
        return readme.read_text(encoding="utf-8").strip().splitlines()[0]
    return ""


def list_templates(config: Config) -> None:
    config.print_stdout("Available templates:\n")
    for path in sorted(
        p for p in TEMPLATES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")
    ):
        config.print_stdout(f"{path.name} - {_template_description(path)}")
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  schemadiff init --template generic ./scripts")


def init(config: Config, directory: str, template: str = "generic", package: bool = False) -> None:
    template_dir = TEMPLATES_DIR / template
    if not template_dir.is_dir():
        raise CommandError(f"No such template {template!r}; see 'schemadiff list_templates'")
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise CommandError(f"Directory {target.resolve()} already exists and is not empty")
    abs_target = target.resolve()
    for d in (abs_target, abs_target / "versions"):
        if not d.exists():
            d.mkdir(parents=True)
            config.print_status(f"Creating directory {d}...done")
    config_file = Path(config.config_file_name or "schemadiff.ini").resolve()
    files = sorted(p for p in template_dir.iterdir() if p.is_file())
    for src in files:
        if src.name.endswith(".ini.mako") or src.name == "pyproject.toml.mako":
            if src.name == "pyproject.toml.mako":
                dest = config_file.parent / "pyproject.toml"
            else:
                dest = config_file
            from mako.template import Template

            text = Template(filename=str(src)).render_unicode(script_location=directory)
            if dest.name == "pyproject.toml" and dest.exists():
                existing = dest.read_text(encoding="utf-8")
                if "[tool.schemadiff]" in existing:
                    config.print_stdout(f"File {dest} already has [tool.schemadiff], skipping")
                    continue
                dest.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
                config.print_stdout(f"Appending to {dest}...done")
                continue
            if dest.exists():
                config.print_stdout(f"File {dest} already exists, skipping")
                continue
            dest.write_text(text, encoding="utf-8")
            config.print_status(f"Generating {dest}...done")

    for src in files:
        if src.name.endswith(".ini.mako") or src.name == "pyproject.toml.mako":
            continue
        dest = abs_target / src.name
        shutil.copyfile(src, dest)
        config.print_status(f"Generating {dest}...done")
    if package:
        for d in (abs_target, abs_target / "versions"):
            (d / "__init__.py").write_text("", encoding="utf-8")
    config.print_stdout(
        f"Please edit configuration/connection/logging settings in\n'{config_file}' before proceeding."
    )
