"""Substring search that stays fast on big tables, on SQLite and PostgreSQL alike.

The API's ``q=`` filters mean "contains, ignoring case" (``icontains``). A plain
``LIKE '%term%'`` scans every row: 0.3-0.6 s on 100,000 conversations (bench/read.py).

* SQLite: an FTS5 table with the ``trigram`` tokenizer per indexed table answers the same
  question from an index (external content, kept in sync by triggers). Terms shorter than
  three characters cannot use trigrams and fall back to the plain lookup. Case folding is
  Unicode-aware here (``LIKE`` folds ASCII only), so "ärger" also finds "Ärger".
* PostgreSQL: ``icontains`` is ``UPPER(col::text) LIKE UPPER(%term%)``; a GIN trigram
  index (``pg_trgm``) on exactly that expression serves it, so the query is unchanged.

Message bodies get a word index instead (:func:`words`: every word of the query, as a word
prefix, ignoring case and accents): FTS5 ``unicode61`` on SQLite, a GIN ``tsvector``
(``simple`` configuration, no stemming) on PostgreSQL. Scripts written without spaces
(Chinese, Japanese) are indexed as whole runs, so only a run's beginning is found.

The indexes are created by migrations (conversations 0003 and 0004, customers 0002) through
:func:`install`. Django rebuilds a SQLite table to alter it, which drops its triggers:
:func:`repair` runs after every ``migrate`` (``post_migrate``) and puts them back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.expressions import RawSQL

log = logging.getLogger(__name__)

MIN_CHARS = 3  # a trigram index cannot answer shorter terms


@dataclass(frozen=True)
class TextIndex:
    """Substring index over some text columns of one table."""

    table: str
    columns: tuple[str, ...]
    words: bool = False  # a word index (message bodies), not a substring one

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def trigger(self, event: str) -> str:
        return f"{self.fts}_{event}"


CONVERSATION_SUBJECT = TextIndex("conversations_conversation", ("subject",))
CUSTOMER_CONTACT = TextIndex("customers_customer", ("name", "email", "phone"))
IDENTITY_VALUE = TextIndex("customers_identity", ("value",))
MESSAGE_BODY = TextIndex("conversations_message", ("body",), words=True)
ALL = (CONVERSATION_SUBJECT, CUSTOMER_CONTACT, IDENTITY_VALUE, MESSAGE_BODY)
MAX_WORDS = 8


# --- schema ----------------------------------------------------------------------------


def _sqlite_triggers(ix: TextIndex) -> dict[str, str]:
    cols = ", ".join(ix.columns)
    new = ", ".join(f"new.{c}" for c in ix.columns)
    old = ", ".join(f"old.{c}" for c in ix.columns)
    add = f"INSERT INTO {ix.fts}(rowid, {cols}) VALUES (new.id, {new});"
    drop = f"INSERT INTO {ix.fts}({ix.fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    return {
        ix.trigger("ai"): (
            f"CREATE TRIGGER IF NOT EXISTS {ix.trigger('ai')} AFTER INSERT ON {ix.table} "
            f"BEGIN {add} END"
        ),
        ix.trigger("ad"): (
            f"CREATE TRIGGER IF NOT EXISTS {ix.trigger('ad')} AFTER DELETE ON {ix.table} "
            f"BEGIN {drop} END"
        ),
        ix.trigger("au"): (
            f"CREATE TRIGGER IF NOT EXISTS {ix.trigger('au')} AFTER UPDATE OF {cols} "
            f"ON {ix.table} BEGIN {drop} {add} END"
        ),
    }


def _pg_index(ix: TextIndex, column: str) -> str:
    return f"{ix.table}_{column}_{'tsv' if ix.words else 'trgm'}"


def _tokenizer(ix: TextIndex) -> str:
    return "unicode61 remove_diacritics 2" if ix.words else "trigram"


def install(conn: BaseDatabaseWrapper, indexes: Iterable[TextIndex]) -> None:
    """Create the indexes (idempotent). Called by migrations with ``schema_editor.connection``."""
    with conn.cursor() as cur:
        for ix in indexes:
            if conn.vendor == "sqlite":
                cur.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {ix.fts} USING fts5("
                    f"{', '.join(ix.columns)}, content='{ix.table}', content_rowid='id', "
                    f"tokenize='{_tokenizer(ix)}')"
                )
                for sql in _sqlite_triggers(ix).values():
                    cur.execute(sql)
                cur.execute(f"INSERT INTO {ix.fts}({ix.fts}) VALUES ('rebuild')")
            elif conn.vendor == "postgresql" and ix.words:
                for column in ix.columns:
                    cur.execute(
                        f"CREATE INDEX IF NOT EXISTS {_pg_index(ix, column)} ON {ix.table} "
                        f"USING gin (to_tsvector('simple'::regconfig, {column}))"
                    )
            elif conn.vendor == "postgresql":
                try:
                    with transaction.atomic(using=conn.alias):
                        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                except DatabaseError:
                    # not allowed to: search still works, by scanning
                    log.warning("pg_trgm unavailable: substring search will scan tables")
                    return
                for column in ix.columns:
                    cur.execute(
                        f"CREATE INDEX IF NOT EXISTS {_pg_index(ix, column)} ON {ix.table} "
                        f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
                    )


def uninstall(conn: BaseDatabaseWrapper, indexes: Iterable[TextIndex]) -> None:
    with conn.cursor() as cur:
        for ix in indexes:
            if conn.vendor == "sqlite":
                for name in _sqlite_triggers(ix):
                    cur.execute(f"DROP TRIGGER IF EXISTS {name}")
                cur.execute(f"DROP TABLE IF EXISTS {ix.fts}")
            elif conn.vendor == "postgresql":
                for column in ix.columns:
                    cur.execute(f"DROP INDEX IF EXISTS {_pg_index(ix, column)}")


def repair(using: str = "default", **_kwargs: Any) -> None:
    """``post_migrate``: put back SQLite triggers a table rebuild dropped, then reindex."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        cur.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {(t, n) for t, n in cur.fetchall()}
    for ix in ALL:
        if ("table", ix.fts) not in present:
            continue  # not installed (yet): the migration does it
        missing = [name for name in _sqlite_triggers(ix) if ("trigger", name) not in present]
        if missing:
            log.warning("re-creating full-text triggers %s and reindexing", missing)
            install(conn, [ix])


