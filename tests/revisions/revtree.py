"""The seeds' revision trees, as data, as in-memory graphs and as script files.

One source of truth for three uses: graph and planner tests build the trees
in memory (``graph_of``); loader tests write them to ``tmp_path``
(``write_stage``); and ``fixtures/revisions/`` holds the same files for CLI
tests (regenerate with ``python tests/revisions/revtree.py``; a test checks
they are current).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from schemadiff.revisions import Revision, RevisionGraph

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "revisions"


@dataclass(frozen=True)
class Script:
    rev: str
    message: str
    down: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()
    date: str = "2014-11-20 13:00:00.000000"
    slug: str = ""

    @property
    def file_name(self) -> str:
        return f"{self.rev}_{self.slug}.py"

    @property
    def longdoc(self) -> str:
        return (
            f"{self.message}\n\nRevision ID: {self.rev}\n"
            f"Revises: {', '.join(self.down)}\nCreate Date: {self.date}"
        )

    def source(self) -> str:
        def literal(items: tuple[str, ...], single: bool) -> str:
            if not items:
                return "None"
            if single and len(items) == 1:
                return repr(items[0])
            return "(" + ", ".join(repr(i) for i in items) + ("," if len(items) == 1 else "") + ")"

        revises = ", ".join(self.down)
        return (
            f'"""{self.message}\n\nRevision ID: {self.rev}\nRevises: {revises}\n'
            f'Create Date: {self.date}\n\n"""\n'
            "from schemadiff import op\n"
            "import sqlalchemy as sa\n\n\n"
            "# revision identifiers, used by schemadiff.\n"
            f"revision = {self.rev!r}\n"
            f"down_revision = {literal(self.down, True)}\n"
            f"branch_labels = {literal(self.labels, False)}\n"
            f"depends_on = {literal(self.depends, True)}\n\n\n"
            "def upgrade() -> None:\n    pass\n\n\n"
            "def downgrade() -> None:\n    pass\n"
        )


# (rev, message, file slug, Create Date, down_revision) - the tutorial
# ("Working with Branches" onward).  Dates the seeds show are kept; the
# others are made up in creation order.
_D = "2014-11-20 "
TUTORIAL = {
    row[0]: Script(row[0], row[1], row[4], slug=row[2], date=_D + row[3])
    for row in [
        ("1975ea83b712", "create account table", "add_account_table", "13:02:46.257104", ()),
        ("ae1027a6acf", "add a column", "add_a_column", "13:02:54.849677", ("1975ea83b712",)),
        ("27c6a30d7c24", "add shopping cart table", "add_shopping_cart_table",
         "13:03:11.436407", ("1975ea83b712",)),
        ("53fffde5ad5", "merge ae1 and 27c", "merge_ae1_and_27c", "13:31:50.811663",
         ("ae1027a6acf", "27c6a30d7c24")),
        ("d747a8a8879", "add a shopping cart column", "add_a_shopping_cart_column",
         "13:40:02.000000", ("27c6a30d7c24",)),
        ("55af2cb1c267", "add another account column", "add_another_account_column",
         "13:45:03.000000", ("ae1027a6acf",)),
        ("3cac04ae8714", "create networking branch", "create_networking_branch",
         "13:50:04.000000", ()),
        ("109ec7d132bf", "add ip number table", "add_ip_number_table", "13:55:05.000000",
         ("3cac04ae8714",)),
        ("29f859a13ea", "add DNS table", "add_dns_table", "14:00:06.000000", ("109ec7d132bf",)),
        ("2a95102259be", "add ip account table", "add_ip_account_table", "14:05:07.000000",
         ("29f859a13ea",)),
        ("34e094ad6ef1", "more account changes", "more_account_changes", "14:10:08.000000",
         ("55af2cb1c267",)),
    ]
}  # fmt: skip
TUTORIAL["3cac04ae8714"] = replace(TUTORIAL["3cac04ae8714"], labels=("networking",))
TUTORIAL["2a95102259be"] = replace(TUTORIAL["2a95102259be"], depends=("55af2cb1c267",))
SHOPPINGCART = replace(TUTORIAL["27c6a30d7c24"], labels=("shoppingcart",))

