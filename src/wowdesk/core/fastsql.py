"""Prepared statements for the ingest hot path.

The ORM compiles every query's SQL anew, which costs many times the statement itself
(``bench/ingest.py``: ``Identity.objects.select_related(...).filter(...)`` against the
same SELECT through a cursor). Ingest runs ten statements per message, so the services on
that path (and only those) use these helpers: the SQL of each model and shape is built
once, and values go through Django's own conversions (``get_db_prep_save`` on the way in,
the backend's converters on the way out; aware UTC datetimes and dict/list JSON in one
step that gives the same value, compared in tests/core/test_fastsql.py), so the rows are
the ones the ORM would write and read. On SQLite the statements run on the driver's
connection (``_execute``). No signals are sent (the models on this path have none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar, overload

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

from wowdesk.core.sqlite.base import qmark

M = TypeVar("M", bound=models.Model)


class Increment:
    """``UPDATE … SET col = col + n`` in ``update``."""

    def __init__(self, by: int = 1) -> None:
        self.by = by


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted."""
    return _q(model._meta.db_table)


@cache
def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


@cache
def columns(model: type[models.Model], alias: str = "") -> str:
    """The model's columns, in ``load`` order, for a SELECT list."""
    prefix = f"{_q(alias)}." if alias else ""
    return ", ".join(prefix + _q(f.column) for f in _fields(model))


Converter = Callable[[Any, Any, Any], Any]


@cache
def _converters(model: type[models.Model]) -> tuple[tuple[Any, tuple[Converter, ...]], ...]:
    out = []
    for field in _fields(model):
        col = field.get_col(model._meta.db_table)
        convs = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        out.append((col, convs))
    return tuple(out)


def load(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from a row of ``columns(model)`` values."""
    converted = []
    for value, (col, convs) in zip(values, _converters(model), strict=True):
        for conv in convs:
            value = conv(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in _fields(model)], converted)


def select(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    order_by: str = "",
    limit: int = 0,
    for_update: bool = False,
) -> list[M]:
    """``SELECT <all columns> FROM <table> WHERE <where>`` as model instances;
    ``for_update``: the rows locked until the transaction ends, where the database has row
    locks (``SELECT … FOR UPDATE``, as ``select_for_update``; SQLite has one writer)."""
    sql = f"SELECT {columns(model)} FROM {_q(model._meta.db_table)} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    if for_update and connections[DEFAULT_DB_ALIAS].features.has_select_for_update:
        sql += " FOR UPDATE"
    return [load(model, row) for row in rows(sql, params)]


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} has no column")
    return column


# Fields whose conversion of a value of the given type is the value itself (checked on
# the exact classes: a subclass may convert). ``_prep`` skips Django's call chain for
# them: a fifth of the CPU of an insert on the ingest path.
_PASS_THROUGH: dict[type[Any], type[Any]] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}


@cache
def _passes(field: models.Field[Any, Any]) -> type[Any] | None:
    """The value type that goes to the database unchanged for this field, if any."""
    if isinstance(field, models.ForeignKey):
        return _passes(field.target_field)
    return _PASS_THROUGH.get(type(field))


@cache
def _utc_text() -> bool:
    """Does this database take aware UTC datetimes as naive text (SQLite with USE_TZ and
    no database TIME_ZONE, what ``adapt_datetimefield_value`` does then)?"""
    return connection.vendor == "sqlite" and connection.timezone is dt.UTC


def _prep(field: models.Field[Any, Any], value: Any) -> Any:
    kind = _passes(field)
    if kind is not None and (value is None or type(value) is kind):
        return value
    kind_of_field = type(field)
    if kind_of_field is models.DateTimeField:
        # ``timezone.now()``: Django's chain (prep, naive check, make_naive, str) in one step.
        if value is None:
            return None
        if type(value) is dt.datetime and value.tzinfo is dt.UTC:
            return str(value.replace(tzinfo=None)) if _utc_text() else value
    elif kind_of_field is models.JSONField and type(value) in (dict, list):
        return connection.ops.adapt_json_value(value, field.encoder)  # type: ignore[attr-defined]
    return field.get_db_prep_save(value, connection)


@cache
def _insert_sql(
    model: type[models.Model], names: tuple[str, ...], unless_there: tuple[str, ...]
) -> str:
    table = _q(model._meta.db_table)
    cols = ", ".join(_q(_column(model, n)) for n in names)
    marks = ", ".join(["%s"] * len(names))
    pk = _q(model._meta.pk.column)  # type: ignore[union-attr]
    conflict = ""
    if unless_there:
        key = ", ".join(_q(_column(model, n)) for n in unless_there)
        conflict = f" ON CONFLICT ({key}) DO NOTHING"
    return f"INSERT INTO {table} ({cols}) VALUES ({marks}){conflict} RETURNING {pk}"


@cache
def _plan(
    model: type[models.Model],
) -> tuple[tuple[models.Field[Any, Any], str, str, bool, bool], ...]:
    """Per field, once: (field, attname, name, primary key?, set to now by default?)."""
    return tuple(
        (
            f,
            f.attname,
            f.name,
            bool(f.primary_key),
            bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
        )
        for f in _fields(model)
    )


def _execute(sql: str, params: Sequence[Any], *, fetch: str) -> Any:
    """Run one statement; ``fetch``: "one" (its first row), "all" (its rows) or "count"
    (its row count). On SQLite, straight on the driver's connection (Django's cursor
    wrapper cost as much as the statement), with Django's error mapping and
    broken-transaction check; through Django's cursor when queries are being recorded
    (tests count them), an execute wrapper is installed, or on another database."""
    conn = connections[DEFAULT_DB_ALIAS]  # one lookup of the thread's connection
    raw = conn.connection
    if (
        raw is not None
        and conn.vendor == "sqlite"
        and not conn.queries_logged
        and not conn.execute_wrappers
    ):
        conn.validate_no_broken_transaction()
        with conn.wrap_database_errors:
            return _fetch(raw.execute(qmark(sql), params), fetch)
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return _fetch(cursor, fetch)


def _fetch(cursor: Any, fetch: str) -> Any:
    if fetch == "one":
        return cursor.fetchone()
    if fetch == "all":
        return cursor.fetchall()
    return cursor.rowcount


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of a prepared SELECT (``%s`` placeholders)."""
    return _execute(sql, params, fetch="all")


