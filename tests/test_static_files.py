"""Production serves static files itself (WhiteNoise): after `collectstatic` into STATIC_ROOT,
the admin's CSS and the API docs' Swagger UI assets (drf-spectacular-sidecar) answer 200
through congress.wsgi's application with DEBUG off, under their hashed names too.

One subprocess with the documented production environment: settings, storage and WhiteNoise's
index of STATIC_ROOT are all fixed when a process starts."""

from __future__ import annotations

import json

from tests.test_settings_production import PRODUCTION_ENV, manage

# Requests over HTTPS with an allowed host, as the TLS-terminating proxy forwards them.
FETCH = """
import json, re
from wsgiref.util import setup_testing_defaults
from django.templatetags.static import static
from congress.wsgi import application

def get(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "jianyi.example.gov.cn",
               "wsgi.url_scheme": "https", "HTTPS": "on", "SERVER_PORT": "443"}
    setup_testing_defaults(environ)
    status = []
    body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    return int(status[0].split()[0]), body

docs_status, docs = get("/api/docs/")
assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.decode())))
paths = ["/static/admin/css/base.css", static("admin/css/base.css"), *assets]
print(json.dumps({"docs": docs_status, "assets": assets,
                  "static": {path: get(path)[0] for path in paths}}))
"""


def test_collected_static_files_are_served_in_production(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")}
    collected = manage(tmp_path, env, "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the manifest storage ran

    result = manage(tmp_path, env, "shell", "--no-imports", "-c", FETCH)
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.splitlines()[-1])
    assert served["docs"] == 200
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in a for a in served["assets"])
    hashed = [
        p
        for p in served["static"]
        if p.startswith("/static/admin/css/base.") and p != "/static/admin/css/base.css"
    ]
    assert hashed, "the production storage names files by content hash"
    assert served["static"] == dict.fromkeys(served["static"], 200)
