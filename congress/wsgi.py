import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
application = get_wsgi_application()

# Only web processes load this module: they alone get the statement timeout.
from congress.web_database import apply_web_statement_timeout  # noqa: E402

apply_web_statement_timeout()
