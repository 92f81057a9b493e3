"""Text from the database or the command line, made safe for where it lands.

Names, comments and messages can hold anything: a table may be called
``"x\\n::error file=evil.py::..."``.  Printed raw, such a name starts a new
line, and a line that begins with ``::`` is a workflow command to GitHub
Actions, which reads every line of a job's output.  A revision message
holding ``\"\"\"`` would end the docstring it is written into and turn the rest
into code that runs on ``upgrade``.

* :func:`visible` spells out control characters (``\\n``, ``\\x1b``, bidi
  overrides, ...) for human-facing output: reports, log lines, history;
* :func:`line_safe` also keeps a single line from starting with ``::``;
* :func:`docstring_text` makes a message safe inside a ``\"\"\"`` docstring of a
  generated script while reading exactly as written when it is ordinary.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# C0 controls, DEL, C1 controls, line/paragraph separators, and the
# bidirectional overrides and isolates that reorder what a reader sees
# ("Trojan Source").
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character written as an escape; ordinary text unchanged."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: _escape(m.group()), text)


def line_safe(text: str) -> str:
    """One line of human-facing output: control characters escaped, and never a
    GitHub workflow command (a line starting with ``::``, after blanks)."""
    shown = visible(text)
    if shown.lstrip().startswith("::"):
        return repr(shown)
    return shown


def lines_safe(text: str) -> str:
    """A multi-line message, each line made :func:`line_safe`."""
    return "\n".join(line_safe(line) for line in text.split("\n"))


#: a quote that, with the two after it, would close the docstring
_CLOSING = re.compile(r'"(?="")')


def docstring_text(message: str) -> str:
    """``message`` as the body of a triple-quoted docstring that evaluates to it exactly.

    Backslashes, control characters (newlines stay: a message may have
    lines), any quote that would start the closing quotes and trailing quotes
    (which would run into the closing quotes) are escaped; an ordinary
    message comes back unchanged.
    """
    text = message.replace("\\", "\\\\")
    text = _CONTROL.sub(lambda m: m.group() if m.group() == "\n" else _escape(m.group()), text)
    body = text.rstrip('"')
    trailing = len(text) - len(body)
    return _CLOSING.sub(r'\\"', body) + '\\"' * trailing


def _safe_arg(arg: Any) -> Any:
    return visible(arg) if isinstance(arg, str) else arg


@contextmanager
def safe_log_records(prefix: str = "schemadiff") -> Iterator[None]:
    """While active, string arguments of ``prefix`` loggers' records are
    :func:`visible`: a name in a log line cannot start a line of its own.

    Installed by the command line around a command; handlers are the
    user's (env.py configures logging), so the records are made safe where
    they are created.
    """
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name.startswith(prefix) and record.args:
            if isinstance(record.args, tuple):
                record.args = tuple(_safe_arg(a) for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: _safe_arg(v) for k, v in record.args.items()}
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
