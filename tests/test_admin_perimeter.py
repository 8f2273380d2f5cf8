"""The admin is inside the perimeter: a clerk of one congress (a real clerk, granted through
`congress_staff_grant`, not a superuser) neither sees nor picks nor changes anything of
another congress, and changes nothing of a suggestion's lifecycle except through the
services, each leaving an Event."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from congress.models import (
    CalendarOverride,
    Congress,
    Deputy,
    HandlingUnit,
    Person,
    Session,
)
from congress.services import congress_staff_grant
from suggestions import services
from suggestions.models import (
    CitizenOpinion,
    Event,
    LinkKind,
    Outcome,
    Suggestion,
    SuggestionLink,
    Version,
)
from tests import lifecycle
from tests.conftest import World
from tests.factories import (
    CongressFactory,
    DeputyFactory,
    HandlingUnitFactory,
    PersonFactory,
    SessionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 汤欣平's private contact details (郴州): no 巍山 clerk may ever read them.
TANG_PHONE = "13907350001"
TANG_EMAIL = "tang.private@example.cn"
TANG_ADDRESS = "郴州市北湖区私宅路9号"
SU_PHONE = "13908720002"
FOREIGN_MARKERS = ("郴州", "汤欣平", TANG_PHONE, TANG_EMAIL, TANG_ADDRESS)


@dataclass
class Perimeter:
    """郴州 (the `world`, someone else's) and 巍山 (the clerk's own)."""

    world: World
    own: World
    clerk: object
    superuser: object
    tang_account: object
    a_draft: Suggestion
    a_withheld: Suggestion
    a_refused: Suggestion
    a_withdrawn: Suggestion
    a_replied: Suggestion
    b_draft: Suggestion
    b_submitted: Suggestion
    b_replied: Suggestion
    su: Person


@pytest.fixture
def perimeter(world) -> Perimeter:
    tang = world.deputy.person
    tang.phone, tang.email, tang.address = TANG_PHONE, TANG_EMAIL, TANG_ADDRESS
    tang.save()

    a_draft = lifecycle.draft(world, title="郴州草稿：尚未提交的建议")
    a_withheld = lifecycle.registered(world, title="郴州不公开的建议")
    services.suggestion_withhold(suggestion=a_withheld, actor=world.staff, reason="涉密")
    a_refused = lifecycle.submitted(world, title="郴州不予立案的建议")
    services.suggestion_refuse(suggestion=a_refused, actor=world.staff, reason_code="no_content")
    a_withdrawn = lifecycle.submitted(world, title="郴州已撤回的建议")
    services.suggestion_withdraw(
        suggestion=a_withdrawn, actor=world.deputy.person.user, reason="撤回"
    )
    a_replied = lifecycle.replied(world, title="郴州已答复的建议", category="B")
    services.outcome_record(
        suggestion=a_replied, actor=world.staff, kind="policy", title="郴州电池产业政策"
    )
    services.supervision_plan_create(
        actor=world.staff, congress=world.congress, theme="郴州重点督办", suggestions=[a_replied]
    )
    CitizenOpinion.objects.create(suggestion=a_withheld, summary="郴州群众意见")
    SuggestionLink.objects.create(
        from_suggestion=a_refused, to_suggestion=a_replied, kind=LinkKind.RELATED
    )

    weishan = CongressFactory(name="巍山彝族回族自治县人民代表大会", short_name="巍山县")
    term = TermFactory(congress=weishan, number=18, name="十八届")
    su_deputy = DeputyFactory(term=term, person__name="苏素馨", person__user__username="susuxin")
    su_deputy.person.phone = SU_PHONE
    su_deputy.person.save()
    police_user = UserFactory(username="weishan_police")
    clerk = UserFactory(username="weishan_staff")
    congress_staff_grant(user=clerk, congress=weishan)
    own = World(
        **{
            **world.__dict__,
            "congress": weishan,
            "term": term,
            "session": SessionFactory(term=term, number=3, name="十八届人大三次会议"),
            "deputy": su_deputy,
            "staff": clerk,
            "lead_unit": HandlingUnitFactory(
                congress=weishan, name="巍山县公安局", members=[police_user]
            ),
            "lead_unit_user": police_user,
        }
    )
    HandlingUnitFactory(congress=weishan, name="巍山县人民政府")
    b_draft = lifecycle.draft(own, title="巍山草稿：代表还在写")
    b_submitted = lifecycle.submitted(own, title="巍山古民居消防的建议")
    b_replied = lifecycle.replied(own, title="巍山古民居出租管理的建议", category="B")
    return Perimeter(
        world=world,
        own=own,
        clerk=clerk,
        superuser=UserFactory(username="root", is_staff=True, is_superuser=True),
        tang_account=world.deputy.person.user,
        a_draft=a_draft,
        a_withheld=a_withheld,
        a_refused=a_refused,
        a_withdrawn=a_withdrawn,
        a_replied=a_replied,
        b_draft=b_draft,
        b_submitted=b_submitted,
        b_replied=b_replied,
        su=su_deputy.person,
    )


@pytest.fixture
def clerk_client(client, perimeter):
    assert not perimeter.clerk.is_superuser and perimeter.clerk.is_staff
    client.force_login(perimeter.clerk)
    return client


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def foreign_text_in(body: str) -> list[str]:
    return [marker for marker in FOREIGN_MARKERS if marker in body]


def walk(client) -> dict[str, int]:
    """GET every changelist, add page and change page of the admin: (url, response, body)."""
    for model in admin.site._registry:
        urls = [admin_url(model, "changelist"), admin_url(model, "add")]
        urls += [
            admin_url(model, "change", pk)
            for pk in model._default_manager.values_list("pk", flat=True)
        ]
        for url in urls:
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code in (200, 302, 403, 404), url
            yield url, response, body


# ---- seeing ----


def test_a_clerk_walking_the_whole_admin_never_meets_another_congress(clerk_client, perimeter):
    statuses = {}
    for url, response, body in walk(clerk_client):
        statuses[url] = response.status_code
        assert foreign_text_in(body) == [], url
        assert perimeter.b_draft.title not in body, url
    # The walk is not vacuous: the clerk's own rows open, with their contact details.
    su_page = admin_url(Person, "change", perimeter.su.pk)
    assert statuses[su_page] == 200
    assert SU_PHONE in clerk_client.get(su_page).content.decode()
    assert statuses[admin_url(Suggestion, "change", perimeter.b_submitted.pk)] == 200


def test_another_congress_s_change_pages_are_not_found(clerk_client, perimeter):
    p, world = perimeter, perimeter.world
    for obj in (
        world.congress,
        world.term,
        world.session,
        world.deputy,
        world.deputy.person,
        world.lead_unit,
        world.congress.staff.first(),
        p.a_replied,
        p.a_withheld,
        p.a_draft,
        p.a_replied.outcomes.get(),
        p.a_replied.replies.get(),
        p.a_replied.assignments.first(),
        p.a_replied.events.first(),
        p.a_replied.versions.first(),
        p.a_replied.supervision_plans.get(),
        p.a_withheld.citizen_opinions.get(),
        p.a_refused.links_out.get(),
    ):
        response = clerk_client.get(admin_url(type(obj), "change", obj.pk))
        assert response.status_code == 302, obj
        assert response.url == reverse("admin:index")


def test_changelists_list_only_the_clerk_s_rows(clerk_client, perimeter):
    listing = clerk_client.get(admin_url(Suggestion, "changelist"))
    assert list(listing.context["cl"].result_list) == [perimeter.b_replied, perimeter.b_submitted]
    persons = clerk_client.get(admin_url(Person, "changelist")).context["cl"].result_list
    assert list(persons) == [perimeter.su]
    units = clerk_client.get(admin_url(HandlingUnit, "changelist")).context["cl"].result_list
    assert {u.name for u in units} == {"巍山县公安局", "巍山县人民政府"}
    sessions = clerk_client.get(admin_url(Session, "changelist")).context["cl"].result_list
    assert list(sessions) == [perimeter.own.session]


def test_list_filters_offer_only_the_clerk_s_institutions(clerk_client, perimeter):
    body = clerk_client.get(admin_url(Suggestion, "changelist")).content.decode()
    assert "巍山县公安局" in body  # the unit filter is there …
    assert "郴州市人民政府" not in body  # … without another congress's units
    assert "六届人大一次会议" not in body


def test_autocomplete_answers_stay_inside(clerk_client, perimeter):
    def autocomplete(app_label, model_name, field_name, term=""):
        return clerk_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )

    persons = json.loads(autocomplete("congress", "deputy", "person").content)["results"]
    assert [r["text"] for r in persons] == ["苏素馨"]
    deputies = json.loads(autocomplete("suggestions", "cosignature", "deputy").content)
    assert [r["text"] for r in deputies["results"]] == [str(perimeter.own.deputy)]
    congresses = json.loads(autocomplete("congress", "handlingunit", "congress").content)
    assert [r["text"] for r in congresses["results"]] == [perimeter.own.congress.name]
    titles = json.loads(autocomplete("suggestions", "suggestionlink", "to_suggestion").content)
    found = " ".join(r["text"] for r in titles["results"])
    assert "郴州" not in found and perimeter.b_draft.title not in found
    assert perimeter.b_submitted.title in found
    # Accounts are searched by superusers only.
    assert autocomplete("congress", "person", "user").status_code == 403


def test_add_forms_offer_only_the_clerk_s_institutions_and_accounts(clerk_client, perimeter):
    unit_form = clerk_client.get(admin_url(HandlingUnit, "add")).context["adminform"].form
    assert list(unit_form.fields["congress"].queryset) == [perimeter.own.congress]
    assert set(unit_form.fields["members"].queryset) == {
        perimeter.own.lead_unit_user,
        perimeter.su.user,
    }
    session_form = clerk_client.get(admin_url(Session, "add")).context["adminform"].form
    assert list(session_form.fields["term"].queryset) == [perimeter.own.term]
    person_form = clerk_client.get(admin_url(Person, "add")).context["adminform"].form
    accounts = set(person_form.fields["user"].queryset)
    assert perimeter.clerk not in accounts and perimeter.superuser not in accounts
    assert perimeter.tang_account not in accounts
    deputy_form = clerk_client.get(admin_url(Deputy, "add")).context["adminform"].form
    assert list(deputy_form.fields["term"].queryset) == [perimeter.own.term]


def test_no_dropdown_lists_drafts_or_another_congress_s_suggestions(clerk_client, perimeter):
    # Records around suggestions are made by the services on the staff pages: no add form.
    for model in (Outcome, SuggestionLink, CitizenOpinion):
        assert clerk_client.get(admin_url(model, "add")).status_code == 403
    for name in ("followupreview", "supervisionplan", "supervisionactivity"):
        assert clerk_client.get(reverse(f"admin:suggestions_{name}_add")).status_code == 403
    # The one suggestion dropdown left (merging) lists the clerk's congress's, never a draft.
    merge = clerk_client.get(
        reverse("admin:suggestions_suggestion_transition", args=[perimeter.b_submitted.pk, "merge"])
    ).content.decode()
    assert perimeter.b_replied.title in merge
    assert perimeter.b_draft.title not in merge and "郴州" not in merge


def test_a_clerk_cannot_see_their_own_congress_s_drafts(clerk_client, perimeter):
    url = admin_url(Suggestion, "change", perimeter.b_draft.pk)
    assert clerk_client.get(url).status_code == 302
    body = clerk_client.get(admin_url(Event, "changelist")).content.decode()
    assert perimeter.b_draft.title not in body


def test_accounts_and_groups_are_superusers_only(clerk_client, perimeter):
    assert clerk_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert clerk_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    url = reverse("admin:auth_user_change", args=[perimeter.clerk.pk])
    assert (
        clerk_client.post(url, {"username": "weishan_staff", "is_superuser": "on"}).status_code
        == 403
    )
    perimeter.clerk.refresh_from_db()
    assert not perimeter.clerk.is_superuser


def test_the_superuser_still_crosses_congresses(client, perimeter):
    client.force_login(perimeter.superuser)
    listing = client.get(admin_url(Suggestion, "changelist")).context["cl"].result_list
    assert perimeter.a_draft in listing and perimeter.b_submitted in listing
    body = client.get(admin_url(Person, "change", perimeter.world.deputy.person.pk)).content
    assert TANG_PHONE in body.decode()


# ---- changing (forged POSTs) ----


def test_a_clerk_cannot_join_another_congress_s_unit(clerk_client, perimeter):
    unit = perimeter.world.lead_unit
    response = clerk_client.post(
        admin_url(HandlingUnit, "change", unit.pk),
        {"congress": unit.congress_id, "name": unit.name, "members": [perimeter.clerk.pk]},
    )
    assert response.status_code in (302, 404)
    assert not unit.members.filter(pk=perimeter.clerk.pk).exists()


def test_a_clerk_cannot_add_themselves_or_foreign_accounts_to_their_own_unit(
    clerk_client, perimeter
):
    unit = perimeter.own.lead_unit
    for account in (perimeter.clerk, perimeter.tang_account, perimeter.superuser):
        response = clerk_client.post(
            admin_url(HandlingUnit, "change", unit.pk),
            {
                "congress": unit.congress_id,
                "name": unit.name,
                "members": [perimeter.own.lead_unit_user.pk, account.pk],
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["members"]
        assert not unit.members.filter(pk=account.pk).exists()


def test_a_clerk_cannot_take_over_a_deputy_s_account_link(clerk_client, perimeter):
    tang = perimeter.world.deputy.person
    response = clerk_client.post(
        admin_url(Person, "change", tang.pk), {"name": tang.name, "user": perimeter.clerk.pk}
    )
    assert response.status_code in (302, 404)
    tang.refresh_from_db()
    assert tang.user == perimeter.tang_account

    newcomer = PersonFactory(name="新代表", user=None)
    Deputy.objects.create(person=newcomer, term=perimeter.own.term)
    for account in (perimeter.clerk, perimeter.tang_account, perimeter.superuser):
        response = clerk_client.post(
            admin_url(Person, "change", newcomer.pk),
            {
                "name": newcomer.name,
                "user": account.pk,
                "mandates-TOTAL_FORMS": "0",
                "mandates-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["user"]
        newcomer.refresh_from_db()
        assert newcomer.user is None


def test_a_clerk_cannot_rename_another_congress_s_session(clerk_client, perimeter):
    session = perimeter.world.session
    response = clerk_client.post(
        admin_url(Session, "change", session.pk),
        {"term": session.term_id, "number": session.number, "name": "改名的会议"},
    )
    assert response.status_code in (302, 404)
    session.refresh_from_db()
    assert session.name == "六届人大一次会议"


def test_forged_rows_pointing_outside_are_form_errors(clerk_client, perimeter):
    response = clerk_client.post(
        admin_url(Session, "add"),
        {"term": perimeter.world.term.pk, "number": 9, "name": "伪造的会议"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["term"]
    response = clerk_client.post(
        admin_url(HandlingUnit, "add"),
        {"congress": perimeter.world.congress.pk, "name": "伪造单位"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["congress"]
    response = clerk_client.post(
        admin_url(Deputy, "add"),
        {"person": perimeter.world.deputy.person.pk, "term": perimeter.own.term.pk},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["person"]
    assert not Session.objects.filter(name="伪造的会议").exists()
    assert not HandlingUnit.objects.filter(name="伪造单位").exists()
    assert not Deputy.objects.filter(person=perimeter.world.deputy.person, term=perimeter.own.term)


def test_a_clerk_cannot_add_an_outcome_in_the_admin(clerk_client, perimeter):
    for suggestion in (perimeter.a_replied, perimeter.b_replied):
        response = clerk_client.post(
            admin_url(Outcome, "add"),
            {"suggestion": suggestion.pk, "kind": "policy", "title": "伪造成果"},
        )
        assert response.status_code == 403
    assert not Outcome.objects.filter(title="伪造成果").exists()


def test_calendar_overrides_are_read_by_clerks_and_changed_by_superusers(clerk_client, perimeter):
    override = CalendarOverride.objects.create(
        date="2031-01-02", is_working_day=False, note="测试假日"
    )
    assert clerk_client.get(admin_url(CalendarOverride, "changelist")).status_code == 200
    assert clerk_client.get(admin_url(CalendarOverride, "add")).status_code == 403
    response = clerk_client.post(
        admin_url(CalendarOverride, "change", override.pk),
        {"date": "2031-01-02", "is_working_day": "on", "note": "改了"},
    )
    assert response.status_code == 403
    override.refresh_from_db()
    assert override.note == "测试假日"


# ---- the lifecycle only through the services ----


def test_a_suggestion_s_text_and_withheld_reason_cannot_be_edited(clerk_client, perimeter):
    suggestion = perimeter.b_submitted
    services.suggestion_withhold(suggestion=suggestion, actor=perimeter.clerk, reason="个人隐私")
    url = admin_url(Suggestion, "change", suggestion.pk)
    page = clerk_client.get(url).content.decode()
    assert 'name="body"' not in page and 'name="withheld_reason"' not in page
    response = clerk_client.post(
        url, {"title": "篡改", "body": "篡改的正文", "withheld_reason": ""}
    )
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert (suggestion.title, suggestion.withheld_reason) == ("巍山古民居消防的建议", "个人隐私")
    assert suggestion.body == "建议正文。"


def test_superusers_cannot_edit_a_draft_in_the_admin_either(client, perimeter):
    client.force_login(perimeter.superuser)
    url = admin_url(Suggestion, "change", perimeter.a_draft.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "篡改", "body": "篡改的正文"}).status_code == 403
    perimeter.a_draft.refresh_from_db()
    assert perimeter.a_draft.body == "建议正文。"
    assert perimeter.a_draft.versions.get().body == "建议正文。"


def test_a_clerk_reads_the_submitted_text_not_a_revision_in_progress(clerk_client, perimeter):
    suggestion = perimeter.b_submitted
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=perimeter.clerk, comments="请补充"
    )
    services.suggestion_update_draft(
        suggestion=suggestion,
        actor=perimeter.su.user,
        title="巍山修改中的标题",
        body="代表正在修改的正文",
    )
    page = clerk_client.get(admin_url(Suggestion, "change", suggestion.pk)).content.decode()
    assert "巍山古民居消防的建议" in page
    assert "巍山修改中的标题" not in page and "代表正在修改的正文" not in page
    listing = clerk_client.get(admin_url(Suggestion, "changelist")).content.decode()
    assert "巍山修改中的标题" not in listing
    versions = clerk_client.get(admin_url(Version, "changelist")).context["cl"].result_list
    assert [(v.suggestion, v.number) for v in versions if v.suggestion == suggestion] == [
        (suggestion, 1)
    ]
    # Searching finds the submitted text, and nothing by the revision in progress.
    found = clerk_client.get(admin_url(Suggestion, "changelist"), {"q": "消防"})
    assert list(found.context["cl"].result_list) == [suggestion]
    found = clerk_client.get(admin_url(Suggestion, "changelist"), {"q": "修改中"})
    assert list(found.context["cl"].result_list) == []


def test_withholding_and_releasing_in_the_admin_leave_events(clerk_client, perimeter):
    suggestion = perimeter.b_replied
    withhold = reverse("admin:suggestions_suggestion_publicity", args=[suggestion.pk, "withhold"])
    release = reverse("admin:suggestions_suggestion_publicity", args=[suggestion.pk, "release"])
    change = admin_url(Suggestion, "change", suggestion.pk)
    assert withhold in clerk_client.get(change).content.decode()

    assert clerk_client.post(withhold, {"reason": "涉及个人隐私"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.withheld_reason == "涉及个人隐私"
    event = suggestion.events.get(action="withhold")
    assert (event.reason, event.actor, event.is_public) == ("涉及个人隐私", perimeter.clerk, False)
    assert release in clerk_client.get(change).content.decode()

    assert clerk_client.post(release, {"reason": "已脱敏"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.withheld_reason == ""
    event = suggestion.events.get(action="release")
    assert (event.reason, event.actor) == ("已脱敏", perimeter.clerk)

    # Releasing what is not withheld is refused on the form, and records nothing.
    response = clerk_client.post(release, {"reason": "再来一次"})
    assert response.status_code == 200
    assert "没有被设为不公开" in response.content.decode()
    assert suggestion.events.filter(action="release").count() == 1


def test_a_clerk_cannot_withhold_another_congress_s_suggestion(clerk_client, perimeter):
    url = reverse(
        "admin:suggestions_suggestion_publicity", args=[perimeter.a_replied.pk, "withhold"]
    )
    assert clerk_client.post(url, {"reason": "伪造"}).status_code == 404
    perimeter.a_replied.refresh_from_db()
    assert perimeter.a_replied.withheld_reason == ""


def test_reply_publication_goes_through_the_publish_service(clerk_client, perimeter):
    reply = perimeter.b_replied.replies.get()
    change = admin_url(type(reply), "change", reply.pk)
    response = clerk_client.post(change, {"redactions": "伪造", "withheld": "on"})
    assert response.status_code == 403
    reply.refresh_from_db()
    assert (reply.redactions, reply.withheld, reply.published_at) == ("", False, None)

    publish = reverse("admin:suggestions_reply_publish", args=[reply.pk])
    assert publish in clerk_client.get(change).content.decode()
    response = clerk_client.post(publish, {"redactions": "内部讨论情况。", "withheld": "on"})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert (reply.redactions, reply.withheld) == ("内部讨论情况。", True)
    assert reply.published_at is not None

    foreign = perimeter.a_replied.replies.get()
    url = reverse("admin:suggestions_reply_publish", args=[foreign.pk])
    assert clerk_client.post(url, {"redactions": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.published_at is None


def test_nothing_with_history_can_be_deleted_in_the_admin(client, perimeter):
    client.force_login(perimeter.superuser)
    for obj in (
        perimeter.a_replied,
        perimeter.a_replied.events.first(),
        perimeter.a_replied.outcomes.get(),
        perimeter.a_replied.replies.get(),
        perimeter.a_replied.supervision_plans.get(),
    ):
        assert (
            client.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"}).status_code == 403
        )
        assert type(obj).objects.filter(pk=obj.pk).exists()


# ---- the demo data, as in the findings ----


def test_weishan_staff_in_the_demo_admin_never_reads_chenzhou_deputies_contacts(client):
    call_command("load_seeds", stdout=io.StringIO(), stderr=io.StringIO())
    tang = Person.objects.get(name="汤欣平")
    tang.phone, tang.email, tang.address = TANG_PHONE, TANG_EMAIL, TANG_ADDRESS
    tang.save()
    weishan_staff = Congress.objects.get(name__startswith="巍山").staff.get(role="staff").user
    assert not weishan_staff.is_superuser
    client.force_login(weishan_staff)
    statuses = []
    for url, response, body in walk(client):
        statuses.append(response.status_code)
        for secret in (TANG_PHONE, TANG_EMAIL, TANG_ADDRESS):
            assert secret not in body, url
        if "/congress/person/" in url or "/congress/handlingunit/" in url:
            assert "汤欣平" not in body and "郴州市人民政府" not in body, url
    assert 500 not in statuses
