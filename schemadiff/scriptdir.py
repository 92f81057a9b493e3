"""The migration environment on disk: env.py, the template, version folders.

It turns configuration into paths, writes new revision files, and hands
the revision graph to commands.  Loading the graph reads the files'
revision identifiers without importing them (see ``revisions.scripts``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schemadiff.config import Config
from schemadiff.errors import CommandError, ConfigError, ScriptError

log = logging.getLogger(__name__)

DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"

_SLUG = re.compile(r"\w+")


def new_rev_id() -> str:
    import uuid  # here: uuid imports platform, which no other command needs

    return uuid.uuid4().hex[-12:]


def slugify(message: str | None, length: int) -> str:
    slug = "_".join(_SLUG.findall(message or "")).lower()
    if len(slug) > length:
        slug = slug[:length].rsplit("_", 1)[0] + "_"
    return slug


class ScriptDirectory:
    def __init__(
        self,
        dir: Path,
        *,
        config: Config | None = None,
        version_locations: Sequence[Path] | None = None,
        file_template: str = DEFAULT_FILE_TEMPLATE,
        truncate_slug_length: int = 40,
        sourceless: bool = False,
        recursive_version_locations: bool = False,
        output_encoding: str = "utf-8",
        hooks: dict[str, str] | None = None,
    ) -> None:
        self.dir = dir
        self.config = config
        self.versions = dir / "versions"
        self.version_locations = list(version_locations) if version_locations else [self.versions]
        self.file_template = file_template
        self.truncate_slug_length = truncate_slug_length
        self.sourceless = sourceless
        self.recursive_version_locations = recursive_version_locations
        self.output_encoding = output_encoding
        self.hooks = hooks
        self._graph: Any = None

    @classmethod
    def from_config(cls, config: Config) -> ScriptDirectory:
        validate_options(config)
        location = config.get_main_option("script_location")

        if location is None:
            if config.config_file_name is None and config.toml_file_name is None:
                raise ConfigError(
                    "No config file 'schemadiff.ini' found, and no pyproject.toml with "
                    "[tool.schemadiff]; run 'schemadiff init DIR' first, or pass -c FILE"
                )
            where = config.config_file_name or config.toml_file_name
            raise ConfigError(
                f"No 'script_location' key found in configuration ({where}); "
                "run 'schemadiff init DIR' first"
            )

        directory = Path(location)
        if not directory.is_dir():
            raise CommandError(
                f"Path doesn't exist: {str(directory)!r}.  Please use the 'init' command to "
                "create a new scripts folder."
            )
        _prepend_sys_path(config)
        locations = config.get_main_option_list("version_locations")
        try:
            truncate = int(config.get_main_option("truncate_slug_length") or 40)
        except ValueError as exc:
            raise ConfigError("truncate_slug_length must be a whole number") from exc
        return cls(
            directory.resolve(),
            config=config,
            version_locations=[Path(p).resolve() for p in locations] if locations else None,
            file_template=config.get_main_option("file_template") or DEFAULT_FILE_TEMPLATE,
            truncate_slug_length=truncate,
            sourceless=as_bool(config.get_main_option("sourceless")),
            recursive_version_locations=as_bool(
                config.get_main_option("recursive_version_locations")
            ),
            output_encoding=config.get_main_option("output_encoding") or "utf-8",
            hooks=_hooks_section(config),
        )

    # -- environment -------------------------------------------------------
    @property
    def env_py(self) -> Path:
        return self.dir / "env.py"

    @property
    def template(self) -> Path:
        return self.dir / "script.py.mako"

    def run_env(self) -> None:
        path = self.env_py
        if not path.exists():
            raise CommandError(f"No env.py file found at {path}")
        spec = importlib.util.spec_from_file_location(
            f"schemadiff_env_{os.urandom(16).hex()}", path
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

    # -- revisions ---------------------------------------------------------
    @property
    def graph(self) -> Any:
        if self._graph is None:
            from schemadiff.revisions import RevisionGraph, load_revisions

            for location in self.version_locations:
                if not location.is_dir():
                    log.warning(
                        "version location %s does not exist; no revisions are read from it",
                        location,
                    )

            revisions = load_revisions(
                [p for p in self.version_locations],
                sourceless=self.sourceless,
                recursive=self.recursive_version_locations,
            )
            self._graph = RevisionGraph.build(revisions)
        return self._graph

    def reset(self) -> None:
        self._graph = None

    def revision_path(
        self, rev_id: str, message: str | None, create_date: dt.datetime, version_path: Path
    ) -> Path:
        tokens = {
            "rev": rev_id,
            "slug": slugify(message, self.truncate_slug_length),
            "epoch": int(create_date.timestamp()),
            "year": create_date.year,
            "month": create_date.month,
            "day": create_date.day,
            "hour": create_date.hour,
            "minute": create_date.minute,
            "second": create_date.second,
        }
        try:
            name = self.file_template % tokens
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"file_template {self.file_template!r} is invalid: {exc}") from exc
        return version_path / f"{name}.py"

    def write_revision(
        self,
        rev_id: str,
        message: str | None,
        *,
        down_revision: str | tuple[str, ...] | None,
        branch_labels: Any = None,
        depends_on: Any = None,
        version_path: Path | None = None,
        **template_args: Any,
    ) -> Path:
        from schemadiff.renderers.script import render_template, run_post_write_hooks
        from schemadiff.safe_text import docstring_text

        create_date = self._now()

        target_dir = version_path or self.version_locations[0]
        created_dir = not target_dir.exists()
        if created_dir:
            target_dir.mkdir(parents=True)
            self.config_print(f"  Creating directory {target_dir} ... done")
        path = self.revision_path(rev_id, message, create_date, target_dir)
        if path.exists():
            raise CommandError(f"Revision file {path} already exists")
        if not self.template.exists():
            raise CommandError(f"No script.py.mako template found at {self.template}")
        render_template(
            self.template,
            path,
            encoding=self.output_encoding,
            up_revision=rev_id,
            down_revision=down_revision,
            branch_labels=branch_labels,
            depends_on=depends_on,
            create_date=create_date,
            # a message is text, never code: escaped for the docstring it lands in
            message=docstring_text(message) if message is not None else "empty message",
            **{"imports": "", "upgrades": "", "downgrades": "", **template_args},
        )
        try:
            run_post_write_hooks(path, self.hooks, self.output_encoding)
        except ScriptError:
            raise
        self.reset()
        return path

    def _now(self) -> dt.datetime:
        """The create date, in the configured ``timezone`` (an IANA name) if any."""
        name = self.config.get_main_option("timezone") if self.config is not None else None
        if not name:
            return dt.datetime.now()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            zone = ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"Option 'timezone' names no known time zone: {name!r}") from exc
        return dt.datetime.now(zone)

    def config_print(self, text: str) -> None:

        if self.config is not None:
            self.config.print_status(text)


def _hooks_section(config: Config) -> dict[str, str] | None:
    """``[post_write_hooks]`` of the ini, or ``[[tool.schemadiff.post_write_hooks]]``.

    The pyproject form is a list of tables, each with a ``name``; it is
    turned into the ini form (``hooks = a, b`` and ``a.type = ...``).
    """
    section = config.get_section("post_write_hooks")
    if section is not None:
        return section
    listed = config.toml_options.get("post_write_hooks")
    if listed is None:
        return None
    if not isinstance(listed, list) or not all(isinstance(h, dict) for h in listed):
        raise ConfigError("[tool.schemadiff] post_write_hooks must be a list of tables")
    out: dict[str, str] = {}
    names: list[str] = []
    for hook in listed:
        name = hook.get("name")
        if not name:
            raise ConfigError("each [[tool.schemadiff.post_write_hooks]] needs a 'name'")
        names.append(str(name))
        for key, value in hook.items():
            if key != "name":
                out[f"{name}.{key}"] = str(value)
    out["hooks"] = ", ".join(names)
    return out


def as_bool(value: str | None) -> bool:

    return (value or "").strip().lower() in ("true", "1", "yes", "on")


#: options schemadiff itself reads from its section
KNOWN_OPTIONS = frozenset(
    {
        "script_location",
        "prepend_sys_path",
        "path_separator",
        "version_path_separator",
        "file_template",
        "truncate_slug_length",
        "revision_environment",
        "sourceless",
        "version_locations",
        "recursive_version_locations",
        "output_encoding",
        "timezone",
        "post_write_hooks",
        "version_table",
        "version_table_schema",
        "safe_migrations",
        "safe_lock_timeout",
    }
)
_BOOLEAN_OPTIONS = (
    "revision_environment",
    "sourceless",
    "recursive_version_locations",
    "safe_migrations",
)
_BOOL_WORDS = {"true", "false", "1", "0", "yes", "no", "on", "off"}


def validate_options(config: Config) -> None:
    """Reject misspelt and malformed options, naming the key.

    The ini section may also carry the application's own settings (env.py
    reads them with ``get_main_option``), so an unknown ini key is an error
    only when it is one edit away from a known one; ``[tool.schemadiff]`` in
    pyproject.toml is schemadiff's alone, so any unknown key there is one.
    """
    section = config.get_section(config.config_ini_section) or {}
    parser_defaults = set(config.file_config.defaults())
    for key in section:
        if key in KNOWN_OPTIONS or key in parser_defaults or key.startswith("sqlalchemy."):
            continue
        import difflib  # here, for an unknown key only: it slows start-up

        close = difflib.get_close_matches(key, KNOWN_OPTIONS, n=1, cutoff=0.85)
        if close:
            raise ConfigError(
                f"Unknown option {key!r} in [{config.config_ini_section}]; "
                f"did you mean {close[0]!r}?"
            )
    for key in config.toml_options:
        if key not in KNOWN_OPTIONS and not key.startswith("sqlalchemy."):
            import difflib

            close = difflib.get_close_matches(key, KNOWN_OPTIONS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"Unknown option {key!r} in [tool.schemadiff]{hint}")
    for key in _BOOLEAN_OPTIONS:
        value = config.get_main_option(key)
        if value is not None and value.strip().lower() not in _BOOL_WORDS:
            raise ConfigError(f"Option {key!r} must be true or false, not {value!r}")
    timeout = config.get_main_option("safe_lock_timeout")
    if timeout is not None:
        from schemadiff.runtime.safe import lock_timeout_ms

        lock_timeout_ms(timeout)
    length = config.get_main_option("truncate_slug_length")
    if length is not None and not length.strip().isdigit():
        raise ConfigError(f"Option 'truncate_slug_length' must be a whole number, not {length!r}")


def _prepend_sys_path(config: Config) -> None:
    paths = config.get_main_option_list("prepend_sys_path") or []
    for p in reversed(paths):
        resolved = str(Path(p).resolve())
        if resolved not in sys.path:
            sys.path.insert(0, resolved)
