"""Colour only on a terminal; NO_COLOR respected; plain text when piped."""

from __future__ import annotations

import io
import threading

from schemadiff.console import print_lines

LINES = ["1975ea83b712 -> ae1027a6acf (head), add a column", "<base> -> 1975ea83b712, create"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_is_the_plain_lines():
    out = io.StringIO()
    print_lines(out, LINES, lambda line: out.write(line + "\n"))
    assert out.getvalue() == "\n".join(LINES) + "\n"


def test_a_terminal_gets_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = FakeTerminal()
    print_lines(out, LINES, lambda line: None)
    text = out.getvalue()
    assert "\x1b[" in text
    assert "ae1027a6acf" in text


def test_no_color_turns_colour_off_on_a_terminal(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = FakeTerminal()
    print_lines(out, LINES, lambda line: None)
    assert "\x1b[3" not in out.getvalue()  # no colour codes
    assert "add a column" in out.getvalue()


def test_op_and_context_are_per_thread():
    """Two migrations in two threads each see their own ``op`` target."""
    from schemadiff import op
    from schemadiff.operations import Operations, activate

    class Fake:
        def __init__(self, name: str) -> None:
            self.name = name
            self.impl = None

    seen: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def worker(name: str) -> None:
        with activate(Operations(Fake(name))):  # type: ignore[arg-type]
            barrier.wait()
            seen[name] = op.get_context().name

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"one": "one", "two": "two"}


def test_only_revision_ids_are_coloured_as_revisions(monkeypatch):
    """A date or hex-looking word in a message is not a revision id."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = FakeTerminal()
    line = "1975ea83b712 -> ae1027a6acf (head), backfill 20240101 rows, cafe0123 too"
    print_lines(out, [line], lambda line: None, revision_ids=("1975ea83b712", "ae1027a6acf"))
    text = out.getvalue()
    yellow = "\x1b[33m"
    assert f"{yellow}1975ea83b712" in text and f"{yellow}ae1027a6acf" in text
    assert f"{yellow}20240101" not in text and f"{yellow}cafe0123" not in text
    assert "backfill 20240101 rows, cafe0123 too" in text
