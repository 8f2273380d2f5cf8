"""`manage.py rebuild_search_documents`: rewrite every public search document from the
suggestions and replies (PostgreSQL; migration 0016_search_documents). The triggers keep them
current; this is for after a restore of the table alone, or to check them: writers wait, readers
do not, while it runs."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction


class Command(BaseCommand):
    help = "Rebuild the public search documents from the suggestions and replies (PostgreSQL)."

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The search documents exist only on PostgreSQL.")
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rebuild_search_documents()")
            (written,) = cursor.fetchone()
        seconds = time.perf_counter() - start
        self.stdout.write(f"{written} search documents written in {seconds:.1f} s")
