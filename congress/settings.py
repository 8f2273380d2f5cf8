"""Site settings. Everything environment-specific comes from environment variables
with working defaults, so a fresh clone runs on SQLite with no configuration."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---- Environment: one variable selects production (README, "Production settings") ----
ENVIRONMENTS = ("development", "production")
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in ENVIRONMENTS:
    # A typo such as "prod" must not quietly run with development settings.
    raise ImproperlyConfigured(
        f"DJANGO_ENV={DJANGO_ENV!r} is not one of {', '.join(ENVIRONMENTS)}."
    )
PRODUCTION = DJANGO_ENV == "production"

# Off unless asked for: the debug page shows settings, SQL and environment values.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs the SECRET_KEY environment variable: a long random "
            "value kept secret, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-when-DJANGO_ENV-is-production"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs ALLOWED_HOSTS: the site's host names, comma-separated "
        "(e.g. jianyi.example.gov.cn)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS-only in production; each can be overridden from the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# A load balancer probes /healthz over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Opt-in: only behind a proxy that always sets this header (e.g. X-Forwarded-Proto) to
# "https" for HTTPS requests and strips it from clients; trusting it otherwise lets any
# client claim HTTPS.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _proxy_header = os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header.removeprefix('HTTP_')}", "https")

# Django prints errors to the console only with DEBUG on; with it off (the default) a server
# error's traceback would go nowhere. Warnings and errors of every logger go to stderr as plain
# text, or with LOG_FORMAT=json to stdout as one JSON object per line (congress/logging.py), for
# a log collector.
LOG_FORMATS = ("text", "json")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not one of {', '.join(LOG_FORMATS)}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "congress.logging.JsonFormatter"}},
    "handlers": {
        "console": (
            {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
            if LOG_FORMAT == "json"
            else {"class": "logging.StreamHandler"}
        )
    },
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "congress",
    "suggestions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (README, "Deployment"): before anything that reads sessions.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Malformed query parameters get a 400 naming them (suggestions/params.py).
    "suggestions.middleware.QueryParameterMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "congress.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "suggestions.web.roles.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "congress.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A kept-open connection that the database dropped is replaced, not handed to a request.
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiler spends 145-300 ms compiling each large aggregate before running it
# (measured at 100,000 suggestions: it doubled the statistics queries); this workload's queries
# are short, so it is off unless POSTGRES_JIT=1. A startup option: no query per connection.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
    "POSTGRES_JIT", "0"
) not in ("1", "true", "on"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Web processes only (congress/wsgi.py applies it; migrations, Celery and commands run without
# it): PostgreSQL cancels any statement of a page or API request that runs longer than this,
# so one pathological request cannot hold the database. 0 turns it off.
WEB_STATEMENT_TIMEOUT_MS = int(os.environ.get("WEB_STATEMENT_TIMEOUT_MS", "30000"))

AUTHENTICATION_BACKENDS = [
    # First: refuses (before any password check) a username + address that is locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "suggestions.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---- Login throttling (django-axes): the login page, the admin login and the API token
# endpoint all authenticate through the backend above, so they share one failure count per
# username and client address. ----
INSTALLED_APPS += ["axes"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Per username and address together, so that someone guessing elsewhere cannot lock a user out
# of their own office (behind a reverse proxy the address is the proxy's: see the README).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "suggestions.login_throttle.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def media_storage() -> dict:
    """Where uploaded reply letters are kept (README, "Deployment"): the local disk under
    MEDIA_ROOT, or with MEDIA_STORAGE=s3 an S3-compatible bucket that every machine reaches
    (django-storages, the `s3` extra). The letters are not public: they are served only by
    the site after its access check, which reads them through the storage (never by path),
    and a bucket URL is signed and expires (querystring auth), in case one is ever handed out."""
    kind = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE={kind!r} is not one of filesystem, s3.")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # Unset credentials or region are left to boto3's own lookup (e.g. an instance role).
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("AWS_LOCATION", ""),
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
        # A second letter of the same name gets a new name instead of replacing the first.
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": media_storage(),
    # Production serves what `manage.py collectstatic` wrote, under content-hashed names (cached
    # forever by browsers) and pre-compressed; elsewhere the plain storage, so tests and the demo
    # need no collectstatic.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise looks files up when asked (no collectstatic needed, no warning
# about a missing STATIC_ROOT); in production it indexes STATIC_ROOT once at start.
WHITENOISE_AUTOREFRESH = not PRODUCTION

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
# ---- web pages: after login each user goes to their own home (suggestions.web) ----
LOGIN_REDIRECT_URL = "web:after-login"
LOGOUT_REDIRECT_URL = "web:home"

# ---- Mail (reminders): SMTP when EMAIL_HOST is set, else the console (README, "Deployment").
# EMAIL_BACKEND, when set, wins (e.g. the file backend in tests). ----
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_PORT = int(
    os.environ.get("EMAIL_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# Seconds; a mail server that hangs must not hold a worker (and its claimed reminder) forever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@suggestions.localhost")

REDIS_URL = os.environ.get("REDIS_URL", "")

# Seeds live next to the code so a fresh clone can load them without the network.
SEEDS_DIR = BASE_DIR / "seeds"


# ---- Reminders on Celery with a Redis broker (suggestions.reminders) ----
INSTALLED_APPS += ["suggestions.reminders"]
# With no REDIS_URL, `congress.services_runner.ensure_redis` uses a local Redis or starts one.
CELERY_BROKER_URL = REDIS_URL or "redis://127.0.0.1:6379/0"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent_emails"))
REMINDERS_SWEEP_INTERVAL_SECONDS = float(os.environ.get("REMINDERS_SWEEP_INTERVAL_SECONDS", "3600"))
REMINDERS_DELIVER_INTERVAL_SECONDS = float(
    os.environ.get("REMINDERS_DELIVER_INTERVAL_SECONDS", "60")
)
REMINDERS_DELIVERY_BATCH = int(os.environ.get("REMINDERS_DELIVERY_BATCH", "500"))
REMINDERS_RETRY_BASE_SECONDS = 60  # then 2, 4, 8 … minutes
REMINDERS_RETRY_MAX_SECONDS = 6 * 3600
REMINDERS_MAX_ATTEMPTS = 8
REMINDERS_LEASE_SECONDS = 900
# Seconds between the beat's recounts of congresses whose statistics are dirty (written to
# since their last count); the pages say as of when (suggestions/statistics/__init__.py).
STATISTICS_REFRESH_SECONDS = float(os.environ.get("STATISTICS_REFRESH_SECONDS", "60"))

# ---- REST API (issue 5: suggestions/api/) ----
INSTALLED_APPS += [
    "rest_framework",
    "knox",  # API tokens: stored hashed, expire, revocable (suggestions/api/tokens.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally: no CDN at run time
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "suggestions.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "suggestions.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "suggestions.api.exceptions.api_exception_handler",
    # Requests per client address to the token endpoint, whatever the username.
    "DEFAULT_THROTTLE_RATES": {"api-token": os.environ.get("API_TOKEN_RATE", "20/minute")},
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "人大代表建议 API",
    "DESCRIPTION": (
        "Read public suggestions, replies, outcomes and statistics; drive the suggestion "
        "lifecycle with a token (Authorization: Token <key>) or a session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "suggestions.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SuggestionStateEnum": "suggestions.models.State",
        "RatingEnum": "suggestions.models.Rating",
        "UnitRoleEnum": "suggestions.models.UnitRole",
        "DatePrecisionEnum": "suggestions.models.common.DatePrecision",
    },
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "10"))),
    "AUTH_HEADER_PREFIX": "Token",
}
# ---- end REST API ----


# ---- Cache: anonymous public API responses (suggestions/api/public_cache.py) ----
# Local memory (one process, as runserver and the demo serve) unless REDIS_URL names a Redis
# that every server process shares. PUBLIC_CACHE_SECONDS=0 turns the response cache off.
# A Redis that does not answer is given up on quickly (short socket timeouts), then left alone
# for PUBLIC_CACHE_RETRY_SECONDS while requests are served uncached.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
PUBLIC_CACHE_RETRY_SECONDS = float(os.environ.get("PUBLIC_CACHE_RETRY_SECONDS", "5"))


# ---- Ledger exports (台账): large ones are built by a Celery worker (suggestions/exports/) ----
# At most this many rows are built within the request; more become a background job.
EXPORT_SYNC_LIMIT = int(os.environ.get("EXPORT_SYNC_LIMIT", "2000"))
EXPORT_PROGRESS_ROWS = 2000  # rows between two progress writes (one UPDATE each)
EXPORT_LEASE_SECONDS = 300  # a building worker silent this long is presumed dead
EXPORT_MAX_ATTEMPTS = 3  # builds interrupted this often are marked failed, not retried
EXPORT_REQUEUE_SECONDS = 300  # a pending job not started this long after queuing is re-queued
EXPORT_SWEEP_INTERVAL_SECONDS = float(os.environ.get("EXPORT_SWEEP_INTERVAL_SECONDS", "60"))
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))  # finished jobs and their files
EXPORT_CLEANUP_INTERVAL_SECONDS = 3600
