"""The command line's grammar: every command, option, help text and example.

Kept apart from ``cli.py`` (which runs what was parsed) because it is most
of the text: ``schemadiff <command> --help`` prints the examples here, and
``tests/cli/test_help.py`` holds every option to having help.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from schemadiff import __version__

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own errors: exit 2 with FAILED:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"FAILED: {message}\n")
        raise SystemExit(EXIT_ERROR)


class _ConfigFiles(argparse.Action):
    """``-c FILE``, at most twice: an ini file and a pyproject.toml.

    ``config`` keeps the one file (the ini file when there are two), as
    every command reads it; ``config_toml`` is the pyproject file given
    beside it.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given = [*(getattr(namespace, "config_files", None) or []), str(values)]
        tomls = [f for f in given if f.endswith(".toml")]
        if len(given) > 2 or (len(given) == 2 and len(tomls) != 1):
            parser.error("-c/--config twice takes one ini file and one .toml file")
        namespace.config_files = given
        namespace.config = next((f for f in given if not f.endswith(".toml")), given[0])
        namespace.config_toml = tomls[0] if len(given) == 2 else None


def _add_report_options(p: argparse.ArgumentParser) -> None:
    """``--format`` and ``--output``, shared by ``check`` and ``diff``."""
    p.add_argument(
        "--format",
        default="text",
        metavar="FORMAT",
        help="report format: text (default), json, markdown, junit, github or sarif",
    )
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schemadiff",
        description="Schema diff engine and migration runner for SQLAlchemy.",
    )
    parser.add_argument("--version", action="version", version=f"schemadiff {__version__}")
    parser.add_argument(
        "-c",
        "--config",
        action=_ConfigFiles,
        metavar="CONFIG",
        help="config file (default $SCHEMADIFF_CONFIG, else ./schemadiff.ini, else "
        "pyproject.toml); give it twice for an ini file and a pyproject.toml",
    )
    parser.add_argument(
        "-n", "--name", default="schemadiff", help="section of the config file to use"
    )
    parser.add_argument(
        "-x",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="additional arguments for env.py (context.get_x_argument())",
    )
    parser.add_argument("--raiseerr", action="store_true", help="raise a full traceback on error")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log to stderr")
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("init", help="create a new migration environment")
    p.add_argument("directory", help="the directory to create (must not exist or be empty)")
    p.add_argument(
        "-t",
        "--template",
        default="generic",
        help="generic (default), pyproject, async or multidb; see list_templates",
    )
    p.add_argument("--package", action="store_true", help="write __init__.py files")

    sub.add_parser("list_templates", help="list the available templates")

    p = sub.add_parser("revision", help="create a new revision file")
    p.add_argument(
        "-m",
        "--message",
        help="the message: first docstring line and file-name slug (default 'empty message')",
    )
    p.add_argument(
        "--autogenerate",
        action="store_true",
        help="compare database and models and fill upgrade()/downgrade() with the changes",
    )
    p.add_argument(
        "--sql",
        action="store_true",
        help="run env.py in offline mode while generating (not with --autogenerate)",
    )
    p.add_argument(
        "--head",
        default="head",
        metavar="REV",
        help="parent of the new revision (default head); base starts a new root, "
        "LABEL@head extends a branch",
    )
    p.add_argument(
        "--splice",
        action="store_true",
        help="allow --head to name a revision that is not a head, creating a branch",
    )
    p.add_argument(
        "--branch-label",
        dest="branch_label",
        metavar="NAME",
        help="put a branch label on the new revision",
    )
    p.add_argument(
        "--version-path",
        dest="version_path",
        metavar="DIR",
        help="directory to write into (created if missing); a new root revision needs it "
        "when there are several version_locations",
    )
    p.add_argument(
        "--rev-id",
        dest="rev_id",
        metavar="ID",
        help="use this id instead of a generated 12-hex-digit one",
    )
    p.add_argument(
        "--depends-on",
        dest="depends_on",
        action="append",
        metavar="REV",
        help="a dependency on another revision (repeatable); prefixes resolve to full ids",
    )

    for verb in ("upgrade", "downgrade"):
        p = sub.add_parser(
            verb,
            help=f"{verb} to a later version"
            if verb == "upgrade"
            else "revert to a previous version",
        )
        p.add_argument(
            "revision",
            help="target revision: an id or unique prefix, head, heads, base, +N/-N, "
            "LABEL@head, ...; with --sql a range START:END",
        )
        p.add_argument(
            "--sql",
            action="store_true",
            help="offline mode: print the SQL on stdout instead of running it",
        )
        p.add_argument(
            "--tag", help="an arbitrary string for env.py, read with context.get_tag_argument()"
        )

    p = sub.add_parser("current", help="show the current revision(s) of the database")
    p.add_argument(
        "-c",
        "--check-heads",
        dest="check_heads",
        action="store_true",
        help="fail (exit 2) unless the database is at every head revision",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print the database URL and each revision's full block",
    )

    p = sub.add_parser("history", help="list revisions in order")
    p.add_argument(
        "-r",
        "--rev-range",
        dest="rev_range",
        metavar="RANGE",
        help="[START]:[END]; 'current' in it reads the database (write -r-3:current)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="the full block for each revision")
    p.add_argument(
        "-i",
        "--indicate-current",
        dest="indicate_current",
        action="store_true",
        help="mark the database's revision(s) with (current) (reads the database)",
    )
    p.add_argument("--graph", action="store_true", help="draw the revision graph beside the lines")

    p = sub.add_parser("heads", help="show current available heads")
    p.add_argument("-v", "--verbose", action="store_true", help="the full block for each head")
    p.add_argument(
        "--resolve-dependencies",
        action="store_true",
        help="leave out a head that another revision depends_on",
    )

    p = sub.add_parser("branches", help="show current branch points")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="the full block for each branch point"
    )

    p = sub.add_parser("merge", help="merge two revisions together, creating a new revision file")
    p.add_argument("revisions", nargs="+", help="revisions to merge, or 'heads'")
    p.add_argument(
        "--splice",
        action="store_true",
        help="allow revisions that are not heads, creating a new branch",
    )
    p.add_argument("-m", "--message", help="the merge revision's message")
    p.add_argument(
        "--branch-label",
        dest="branch_label",
        metavar="NAME",
        help="put a branch label on the merge revision",
    )
    p.add_argument(
        "--rev-id",
        dest="rev_id",
        metavar="ID",
        help="use this id instead of a generated 12-hex-digit one",
    )

    p = sub.add_parser("stamp", help="'stamp' the version table with revisions, running nothing")
    p.add_argument(
        "revisions",
        nargs="+",
        help="the revision(s) to record; base empties the table; with --sql one START:END range",
    )
    p.add_argument("--sql", action="store_true", help="print SQL instead of running it")
    p.add_argument("--tag", help="passed to env.py as for upgrade (context.get_tag_argument())")
    p.add_argument("--purge", action="store_true", help="delete all version rows first")

    p = sub.add_parser(
        "ensure_version", help="create the version table if it is missing, running nothing"
    )
    p.add_argument(
        "--sql", action="store_true", help="print the CREATE TABLE instead of running it"
    )

    p = sub.add_parser("show", help="show the revision denoted by the given symbol")

    p.add_argument("rev", help="a revision id, prefix, label, head, ...")

    p = sub.add_parser("check", help="compare database and models; exit 1 on drift")
    _add_report_options(p)
    p.add_argument(
        "--dev-url",
        dest="dev_url",
        metavar="URL",
        help="compare the models with the migrations replayed on URL (an empty scratch "
        "database, emptied again afterwards) instead of the configured database; "
        "'embedded' (or 'embedded:MAJOR') starts a throwaway PostgreSQL",
    )

    p = sub.add_parser(
        "diff", help="compare two schemas (database URLs or module:attribute MetaData)"
    )
    p.add_argument("source", metavar="SOURCE", help="database URL or module:attribute MetaData")
    p.add_argument("target", metavar="TARGET", help="database URL or module:attribute MetaData")
    _add_report_options(p)
    p.add_argument(
        "--include-schemas",
        dest="include_schemas",
        action="store_true",
        help="compare every schema, not only the default one",
    )

    p = sub.add_parser(
        "lint", help="report the hazards of revision scripts' directives; exit 1 on any"
    )
    p.add_argument(
        "-r",
        "--rev-range",
        dest="rev_range",
        metavar="RANGE",
        help="[START]:[END] of the scripts to read (base:head for all, no database needed); "
        "default: the scripts the database has not applied",
    )
    p.add_argument(
        "--format",
        default="text",
        choices=("text", "json", "github", "sarif"),
        help="report format: text (default), json, github or sarif",
    )

    p = sub.add_parser("edit", help="open a revision in $EDITOR")
    p.add_argument("rev", help="the revision whose file to open (e.g. head)")

    p = sub.add_parser(
        "import-alembic", help="move an Alembic project over (config, imports; database kept)"
    )
    p.add_argument("path", nargs="?", help="the project's alembic.ini (default ./alembic.ini)")
    p.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    for name, command_parser in sub.choices.items():
        command_parser.formatter_class = argparse.RawDescriptionHelpFormatter
        if name in EXAMPLES:
            command_parser.epilog = "examples:\n" + "\n".join(
                f"  schemadiff {line}" for line in EXAMPLES[name]
            )
    return parser


