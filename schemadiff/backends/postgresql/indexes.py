"""What makes two PostgreSQL indexes the same index, beyond name and keys.

Both sides reach here as snapshots in one shape (``snapshot.index_shape``);
this decides which of their options PostgreSQL stores and can therefore be
compared: the access method, operator classes, INCLUDE columns, NULLS NOT
DISTINCT and storage parameters (the predicate, key order and collation
are compared by the index comparator itself).  ``CONCURRENTLY`` and
``TABLESPACE`` say how or where an index is built, not what it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the runner imports this module, and it never needs the snapshot package
    from schemadiff.snapshot.model import IndexSnapshot


def index_option_signature(ix: IndexSnapshot) -> tuple[Any, ...]:
    """The stored options of ``ix`` in a form both sides share; ``()`` for none.

    Operator classes are lined up by key position, since the model keys
    them by its own spelling of an expression and the catalog by its own.
    Names are folded to lower case (unquoted identifiers), operator classes
    compared without their schema, and the access method ``btree`` is the
    default one.
    """
    if not ix.dialect_options:
        return ()
    opts = dict(ix.dialect_options)
    using = str(opts.get("postgresql_using") or "btree").lower()
    # An operator class outside the search path is read schema-qualified
    # (so a rebuilt index finds it); the model may name it either way.
    ops_map = {k: str(v).lower().rsplit(".", 1)[-1] for k, v in opts.get("postgresql_ops") or ()}
    ops = tuple(ops_map.get(e) for e in ix.expressions) if ops_map else ()
    include = tuple(str(c) for c in opts.get("postgresql_include") or ())
    with_ = tuple(
        sorted((str(k).lower(), str(v).lower()) for k, v in opts.get("postgresql_with") or ())
    )
    signature = (
        None if using == "btree" else using,
        ops if any(ops) else (),
        include,
        bool(opts.get("postgresql_nulls_not_distinct")),
        with_,
    )
    return () if signature == (None, (), (), False, ()) else signature
