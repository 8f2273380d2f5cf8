"""Which seed files to load, in which order, each in its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .reader import SeedError, read_seed_file
from .writer import FileReport, SeedWriter

# Loaded before the case files, which refer to the institutions and sources it defines.
SHARED_FILE = "institutions.yaml"


def default_seed_files(directory: Path | None = None) -> list[Path]:
    """seeds/institutions.yaml first, then every other seeds/*.yaml by name."""
    directory = Path(directory or settings.SEEDS_DIR)
    files = sorted(directory.glob("*.yaml"))
    return sorted(files, key=lambda p: (p.name != SHARED_FILE, p.name))


def load_seed_file(path: Path) -> FileReport:
    """Validate and write one file atomically; raise SeedError and write nothing on a problem."""
    seed, root = read_seed_file(path)
    with transaction.atomic():
        return SeedWriter(path, seed, root).write()


def load_seed_files(paths: Iterable[Path]) -> tuple[list[FileReport], list[SeedError]]:
    """Load every file; a broken file is reported and skipped, the others still load."""
    reports: list[FileReport] = []
    errors: list[SeedError] = []
    for path in paths:
        try:
            reports.append(load_seed_file(Path(path)))
        except SeedError as exc:
            errors.append(exc)
    return reports, errors