@overload
def insert(model: type[M], *, unless_there: tuple[()] = (), **values: Any) -> M: ...
@overload
def insert(model: type[M], *, unless_there: tuple[str, ...], **values: Any) -> M | None: ...


def insert(model: type[M], *, unless_there: tuple[str, ...] = (), **values: Any) -> M | None:
    """Insert one row; fields not given take their default (``auto_now``/``auto_now_add``
    fields: now). Returns the instance with its primary key. ``unless_there``: the fields
    of a unique key; a row with the same key already there is no error: nothing is
    written and None returned (no savepoint needed around the insert; any other error,
    on another key too, still raises)."""
    now: dt.datetime | None = None
    names: list[str] = []
    params: list[Any] = []
    args: list[Any] = []  # the instance's values, positionally
    key_at = -1  # where the key the database gives goes in ``args``
    for field, attname, name, is_pk, auto in _plan(model):
        if attname in values:
            value = values[attname]
        elif name in values:
            value = values[name]
            if isinstance(value, models.Model):
                value = value.pk
        elif is_pk:
            key_at = len(args)
            args.append(None)
            continue
        elif auto:
            now = now or timezone.now()
            value = now
        else:
            value = field.get_default()
        names.append(name)
        params.append(_prep(field, value))
        args.append(value)
    sql = _insert_sql(model, tuple(names), unless_there)
    result = _execute(sql, params, fetch="one")
    if result is None:
        if unless_there:
            return None
        raise RuntimeError(f"INSERT INTO {model._meta.db_table} returned no key")
    if key_at >= 0:
        args[key_at] = result[0]
    # Positional values, as the ORM builds the rows it reads (much cheaper than keywords).
    return model.from_db(connection.alias, None, args)  # type: ignore[arg-type]


@cache
def _update_sql(model: type[models.Model], names: tuple[tuple[str, bool], ...]) -> str:
    sets = []
    for name, increment in names:
        col = _q(_column(model, name))
        sets.append(f"{col} = {col} + %s" if increment else f"{col} = %s")
    table = _q(model._meta.db_table)
    pk_col = _q(model._meta.pk.column)  # type: ignore[union-attr]
    return f"UPDATE {table} SET {', '.join(sets)} WHERE {pk_col} = %s"


def update(model: type[models.Model], pk: Any, **values: Any) -> int:
    """``UPDATE … SET … WHERE pk = %s``; an ``Increment`` adds to the column."""
    names: list[tuple[str, bool]] = []
    params: list[Any] = []
    for name, value in values.items():
        if isinstance(value, Increment):
            names.append((name, True))
            params.append(value.by)
        else:
            names.append((name, False))
            params.append(_prep(model._meta.get_field(name), value))  # type: ignore[arg-type]
    params.append(pk)
    return int(_execute(_update_sql(model, tuple(names)), params, fetch="count"))
