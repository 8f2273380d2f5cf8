"""A cache of anonymous public API responses that can never serve stale data.

What is cached
    Only rendered 200 responses of the public, read-only endpoints (`PublicResponseCacheMixin`)
    to GET/HEAD requests that carry no credentials at all: no ``Authorization`` header and no
    session cookie. Any request that might be authenticated bypasses the cache in both
    directions (it is neither served from it nor stored in it), so what is stored was produced
    for an anonymous visitor by a view that only reads `.public()` data.

Key
    The full path with its query string, the active language (labels such as 第12号 and state
    names are translated) and the ``Accept`` header (JSON or the browsable API), prefixed with
    the public data version.

Invalidation: a data version, bumped by every write
    Every save or delete of any model of the ``suggestions`` and ``congress`` apps, and every
    change of a many-to-many relation between them (a suggestion added to a supervision plan
    makes it 重点督办), bumps the version. Every service write records an `Event`, so a
    service's bulk ``update()``\\ s are covered by that Event's save. The version is bumped at
    once and again when the surrounding transaction commits, so a response computed from the
    old data while the transaction was open is stored under a version nobody asks for any
    more. Old entries are never read again and expire on their own (``PUBLIC_CACHE_SECONDS``).

Processes
    The version and the responses live in Django's default cache (``CACHES``). The default
    local-memory cache is private to one process: that is right for ``runserver`` and the
    demo, which serve from one process. Several server processes must share one cache — set
    ``REDIS_URL`` (settings then use Django's RedisCache) — or a write seen by one process
    would not invalidate another's entries.

When the cache is down (Redis unreachable)
    The cache is only ever an optimisation, so no cache failure reaches a request: every cache
    call is guarded, a failure is logged once as a warning, and the process then leaves the
    cache alone for ``PUBLIC_CACHE_RETRY_SECONDS`` (so an unreachable Redis costs one timeout
    per interval, not one per request). Meanwhile reads are computed from the database and not
    stored, and writes succeed without bumping the version. A bump that could not be made is
    owed: the process makes it before its next cache call once the cache answers again.
    The window: entries stored before the outage could be served after it by another
    process until the process that owes the bump touches the cache again, and never longer
    than ``PUBLIC_CACHE_SECONDS`` after they were stored.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "public-api:data-version"
KEY_PREFIX = "public-api:response"
WATCHED_APPS = frozenset({"suggestions", "congress"})
# Derived from watched rows (whose writes bump already) and in no cached response.
UNWATCHED_MODELS = frozenset({"statisticschange", "statisticsrefresh", "statisticssnapshot"})
# Headers worth replaying from a stored response; middleware adds the rest (Vary, security).
REPLAYED_HEADERS = ("Content-Type", "Allow", "Content-Language")


def cache_enabled() -> bool:
    return getattr(settings, "PUBLIC_CACHE_SECONDS", 0) > 0


@dataclass
class CacheOutage:
    """This process's memory of a cache failure (see "When the cache is down")."""

    retry_at: float = 0.0  # time.monotonic() before which the cache is left alone
    bump_owed: bool = False

    def reset(self) -> None:
        self.retry_at, self.bump_owed = 0.0, False


outage = CacheOutage()
_SKIPPED = object()


def _guarded(operation: str, call: Callable[[], Any]) -> Any:
    """`call()`'s result, or `_SKIPPED` when the cache is down (logged once per failure)."""
    if time.monotonic() < outage.retry_at:
        return _SKIPPED
    try:
        if outage.bump_owed:
            _incr_or_reset_version()
            outage.bump_owed = False
        return call()
    except Exception as exc:  # any backend error: the cache must never fail a request
        retry_seconds = getattr(settings, "PUBLIC_CACHE_RETRY_SECONDS", 5)
        outage.retry_at = time.monotonic() + retry_seconds
        logger.warning(
            "public response cache unavailable (%s failed: %s: %s); serving uncached, "
            "retrying in %s s",
            operation,
            type(exc).__name__,
            exc,
            retry_seconds,
        )
        return _SKIPPED


def _read_or_start_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh cache (or an evicted key): start from the clock, so that a version can never
        # repeat one that entries stored before the eviction were keyed with.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return version


def data_version() -> int | None:
    """The current data version, or None while the cache is down."""
    version = _guarded("reading the data version", _read_or_start_version)
    return None if version is _SKIPPED else version


def _incr_or_reset_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def bump_data_version() -> None:
    if _guarded("bumping the data version", _incr_or_reset_version) is _SKIPPED:
        outage.bump_owed = True


def _bump_now_and_on_commit() -> None:
    bump_data_version()
    transaction.on_commit(bump_data_version)


def _watched(model) -> bool:
    return model._meta.app_label in WATCHED_APPS and model._meta.model_name not in UNWATCHED_MODELS


def _on_write(sender, **kwargs) -> None:
    if _watched(sender):
        _bump_now_and_on_commit()


def _on_m2m_change(sender, action: str, **kwargs) -> None:
    if action.startswith("post_") and _watched(sender):
        _bump_now_and_on_commit()


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="public_cache_post_save")
    post_delete.connect(_on_write, dispatch_uid="public_cache_post_delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="public_cache_m2m_changed")


def is_anonymous_request(request: HttpRequest) -> bool:
    """No credentials of any kind: the request cannot be authenticated."""
    return (
        "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def response_key(request: HttpRequest) -> str | None:
    """The cache key for `request`, or None when it must not (or cannot) use the cache."""
    if not cache_enabled() or request.method not in ("GET", "HEAD"):
        return None
    if not is_anonymous_request(request):
        return None
    raw = "\n".join(
        [request.get_full_path(), get_language() or "", request.META.get("HTTP_ACCEPT", "")]
    )
    version = data_version()
    if version is None:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}:{version}:{digest}"


class PublicResponseCacheMixin:
    """For read-only views over public data only (see the module docstring)."""

    def dispatch(self, request, *args, **kwargs):
        key = response_key(request)
        if key is not None:
            stored = _guarded("reading a response", lambda: cache.get(key))
            if stored is _SKIPPED:
                key = None  # the cache went down: answer from the database, store nothing
            elif stored is not None:
                status, content, headers = stored
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response[name] = value
                return response
        response = super().dispatch(request, *args, **kwargs)
        if key is not None and response.status_code == 200:
            if hasattr(response, "render"):
                response.render()
            headers = [(name, response[name]) for name in REPLAYED_HEADERS if name in response]
            entry = (response.status_code, response.content, headers)
            _guarded(
                "storing a response",
                lambda: cache.set(key, entry, settings.PUBLIC_CACHE_SECONDS),
            )
        return response
