"""Configuration: ``schemadiff.ini`` (section ``[schemadiff]``) and/or
``[tool.schemadiff]`` in ``pyproject.toml``.

``Config`` is what env.py sees as ``context.config`` and what
``schemadiff.command.<verb>(config, ...)`` takes, so commands run the same
from Python as from the shell.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from schemadiff.errors import ConfigError

DEFAULT_INI = "schemadiff.ini"
MAIN_SECTION = "schemadiff"


class Config:
    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        ini_section: str = MAIN_SECTION,
        output_buffer: TextIO | None = None,
        stdout: TextIO | None = None,
        cmd_opts: Any = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
    ) -> None:
        self.config_file_name = str(file_) if file_ is not None else None
        self.toml_file_name = str(toml_file) if toml_file is not None else None
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        self.stdout = stdout if stdout is not None else sys.stdout
        self.cmd_opts = cmd_opts
        self.config_args = dict(config_args or {})
        self.attributes: dict[str, Any] = attributes if attributes is not None else {}
        self._parser: configparser.ConfigParser | None = None
        self._toml: dict[str, Any] | None = None

    # -- loading ---------------------------------------------------------------
    @property
    def here(self) -> Path:
        if self.config_file_name:
            return Path(self.config_file_name).resolve().parent
        if self.toml_file_name:
            return Path(self.toml_file_name).resolve().parent
        return Path.cwd()

    @property
    def file_config(self) -> configparser.ConfigParser:
        if self._parser is None:
            parser = configparser.ConfigParser(
                defaults={"here": str(self.here), **self.config_args}
            )
            if self.config_file_name:
                path = Path(self.config_file_name)
                if not path.exists():
                    raise ConfigError(f"No config file {str(path)!r} found")
                try:
                    parser.read(path, encoding="utf-8")
                except configparser.Error as exc:
                    raise ConfigError(f"Config file {path} is malformed: {exc}") from exc
            self._parser = parser
        return self._parser

    @property
    def toml_options(self) -> dict[str, Any]:
        if self._toml is None:
            self._toml = {}
            if self.toml_file_name and Path(self.toml_file_name).exists():
                # imported here: most projects configure in the ini file, and
                # tomllib would slow every command's start-up otherwise
                if sys.version_info >= (3, 11):
                    import tomllib
                else:  # pragma: no cover
                    import tomli as tomllib
                try:
                    data = tomllib.loads(Path(self.toml_file_name).read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as exc:
                    raise ConfigError(f"{self.toml_file_name} is malformed: {exc}") from exc
                section = data.get("tool", {}).get("schemadiff", {})
                here = str(self.here)
                for key, value in section.items():
                    if isinstance(value, str):
                        value = value.replace("%(here)s", here)
                    elif isinstance(value, list):
                        value = [
                            v.replace("%(here)s", here) if isinstance(v, str) else v for v in value
                        ]
                    self._toml[key] = value
        return self._toml

    # -- options ---------------------------------------------------------------
    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        return self.get_section_option(self.config_ini_section, name, default)

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        parser = self.file_config
        if parser.has_section(section) and parser.has_option(section, name):
            try:
                return parser.get(section, name)
            except configparser.Error as exc:
                raise ConfigError(f"Config option {section}.{name} is malformed: {exc}") from exc
        if section == self.config_ini_section and name in self.toml_options:
            value = self.toml_options[name]
            if isinstance(value, list):
                return " ".join(str(v) for v in value)
            return str(value)
        return default

    def get_main_option_list(self, name: str) -> list[str] | None:
        if name in self.toml_options and isinstance(self.toml_options[name], list):
            return [str(v) for v in self.toml_options[name]]
        value = self.get_main_option(name)
        if value is None:
            return None
        sep = self.get_main_option("path_separator")
        if name == "version_locations":
            # older ini files say version_path_separator for this one key
            sep = self.get_main_option("version_path_separator") or sep

        if sep in (None, "space"):
            parts = value.replace(",", " ").split()
        elif sep == "os":
            parts = value.split(os.pathsep)
        else:
            separators = {"newline": "\n", "colon": ":", "semicolon": ";"}
            parts = value.split(separators.get(sep, sep))
        return [p.strip() for p in parts if p.strip()]

    def set_main_option(self, name: str, value: str) -> None:
        self.set_section_option(self.config_ini_section, name, value)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        parser = self.file_config
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, name, value.replace("%", "%%") if "%(" not in value else value)

    def get_section(
        self, name: str, default: dict[str, str] | None = None
    ) -> dict[str, str] | None:
        parser = self.file_config
        if not parser.has_section(name):
            if name == self.config_ini_section and self.toml_options:
                return {k: str(v) for k, v in self.toml_options.items()}
            return default
        try:
            return dict(parser.items(name))
        except configparser.Error as exc:
            raise ConfigError(f"Config section [{name}] is malformed: {exc}") from exc

    def has_section(self, name: str) -> bool:
        return self.file_config.has_section(name) or (
            name == self.config_ini_section and bool(self.toml_options)
        )

    def print_stdout(self, text: str, *args: Any) -> None:
        out = text % args if args else text
        self.stdout.write(out + "\n")

    def print_status(self, text: str) -> None:
        """A progress line (``Generating ... done``): silent under ``-q``, as the log is.

        A command's own output (history, reports) keeps ``print_stdout``.
        """
        if not getattr(self.cmd_opts, "quiet", False):
            self.print_stdout(text)


def find_config(
    explicit: str | None, ini_section: str = MAIN_SECTION, toml: str | None = None
) -> Config:
    """``-c`` if given, else ``$SCHEMADIFF_CONFIG``, else ./schemadiff.ini, else pyproject.

    ``toml`` is a pyproject file named beside the ini file (``-c`` given
    twice); without it ``./pyproject.toml`` is read where it exists.
    """
    path = explicit or os.environ.get("SCHEMADIFF_CONFIG")
    if toml is not None:
        if not Path(toml).exists():
            raise ConfigError(f"No config file {toml!r} found")
        toml_file: str | None = toml
    else:
        default_toml = Path("pyproject.toml")
        toml_file = str(default_toml) if default_toml.exists() else None
    if path:
        if not Path(path).exists():
            raise ConfigError(f"No config file {path!r} found")
        if Path(path).suffix == ".toml":
            return Config(None, ini_section, toml_file=path)
        return Config(path, ini_section, toml_file=toml_file)
    if Path(DEFAULT_INI).exists():
        return Config(DEFAULT_INI, ini_section, toml_file=toml_file)
    return Config(None, ini_section, toml_file=toml_file)