# The terminal session (seed 000).  4ba36561a8c8's parent and message are
# not shown there; it must sit on ec2ddccf60aa for the session's second
# 'upgrade head' to print what it prints.
SESSION = {
    row[0]: Script(row[0], row[1], row[4], slug=row[2], date=row[3])
    for row in [
        ("1671375a9017", "initial migration", "initial_migration",
         "2018-02-12 10:00:00.000000", ()),
        ("ec2ddccf60aa", "increase password length", "increase_password_length",
         "2018-02-13 12:35:32.157293", ("1671375a9017",)),
        ("ffb63a043e68", "add user surname", "add_user_surname",
         "2018-02-13 12:40:00.000000", ("ec2ddccf60aa",)),
        ("b00e3d457ada", "create sessions table", "create_sessions_table",
         "2018-02-13 12:45:00.000000", ("ec2ddccf60aa",)),
        ("5b22bdd4981d", "empty message", "", "2018-02-13 12:50:00.000000",
         ("ffb63a043e68", "b00e3d457ada")),
        ("4ba36561a8c8", "add user phone", "add_user_phone",
         "2018-02-13 12:55:00.000000", ("ec2ddccf60aa",)),
        ("5b56dea28659", "empty message", "", "2018-02-13 13:00:00.000000",
         ("4ba36561a8c8", "5b22bdd4981d")),
    ]
}  # fmt: skip


def _t(*revs: str) -> tuple[Script, ...]:
    return tuple(SHOPPINGCART if r == "shoppingcart" else TUTORIAL[r] for r in revs)


def _session(count: int) -> tuple[Script, ...]:
    """The session's first ``count`` scripts, in the order they were made."""
    return tuple(SESSION.values())[:count]


ACCOUNT = ("1975ea83b712", "ae1027a6acf", "27c6a30d7c24")
LABELED = ("1975ea83b712", "ae1027a6acf", "shoppingcart")
NETWORKING = ("3cac04ae8714", "109ec7d132bf", "29f859a13ea")

#: stage name -> {version location name: scripts}; locations listed in
#: version_locations order (networking first, as the tutorial's ini has it).
STAGES: dict[str, dict[str, tuple[Script, ...]]] = {
    "branched": {"versions": _t(*ACCOUNT)},
    "merged": {"versions": _t(*ACCOUNT, "53fffde5ad5")},
    "labeled": {"versions": _t(*LABELED)},
    "labeled_column": {"versions": _t(*LABELED, "d747a8a8879")},
    "networking_base": {"networking": _t("3cac04ae8714"), "versions": _t(*LABELED)},
    "multibase": {
        "networking": _t(*NETWORKING),
        "versions": _t(*LABELED, "d747a8a8879", "55af2cb1c267"),
    },
    "dependencies": {
        "networking": _t(*NETWORKING, "2a95102259be"),
        "versions": _t(*LABELED, "55af2cb1c267"),
    },
    "dependencies_final": {
        "networking": _t(*NETWORKING, "2a95102259be"),
        "versions": _t(*LABELED, "55af2cb1c267", "34e094ad6ef1"),
    },
    "session": {"versions": _session(4)},
    "session_merged": {"versions": _session(5)},
    "session_two_heads": {"versions": _session(6)},
    "session_second_merge": {"versions": _session(7)},
}


def revisions_of(stage: str, root: str = "foo") -> list[Revision]:
    """The stage's revisions in file order, with paths under ``root``."""
    out: list[Revision] = []
    for location, scripts in STAGES[stage].items():
        for script in sorted(scripts, key=lambda s: s.file_name):
            out.append(
                Revision.create(
                    script.rev,
                    script.down,
                    script.labels,
                    script.depends,
                    longdoc=script.longdoc,
                    path=f"{root}/{location}/{script.file_name}",
                )
            )
    return out


def graph_of(stage: str, root: str = "foo") -> RevisionGraph:
    return RevisionGraph.build(revisions_of(stage, root))


def write_stage(stage: str, root: Path) -> list[Path]:
    """Write the stage's scripts under ``root``; return its version locations."""
    locations = []
    for location, scripts in STAGES[stage].items():
        directory = root / location
        directory.mkdir(parents=True, exist_ok=True)
        for script in scripts:
            (directory / script.file_name).write_text(script.source(), encoding="utf-8")
        locations.append(directory)
    return locations


def build(spec: str) -> RevisionGraph:
    """A graph from a compact description, one revision per line.

    ``id [<- parent,parent] [+dep,dep] [#label,label] [: message]``, e.g.
    ``b <- a #shop : add b``.  Lines are in file order.
    """
    revs = []
    for raw in spec.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        line, _, message = line.partition(":")
        parts = line.split()
        rev, down, deps, labels = parts[0], [], [], []
        i = 1
        while i < len(parts):
            if parts[i] == "<-":
                down = parts[i + 1].split(",")
                i += 2
            elif parts[i].startswith("+"):
                deps = parts[i][1:].split(",")
                i += 1
            elif parts[i].startswith("#"):
                labels = parts[i][1:].split(",")
                i += 1
            else:
                raise ValueError(f"bad spec line: {raw!r}")
        revs.append(Revision.create(rev, down, labels, deps, doc=message.strip() or f"rev {rev}"))
    return RevisionGraph.build(revs)


if __name__ == "__main__":  # regenerate fixtures/revisions/
    for name in STAGES:
        write_stage(name, FIXTURES / name)
    sys.stdout.write(f"wrote {len(STAGES)} stages under {FIXTURES}\n")
