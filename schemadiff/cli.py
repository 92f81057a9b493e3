"""The command line: argument parsing, printing, ``FAILED:`` and exit codes.

Exit status: 0 success, 1 drift found by ``check``, 2 any error.  Errors
print ``FAILED: <message>`` on stderr with passwords masked, never a
traceback unless ``--raiseerr``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from schemadiff import commands as command
from schemadiff.cli_parser import EXIT_DRIFT, EXIT_ERROR, EXIT_OK, build_parser
from schemadiff.config import find_config
from schemadiff.redact import mask_secrets
from schemadiff.safe_text import lines_safe, safe_log_records

#: hides every URL secret (userinfo and query) in a message; see ``schemadiff.redact``
mask_passwords = mask_secrets


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.cmd:
        parser.print_help()
        return EXIT_ERROR
    try:
        with safe_log_records():
            return _dispatch(args)
    except SystemExit:
        raise
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_OK
    except BaseException as exc:  # noqa: BLE001 - the one place errors become exit codes
        if args.raiseerr:
            # the full traceback, as asked, but still the error status
            import traceback  # here: not worth importing on every start-up

            traceback.print_exc()
            return EXIT_ERROR
        if isinstance(exc, KeyboardInterrupt):
            sys.stderr.write("FAILED: interrupted\n")
            return EXIT_ERROR
        message = str(exc) or type(exc).__name__
        sys.stderr.write(f"FAILED: {lines_safe(mask_passwords(message))}\n")
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
    if args.cmd == "diff":
        drift = command.diff(
            args.source,
            args.target,
            format=args.format,
            output=args.output,
            include_schemas=args.include_schemas,
        )
        return EXIT_DRIFT if drift else EXIT_OK
    if args.cmd == "import-alembic":
        from schemadiff.config import Config

        command.import_alembic(Config(cmd_opts=args), args.path, dry_run=args.dry_run)
        return EXIT_OK
    config = find_config(args.config, args.name, toml=getattr(args, "config_toml", None))
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
        command.current(config, verbose=args.verbose, check_heads=args.check_heads)
    elif args.cmd == "ensure_version":
        command.ensure_version(config, sql=args.sql)
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
            splice=args.splice,
        )
    elif args.cmd == "stamp":
        command.stamp(config, args.revisions, sql=args.sql, tag=args.tag, purge=args.purge)
    elif args.cmd == "show":
        command.show(config, args.rev)
    elif args.cmd == "check" and args.dev_url:
        drift = command.check_dev(config, args.dev_url, format=args.format, output=args.output)
        return EXIT_DRIFT if drift else EXIT_OK
    elif args.cmd == "check":
        drift = command.check(config, format=args.format, output=args.output)
        return EXIT_DRIFT if drift else EXIT_OK
    elif args.cmd == "lint":
        hazardous = command.lint(config, args.rev_range, format=args.format)
        return EXIT_DRIFT if hazardous else EXIT_OK
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
    from schemadiff import gc_policy

    gc_policy.freeze_for_exit()
    sys.exit(code)


def _discard_stdout() -> None:
    """stdout was closed early (``schemadiff history | head``): not an error.

    Pointing it at /dev/null keeps the interpreter's final flush quiet.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