EXAMPLES: dict[str, tuple[str, ...]] = {
    "init": ("init migrations", "init --template pyproject migrations"),
    "list_templates": ("list_templates",),
    "revision": (
        'revision -m "create account table"',
        'revision --autogenerate -m "add order table"',
        'revision -m "networking" --head=base --branch-label=networking --version-path=model/net',
        'revision -m "dns" --head=networking@head',
    ),
    "upgrade": (
        "upgrade head",
        "upgrade +2",
        "upgrade ae1",
        "upgrade heads",
        "upgrade 1975ea:ae10 --sql",
    ),
    "downgrade": ("downgrade -1", "downgrade base", "downgrade head:base --sql"),
    "current": ("current", "current --verbose", "current --check-heads"),
    "ensure_version": ("ensure_version", "ensure_version --sql"),
    "history": ("history", "history -r1975ea:ae1027", "history -r-3:current", "history --graph"),
    "heads": ("heads", "heads --verbose --resolve-dependencies"),
    "branches": ("branches --verbose",),
    "show": ("show head", "show shoppingcart"),
    "merge": (
        'merge -m "merge ae1 and 27c" ae1027 27c6a',
        "merge heads",
        "merge --splice 1975ea ae1027",
    ),
    "stamp": ("stamp head", "stamp --purge 1975ea83b712", "stamp head --sql"),
    "check": (
        "check",
        "check --format json --output drift.json",
        "check --format github",
        "check --dev-url embedded",
        "check --dev-url postgresql://scott@localhost/scratch",
    ),
    "diff": (
        "diff postgresql://scott@staging/app postgresql://scott@prod/app",
        "diff postgresql://scott@localhost/app myapp.models:metadata --format json",
    ),
    "lint": (
        "lint",
        "lint -r base:head",
        "lint -r ae1027:head --format github",
        "lint --format sarif > lint.sarif",
    ),
    "edit": ("edit head",),
    "import-alembic": (
        "import-alembic",
        "import-alembic --dry-run",
        "import-alembic app/alembic.ini",
    ),
}
