"""Backups that restore: the PostgreSQL database and the private media files, with a
manifest that proves what a restore must give back.

A backup is one directory (``manage.py backup``, ``make backup``)::

    epep-20261201T161500Z/
        database.dump   pg_dump's custom format (compressed; pg_restore reads it)
        media.tar       every file under MEDIA_ROOT (documents, stored PDFs, exports)
        manifest.json   SHA-256 of both, SHA-256 and size of every media file, and the
                        row count of every table at the moment of the dump

The row counts and the dump come from the same snapshot of the database (pg_dump
``--snapshot`` of a repeatable-read transaction), so they agree exactly while people keep
working. Media files are copied after the dump: every file the database mentions exists.

``manage.py restore DIR`` (``make restore BACKUP=DIR``) checks both hashes before touching
anything, restores into an empty database (or, with ``--replace``, over the current one)
and an empty MEDIA_ROOT, then checks every media file's hash and every table's row count
against the manifest and fails loudly on any difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess  # nosec B404 - pg_dump and pg_restore, with fixed arguments
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MANIFEST_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup could not be made, or a restore does not match its manifest."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_hashes(root: Path) -> dict[str, dict]:
    """Every regular file under `root`: relative path -> sha256 and size."""
    found: dict[str, dict] = {}
    if not root.exists():
        return found
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(root).as_posix()] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return found


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("Backups need PostgreSQL: DATABASE_URL points at another database")
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    proc = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 - a fixed command, no shell
    if proc.returncode != 0:
        raise BackupError(f"{command[0]} failed: {proc.stderr.strip()[-2000:]}")


def table_row_counts() -> dict[str, int]:
    """The row count of every table in the database's schema (Django's or not)."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # nosec B608 - names from the catalog, quoted
            counts[table] = cursor.fetchone()[0]
    return counts


@dataclass
class BackupResult:
    directory: Path
    manifest: dict


def backup_make(*, into: Path) -> BackupResult:
    """Write one backup directory under `into`; returns it with its manifest."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    directory = Path(into) / f"epep-{stamp}"
    directory.mkdir(parents=True, exist_ok=False)
    dump = directory / "database.dump"
    args, env = _pg_args()

    # One snapshot for the dump and the counts: pg_dump joins this transaction's snapshot.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              "--file", str(dump), *args], env)
        counts = table_row_counts()

    media_root = Path(settings.MEDIA_ROOT)
    media_tar = directory / "media.tar"
    files: dict[str, dict] = {}
    with tarfile.open(media_tar, "w") as tar:
        for rel, info in media_hashes(media_root).items():
            tar.add(media_root / rel, arcname=rel, recursive=False)
            files[rel] = info
    # A file changed while it was being copied would not match its hash: check the archive.
    with tarfile.open(media_tar) as tar:
        for member in tar.getmembers():
            digest = hashlib.sha256()
            extracted = tar.extractfile(member)
            if extracted is None:  # Only regular files go into the archive.
                raise BackupError(f"{member.name} is not a file in the media archive; run the backup again")
            with extracted as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != files[member.name]["sha256"]:
                raise BackupError(f"{member.name} changed while it was being backed up; run the backup again")

    manifest = {
        "version": MANIFEST_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"file": dump.name, "sha256": sha256_file(dump), "format": "pg_dump custom",
                     "name": settings.DATABASES["default"]["NAME"]},
        "media": {"file": media_tar.name, "sha256": sha256_file(media_tar), "files": files},
        "tables": counts,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return BackupResult(directory=directory, manifest=manifest)


def _load_manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{directory} has no manifest.json: not a backup made by `manage.py backup`")
    manifest = json.loads(path.read_text())
    if manifest.get("version") != MANIFEST_VERSION:
        raise BackupError(f"manifest version {manifest.get('version')} is not {MANIFEST_VERSION}")
    return manifest


def backup_verify(*, directory: Path) -> dict:
    """Check the dump's and the media archive's hashes against the manifest."""
    directory = Path(directory)
    manifest = _load_manifest(directory)
    for part in ("database", "media"):
        path = directory / manifest[part]["file"]
        if not path.is_file():
            raise BackupError(f"{path} is missing")
        if sha256_file(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path} does not match its SHA-256 in the manifest: the backup is damaged")
    return manifest


def backup_restore(*, directory: Path, replace: bool = False) -> dict:
    """Restore a verified backup into this installation's database and MEDIA_ROOT."""
    directory = Path(directory)
    manifest = backup_verify(directory=directory)
    media_root = Path(settings.MEDIA_ROOT)
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    if existing and not replace:
        raise BackupError(f"The database {settings.DATABASES['default']['NAME']} already has {len(existing)} "
                          "tables: restore into an empty database, or pass --replace to overwrite it")
    if media_root.exists() and any(media_root.iterdir()) and not replace:
        raise BackupError(f"{media_root} is not empty: restore into an empty MEDIA_ROOT, or pass --replace")
    connection.close()  # pg_restore --clean must not wait on our own connection's locks

    args, env = _pg_args()
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, *args, str(directory / manifest["database"]["file"])], env)

    # Media: unpack beside MEDIA_ROOT, check every file, then swap it in.
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
    try:
        with tarfile.open(directory / manifest["media"]["file"]) as tar:
            tar.extractall(staging, filter="data")
        got, expected = media_hashes(staging), manifest["media"]["files"]
        wrong = sorted(name for name in {*got, *expected} if got.get(name) != expected.get(name))
        if wrong:
            raise BackupError(f"Restored media files differ from the manifest: {wrong[:10]}")
        if media_root.exists():
            shutil.rmtree(media_root)
        staging.rename(media_root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)

    counts = table_row_counts()
    if counts != manifest["tables"]:
        differ = {t: (manifest["tables"].get(t), counts.get(t)) for t in {*counts, *manifest["tables"]}
                  if counts.get(t) != manifest["tables"].get(t)}
        raise BackupError(f"Restored row counts differ from the manifest (table: backed up, restored): {differ}")
    return manifest
