"""The exception tree of schemadiff.

Library code raises these; only the command line turns them into a
``FAILED: <message>`` line and exit status 2.  Every message names what the
user can act on: a revision id, a file, a ``table.column``.

    SchemaDiffError
    ├── ConfigError               bad or missing configuration, unknown options
    ├── CommandError              a command cannot proceed as asked
    ├── RevisionError             the revision graph or an identifier is wrong
    │   ├── ResolutionError       an identifier matches nothing / too much
    │   │   └── MultipleHeadsError  'head' is ambiguous
    │   ├── GraphError            duplicates, missing parents, cycles, labels
    │   └── RangeNotAncestorError a relative move or range cannot be walked
    ├── ScriptError               a revision script or template is broken
    ├── MigrationError            a migration failed while running
    └── AutogenerateError         comparing or rendering failed
"""

from __future__ import annotations


class SchemaDiffError(Exception):
    """Base class: everything schemadiff raises on purpose."""


class ConfigError(SchemaDiffError):
    pass


class CommandError(SchemaDiffError):
    pass


class RevisionError(SchemaDiffError):
    pass


class ResolutionError(RevisionError):
    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class MultipleHeadsError(ResolutionError):
    def __init__(self, heads: tuple[str, ...], argument: str) -> None:
        super().__init__(
            f"Multiple head revisions are present for given argument '{argument}'; "
            "please specify a specific target revision, '<branchname>@head' to narrow "
            "to a specific head, or 'heads' for all heads",
            argument,
        )
        self.heads = heads


class GraphError(RevisionError):
    pass


class RangeNotAncestorError(RevisionError):
    pass


class ScriptError(SchemaDiffError):
    pass


class MigrationError(SchemaDiffError):
    pass


class AutogenerateError(SchemaDiffError):
    pass
