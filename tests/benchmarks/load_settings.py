"""Settings for the load benchmark's gunicorn: the site's own settings (read from the same
environment as production), with the URLs of tests/benchmarks/bench_urls.py, which add the
minimal Django view that every figure is divided by."""

from congress.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.bench_urls"
