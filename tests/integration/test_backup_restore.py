"""A backup restores: `manage.py backup` (what `make backup` runs) of a database with
documents and stored PDFs, `manage.py restore` (what `make restore` runs) into a fresh
database and media folder, and everything is there — every table's row count, every
file's hash, the newest audit events — and a person signs in to the restored portal and
opens a restored PDF."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection

from core.backup import media_hashes
from peps.models import SupportingDocument
from tests.conftest import build_world
from tests.data_protection.conftest import fill_record
from tests.factories import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AUDIT_COLUMNS = "id, at, actor_id, child_id, object_type, object_id, verb, changes::text, request_id"


def _url_for(database: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    assert base.startswith("postgres"), "The backup test needs PostgreSQL: set DATABASE_URL"
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def _manage(*args: str, database: str, media: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "epep.settings.test", "DATABASE_URL": _url_for(database),
           "MEDIA_ROOT": str(media)}
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalog
        result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def fresh_database():
    name = settings.DATABASES["default"]["NAME"] + "_restored"
    admin = psycopg2.connect(_url_for("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def seeded(settings, tmp_path):
    assert connection.vendor == "postgresql", "The backup test needs PostgreSQL: set DATABASE_URL"
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    record = fill_record(world.child, world.people["vs_officer"])
    fill_record(world.other_child, world.people["vs_officer"])
    world.record = record
    return world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_backup_restores_into_a_fresh_database_and_media_folder_with_everything_equal(
        seeded, fresh_database, tmp_path, settings):
    source_db = settings.DATABASES["default"]["NAME"]
    source_media = Path(settings.MEDIA_ROOT)
    assert SupportingDocument.objects.count() == 2 and len(media_hashes(source_media)) >= 4  # 2 documents, 2 PDFs

    out = _manage("backup", "--into", str(tmp_path / "backups"), database=source_db, media=source_media)
    backup_dir = Path(out.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup_dir.iterdir()) == ["database.dump", "manifest.json", "media.tar"]

    restored_media = tmp_path / "restored-media"
    out = _manage("restore", str(backup_dir), database=fresh_database, media=restored_media)
    assert "Restored and verified" in out.stdout

    # Every table's row count.
    with connection.cursor() as cursor:
        source_counts = _counts(cursor)
        cursor.execute(f"SELECT {AUDIT_COLUMNS} FROM accounts_auditevent ORDER BY id DESC LIMIT 10")  # noqa: S608
        source_audit = cursor.fetchall()
    restored = psycopg2.connect(_url_for(fresh_database))
    with restored.cursor() as cursor:
        restored_counts = _counts(cursor)
        cursor.execute(f"SELECT {AUDIT_COLUMNS} FROM accounts_auditevent ORDER BY id DESC LIMIT 10")  # noqa: S608
        restored_audit = cursor.fetchall()
    restored.close()
    assert restored_counts == source_counts
    assert source_counts["peps_pep"] >= 4 and source_counts["peps_supportingdocument"] == 2
    # Every file's hash, and the newest audit events.
    assert media_hashes(restored_media) == media_hashes(source_media)
    assert len(source_audit) == 10 and restored_audit == source_audit

    # Sign in to the restored portal and open the restored PDF of the approved PEP.
    approved = seeded.record["approved"]
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "epep.settings.test", "DATABASE_URL": _url_for(fresh_database),
           "MEDIA_ROOT": str(restored_media)}
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],  # noqa: S603
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        for _ in range(100):
            try:
                login_page = session.get(base + "/accounts/login/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise AssertionError("the restored portal did not start: " + server.stderr.read().decode()[-2000:])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)[1]
        signed_in = session.post(base + "/accounts/login/", allow_redirects=False, headers={"Referer": base},
                                 data={"csrfmiddlewaretoken": token, "login": "vs_officer@example.test",
                                       "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.text[-2000:]
        pdf = session.get(f"{base}/quality/peps/{approved.pk}/pdf/", timeout=30)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        # The Virtual School gets the professionals' copy (with PP+ amounts) stored at approval
        # beside the family's (issue 14 a), restored with the rest.
        professional = approved.professional_pdfs.get(superseded=None, with_pp_plus_amounts=True)
        assert hashlib.sha256(pdf.content).hexdigest() == professional.sha256 != approved.approved_pdf_sha256
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_damaged_backup_or_a_database_in_use_is_refused_before_anything_is_restored(
        seeded, fresh_database, tmp_path, settings):
    source_db = settings.DATABASES["default"]["NAME"]
    out = _manage("backup", "--into", str(tmp_path / "backups"), database=source_db, media=Path(settings.MEDIA_ROOT))
    backup_dir = Path(out.stdout.strip().splitlines()[-1])

    # Into the database it came from (not empty): refused, nothing touched.
    proc = _manage("restore", str(backup_dir), database=source_db, media=tmp_path / "elsewhere", check=False)
    assert proc.returncode != 0 and "already has" in proc.stderr and "--replace" in proc.stderr

    # One byte changed in the media archive: refused before the database is touched.
    tar = backup_dir / "media.tar"
    data = bytearray(tar.read_bytes())
    data[len(data) // 3] ^= 0xFF
    tar.write_bytes(bytes(data))
    proc = _manage("restore", str(backup_dir), database=fresh_database, media=tmp_path / "restored", check=False)
    assert proc.returncode != 0 and "damaged" in proc.stderr
    with psycopg2.connect(_url_for(fresh_database)) as restored, restored.cursor() as cursor:
        assert _counts(cursor) == {}
    assert not (tmp_path / "restored").exists()
