"""Site settings. Everything environment-specific comes from environment variables
with working defaults, so a fresh clone runs on SQLite with no configuration."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")

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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Malformed query parameters get a 400 naming them (suggestions/params.py).
    "suggestions.middleware.QueryParameterMiddleware",
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
    )
}

# Web processes only (congress/wsgi.py applies it; migrations, Celery and commands run without
# it): PostgreSQL cancels any statement of a page or API request that runs longer than this,
# so one pathological request cannot hold the database. 0 turns it off.
WEB_STATEMENT_TIMEOUT_MS = int(os.environ.get("WEB_STATEMENT_TIMEOUT_MS", "30000"))

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
# ---- web pages: after login each user goes to their own home (suggestions.web) ----
LOGIN_REDIRECT_URL = "web:after-login"
LOGOUT_REDIRECT_URL = "web:home"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
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

# ---- REST API (issue 5: suggestions/api/) ----
INSTALLED_APPS += [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally: no CDN at run time
]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
        "ReplyCategoryEnum": "suggestions.models.ReplyCategory",
        "RatingEnum": "suggestions.models.Rating",
        "UnitRoleEnum": "suggestions.models.UnitRole",
    },
}
# ---- end REST API ----


# ---- Cache: anonymous public API responses (suggestions/api/public_cache.py) ----
# Local memory (one process, as runserver and the demo serve) unless REDIS_URL names a Redis
# that every server process shares. PUBLIC_CACHE_SECONDS=0 turns the response cache off.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
