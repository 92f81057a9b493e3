"""Character classes spelled by what they exclude, checked on every code point.

The SQLite DDL lexer and the JUnit report used classes spelled with ranges
up to U+10FFFF, which take ~20 ms each to compile at every start-up; they
are now spelled as the few ASCII (or BMP) characters they leave out.  This
proves the new spelling matches exactly the characters the rule names.
"""

from __future__ import annotations

import re

from schemadiff.backends.sqlite.ddl_lexer import BARE_LEAD_RE
from schemadiff.renderers.report.junit_format import xml_safe

ALL = "".join(map(chr, range(0x110000)))
ASCII = {chr(i) for i in range(128)}
LETTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_identifier_start_and_part_are_sqlites_rule() -> None:
    # tokenize.c: a word starts with a letter, '_' or any code point >= 0x80,
    # and goes on with those, digits and '$'.  Every candidate is put between
    # NULs (never in a word) and the words are removed: what is left is what
    # the class leaves out.
    word = re.compile(BARE_LEAD_RE.pattern)
    left = word.sub("", "\x00".join(ALL))
    assert set(left) == ASCII - LETTERS - {"_"}
    left = word.sub("", "\x00".join("a" + c for c in ALL))
    assert set(left) == ASCII - LETTERS - set("_0123456789$")


def test_xml_safe_escapes_exactly_what_xml_cannot_carry() -> None:
    cannot = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    kept = cannot.sub("", ALL)
    assert xml_safe(kept) == kept
    dropped = cannot.findall(ALL)
    assert len(dropped) == 0x110000 - len(kept)
    assert xml_safe("".join(dropped)) == "".join(f"\\x{ord(c):02x}" for c in dropped)
