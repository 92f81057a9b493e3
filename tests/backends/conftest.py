"""Fixtures of the backend round-trip tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends.object_support import Loop


@pytest.fixture
def loop(database: Any, tmp_path: Path) -> Iterator[Loop]:
    """The database of one test, with a migration project pointed at it."""
    made = Loop(database, tmp_path)
    yield made
    made.close()
