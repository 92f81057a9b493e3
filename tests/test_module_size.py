"""Every module of the package stays under 500 lines: split one before it grows past
that, so each stays readable in one sitting (STYLE.md)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "schemadiff"
LIMIT = 500


def test_every_module_is_under_the_limit() -> None:
    too_long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= LIMIT
    }
    assert too_long == {}
