"""The source distribution carries the tests and their fixtures, and the metadata is whole."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SHIPPED = ("tests", "fixtures", "docs")


def _source_files(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> tarfile.TarFile:
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not run from a source tree")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (archive,) = out.glob("schemadiff-*.tar.gz")
    return tarfile.open(archive)


def test_the_sdist_ships_every_test_fixture_and_doc(sdist):
    names = sdist.getnames()
    prefix = names[0].split("/")[0] + "/"
    shipped = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    for folder in SHIPPED:
        missing = sorted(_source_files(folder) - shipped)
        assert missing == [], f"not in the sdist: {missing}"
    assert {"LICENSE", "README.md", "Makefile", "pyproject.toml"} <= shipped


def test_the_metadata_declares_license_and_imports(sdist):
    member = next(name for name in sdist.getnames() if name.count("/") == 1 and "PKG-INFO" in name)
    extracted = sdist.extractfile(member)
    assert extracted is not None
    info = Parser().parsestr(extracted.read().decode())
    assert info["License-Expression"] == "MIT"
    assert info["License-File"] == "LICENSE"
    requires = info.get_all("Requires-Dist") or []
    assert "typing_extensions>=4.6" in requires
    assert any(r.startswith("tomli") and 'python_version < "3.11"' in r for r in requires)
    assert info.get_all("Project-URL") and info.get_all("Classifier")
    assert not [c for c in info.get_all("Classifier") or [] if c.startswith("License ::")]
