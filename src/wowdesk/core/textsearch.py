"""Substring search that stays fast on big tables, on SQLite and PostgreSQL alike.

The API's ``q=`` filters mean "contains, ignoring case" (``icontains``). A plain
``LIKE '%term%'`` scans every row (bench/read.py).

* SQLite: an FTS5 table with the ``trigram`` tokenizer per indexed table answers the same
  question from an index (external content, kept in sync by triggers). Terms shorter than
  three characters cannot use trigrams and fall back to the plain lookup. Case folding is
  Unicode-aware here (``LIKE`` folds ASCII only), so "ärger" also finds "Ärger".
* PostgreSQL: ``icontains`` is ``UPPER(col::text) LIKE UPPER(%term%)``; a GIN trigram
  index (``pg_trgm``) on exactly that expression serves it, so the query is unchanged.

Message bodies get a word index instead (:func:`groups_saying`: the conversations with a
message that has every word of the query, as a word prefix, ignoring case and accents):
FTS5 ``unicode61`` on SQLite, a GIN ``tsvector`` (``simple`` configuration, no stemming) on
PostgreSQL. On SQLite the table is contentless and keyed by conversation id * 2^32 +
message id, so the conversations come from the index alone: with 1,000,000 messages a
common word matched tens of thousands, and looking each one up to find its conversation
was what made the search slow. Scripts written without spaces (Chinese, Japanese) are
indexed as whole runs, so only a run's beginning is found.

The core knows the mechanism, not the tables: each app declares its indexes
(``conversations/search.py``, ``customers/search.py``), registers them in its
``AppConfig.ready`` (:func:`register`) and creates them in its migrations through
:func:`install`. Django rebuilds a SQLite table to alter it, which drops its triggers:
:func:`repair` runs after every ``migrate`` (``post_migrate``, connected by the core) and
puts back those of every registered index.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Q, QuerySet, Subquery
from django.db.models.expressions import Expression, RawSQL

log = logging.getLogger(__name__)

MIN_CHARS = 3  # a trigram index cannot answer shorter terms
# Row ids below this stay apart within a group (4,294,967,296 messages; SQLite rowids are
# 63 bits, which leaves conversation ids up to 2^31).
GROUP_FACTOR = 2**32
MAX_GROUP = 2**31


@dataclass(frozen=True)
class TextIndex:
    """Substring index over some text columns of one table."""

    table: str
    columns: tuple[str, ...]
    words: bool = False  # a word index (message bodies), not a substring one
    # A word index that answers "which <group>s" (conversations, for message bodies): on
    # SQLite a contentless table whose rowid is group id * 2^32 + row id, so the matching
    # groups come from the index itself, without a look-up of every matching row.
    group: str = ""

    @property
    def fts(self) -> str:
        return f"{self.table}_words" if self.group else f"{self.table}_fts"

    def rowid(self, row: str) -> str:
        """The index's rowid for a row (``new`` or ``old`` in a trigger)."""
        if self.group:
            return f"({row}.{self.group} * {GROUP_FACTOR} + {row}.id)"
        return f"{row}.id"

    def trigger(self, event: str) -> str:
        return f"{self.fts}_{event}"


MAX_WORDS = 8

# The indexes of the apps, by their index table's name: each app registers its own in its
# ``AppConfig.ready`` (conversations/search.py, customers/search.py); the core knows none.
_registry: dict[str, TextIndex] = {}


def register(*indexes: TextIndex) -> None:
    """Register an app's indexes (for :func:`repair`); registering one again is a no-op."""
    for ix in indexes:
        _registry[ix.fts] = ix


def registered() -> list[TextIndex]:
    return list(_registry.values())


# --- schema ----------------------------------------------------------------------------


def _sqlite_triggers(ix: TextIndex) -> dict[str, str]:
    cols = ", ".join(ix.columns)
    new = ", ".join(f"new.{c}" for c in ix.columns)
    old = ", ".join(f"old.{c}" for c in ix.columns)
    add = f"INSERT INTO {ix.fts}(rowid, {cols}) VALUES ({ix.rowid('new')}, {new});"
    if ix.group:  # beyond the rowid layout a row would be filed under another group
        add = (
            f"SELECT RAISE(ABORT, 'id beyond the word index (GROUP_FACTOR)') "
            f"WHERE new.id >= {GROUP_FACTOR} OR new.{ix.group} >= {MAX_GROUP}; " + add
        )
    drop = (
        f"INSERT INTO {ix.fts}({ix.fts}, rowid, {cols}) "
        f"VALUES ('delete', {ix.rowid('old')}, {old});"
    )
    watched = f"{cols}, {ix.group}" if ix.group else cols  # a message moved by a merge
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
            f"CREATE TRIGGER IF NOT EXISTS {ix.trigger('au')} AFTER UPDATE OF {watched} "
            f"ON {ix.table} BEGIN {drop} {add} END"
        ),
    }


