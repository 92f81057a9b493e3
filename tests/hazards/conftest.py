"""Fixtures of the hazard tests: one database with a project on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hazards.support import Site


@pytest.fixture
def site(database: Any, tmp_path: Path) -> Iterator[Site]:
    made = Site(database, tmp_path)
    yield made
    made.close()
