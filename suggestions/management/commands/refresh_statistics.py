"""`manage.py refresh_statistics`: count every congress's statistics now (after `migrate` on a
large database, after a restore, or to see a change at once without waiting for the beat)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from suggestions import statistics


class Command(BaseCommand):
    help = "Count every congress's statistics now and store them (the statistics rollup)."

    def handle(self, *args, **options) -> None:
        start = time.perf_counter()
        refreshed = statistics.refresh_all()
        seconds = time.perf_counter() - start
        self.stdout.write(f"{refreshed} congresses counted in {seconds:.1f} s")
