"""The benchmarks' databases: each runs against a PostgreSQL database of its own."""

from __future__ import annotations

from urllib.parse import urlsplit


def ensure_database(url: str) -> None:
    """Create the database a postgres:// URL names, unless it is there already."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                             password=parts.password or None, dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