def _pg_index(ix: TextIndex, column: str) -> str:
    return f"{ix.table}_{column}_{'tsv' if ix.words else 'trgm'}"


def _tokenizer(ix: TextIndex) -> str:
    return "unicode61 remove_diacritics 2" if ix.words else "trigram"


def _sqlite_table(ix: TextIndex) -> str:
    cols = ", ".join(ix.columns)
    content = "content=''" if ix.group else f"content='{ix.table}', content_rowid='id'"
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {ix.fts} USING fts5("
        f"{cols}, {content}, tokenize='{_tokenizer(ix)}')"
    )


def _sqlite_fill(ix: TextIndex) -> list[str]:
    """Index every row again (a contentless table cannot ``rebuild`` itself)."""
    if not ix.group:
        return [f"INSERT INTO {ix.fts}({ix.fts}) VALUES ('rebuild')"]
    cols = ", ".join(ix.columns)
    return [
        f"INSERT INTO {ix.fts}({ix.fts}) VALUES ('delete-all')",
        f"INSERT INTO {ix.fts}(rowid, {cols}) SELECT {ix.rowid(ix.table)}, {cols} FROM {ix.table}",
    ]


def install(conn: BaseDatabaseWrapper, indexes: Iterable[TextIndex]) -> None:
    """Create the indexes (idempotent). Called by migrations with ``schema_editor.connection``."""
    with conn.cursor() as cur:
        for ix in indexes:
            if conn.vendor == "sqlite":
                # One transaction (repair() runs outside a migration's): the index is
                # filled and its triggers there, or nothing changed.
                with transaction.atomic(using=conn.alias):
                    cur.execute(_sqlite_table(ix))
                    for sql in _sqlite_fill(ix):
                        cur.execute(sql)
                    for sql in _sqlite_triggers(ix).values():
                        cur.execute(sql)
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
    for ix in registered():
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
    ``contains(customers.search.CUSTOMER_CONTACT, "lima", columns=("name",),
    via="customer")`` on conversations.
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


# At most this many matches, a page is always found by looking each one up and sorting
# those kept (cheap at that size); above it, :func:`walk_pays` decides.
WALK_ABOVE = 2000


def walk_pays(*, end: int, rows: int, total: int, lookups: int) -> bool:
    """Whether the page ending at row ``end`` of a list of ``rows``, of which ``total``
    match, is found faster by walking the list's sort index and testing each row (about
    ``end * rows / total`` rows visited before the page is full) than by looking up each
    of ``lookups`` matches and sorting the ``total`` kept: early pages of a common word
    walk, deep pages look up (bench/read.py)."""
    return total > 0 and lookups > WALK_ABOVE and end * rows < total * lookups


