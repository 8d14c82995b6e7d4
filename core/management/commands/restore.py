"""manage.py restore DIR [--replace]: a backup made by manage.py backup, verified."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore

security = logging.getLogger("epep.security")


class Command(BaseCommand):
    help = ("Restore a backup directory into the configured database and MEDIA_ROOT, checking every "
            "hash and row count against its manifest. Stop web, worker and beat first.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A backup directory (with manifest.json)")
        parser.add_argument("--replace", action="store_true",
                            help="Overwrite a database and MEDIA_ROOT that are not empty")

    def handle(self, *args, directory: str, replace: bool, **options):
        try:
            manifest = backup_restore(directory=Path(directory), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        security.info("backup restored", extra={"event": "backup_restored", "object_id": Path(directory).name})
        self.stdout.write(
            f"Restored and verified {len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows) "
            f"and {len(manifest['media']['files'])} files from {directory}"
        )
