"""Loading the seed cases (seeds/*.yaml) into the database.

`load_seed_files()` reads, validates and writes each file in its own transaction: a file with a
broken row raises a `SeedError` naming the file and the row, and nothing of that file is written.
The `load_seeds` management command is the operator's way in; `demo.ensure_demo_users()`
creates one login per role on top of the seeded institutions.
"""

from .loader import default_seed_files, load_seed_file, load_seed_files
from .reader import SeedError
from .writer import FileReport

__all__ = ["FileReport", "SeedError", "default_seed_files", "load_seed_file", "load_seed_files"]
