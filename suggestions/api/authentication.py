"""API token authentication (django-rest-knox tokens, stored hashed and expiring) and their
revocation when a user's password changes. Kept apart from the token views (tokens.py): DRF
imports this module from its settings, before any view may be imported."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions


class ExpiringTokenAuthentication(TokenAuthentication):
    """knox's token check (expired tokens are deleted on sight), with one clear message."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(
                _("令牌无效、已过期或已撤销，请重新获取令牌。")
            ) from None


# ---- a changed password revokes every token of the user ----


def _note_password_change(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    # Any new hash counts: set_password, set_unusable_password, the admin, a direct assignment.
    # A hasher upgrade at login also re-hashes, and so revokes too: the safe side.
    instance._password_hash_changed = stored.first() not in (None, instance.password)


def _revoke_tokens_after_password_change(sender, instance, **kwargs) -> None:
    if getattr(instance, "_password_hash_changed", False):
        instance._password_hash_changed = False
        AuthToken.objects.filter(user=instance).delete()


def connect() -> None:
    user_model = get_user_model()
    pre_save.connect(_note_password_change, sender=user_model, dispatch_uid="tokens-password")
    post_save.connect(
        _revoke_tokens_after_password_change, sender=user_model, dispatch_uid="tokens-revoke"
    )
