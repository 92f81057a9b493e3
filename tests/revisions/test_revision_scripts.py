"""The loader: headers read without importing, the cache, and load_module."""

from __future__ import annotations

import ast
import json
import os
import py_compile
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from revtree import FIXTURES, STAGES, revisions_of, write_stage

import schemadiff.revisions as revisions_pkg
from schemadiff.errors import ScriptError
from schemadiff.revisions import RevisionGraph, load_module, load_revisions
from schemadiff.revisions.scripts import CACHE_FILE_NAME

OLD = 1_500_000_000  # an mtime safely outside the "racy" window


def _write(path: Path, text: str, *, old: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if old:
        os.utime(path, (OLD, OLD))
    return path


def _script(rev: str, down: str | None = None, doc: str = "a message") -> str:
    return f'"""{doc}\n\nRevision ID: {rev}\n"""\nrevision = {rev!r}\ndown_revision = {down!r}\n'


def _cache(location: Path) -> dict[str, list[object]]:
    data = json.loads((location / "__pycache__" / CACHE_FILE_NAME).read_text())
    entries: dict[str, list[object]] = data["entries"]
    return entries


# ------------------------------------------------------------ reading headers


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_fixture_files_load_to_the_in_memory_trees(stage: str, tmp_path: Path) -> None:
    locations = write_stage(stage, tmp_path)
    loaded = load_revisions(locations)
    assert loaded == revisions_of(stage, str(tmp_path))
    RevisionGraph.build(loaded)


def test_repository_fixtures_are_current(tmp_path: Path) -> None:
    """fixtures/revisions/ must match revtree.py (regenerate: python tests/revisions/revtree.py)."""
    for stage in STAGES:
        write_stage(stage, tmp_path / stage)
    expected = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.py")}
    actual = {
        p.relative_to(FIXTURES): p.read_bytes()
        for p in FIXTURES.rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert actual == expected


def test_header_values_in_every_spelling(tmp_path: Path) -> None:
    _write(
        tmp_path / "v" / "a.py",
        '''
        """First line of the message
        continues here.

        Revision ID: a
        """
        from __future__ import annotations
        from typing import Sequence, Union

        revision: str = "a"
        down_revision: Union[str, Sequence[str], None] = ["p", "q"]
        branch_labels = {"zeta", "alpha"}
        depends_on: Union[str, None] = "d"

        def upgrade() -> None:
            pass
        ''',
    )
    (rev,) = load_revisions([tmp_path / "v"])
    assert rev.revision == "a"
    assert rev.down_revision == ("p", "q")
    assert rev.branch_label_order == ("alpha", "zeta")
    assert rev.depends_on == ("d",)
    assert rev.doc == "First line of the message"
    assert rev.longdoc.startswith("First line of the message\ncontinues here.")
    assert rev.path == str(tmp_path / "v" / "a.py")


def test_no_docstring_and_defaults(tmp_path: Path) -> None:
    _write(tmp_path / "x.py", "revision = 'x'\n")
    (rev,) = load_revisions([tmp_path])
    assert (rev.doc, rev.longdoc, rev.down_revision, rev.branch_labels) == ("", "", (), frozenset())


def test_a_header_reassigned_after_the_functions_wins(tmp_path: Path) -> None:
    _write(
        tmp_path / "x.py",
        """
        revision = 'x'
        down_revision = 'old'

        def upgrade():
            pass

        down_revision = 'new'
        """,
    )
    (rev,) = load_revisions([tmp_path])
    assert rev.down_revision == ("new",)


def test_header_after_the_first_function_is_still_found(tmp_path: Path) -> None:
    _write(
        tmp_path / "x.py",
        """
        def helper():
            pass

        revision = 'x'
        """,
    )
    assert load_revisions([tmp_path])[0].revision == "x"


def test_a_def_inside_the_docstring_does_not_confuse_the_fast_path(tmp_path: Path) -> None:
    _write(
        tmp_path / "x.py",
        '''
        """message

        def not_code():
        """
        revision = 'x'
        down_revision = 'w'
        ''',
    )
    assert load_revisions([tmp_path])[0].down_revision == ("w",)


def test_computed_header_falls_back_to_importing(tmp_path: Path) -> None:
    _write(
        tmp_path / "x.py",
        """
        PREFIX = "ab"
        revision = PREFIX + "cd"
        down_revision = None
        """,
    )
    assert load_revisions([tmp_path])[0].revision == "abcd"


def test_tuple_assignment_falls_back_to_importing(tmp_path: Path) -> None:
    _write(tmp_path / "x.py", "revision, down_revision = 'x', 'w'\n")
    rev = load_revisions([tmp_path])[0]
    assert (rev.revision, rev.down_revision) == ("x", ("w",))


@pytest.mark.parametrize(
    "body",
    ["this is not python at all\n", "revision = 'x'\ndown_revision = ('a',\n",
     '"""unterminated docstring\nrevision = "x"\n'],
)  # fmt: skip
def test_unparsable_file_is_named(tmp_path: Path, body: str) -> None:
    bad = _write(tmp_path / "bad_one.py", body)
    with pytest.raises(ScriptError) as info:
        load_revisions([tmp_path])
    assert str(info.value).startswith(f"Could not parse revision script {bad} (line ")


def test_syntax_error_below_the_header_is_found_when_the_scripts_are_read(
    tmp_path: Path,
) -> None:
    """history and upgrade must not treat a script Python cannot parse as fine."""
    path = _write(tmp_path / "x.py", "revision = 'x'\n\ndef upgrade(:\n    pass\n")
    with pytest.raises(ScriptError) as info:
        load_revisions([tmp_path])
    assert str(info.value) == f"Could not parse revision script {path} (line 3): invalid syntax"


def test_an_error_running_the_script_surfaces_when_it_is_imported(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.py", "revision = 'x'\nimport no_such_module_anywhere\n")
    (rev,) = load_revisions([tmp_path])  # read, not run
    with pytest.raises(ScriptError, match=f"Could not import revision script {path}"):
        load_module(rev)


def test_file_without_revision_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "helper.py", "down_revision = None\n")
    with pytest.raises(ScriptError) as info:
        load_revisions([tmp_path])
    assert str(info.value) == f"Revision script {path} does not assign 'revision'"


@pytest.mark.parametrize(
    "body",
    ["revision = 3\n", "revision = ''\n", "revision = 'x'\ndown_revision = 5\n",
     "revision = 'x'\nbranch_labels = ['a', 1]\n"],
)  # fmt: skip
def test_wrong_header_types_are_named(tmp_path: Path, body: str) -> None:
    path = _write(tmp_path / "x.py", body)
    with pytest.raises(ScriptError, match=str(path)):
        load_revisions([tmp_path])


def test_failing_import_fallback_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.py", "revision = undefined_name\n")
    with pytest.raises(ScriptError, match=f"Could not import revision script {path}"):
        load_revisions([tmp_path])


def test_skipped_files_and_file_order(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "b_second.py", _script("b", "a"))
    _write(v / "a_first.py", _script("a"))
    _write(v / "__init__.py", "")
    _write(v / "README", "not python")
    _write(v / "notes.txt", "revision = 'nope'")
    _write(v / ".#a_first.py", "garbage")
    _write(v / "sub" / "c.py", _script("c", "b"))
    assert [r.revision for r in load_revisions([v])] == ["a", "b"]
    assert [r.revision for r in load_revisions([v], recursive=True)] == ["a", "b", "c"]


def test_locations_in_the_given_order_and_missing_ones_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "one" / "z.py", _script("z"))
    _write(tmp_path / "two" / "a.py", _script("a"))
    revs = load_revisions([tmp_path / "one", tmp_path / "missing", str(tmp_path / "two")])
    assert [r.revision for r in revs] == ["z", "a"]


# ------------------------------------------------------------ the cache


def test_cache_is_written_and_used(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "a.py", _script("a"))
    load_revisions([v])
    entries = _cache(v)
    assert list(entries) == ["a.py"]
    # Prove a warm load reads the cache, not the file: doctor the entry.
    entries["a.py"][3] = "from_cache"
    data = {"format": 1, "entries": entries}
    (v / "__pycache__" / CACHE_FILE_NAME).write_text(json.dumps(data))
    assert load_revisions([v])[0].revision == "from_cache"


def test_edits_additions_and_removals_are_seen(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "a.py", _script("a"))
    _write(v / "b.py", _script("b", "a"))
    assert [r.revision for r in load_revisions([v])] == ["a", "b"]
    _write(v / "b.py", _script("b", "a", doc="another message, longer"))
    _write(v / "c.py", _script("c", "b"))
    revs = load_revisions([v])
    assert [r.revision for r in revs] == ["a", "b", "c"]
    assert revs[1].doc == "another message, longer"
    (v / "a.py").unlink()
    assert [r.revision for r in load_revisions([v])] == ["b", "c"]
    assert sorted(_cache(v)) == ["b.py", "c.py"]


def test_same_size_same_mtime_edit_is_seen(tmp_path: Path) -> None:
    v = tmp_path / "v"
    path = _write(v / "a.py", _script("a", doc="message one"))
    assert load_revisions([v])[0].doc == "message one"
    _write(v / "a.py", _script("a", doc="message two"))  # same size, mtime reset to OLD
    assert path.stat().st_mtime_ns == OLD * 10**9
    assert load_revisions([v])[0].doc == "message two"


def test_recent_files_are_not_cached(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "old.py", _script("o"))
    _write(v / "new.py", _script("n", "o"), old=False)
    load_revisions([v])
    assert list(_cache(v)) == ["old.py"]


@pytest.mark.parametrize("junk", ["not json", '{"format": 99}', '{"format": 1, "entries": 3}',
                                  '{"format": 1, "entries": {"a.py": [1, 2]}}'])  # fmt: skip
def test_a_broken_cache_is_ignored(tmp_path: Path, junk: str) -> None:
    v = tmp_path / "v"
    _write(v / "a.py", _script("a"))
    (v / "__pycache__").mkdir()
    (v / "__pycache__" / CACHE_FILE_NAME).write_text(junk)
    assert load_revisions([v])[0].revision == "a"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_read_only_location_loads_without_a_cache(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "a.py", _script("a"))
    v.chmod(0o555)
    try:
        assert load_revisions([v])[0].revision == "a"
    finally:
        v.chmod(0o755)


def test_read_only_cache_directory_is_tolerated(tmp_path: Path) -> None:
    v = tmp_path / "v"
    _write(v / "a.py", _script("a"))
    (v / "__pycache__").write_text("a file where the directory would go")
    assert load_revisions([v])[0].revision == "a"


# ------------------------------------------------------------ sourceless


def test_sourceless_scripts(tmp_path: Path) -> None:
    v = tmp_path / "v"
    src = _write(v / "a.py", _script("a", doc="compiled away"))
    py_compile.compile(str(src), cfile=str(v / "a.pyc"))
    src2 = _write(v / "b.py", _script("b", "a"))
    tag = sys.implementation.cache_tag
    py_compile.compile(str(src2), cfile=str(v / "__pycache__" / f"b.{tag}.pyc"))
    src.unlink()
    src2.unlink()
    assert load_revisions([v]) == []
    revs = load_revisions([v], sourceless=True)
    assert [r.revision for r in revs] == ["a", "b"]
    assert revs[0].doc == "compiled away"
    assert revs[0].path == str(v / "a.pyc")
    assert load_module(revs[1]).revision == "b"


# ------------------------------------------------------------ load_module


def test_load_module_runs_the_script(tmp_path: Path) -> None:
    _write(
        tmp_path / "one" / "x_same.py",
        "revision = 'x'\ncalls = []\ndef upgrade():\n    calls.append('up')\n",
    )
    _write(tmp_path / "two" / "x_same.py", "revision = 'y'\n")
    rev_x = load_revisions([tmp_path / "one"])[0]
    rev_y = load_revisions([tmp_path / "two"])[0]
    module = load_module(rev_x)
    module.upgrade()
    assert module.calls == ["up"]
    assert module.__name__ != load_module(rev_y).__name__
    assert module.__name__ not in sys.modules


def test_load_module_errors(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.py", "revision = 'x'\n")
    rev = load_revisions([tmp_path])[0]
    _write(path, "revision = 'changed'\n")
    with pytest.raises(ScriptError, match="now declares revision 'changed'"):
        load_module(rev)
    _write(path, "revision = 'x'\nraise RuntimeError('boom')\n")
    with pytest.raises(ScriptError, match=f"Could not import revision script {path}: boom"):
        load_module(rev)
    with pytest.raises(ScriptError, match="has no script file"):
        load_module(revisions_of("branched")[0].__class__.create("nofile"))


# ------------------------------------------------------------ layering


def test_the_layer_never_imports_sqlalchemy() -> None:
    package = Path(revisions_pkg.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "sqlalchemy" for n in names), module


def test_importing_the_layer_loads_no_sqlalchemy() -> None:
    code = "import sys, schemadiff.revisions; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api() -> None:
    assert sorted(revisions_pkg.__all__) == sorted(set(revisions_pkg.__all__))
    for name in revisions_pkg.__all__:
        assert hasattr(revisions_pkg, name), name
    # "@py_builtins"/"@pytest_ar": pytest's assertion rewriting, which covers the
    # whole schemadiff package since its plugin is registered by entry point
    public = {n for n in dir(revisions_pkg) if not n.startswith(("_", "@"))}
    submodules = {
        "drawing",
        "format",
        "graph",
        "headers",
        "history",
        "identifiers",
        "model",
        "planner",
        "scripts",
    }

    assert public - submodules - {"annotations"} == set(revisions_pkg.__all__)


# ------------------------------------------------------------ the fast scan


FAST_CASES = [
    '"""msg\n\nRevision ID: a\n"""\nrevision = "a"\ndown_revision = None\n',
    "'''single quotes'''\nrevision = 'a'\ndown_revision = ('p', \"q\")  # merge\n",
    '# leading comment\n\n"""doc"""\nrevision: str = "a"\ndown_revision: Union[str, None] = "p"\n',
    'import os\nrevision = "a"\nbranch_labels = ["x", "y",]\ndepends_on = ("d")\n',
    '\ufeff"""bom"""\r\nrevision = "a"\r\ndown_revision = "p"\r\n',
    '"""crlf\r\n\r\nRevision ID: a\r\n"""\r\nrevision = \'a\'\r\n',
    'revision = "a"\nx = dict(\nrevision = "b"\n)\n',
    'revision = "a"\ndown_revision = ("p",\n    "q")\n',
    '"""doc"""\nrevision = "a"\nSQL = """\nrevision = "b"\n"""\n',
    'r"""raw doc"""\nrevision = "a"\n',
    '"""esc\\tape"""\nrevision = "a"\n',
    '"doc in single quotes"\nrevision = "a"\n',
    '# -*- coding: latin-1 -*-\n"""caf\xe9"""\nrevision = "a"\n',
    '# -*- coding: utf-8 -*-\n"""utf"""\nrevision = "a"\n',
    'revision = "a"\nrevision_id = "zzz"\nrevision += "b"\n',
    'revision = "a"; down_revision = "p"\n',
    'revision = "a"\ndown_revision = None\ndef upgrade():\n    revision = "inner"\n',
    'revision = "a"\ndown_revision = ()\nbranch_labels = []\n',
    'revision = u"a"\n',
    'revision = "a"\nx = 1 + \\\n  2\n',
    '"""doc"""\n',
]


@pytest.mark.parametrize("text", FAST_CASES)
def test_fast_scan_agrees_with_ast_or_declines(text: str) -> None:
    from schemadiff.revisions.headers import _fast_header, _header_from_tree, _NotSimple

    encoding = "latin-1" if "latin-1" in text else "utf-8"
    source = text.encode(encoding)
    try:
        fast = _fast_header(source)
    except (_NotSimple, UnicodeDecodeError):
        return
    slow = _header_from_tree(ast.parse(source))
    normal = {k: list(v) if isinstance(v, tuple) else v for k, v in slow.items()}
    doc = normal.get("__doc__")
    if isinstance(doc, str):
        normal["__doc__"] = doc.replace("\r\n", "\n")
    assert fast == normal


def test_fast_scan_takes_the_generated_shape(tmp_path: Path) -> None:
    from schemadiff.revisions.headers import _fast_header

    for script in STAGES["dependencies_final"]["networking"]:
        found = _fast_header(script.source().encode())
        assert found["revision"] == script.rev