# --- queries ---------------------------------------------------------------------------


def _fts_phrase(columns: Sequence[str], term: str) -> str:
    quoted = '"' + term.replace('"', '""') + '"'
    return f"{{{' '.join(columns)}}} : {quoted}"


def contains(ix: TextIndex, term: str, *, columns: Sequence[str] | None = None, via: str = "") -> Q:
    """Rows where any of ``columns`` (default: all of the index's) contains ``term``,
    ignoring case: the same rows as OR-ed ``icontains`` lookups, answered by the index.

    ``via`` names a foreign key when the indexed table is another model's, e.g.
    ``contains(CUSTOMER_CONTACT, "lima", columns=("name",), via="customer")`` on
    conversations.
    """
    cols = tuple(columns or ix.columns)
    prefix = f"{via}__" if via else ""
    if connection.vendor == "sqlite" and len(term) >= MIN_CHARS:
        ids = RawSQL(
            f"SELECT rowid FROM {ix.fts} WHERE {ix.fts} MATCH %s", [_fts_phrase(cols, term)]
        )
        return Q(**{f"{via}_id__in" if via else "pk__in": ids})
    q = Q()
    for c in cols:
        q |= Q(**{f"{prefix}{c}__icontains": term})
    return q


def query_words(text: str) -> list[str]:
    """The words of a search box, at most :data:`MAX_WORDS`, lower-cased."""
    return [w.lower() for w in re.findall(r"\w+", text)][:MAX_WORDS]


def words(ix: TextIndex, text: str) -> Q | None:
    """Rows whose indexed text has every word of ``text`` (each as a word prefix),
    ignoring case (and accents on SQLite). None when ``text`` has no word."""
    terms = query_words(text)
    if not terms:
        return None
    if connection.vendor == "sqlite":
        match = " ".join(f'"{t}"*' for t in terms)
        ids = RawSQL(f"SELECT rowid FROM {ix.fts} WHERE {ix.fts} MATCH %s", [match])
        return Q(pk__in=ids)
    if connection.vendor == "postgresql":
        query = " & ".join(f"{t}:*" for t in terms)
        (column,) = ix.columns
        ids = RawSQL(
            f"SELECT id FROM {ix.table} WHERE to_tsvector('simple'::regconfig, {column}) "
            "@@ to_tsquery('simple'::regconfig, %s)",
            [query],
        )
        return Q(pk__in=ids)
    q = Q()  # other databases: every word somewhere in the text, by scanning
    for t in terms:
        q &= Q(**{f"{ix.columns[0]}__icontains": t})
    return q
