"""The command line: argument parsing, printing, ``FAILED:`` and exit codes.

Exit status: 0 success, 1 drift found by ``check``, 2 any error.  Errors
print ``FAILED: <message>`` on stderr with passwords masked, never a
traceback unless ``--raiseerr``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from schemadiff import __version__
from schemadiff import commands as command
from schemadiff.config import find_config

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_ERROR = 2

_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<tail>@)")


def mask_passwords(text: str) -> str:
    """Hide the password of every database URL in a message."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***{m.group('tail')}", text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own errors: exit 2 with FAILED:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"FAILED: {message}\n")
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schemadiff",
        description="Schema diff engine and migration runner for SQLAlchemy.",
    )
    parser.add_argument("--version", action="version", version=f"schemadiff {__version__}")
    parser.add_argument(
        "-c", "--config", help="config file (default ./schemadiff.ini, else pyproject.toml)"
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
    p.add_argument("directory")
    p.add_argument("-t", "--template", default="generic")
    p.add_argument("--package", action="store_true", help="write __init__.py files")

    sub.add_parser("list_templates", help="list the available templates")

    p = sub.add_parser("revision", help="create a new revision file")
    p.add_argument("-m", "--message")
    p.add_argument("--autogenerate", action="store_true")
    p.add_argument("--sql", action="store_true")
    p.add_argument("--head", default="head")
    p.add_argument("--splice", action="store_true")
    p.add_argument("--branch-label", dest="branch_label")
    p.add_argument("--version-path", dest="version_path")
    p.add_argument("--rev-id", dest="rev_id")
    p.add_argument("--depends-on", dest="depends_on", action="append")

    for verb in ("upgrade", "downgrade"):
        p = sub.add_parser(
            verb,
            help=f"{verb} to a later version"
            if verb == "upgrade"
            else "revert to a previous version",
        )
        p.add_argument("revision")
        p.add_argument("--sql", action="store_true", help="print SQL instead of running it")
        p.add_argument("--tag")

    p = sub.add_parser("current", help="show the current revision(s) of the database")
    p.add_argument("-v", "--verbose", action="store_true")

    p = sub.add_parser("history", help="list revisions in order")
    p.add_argument("-r", "--rev-range", dest="rev_range")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("-i", "--indicate-current", dest="indicate_current", action="store_true")
    p.add_argument("--graph", action="store_true", help="draw the revision graph beside the lines")

    p = sub.add_parser("heads", help="show current available heads")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--resolve-dependencies", action="store_true")

    p = sub.add_parser("branches", help="show current branch points")
    p.add_argument("-v", "--verbose", action="store_true")

    p = sub.add_parser("merge", help="merge two revisions together, creating a new revision file")
    p.add_argument("revisions", nargs="+", help="revisions to merge, or 'heads'")
    p.add_argument("-m", "--message")
    p.add_argument("--branch-label", dest="branch_label")
    p.add_argument("--rev-id", dest="rev_id")

    p = sub.add_parser("stamp", help="'stamp' the version table with revisions, running nothing")
    p.add_argument("revisions", nargs="+")
    p.add_argument("--sql", action="store_true", help="print SQL instead of running it")
    p.add_argument("--tag")
    p.add_argument("--purge", action="store_true", help="delete all version rows first")

    p = sub.add_parser("show", help="show the revision denoted by the given symbol")

    p.add_argument("rev")

    p = sub.add_parser("check", help="compare database and models; exit 1 on drift")
    p.add_argument(
        "--format",
        default="text",
        metavar="FORMAT",
        help="report format: text (default), json, markdown, junit, github or sarif",
    )
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")

    p = sub.add_parser("edit", help="open a revision in $EDITOR")
    p.add_argument("rev")

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
    "current": ("current", "current --verbose"),
    "history": ("history", "history -r1975ea:ae1027", "history -r-3:current", "history --graph"),
    "heads": ("heads", "heads --verbose --resolve-dependencies"),
    "branches": ("branches --verbose",),
    "show": ("show head", "show shoppingcart"),
    "merge": ('merge -m "merge ae1 and 27c" ae1027 27c6a', "merge heads"),
    "stamp": ("stamp head", "stamp --purge 1975ea83b712", "stamp head --sql"),
    "check": ("check", "check --format json --output drift.json", "check --format github"),
    "edit": ("edit head",),
    "import-alembic": (
        "import-alembic",
        "import-alembic --dry-run",
        "import-alembic app/alembic.ini",
    ),
}


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.cmd:
        parser.print_help()
        return EXIT_ERROR
    try:
        return _dispatch(args)
    except SystemExit:
        raise
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_OK
    except BaseException as exc:  # noqa: BLE001 - the one place errors become exit codes
        if args.raiseerr:
            # the full traceback, as asked, but still the error status
            traceback.print_exc()
            return EXIT_ERROR
        if isinstance(exc, KeyboardInterrupt):
            sys.stderr.write("FAILED: interrupted\n")
            return EXIT_ERROR
        message = str(exc) or type(exc).__name__
        sys.stderr.write(f"FAILED: {mask_passwords(message)}\n")
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.quiet:
        import logging

        logging.disable(logging.CRITICAL)
    if args.cmd == "list_templates":
        from schemadiff.config import Config

        command.list_templates(Config(cmd_opts=args))
        return EXIT_OK
    if args.cmd == "init":
        from schemadiff.config import Config

        command.init(
            Config(args.config or "schemadiff.ini", cmd_opts=args),
            args.directory,
            args.template,
            args.package,
        )
        return EXIT_OK
    if args.cmd == "import-alembic":
        from schemadiff.config import Config

        command.import_alembic(Config(cmd_opts=args), args.path, dry_run=args.dry_run)
        return EXIT_OK
    config = find_config(args.config, args.name)
    config.cmd_opts = args
    if args.cmd == "revision":
        command.revision(
            config,
            message=args.message,
            autogenerate=args.autogenerate,
            sql=args.sql,
            head=args.head,
            splice=args.splice,
            branch_label=args.branch_label,
            version_path=args.version_path,
            rev_id=args.rev_id,
            depends_on=args.depends_on,
        )
    elif args.cmd == "upgrade":
        _progress_on_terminal(config, args.sql)
        command.upgrade(config, args.revision, sql=args.sql, tag=args.tag)
    elif args.cmd == "downgrade":
        _progress_on_terminal(config, args.sql)
        command.downgrade(config, args.revision, sql=args.sql, tag=args.tag)
    elif args.cmd == "current":
        command.current(config, verbose=args.verbose)
    elif args.cmd == "history":
        command.history(
            config,
            args.rev_range,
            verbose=args.verbose,
            indicate_current=args.indicate_current,
            graph_drawing=args.graph,
        )

    elif args.cmd == "heads":
        command.heads(config, verbose=args.verbose, resolve_dependencies=args.resolve_dependencies)
    elif args.cmd == "branches":
        command.branches(config, verbose=args.verbose)
    elif args.cmd == "merge":
        command.merge(
            config,
            args.revisions,
            message=args.message,
            branch_label=args.branch_label,
            rev_id=args.rev_id,
        )
    elif args.cmd == "stamp":
        command.stamp(config, args.revisions, sql=args.sql, tag=args.tag, purge=args.purge)
    elif args.cmd == "show":
        command.show(config, args.rev)
    elif args.cmd == "check":
        drift = command.check(config, format=args.format, output=args.output)
        return EXIT_DRIFT if drift else EXIT_OK
    elif args.cmd == "edit":
        command.edit(config, args.rev)
    return EXIT_OK


def _progress_on_terminal(config: Any, sql: bool) -> None:
    """A progress bar for runs watched on a terminal; pipes get the plain log."""
    if sql or not sys.stderr.isatty():
        return
    from schemadiff.runtime.environment import PROGRESS_ATTRIBUTE
    from schemadiff.runtime.progress import RichProgress

    config.attributes.setdefault(PROGRESS_ATTRIBUTE, RichProgress())


def main(argv: Sequence[str] | None = None) -> None:
    code = run(argv)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
    sys.exit(code)


def _discard_stdout() -> None:
    """stdout was closed early (``schemadiff history | head``): not an error.

    Pointing it at /dev/null keeps the interpreter's final flush quiet.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
