"""WSGI application for benchmarks over HTTP: the site plus the minimal view of bench_urls."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "tests.benchmarks.bench_urls"
