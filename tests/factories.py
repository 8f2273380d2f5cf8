"""factory-boy factories for the domain; tests build what they need and nothing more."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from congress.models import (
    Congress,
    CongressStaff,
    Deputy,
    HandlingUnit,
    Level,
    Person,
    Session,
    StaffRole,
    Term,
)
from suggestions.models import Suggestion, Version


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-test-123")


class CongressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Congress
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试市第{n}人民代表大会")
    short_name = factory.Sequence(lambda n: f"测试市{n}")
    level = Level.MUNICIPAL
    region = "测试市"


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    congress = factory.SubFactory(CongressFactory)
    number = 6
    name = "六届"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    term = factory.SubFactory(TermFactory)
    number = 1
    name = "六届人大一次会议"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"代表{n}")
    user = factory.SubFactory(UserFactory)


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    person = factory.SubFactory(PersonFactory)
    term = factory.SubFactory(TermFactory)


class HandlingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandlingUnit
        skip_postgeneration_save = True

    congress = factory.SubFactory(CongressFactory)
    name = factory.Sequence(lambda n: f"测试单位{n}")
    email = factory.Sequence(lambda n: f"unit{n}@example.org")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class CongressStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CongressStaff

    user = factory.SubFactory(UserFactory)
    congress = factory.SubFactory(CongressFactory)
    role = StaffRole.STAFF


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A suggestion created directly in `state` (for tests that start mid-lifecycle)."""

    class Meta:
        model = Suggestion
        skip_postgeneration_save = True

    lead_deputy = factory.SubFactory(DeputyFactory)
    term = factory.LazyAttribute(lambda s: s.lead_deputy.term)
    congress = factory.LazyAttribute(lambda s: s.lead_deputy.term.congress)
    title = factory.Sequence(lambda n: f"关于第{n}件事的建议")
    body = "建议正文。"

    @factory.post_generation
    def with_version(self, create, extracted, **kwargs):
        if create:
            Version.objects.get_or_create(
                suggestion=self, number=1, defaults={"title": self.title, "body": self.body}
            )
