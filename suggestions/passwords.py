"""A password validator of our own for AUTH_PASSWORD_VALIDATORS (the others are Django's)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with an error message in the project's catalog: Django 5.2 changed its
    message and its Chinese catalog has no translation of the new one yet."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
