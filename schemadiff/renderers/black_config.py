"""The black settings a project asked for, found the way black's own CLI finds them.

A new revision file must pass the project's ``black --check``; formatting it
with black's defaults would fail any project that sets, say,
``[tool.black] line-length = 60``.  So the search starts at the revision
file's folder and goes through black's ``find_pyproject_toml`` (project
root by ``.git``/``.hg``/``pyproject.toml``, then black's user-level
configuration) and ``parse_pyproject_toml`` (which also derives target
versions from ``requires-python``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def black_mode(path: Path, line_length: str | None = None) -> Any:
    """A ``black.Mode`` for formatting ``path``; a hook's line length wins over the file's."""
    import black
    from black.mode import Preview, TargetVersion

    config = discovered_config(path)
    options: dict[str, Any] = {}
    if config.get("line_length") is not None:
        options["line_length"] = int(config["line_length"])
    if config.get("target_version"):
        options["target_versions"] = {
            TargetVersion[str(version).upper()] for version in config["target_version"]
        }
    if "skip_string_normalization" in config:
        options["string_normalization"] = not config["skip_string_normalization"]
    if "skip_magic_trailing_comma" in config:
        options["magic_trailing_comma"] = not config["skip_magic_trailing_comma"]
    for key in ("preview", "unstable", "skip_source_first_line"):
        if key in config:
            options[key] = bool(config[key])
    if config.get("enable_unstable_feature"):
        options["enabled_features"] = {
            Preview[str(name)] for name in config["enable_unstable_feature"]
        }
    if line_length:
        options["line_length"] = int(line_length)
    known = {field.name for field in dataclasses.fields(black.Mode)}
    return black.Mode(**{key: value for key, value in options.items() if key in known})


def discovered_config(path: Path) -> Mapping[str, Any]:
    """black's configuration for a file at ``path`` (empty when there is none)."""
    from black.files import find_pyproject_toml, parse_pyproject_toml

    found = find_pyproject_toml((str(path.resolve().parent),))
    return parse_pyproject_toml(found) if found else {}
