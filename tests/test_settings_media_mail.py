"""Uploaded files and mail from the environment (README, "Deployment"): reply letters on the
local disk by default or in an S3-compatible bucket (MEDIA_STORAGE=s3), mail through SMTP when
EMAIL_HOST is set. Settings are read once per process, so each case reads them in a
subprocess with exactly the environment under test; nothing here reaches the network."""

from __future__ import annotations

import importlib.util
import io

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.urls import reverse

from suggestions import services
from tests import lifecycle
from tests.test_settings_production import PRODUCTION_ENV, manage, settings_in

S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "suggestion-letters",
    "AWS_S3_ENDPOINT_URL": "https://s3.internal.example:9000",
    "AWS_S3_REGION_NAME": "cn-central-1",
    "AWS_ACCESS_KEY_ID": "test-access-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
}
SMTP_ENV = {
    "EMAIL_HOST": "smtp.example.gov.cn",
    "EMAIL_USE_TLS": "1",
    "EMAIL_HOST_USER": "jianyi",
    "EMAIL_HOST_PASSWORD": "mail-password",
    "EMAIL_TIMEOUT": "12",
}


class BucketLikeStorage(Storage):
    """Objects by name in memory, and no path on any disk (`Storage.path` raises), as in a
    bucket: whatever reads a letter by path fails with this storage."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def _save(self, name: str, content) -> str:
        self.objects[name] = content.read()
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        return File(io.BytesIO(self.objects[name]), name=name)

    def exists(self, name: str) -> bool:
        return name in self.objects

    def size(self, name: str) -> int:
        return len(self.objects[name])


def python_in(tmp_path, env: dict[str, str], code: str) -> str:
    result = manage(tmp_path, env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_reply_letters_are_on_the_local_disk_by_default(tmp_path):
    for env in ({}, PRODUCTION_ENV):
        storages = settings_in(tmp_path, env, "STORAGES")["STORAGES"]
        assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_storage_is_chosen_from_the_environment_with_signed_urls(tmp_path):
    storages = settings_in(tmp_path, {**PRODUCTION_ENV, **S3_ENV}, "STORAGES")["STORAGES"]
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "suggestion-letters"
    assert options["endpoint_url"] == "https://s3.internal.example:9000"
    assert options["region_name"] == "cn-central-1"
    assert (options["access_key"], options["secret_key"]) == ("test-access-key", "test-secret-key")
    # The letters are not public: private objects, and any URL is signed and expires.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


@pytest.mark.skipif(
    importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None,
    reason="the optional s3 extra (django-storages, boto3) is not installed",
)
def test_s3_storage_builds_and_signs_without_the_network(tmp_path):
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name); print(s.url('replies/2026/letter.pdf'))"
    )
    kind, url = python_in(tmp_path, {**PRODUCTION_ENV, **S3_ENV}, code).splitlines()
    assert kind == "S3Storage suggestion-letters"
    assert url.startswith("https://s3.internal.example:9000/suggestion-letters/replies/2026/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp' is not one of filesystem, s3."),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME."),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "Set EMAIL_USE_TLS or EMAIL_USE_SSL"),
    ],
)
def test_contradictory_or_incomplete_settings_refuse_to_start(tmp_path, env, message):
    result = manage(tmp_path, env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_mail_goes_to_the_console_without_a_mail_server(tmp_path):
    values = settings_in(tmp_path, PRODUCTION_ENV, "EMAIL_BACKEND", "EMAIL_TIMEOUT")
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "EMAIL_TIMEOUT": 30,
    }


def test_smtp_from_the_environment(tmp_path):
    code = (
        "from django.core.mail import get_connection; c = get_connection(); "
        "print(type(c).__module__, c.host, c.port, c.username, c.password, c.use_tls, "
        "c.use_ssl, c.timeout)"
    )
    assert python_in(tmp_path, {**PRODUCTION_ENV, **SMTP_ENV}, code).split() == [
        "django.core.mail.backends.smtp",
        "smtp.example.gov.cn",
        "587",  # STARTTLS's port when EMAIL_PORT is not given
        "jianyi",
        "mail-password",
        "True",
        "False",
        "12.0",
    ]
    ssl = {"EMAIL_HOST": "smtp.example.gov.cn", "EMAIL_USE_SSL": "1"}
    assert settings_in(tmp_path, ssl, "EMAIL_PORT", "EMAIL_USE_SSL") == {
        "EMAIL_PORT": 465,
        "EMAIL_USE_SSL": True,
    }
    # An explicit backend wins over EMAIL_HOST (the tests' file backend, for one).
    explicit = {**SMTP_ENV, "EMAIL_PORT": "2525", "EMAIL_BACKEND": "x.FileBackend"}
    assert settings_in(tmp_path, explicit, "EMAIL_BACKEND", "EMAIL_PORT") == {
        "EMAIL_BACKEND": "x.FileBackend",
        "EMAIL_PORT": 2525,
    }


@pytest.mark.django_db
def test_reply_letter_downloads_from_a_storage_without_paths(client, world, settings):
    """The perimeter view reads the letter through the storage, as it must for a bucket."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BucketLikeStorage"},
    }
    suggestion = lifecycle.assigned(world, title="关于电池产业的建议")
    services.contact_record(
        assignment=suggestion.assignments.get(),
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=suggestion.assignments.get().assigned_on,
    )
    reply = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="B",
        text="正在推进。",
        signer="王五",
        attachment=ContentFile(b"%PDF-1.4 letter", name="答复函.pdf"),
    )
    assert isinstance(default_storage, BucketLikeStorage)
    assert default_storage.exists(reply.attachment.name)

    client.force_login(world.deputy.person.user)
    download = client.get(reverse("web:reply-attachment", args=[reply.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(world.other_unit_user)
    assert client.get(reverse("web:reply-attachment", args=[reply.pk])).status_code == 404
