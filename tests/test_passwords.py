"""Passwords set through a form meet Django's full validators: not like the user's name or
e-mail, at least 10 characters, not a common password, not all digits."""

from __future__ import annotations

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="tangxinping", email="tangxinping@example.cn")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password", "password_too_short"),
        ("password123", "password_too_common"),
        ("4829173650", "password_entirely_numeric"),
        ("tangxinping1", "password_too_similar"),
        ("short-pw", "password_too_short"),
    ],
)
def test_weak_passwords_are_refused(user, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert code in {error.code for error in refused.value.error_list}


def test_a_long_uncommon_password_is_accepted(user):
    validate_password("demo-tang-2025", user)
    validate_password("zhèngwù-jiànyì-qiūtiān", user)


def test_the_admin_form_names_the_problem_in_chinese(user):
    form = AdminPasswordChangeForm(user, {"password1": "password", "password2": "password"})
    assert not form.is_valid()
    errors = " ".join(form.errors["password2"])
    assert "密码太短，至少需要 10 个字符。" in errors
    assert "这个密码太常见了" in errors
    user.refresh_from_db()
    assert user.check_password("pw-test-123")  # nothing changed


def test_the_admin_form_names_the_problem_in_english(user):
    with translation.override("en"):
        form = AdminPasswordChangeForm(user, {"password1": "password", "password2": "password"})
        assert not form.is_valid()
        errors = " ".join(form.errors["password2"])
    assert "at least 10 characters" in errors
    assert "too common" in errors
