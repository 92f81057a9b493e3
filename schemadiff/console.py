"""Terminal output: colour and tables on a terminal, the seeds' plain text otherwise.

Only a terminal gets colour (and rich honours ``NO_COLOR`` there); piped
output stays byte-for-byte the plain format scripts and tests read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

_REVISION_STYLE = "yellow"
_STYLES = (
    (r"\((?:effective )?head\)", "bold green"),
    (r"\((?:branchpoint|mergepoint)\)", "cyan"),
    (r"\(current\)", "bold magenta"),
    (r"<base>", "dim"),
    (r"^(Rev|Parent|Merges|Branches into|Branch names|Path):", "bold"),
    (r"^[|/\\* ]+(?=\s)", "blue"),
)


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


def print_lines(
    stream: Any, lines: Iterable[str], write_plain: Any, revision_ids: Collection[str] = ()
) -> None:
    """Revision listings: coloured on a terminal, plain lines otherwise.

    Revision ids are coloured by what they are, the ids of the graph, not
    by their look: a date such as 20240101 in a message stays plain.
    """
    if not is_terminal(stream):
        for line in lines:
            write_plain(line)
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    ids = _id_pattern(revision_ids)
    for line in lines:
        text = Text(line)
        if ids is not None:
            text.highlight_regex(ids, _REVISION_STYLE)
        for pattern, style in _STYLES:
            text.highlight_regex(pattern, style)
        console.print(text)


def _id_pattern(revision_ids: Collection[str]) -> re.Pattern[str] | None:
    """One pattern matching any of the ids as a whole word (longest first)."""
    if not revision_ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(revision_ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
