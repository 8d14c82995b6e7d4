"""manage.py backup [--into DIR]: the database and private media files, with a manifest."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_make

security = logging.getLogger("epep.security")


class Command(BaseCommand):
    help = "Back up PostgreSQL (pg_dump custom format) and MEDIA_ROOT, with a manifest of SHA-256 hashes."

    def add_arguments(self, parser):
        parser.add_argument("--into", default=str(Path(settings.VAR_DIR) / "backups"),
                            help="Directory to create the backup in (default: var/backups)")

    def handle(self, *args, into: str, **options):
        try:
            result = backup_make(into=Path(into))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        security.info("backup made", extra={"event": "backup_made", "object_id": result.directory.name})
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows) and "
            f"{len(manifest['media']['files'])} files to {result.directory}"
        )
        self.stdout.write(str(result.directory))
