"""The ledger's statement rules, without a database."""

from __future__ import annotations

import pytest

from schemadiff.runtime.ledger import Ledger, commits_implicitly, first_word, is_write


@pytest.mark.parametrize(
    ("statement", "word"),
    [
        ("  create table t (x int)", "CREATE"),
        ("-- note\nALTER TABLE t ADD y INT", "ALTER"),
        ("/* hint */ (SELECT 1)", "SELECT"),
        ("", ""),
    ],
)
def test_first_word_skips_comments_and_brackets(statement, word):
    assert first_word(statement) == word


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT version_num FROM schemadiff_version", False),
        ("PRAGMA foreign_keys", False),
        ("PRAGMA foreign_keys = OFF", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved", True),
        ("BEGIN IMMEDIATE", False),
        ("INSERT INTO t VALUES (1)", True),
        ("CREATE INDEX ix ON t (x)", True),
    ],
)
def test_is_write(statement, writes):
    assert is_write(statement) is writes


def test_mysql_implicit_commits():
    assert commits_implicitly("CREATE TABLE t (x INT)")
    assert commits_implicitly("rename table a to b")
    assert not commits_implicitly("CREATE TEMPORARY TABLE t (x INT)")
    assert not commits_implicitly("UPDATE t SET x = 1")


def _mysql_run() -> Ledger:
    ledger = Ledger("MariaDB", transactional_ddl=False, committed_rows=("r1",))
    ledger.begin_step("r2")
    ledger.after_statement("INSERT INTO t VALUES (1)")
    return ledger


def test_a_ddl_statement_commits_what_came_before_it_on_mysql():
    ledger = _mysql_run()
    ledger.before_statement("CREATE TABLE u (x INT)")
    ledger.after_statement("CREATE TABLE u (x INT)")
    ledger.after_statement("UPDATE t SET x = 2")
    kept = [k.statement for k in ledger.kept]
    assert kept == ["INSERT INTO t VALUES (1)", "CREATE TABLE u (x INT)"]
    assert ledger.pending == ["UPDATE t SET x = 2"]
    text = "\n".join(ledger.describe("upgrade", "r2", ("r2",)))
    assert "committed by MariaDB before a later DDL statement" in text
    assert "Rolled back: the other 1 statement of revision r2." in text
    assert "The version table says r1." in text
    assert "'schemadiff stamp r2'" in text


def test_a_rollback_leaves_the_committed_rows():
    ledger = Ledger("PostgreSQL", transactional_ddl=True, committed_rows=())
    ledger.begin_step("r1")
    ledger.after_statement("CREATE TABLE t (x INT)")
    ledger.end_step(("r1",))
    ledger.begin_step("r2")
    ledger.after_statement("CREATE TABLE u (x INT)")
    text = "\n".join(ledger.describe("upgrade", "r2", ("r2",)))
    assert "Rolled back: schema and version table are as before this run" in text
    assert "(the version table says base)" in text
    ledger.rolled_back()
    assert ledger.rows == () and ledger.done == [] and ledger.pending == []
