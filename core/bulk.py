"""Fast bulk inserts for the daily run: PostgreSQL's COPY, or bulk_create elsewhere.

The national run writes tens of thousands of notices and outbox emails in one
transaction; building a parameterised INSERT for them took most of its time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.db import connection, models


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: list[tuple], *,
                skip_conflicts: bool = False) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, the fields' attnames)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                                           batch_size=2000, ignore_conflicts=skip_conflicts)
        return
    table = model._meta.db_table
    names = ", ".join(f'"{_column(model, c)}"' for c in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    copy = f"COPY {{}} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        if not skip_conflicts:
            cursor.cursor.copy_expert(copy.format(f'"{table}"'), buffer)
            return
        # COPY cannot skip duplicates: load a temporary table, then INSERT ... ON CONFLICT.
        # Table and column names come from the model's _meta, never from input.
        cursor.execute(f'CREATE TEMP TABLE "copy_{table}" ON COMMIT DROP AS '  # nosec B608
                       f'SELECT {names} FROM "{table}" WITH NO DATA')
        cursor.cursor.copy_expert(copy.format(f'"copy_{table}"'), buffer)
        cursor.execute(f'INSERT INTO "{table}" ({names}) '  # nosec B608
                       f'SELECT {names} FROM "copy_{table}" ON CONFLICT DO NOTHING')
        cursor.execute(f'DROP TABLE "copy_{table}"')


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{name} is not a column of {model._meta.label}")
    return field.column
