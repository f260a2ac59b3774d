"""Splitting and classifying raw SQL."""

from __future__ import annotations

import pytest

from safemigrate.sqlfacts import split_statements


def kinds(sql: object) -> list[str]:
    return [s.kind for s in split_statements(sql)]


def test_forms_runsql_accepts() -> None:
    assert kinds("ALTER TABLE a ADD b int; UPDATE a SET b = 1;") == ["ALTER", "UPDATE"]
    assert kinds(["DROP TABLE a", "DELETE FROM b"]) == ["DROP", "DELETE"]
    assert kinds([("UPDATE x SET y = %s", [1]), ("INSERT INTO x VALUES (%s)", (2,))]) == ["UPDATE", "INSERT"]
    assert kinds(None) == [] and kinds("") == [] and kinds(";;") == []


def test_semicolons_inside_quotes_comments_and_dollar_quotes_do_not_split() -> None:
    sql = """
    -- a comment; with a semicolon
    INSERT INTO t VALUES ('a;b', 'it''s; fine', "odd;name");
    /* block; comment */ CREATE FUNCTION f() RETURNS void AS $body$ BEGIN; UPDATE t SET x = 1; END $body$ LANGUAGE plpgsql;
    DO $$ BEGIN PERFORM 1; END $$;
    """
    statements = split_statements(sql)
    assert [s.kind for s in statements] == ["INSERT", "CREATE", "DO"]
    assert "'a;b'" in statements[0].text and "-- a comment" not in statements[0].text
    assert statements[0].line_offset == 2
    assert statements[1].line_offset == 3


@pytest.mark.parametrize(
    ("sql", "kind", "dml"),
    [
        ("WITH x AS (SELECT 1) UPDATE t SET a = 1", "UPDATE", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", "SELECT", False),
        ("create index concurrently i on t (a)", "CREATE", False),
        ("COPY t FROM STDIN", "COPY", True),
    ],
)
def test_classification(sql: str, kind: str, dml: bool) -> None:
    (statement,) = split_statements(sql)
    assert statement.kind == kind
    assert statement.is_dml is dml


def test_backslash_escapes_in_e_strings_do_not_end_the_string() -> None:
    sql = "UPDATE t SET name = E'O\\'Brien; x' WHERE id = 1; DELETE FROM t WHERE id = 2"
    statements = split_statements(sql)
    assert [s.kind for s in statements] == ["UPDATE", "DELETE"]
    assert "O\\'Brien; x" in statements[0].text
    # A plain string keeps standard SQL's meaning: a backslash is just a character.
    assert [s.kind for s in split_statements("UPDATE t SET p = 'C:\\'; DELETE FROM t WHERE id = 3")] == [
        "UPDATE",
        "DELETE",
    ]


def test_sql_built_with_textwrap_dedent_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.rule_examples import lint_migrations

    source = '''import textwrap

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.RunSQL(
            textwrap.dedent("""
                ALTER TABLE shop_customer DROP COLUMN nickname;
            """),
            migrations.RunSQL.noop,
        ),
    ]
'''
    found = lint_migrations(tmp_path, [("0002_drop.py", source)])
    assert "ZDM102" in {f.rule for f in found}
    assert "ZDM607" not in {f.rule for f in found}
