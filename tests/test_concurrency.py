"""Two people acting on the same suggestion at once: one wins, the other is told, nothing is
half-written."""

import threading

import pytest
from django.db import connection

from suggestions import services
from suggestions.models import Suggestion
from tests.conftest import drive


@pytest.mark.django_db
def test_second_of_two_stale_transitions_is_refused_and_writes_nothing(world):
    s = drive(world, "submitted")
    clerk_a = Suggestion.objects.get(pk=s.pk)
    clerk_b = Suggestion.objects.get(pk=s.pk)

    services.suggestion_register(suggestion=clerk_a, actor=world.staff)
    with pytest.raises(services.TransitionConflict) as excinfo:
        services.suggestion_return_for_revision(
            suggestion=clerk_b, actor=world.staff, comments="请修改"
        )
    assert "已被他人处理" in str(excinfo.value)
    assert "已立案" in str(excinfo.value)
    fresh = Suggestion.objects.get(pk=s.pk)
    assert fresh.state == "registered"
    assert fresh.revision_due_on is None
    assert not fresh.events.filter(action="return_for_revision").exists()


@pytest.mark.django_db
def test_stale_assignment_rolls_back_the_created_assignments(world):
    s = drive(world, "registered")
    clerk_a = Suggestion.objects.get(pk=s.pk)
    clerk_b = Suggestion.objects.get(pk=s.pk)
    services.suggestion_assign(suggestion=clerk_a, actor=world.staff, lead_unit=world.lead_unit)
    with pytest.raises(services.TransitionConflict):
        services.suggestion_assign(
            suggestion=clerk_b, actor=world.staff, separate_units=[world.other_unit]
        )
    assert list(s.assignments.values_list("unit__name", flat=True)) == ["郴州市人民政府"]


@pytest.mark.django_db
def test_draft_edit_after_a_concurrent_submit_is_refused(world):
    s = drive(world, "draft")
    tab_a = Suggestion.objects.get(pk=s.pk)
    tab_b = Suggestion.objects.get(pk=s.pk)
    services.suggestion_submit(suggestion=tab_a, actor=world.deputy.person.user)
    with pytest.raises(services.TransitionConflict):
        services.suggestion_update_draft(
            suggestion=tab_b, actor=world.deputy.person.user, title="改后的标题", body="x"
        )
    assert Suggestion.objects.get(pk=s.pk).title != "改后的标题"


def run_at_once(*actions):
    """Run callables in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def runner(i, action):
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_at_once_on_postgres_one_wins(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises the database")
    for _ in range(5):
        s = drive(world, "submitted")
        results = run_at_once(
            lambda pk=s.pk: services.suggestion_register(
                suggestion=Suggestion.objects.get(pk=pk), actor=world.staff
            ),
            lambda pk=s.pk: services.suggestion_return_for_revision(
                suggestion=Suggestion.objects.get(pk=pk), actor=world.staff, comments="请修改"
            ),
        )
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], services.TransitionRefused), failures[0]
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.state in ("registered", "returned")
        assert fresh.events.filter(action__in=["register", "return_for_revision"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_registrations_at_once_get_distinct_numbers_on_postgres(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises the database")
    pks = [drive(world, "submitted").pk for _ in range(4)]
    results = run_at_once(
        *[
            lambda pk=pk: services.suggestion_register(
                suggestion=Suggestion.objects.get(pk=pk), actor=world.staff
            )
            for pk in pks
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Suggestion.objects.filter(pk__in=pks).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