class Matches:
    """What a search found (``groups_saying``, or any id query through ``of``): the
    matching ids as a JSON array and their number, across every brand (SQLite: read once,
    for the count and the page; the array is built by SQLite, not in Python), or a
    subquery that finds them (other databases). The filters go on a brand-scoped list."""

    def __init__(
        self,
        ids_json: str | None = None,
        count: int = 0,
        subquery: Any = None,
        lookup: bool = False,
    ) -> None:
        self.ids_json = ids_json
        self.count = count
        self.subquery = subquery
        self.lookup = lookup

    @classmethod
    def read(cls, sql: str, params: Sequence[Any]) -> Matches:
        """SQLite: run ``sql`` (one column of ids, named ``g``) once."""
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT COUNT(*), json_group_array(g) FROM (SELECT DISTINCT g FROM ({sql}))",
                list(params),
            )
            count, ids_json = cur.fetchone()
        return cls(ids_json=ids_json, count=count)

    @classmethod
    def of(cls, ids: QuerySet[Any] | RawSQL, *, lookup: bool = False) -> Matches:
        """The ids a query selects (one column, named ``g``): read once on SQLite, else
        kept as a subquery. ``lookup``: a query (not raw SQL) of ids that are best looked
        up one by one (:func:`among`) than hashed against a scan of the table."""
        if connection.vendor != "sqlite":
            return cls(subquery=ids, lookup=lookup and isinstance(ids, QuerySet))
        if isinstance(ids, RawSQL):
            return cls.read(ids.sql, ids.params)
        return cls.read(*ids.query.sql_with_params())

    @property
    def read_once(self) -> bool:
        """The ids were read (SQLite), so ``count`` is their number."""
        return self.ids_json is not None

    def members(self) -> Q:
        """Rows among the matches, each looked up by its key: for counting, and for a page
        when the matches are few."""
        if self.ids_json is None:
            return among("pk", self.subquery) if self.lookup else Q(pk__in=self.subquery)
        if not self.count:
            return Q(pk__in=[])
        return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [self.ids_json]))

    def scan(self) -> Q:
        """The same rows, tested as the database walks another index (SQLite): the ORDER
        BY's for a page of many matches, stopping at the page's end (:func:`walk_pays`), or
        a filter's for a count. Few matches are looked up (``members``)."""
        if self.ids_json is None or self.count <= WALK_ABOVE:
            return self.members()
        return Q(_AmongIds(F("pk"), self.ids_json))


class _AmongIds(Expression):
    """``+<column> IN (ids)`` on SQLite: the ``+`` keeps SQLite from driving the query from
    the id list (it would look up every id and sort them all for one page)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: Any, ids_json: str) -> None:
        super().__init__()
        self.column = column
        self.ids_json = ids_json

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.column)
        return f"+{sql} IN (SELECT value FROM json_each(%s))", [*params, self.ids_json]


class _AnyOf(Expression):
    """``<column> = ANY(ARRAY(<subquery>))`` on PostgreSQL: the same rows as ``IN``, but
    the planner estimates a handful of ids, so it looks each one up by an index. For ``IN``
    it trusts the trigram row estimates (three times too high for a surname) and hashes a
    scan of the whole table instead (bench/read.py)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: Any, ids: Any) -> None:
        super().__init__()
        self.column = column
        self.ids = ids

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.ids]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.ids = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)
        return f"{column} = ANY(ARRAY{ids})", [*params, *ids_params]


def among(column: str, ids: QuerySet[Any]) -> Q:
    """Rows whose ``column`` is one of the ids ``ids`` selects (one column): ``__in``, or
    on PostgreSQL ``_AnyOf`` (each id looked up by an index)."""
    if connection.vendor == "postgresql":
        return Q(_AnyOf(F(column), Subquery(ids)))
    return Q(**{f"{column}__in": ids})


def group_ids(ix: TextIndex, text: str) -> RawSQL | None:
    """A subquery of the groups (conversations, column ``g``) with a row (message) whose
    indexed text has every word of ``text`` (each as a word prefix), ignoring case (and
    accents on SQLite). None when ``text`` has no word."""
    terms = query_words(text)
    if not terms:
        return None
    if connection.vendor == "sqlite":
        match = " ".join(f'"{t}"*' for t in terms)
        return RawSQL(
            f"SELECT rowid / {GROUP_FACTOR} AS g FROM {ix.fts} WHERE {ix.fts} MATCH %s", [match]
        )
    (column,) = ix.columns
    if connection.vendor == "postgresql":
        query = " & ".join(f"{t}:*" for t in terms)
        return RawSQL(
            f"SELECT {ix.group} AS g FROM {ix.table} WHERE to_tsvector('simple'::regconfig, "
            f"{column}) @@ to_tsquery('simple'::regconfig, %s)",
            [query],
        )
    # other databases: every word somewhere in the text, by scanning
    like = " AND ".join([f"UPPER({column}) LIKE UPPER(%s)"] * len(terms))
    return RawSQL(f"SELECT {ix.group} AS g FROM {ix.table} WHERE {like}", [f"%{t}%" for t in terms])


def groups_saying(ix: TextIndex, text: str) -> Matches | None:
    """:func:`group_ids`, read once on SQLite (``Matches``)."""
    ids = group_ids(ix, text)
    return None if ids is None else Matches.of(ids)
