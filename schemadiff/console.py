"""Terminal output: colour and tables on a terminal, the seeds' plain text otherwise.

Only a terminal gets colour (and rich honours ``NO_COLOR`` there); piped
output stays byte-for-byte the plain format scripts and tests read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_STYLES = (
    (r"\b[0-9a-f]{6,40}\b", "yellow"),
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


def print_lines(stream: Any, lines: Iterable[str], write_plain: Any) -> None:
    """Revision listings: coloured on a terminal, plain lines otherwise."""
    if not is_terminal(stream):
        for line in lines:
            write_plain(line)
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for line in lines:
        text = Text(line)
        for pattern, style in _STYLES:
            text.highlight_regex(pattern, style)
        console.print(text)
