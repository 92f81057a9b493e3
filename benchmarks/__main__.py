"""``python -m benchmarks``: run the suites, print tables, write JSON.

``make bench BENCH_ARGS="..."`` passes its arguments here.  Progress goes to
stderr and the result tables to stdout, so ``> results.txt`` captures only
the figures.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import check_scale, compare, revisions, startup, upgrade, writer_stall
from benchmarks.report import RESULTS_DIR, environment_info, format_environment, log

SUITES = ("compare", "revisions", "upgrade", "startup", "check", "stall")
#: run without --suite; the upgrade, check (creating 10,000 tables alone takes
#: minutes) and writer-stall (a 1M-row table per server backend) suites are asked for
DEFAULT_SUITES = ("compare", "revisions", "startup")


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text}") from exc
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("table counts must be positive")
    return sizes


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark schemadiff against Alembic (see benchmarks/README.md).",
    )
    parser.add_argument(
        "--suite",
        action="append",
        choices=SUITES,
        help="suite to run; repeatable (default: compare, revisions and startup)",
    )
    parser.add_argument(
        "--backend",
        action="append",
        choices=compare.BACKENDS,
        help="backend for the compare, upgrade and startup (check) suites; repeatable "
        "(default: all three)",
    )
    parser.add_argument(
        "--tables",
        type=_sizes,
        metavar="N,N,...",
        help="comma-separated schema sizes for the compare suite, on every backend "
        "(default: 100,1000,3000; 100,1000 on mysql, where 3000 is opt-in)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive,
        default=3,
        help="timed runs per tool and size / warm runs per command (default: %(default)s)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the extra tracemalloc run per tool (saves about a third of the time)",
    )
    parser.add_argument(
        "--revisions",
        type=_positive,
        default=revisions.DEFAULT_REVISIONS,
        help="revision scripts in the graph suite (default: %(default)s)",
    )
    parser.add_argument(
        "--upgrade-revisions",
        type=_positive,
        default=upgrade.DEFAULT_REVISIONS,
        help="revisions of the history the upgrade suite runs (default: %(default)s)",
    )
    parser.add_argument(
        "--trivial-revisions",
        type=int,
        default=upgrade.DEFAULT_TRIVIAL,
        help="revisions of the trivial history the upgrade suite also runs; 0 skips it "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--alembic-max-tables",
        type=int,
        default=check_scale.ALEMBIC_MAX_TABLES,
        help="check suite: largest schema Alembic is run on (default: %(default)s)",
    )
    parser.add_argument(
        "--stall-rows",
        type=_positive,
        default=writer_stall.DEFAULT_ROWS,
        help="rows of the table the stall suite builds an index on (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="JSON file to write (default: benchmarks/results/bench-<UTC timestamp>.json)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    suites = args.suite or list(DEFAULT_SUITES)
    backends = args.backend or list(compare.BACKENDS)
    started = time.perf_counter()
    info = environment_info()
    data: dict[str, Any] = {
        "environment": info,
        "arguments": {
            "suites": suites,
            "backends": backends,
            "tables": {
                b: list(args.tables or compare.DEFAULT_TABLES_BY_BACKEND[b]) for b in backends
            },
            "repeat": args.repeat,
            "memory": not args.no_memory,
            "revisions": args.revisions,
            "upgrade_revisions": args.upgrade_revisions,
            "trivial_revisions": args.trivial_revisions,
            "stall_rows": args.stall_rows,
        },
    }
    sections = [f"Environment: {format_environment(info)}"]

    if "compare" in suites:
        cases = compare.run_suite(backends, args.tables, args.repeat, memory=not args.no_memory)
        data["compare"] = [case.as_dict() for case in cases]
        sections.append(
            f"Full comparison, compare_type and compare_server_default on "
            f"(median of {args.repeat}):\n" + compare.format_results(cases)
        )

    if "revisions" in suites:
        suite = revisions.run_suite(args.revisions, args.repeat)
        data["revisions"] = suite.as_dict()
        sections.append(revisions.format_results(suite))

    if "upgrade" in suites:
        cases_up = upgrade.run_suite(
            backends, args.upgrade_revisions, args.repeat, args.trivial_revisions
        )
        data["upgrade"] = [case.as_dict() for case in cases_up]
        sections.append(upgrade.format_results(cases_up, args.repeat))

    if "startup" in suites:
        cases_start = startup.run_suite(backends, args.repeat)
        data["startup"] = [case.as_dict() for case in cases_start]
        sections.append(startup.format_results(cases_start, args.repeat))

    if "check" in suites:
        cases_check = check_scale.run_suite(backends, args.repeat, args.alembic_max_tables)
        data["check"] = [case.as_dict() for case in cases_check]
        sections.append(check_scale.format_results(cases_check, args.repeat))
    if "stall" in suites:
        cases_stall = writer_stall.run_suite(backends, args.stall_rows)
        data["stall"] = [case.as_dict() for case in cases_stall]
        sections.append(writer_stall.format_results(cases_stall))

    total = time.perf_counter() - started
    data["total_seconds"] = total
    output = args.output or RESULTS_DIR / (
        "bench-" + _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + ".json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")

    sections.append(f"Total time: {total:.0f}s.  JSON: {output}")
    print("\n\n".join(sections))
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
