"""The snapshot dataclasses: frozen, comparable, positional and keyword alike."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
import sqlalchemy as sa

from schemadiff.snapshot.model import ColumnSnapshot, TableSnapshot, snapshot


def test_snapshot_items_keep_the_dataclass_contract():
    col = ColumnSnapshot("a", sa.Integer(), nullable=False, server_default="0")
    assert (col.name, col.nullable, col.server_default, col.comment) == ("a", False, "0", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        col.name = "b"  # type: ignore[misc]
    # type and source are left out of equality and hashing
    other = ColumnSnapshot("a", sa.String(), nullable=False, server_default="0", source=object())
    assert col == other and hash(col) == hash(other)
    assert dataclasses.replace(col, nullable=True).nullable is True
    assert list(inspect.signature(ColumnSnapshot).parameters) == [
        f.name for f in dataclasses.fields(ColumnSnapshot)
    ]
    assert TableSnapshot(None, "t", (col,)).key == (None, "t")


def test_positional_and_keyword_arguments_land_in_their_fields():
    @snapshot
    class Item:
        a: int
        b: str = "b"
        c: tuple[int, ...] = ()

    assert Item(1) == Item(a=1, b="b", c=())
    assert Item(1, "x", (2,)).c == (2,) and Item(1, c=(3,)).b == "b"
    with pytest.raises(TypeError):
        Item()  # type: ignore[call-arg]
