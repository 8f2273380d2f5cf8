"""One public projection (suggestions/public_projection.py).

A suggestion is driven through its whole lifecycle with confidential data planted in every
field; no public page, public API response, public search or public statistic shows any of
it, in either language, while its public parts do show. Then each finding on its own: the
public search as an oracle for what redaction hides, the timeline's internal text and clerks'
accounts, dates at their precision, and withheld suggestions in the public statistics.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import types

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from congress.models import Person
from suggestions import access, services
from suggestions.models import DatePrecision, Evaluation, Event, SourceArticle, Suggestion
from suggestions.public_projection import refresh_public_texts
from suggestions.search import search_suggestions
from suggestions.selectors import public_suggestions
from tests import lifecycle

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

TITLE = "关于把郴州打造成为中国电池之都的建议"
BODY = "把郴州打造成为中国电池之都。"
DEPUTY_PHONE = "13912345670"
DEPUTY_EMAIL = "tang.private@example.org"
DEPUTY_ADDRESS = "临武县保密路9号"
COSIGNER_PHONE = "13987654321"
COSIGNER_EMAIL = "liu.private@example.org"
COSIGNER_ADDRESS = "北湖区私宅街3号"
REVIEW_COMMENT = "审查意见甲请补充"
RETURN_REASON = "退办理由乙不归我局"
EXTENSION_REASON = "延期理由丙资金未到"
CO_OPINION = "协办意见丁内部口径"
CONTACT_NOTES = "沟通情况戊代表不满"
FIRST_COMMENT = "测评意见己答复敷衍"
FINAL_COMMENT = "二次测评意见庚尚可"
UNPUBLISHED_REPLY = "未公开答复辛内容"
MARKED_PASSAGE = "内部研判意见壬不宜公开"
REPLY_LANDLINE = "0735-7654321"
REPLY_ADDRESS = "北湖区办公街12号"
WITHHELD_TITLE = "关于涉密事项癸的建议"
WITHHOLD_REASON = "涉及国家秘密子"
INTERNAL_ACTIVITY = "内部督办碰头会丑"
STAFF_USERNAME = "cz_clerk_x7"
UNIT_USERNAME = "unit_clerk_k9"
UNIT_FULL_NAME = "王经办"
CO_USERNAME = "co_clerk_m3"
PUBLIC_MERGED_TITLE = "关于电池回收并案办理的建议"
VISIBLE_REPLY = "锂电产业园已开工建设"
REPLY_TEXT = (
    f"{VISIBLE_REPLY}。代表电话{DEPUTY_PHONE}，邮箱{DEPUTY_EMAIL}，住{DEPUTY_ADDRESS}。"
    f"联名代表住{COSIGNER_ADDRESS}，电话{COSIGNER_PHONE}。经办座机{REPLY_LANDLINE}。"
    f"地址：{REPLY_ADDRESS}。\n{MARKED_PASSAGE}\n下一步将出台支持措施。"
)

CONFIDENTIAL = [
    DEPUTY_PHONE,
    DEPUTY_EMAIL,
    DEPUTY_ADDRESS,
    COSIGNER_PHONE,
    COSIGNER_EMAIL,
    COSIGNER_ADDRESS,
    REVIEW_COMMENT,
    RETURN_REASON,
    EXTENSION_REASON,
    CO_OPINION,
    CONTACT_NOTES,
    FIRST_COMMENT,
    FINAL_COMMENT,
    UNPUBLISHED_REPLY,
    MARKED_PASSAGE,
    REPLY_LANDLINE,
    REPLY_ADDRESS,
    WITHHELD_TITLE,
    WITHHOLD_REASON,
    INTERNAL_ACTIVITY,
    STAFF_USERNAME,
    UNIT_USERNAME,
    UNIT_FULL_NAME,
    CO_USERNAME,
]
# The contact record's method, in each language (the public sees that a contact happened).
CONTACT_METHOD = {"zh-hans": "现场协商", "en": "On-site consultation"}


@pytest.fixture(autouse=True)
def site_language():
    # A request in English leaves English active in this thread: each test here starts, and
    # leaves the next one, in the site's language (the services write their texts in it).
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _rename(user, username: str, first_name: str = "") -> None:
    user.username, user.first_name, user.last_name = username, first_name, ""
    user.save()


@pytest.fixture
def case(world):
    """The suggestion, driven from draft to completed with secrets in every field."""
    _rename(world.staff, STAFF_USERNAME)
    _rename(world.lead_unit_user, UNIT_USERNAME, UNIT_FULL_NAME)
    _rename(world.co_unit_user, CO_USERNAME)
    for deputy, phone, email, address in (
        (world.deputy, DEPUTY_PHONE, DEPUTY_EMAIL, DEPUTY_ADDRESS),
        (world.cosigner, COSIGNER_PHONE, COSIGNER_EMAIL, COSIGNER_ADDRESS),
    ):
        person = deputy.person
        person.phone, person.email, person.address = phone, email, address
        person.save()
    deputy = world.deputy.person.user
    staff = world.staff

    suggestion = services.suggestion_create_draft(
        actor=deputy,
        lead_deputy=world.deputy,
        title=TITLE,
        body="初稿正文",
        session=world.session,
        cosigners=[world.cosigner],
    )
    services.cosigner_confirm(suggestion=suggestion, actor=world.cosigner.person.user)
    services.suggestion_submit(suggestion=suggestion, actor=deputy)
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=staff, comments=REVIEW_COMMENT
    )
    services.suggestion_update_draft(suggestion=suggestion, actor=deputy, title=TITLE, body=BODY)
    services.suggestion_submit(suggestion=suggestion, actor=deputy)
    services.suggestion_register(suggestion=suggestion, actor=staff)
    # As the seeds record a filing date the articles give to the month.
    suggestion.filed_on, suggestion.filed_precision = dt.date(2023, 1, 1), DatePrecision.MONTH
    suggestion.save(update_fields=["filed_on", "filed_precision"])

    withheld = lifecycle.registered(world, title=WITHHELD_TITLE, body="涉密正文")
    services.suggestion_withhold(suggestion=withheld, actor=staff, reason=WITHHOLD_REASON)
    services.suggestion_merge(suggestion=withheld, actor=staff, target=suggestion)
    merged = lifecycle.registered(world, title=PUBLIC_MERGED_TITLE, body="回收正文")
    services.suggestion_merge(suggestion=merged, actor=staff, target=suggestion)

    def assign():
        services.suggestion_assign(
            suggestion=suggestion,
            actor=staff,
            lead_unit=world.lead_unit,
            co_units=[world.co_unit],
        )
        return suggestion.assignments.get(unit=world.lead_unit, status="active")

    lead = assign()
    services.suggestion_reassign(
        suggestion=suggestion, actor=staff, assignment=lead, reason=RETURN_REASON
    )
    lead = assign()
    services.assignment_extend(assignment=lead, actor=staff, reason=EXTENSION_REASON)
    co = suggestion.assignments.get(unit=world.co_unit, status="active")
    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text=CO_OPINION)
    services.contact_record(
        assignment=lead,
        actor=world.lead_unit_user,
        method="site_visit",
        contacted_on=dt.date.today(),
        notes=CONTACT_NOTES,
    )
    plan = services.supervision_plan_create(
        actor=staff, congress=world.congress, theme="锂电产业发展重点督办", suggestions=[suggestion]
    )
    services.supervision_activity_log(
        plan=plan,
        actor=staff,
        kind="research",
        title="赴临武调研锂电产业",
        date=dt.date(2023, 1, 1),
        date_precision=DatePrecision.MONTH,
    )
    services.supervision_activity_log(
        plan=plan,
        actor=staff,
        kind="forum",
        title=INTERNAL_ACTIVITY,
        date=dt.date(2023, 2, 1),
        is_public=False,
    )
    first = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="B",
        text=REPLY_TEXT,
        signer="市长",
    )
    services.reply_publish(reply=first, actor=staff, redactions=MARKED_PASSAGE)
    services.suggestion_evaluate(
        suggestion=suggestion, actor=deputy, rating="dissatisfied", comment=FIRST_COMMENT
    )
    services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="C",
        text=UNPUBLISHED_REPLY,
        signer="市长",
    )
    services.suggestion_evaluate(
        suggestion=suggestion, actor=deputy, rating="basically_satisfied", comment=FINAL_COMMENT
    )
    services.outcome_record(
        suggestion=suggestion,
        actor=staff,
        kind="policy",
        title="支持锂电产业发展的若干措施",
        issuing_body="湖南省人民政府",
        date=dt.date(2023, 3, 1),
        date_precision=DatePrecision.MONTH,
    )
    services.suggestion_start_follow_up(suggestion=suggestion, actor=staff, reason="列入跟踪落实")
    services.suggestion_complete(suggestion=suggestion, actor=staff, findings="承诺事项已落实")
    suggestion.refresh_from_db()
    assert suggestion.state == "completed"
    return suggestion


def text_of(response) -> str:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def public_bodies(suggestion, language: str) -> dict[str, str]:
    """Every public page and public API response about `suggestion`, in `language`."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    pk, congress, session = suggestion.pk, suggestion.congress_id, suggestion.session_id
    urls = {
        "detail page": f"/suggestions/{pk}/",
        "list page": "/suggestions/",
        "list page searched": "/suggestions/?q=电池之都",
        "home page": "/",
        "stats page": "/stats/",
        "API detail": f"/api/v1/suggestions/{pk}/",
        "API list": "/api/v1/suggestions/",
        "API list searched": "/api/v1/suggestions/?search=电池之都",
        "API timeline": f"/api/v1/suggestions/{pk}/timeline/",
        "API replies": f"/api/v1/suggestions/{pk}/replies/",
        "API outcomes": f"/api/v1/suggestions/{pk}/outcomes/",
        "API congress statistics": f"/api/v1/statistics/congresses/{congress}/",
        "API session statistics": f"/api/v1/statistics/sessions/{session}/",
        "API unit statistics": f"/api/v1/statistics/congresses/{congress}/units/",
    }
    return {name: text_of(client.get(url)) for name, url in urls.items()}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_nothing_confidential_reaches_any_public_page_or_response(case, language):
    bodies = public_bodies(case, language)
    for name, body in bodies.items():
        for secret in [*CONFIDENTIAL, CONTACT_METHOD[language]]:
            assert secret not in body, (name, secret)
    assert TITLE in bodies["list page searched"] and TITLE in bodies["API list searched"]


@pytest.mark.parametrize(
    "language, ratings, months",
    [
        ("zh-hans", ["不满意", "基本满意"], ["2023年1月", "2023年3月"]),
        ("en", ["Dissatisfied", "Basically satisfied"], ["January 2023", "March 2023"]),
    ],
)
def test_the_public_parts_are_shown(case, language, ratings, months):
    bodies = public_bodies(case, language)
    page, api = bodies["detail page"], json.loads(bodies["API detail"])
    for body in (page, bodies["API timeline"]):
        for rating in ratings:
            assert rating in body
    for text in (VISIBLE_REPLY, "下一步将出台支持措施", "郴州市人民政府", "郴州高新区"):
        assert text in page and text in bodies["API detail"], text
    assert PUBLIC_MERGED_TITLE in page  # a public suggestion merged into this one is named
    assert [link["suggestion"]["name"] for link in api["links"]] == [PUBLIC_MERGED_TITLE]
    for month in months:  # the filing date, the activity and the outcome, at month precision
        assert month in page
    assert "2023-01-01" not in page and "2023-03-01" not in page
    assert (api["filed_on"], api["filed_precision"], api["filed_display"]) == (
        "2023-01-01",
        "month",
        "2023-01",
    )
    assert api["outcomes"][0]["date_display"] == "2023-03"
    activity = api["supervision_plans"][0]["activities"]
    assert [(a["title"], a["date_display"]) for a in activity] == [
        ("赴临武调研锂电产业", "2023-01")
    ]
    [row] = [r for r in json.loads(bodies["API list"])["results"] if r["id"] == case.pk]
    assert (row["filed_precision"], row["filed_display"]) == ("month", "2023-01")


# ---- Finding 1: the public search is no oracle for what redaction hides ----


def public_search(term: str) -> set[str]:
    return set(search_suggestions(public_suggestions(), term).values_list("title", flat=True))


def test_page_and_api_search_do_not_find_what_the_page_masks(case, client):
    api = APIClient()
    for term in (DEPUTY_PHONE, REPLY_LANDLINE, DEPUTY_ADDRESS, COSIGNER_ADDRESS, REPLY_ADDRESS):
        page = client.get("/suggestions/", {"q": term})
        assert list(page.context["rows"]) == [], term
        assert api.get("/api/v1/suggestions/", {"search": term}).json()["count"] == 0, term


def test_no_substring_of_a_marked_passage_is_found(case):
    substrings = {
        MARKED_PASSAGE[i:j]
        for i in range(len(MARKED_PASSAGE))
        for j in range(i + 2, len(MARKED_PASSAGE) + 1)
    }
    assert {term for term in substrings if public_search(term)} == set()
    for term in (DEPUTY_EMAIL, DEPUTY_PHONE[:7], "7654321", "办公街"):
        assert public_search(term) == set(), term


def test_visible_words_of_the_redacted_reply_are_found(case, client):
    assert public_search(VISIBLE_REPLY) == {TITLE}
    assert public_search("支持措施 产业园") == {TITLE}
    page = client.get("/suggestions/", {"q": "支持措施"})
    assert [s.title for s, _steps in page.context["rows"]] == [TITLE]


def test_staff_internal_search_still_finds_the_hidden_terms(case, world):
    staff = APIClient()
    staff.force_login(world.staff)
    for term in (DEPUTY_PHONE, REPLY_LANDLINE, DEPUTY_ADDRESS, MARKED_PASSAGE[2:6]):
        found = search_suggestions(
            Suggestion.objects.all(), term, scope=access.search_scope(world.staff)
        )
        assert TITLE in set(found.values_list("title", flat=True)), term
        rows = staff.get("/api/v1/workspace/suggestions/", {"search": term}).json()["results"]
        assert TITLE in {row["title"] for row in rows}, term


def test_new_contact_details_of_a_deputy_leave_the_searchable_text(world):
    new_email = "tang.new@example.org"
    suggestion = lifecycle.replied(
        world, title="关于公交线路的建议", reply_text=f"已函复{new_email}"
    )
    services.reply_publish(reply=suggestion.replies.get(), actor=world.staff)
    assert public_search(new_email) == {"关于公交线路的建议"}  # not (yet) a contact detail
    person = Person.objects.get(pk=world.deputy.person_id)
    person.email = new_email  # as the admin's change form saves it
    person.save()
    assert public_search(new_email) == set()
    assert new_email not in suggestion.replies.get().public_text


def test_redactions_or_withholding_edited_in_the_admin_change_the_searchable_text(world, client):
    suggestion = lifecycle.replied(
        world, title="关于道路照明的建议", reply_text="路灯已安装。内部说明。"
    )
    reply = suggestion.replies.get()
    services.reply_publish(reply=reply, actor=world.staff)
    assert public_search("内部说明") == {"关于道路照明的建议"}
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    url = f"/admin/suggestions/reply/{reply.pk}/publish/"
    response = client.post(url, {"redactions": "内部说明。"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert public_search("内部说明") == set()
    assert public_search("路灯") == {"关于道路照明的建议"}
    client.post(url, {"redactions": "内部说明。", "withheld": "on"})
    assert public_search("路灯") == set()


def test_the_migration_fills_the_public_text_of_published_replies(world):
    migration = importlib.import_module("suggestions.migrations.0008_public_projection")
    person = world.deputy.person
    person.phone = DEPUTY_PHONE
    person.save()
    suggestion = lifecycle.replied(
        world, reply_text=f"已答复。电话{DEPUTY_PHONE}。{MARKED_PASSAGE}", publish=False
    )
    reply = suggestion.replies.get()
    services.reply_publish(reply=reply, actor=world.staff, redactions=MARKED_PASSAGE)
    expected = type(reply).objects.get(pk=reply.pk).public_text
    type(reply).objects.filter(pk=reply.pk).update(public_text="")  # as before the migration
    from django.apps import apps

    migration.fill_public_texts(apps, types.SimpleNamespace(connection=connection))
    assert type(reply).objects.get(pk=reply.pk).public_text == expected
    assert expected.startswith("已答复。") and DEPUTY_PHONE not in expected
    assert MARKED_PASSAGE not in expected
    assert refresh_public_texts(type(reply).objects.all()) == 0  # services agree


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize(
    "term, index, document_index",
    [
        ("产业园", "reply_public_text_trgm", "search_document_trgm"),
        ("园已", "reply_public_text_bigrams", "search_document_bigrams"),
    ],
)
def test_public_reply_search_is_served_by_its_indexes(world, case, term, index, document_index):
    # The public reads the search documents (tests/test_search_documents.py); a signed-in
    # reader's search matches the published texts themselves.
    assert document_index in plan_of(search_suggestions(Suggestion.objects.all(), term))
    scope = access.search_scope(world.staff)
    assert index in plan_of(search_suggestions(Suggestion.objects.all(), term, scope=scope))


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# ---- Finding 2: the timeline shows public text, bodies as actors ----


def timeline(suggestion, language="zh-hans") -> list[dict]:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    return client.get(f"/api/v1/suggestions/{suggestion.pk}/timeline/").json()


def test_timeline_shows_each_step_without_its_internal_text(case):
    steps = {(e["action"], e["reason"]) for e in timeline(case)}
    assert ("evaluate", "不满意") in steps and ("evaluate", "基本满意") in steps
    assert ("extend", "") in steps and ("reassign", "") in steps
    assert ("contact", "") in steps and ("merge_in", "") in steps
    assert ("register", "编号：第1号") in steps
    assert ("complete", "承诺事项已落实") in steps


def test_timeline_names_bodies_and_deputies_never_accounts(case):
    actors = {}
    for event in timeline(case):
        actors.setdefault(event["action"], set()).add(event["actor_name"])
    assert actors["register"] == {"人大常委会代表工作机构"}
    assert actors["reply"] == actors["contact"] == {"郴州市人民政府"}
    assert actors["evaluate"] == actors["submit"] == {"汤欣平"}
    english = {e["action"]: e["actor_name"] for e in timeline(case, "en")}
    assert english["register"] == "Standing-committee deputy affairs office"


def test_an_evaluation_stores_its_rating_in_the_event_and_its_comment_apart(world):
    suggestion = lifecycle.replied(world)
    services.suggestion_evaluate(
        suggestion=suggestion,
        actor=world.deputy.person.user,
        rating="satisfied",
        comment=FIRST_COMMENT,
    )
    assert suggestion.events.get(action="evaluate").reason == "满意"
    assert Evaluation.objects.get(suggestion=suggestion).comment == FIRST_COMMENT


@pytest.mark.parametrize("stored", ["不满意：旧意见寅", "Dissatisfied: 旧意见寅"])
def test_old_evaluation_events_show_the_rating_only(world, client, stored):
    suggestion = lifecycle.evaluated(world)
    Event.objects.create(
        suggestion=suggestion, action="evaluate", action_label="满意度测评", reason=stored
    )
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    reasons = [e["reason"] for e in timeline(suggestion) if e["action"] == "evaluate"]
    assert reasons == ["满意", "不满意"]
    assert "旧意见寅" not in page and "不满意" in page


# ---- Dates at their precision ----


def test_historical_steps_and_reviews_keep_their_precision(world, client):
    suggestion = lifecycle.registered(world)
    article = SourceArticle.objects.create(key="article", title="某报道")
    Event.objects.create(
        suggestion=suggestion,
        action="filed",
        action_label="提交建议",
        actor_name="临武代表团",
        reason="据报道提交",
        date=dt.date(2023, 1, 1),
        date_precision=DatePrecision.MONTH,
        source=article,
    )
    suggestion.follow_up_reviews.create(
        date=dt.date(2024, 1, 1), date_precision=DatePrecision.YEAR, findings="已落实"
    )
    page = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    assert "2023年1月" in page and "2024年" in page
    assert "2023-01-01" not in page and "2024-01-01" not in page
    english = client.get(f"/suggestions/{suggestion.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "January 2023" in english.content.decode()
    [filed] = [e for e in timeline(suggestion) if e["action"] == "filed"]
    assert (filed["date_display"], filed["when_display"]) == ("2023-01", "2023-01")
    assert (filed["reason"], filed["actor_name"]) == ("据报道提交", "临武代表团")
    detail = APIClient().get(f"/api/v1/suggestions/{suggestion.pk}/").json()
    review = detail["follow_up_reviews"][0]
    assert (review["date"], review["date_precision"], review["date_display"]) == (
        "2024-01-01",
        "year",
        "2024",
    )


# ---- Finding 3: public statistics count public suggestions only ----


@pytest.fixture
def counted(world):
    lifecycle.replied(world, title="公开的建议", category="B")
    withheld = lifecycle.evaluated(world, title="不公开的建议", category="A")
    services.suggestion_withhold(suggestion=withheld, actor=world.staff, reason="个人隐私")
    lifecycle.draft(world, title="草稿")
    return world


def test_public_statistics_leave_out_withheld_suggestions_and_drafts(counted, client):
    congress, session = counted.congress, counted.session
    overall = client.get("/stats/").context["blocks"][0]["overall"]
    api = APIClient()
    figures = [
        overall,
        api.get(f"/api/v1/statistics/congresses/{congress.pk}/").json(),
        api.get(f"/api/v1/statistics/sessions/{session.pk}/").json(),
    ]
    for stats in figures:
        get = stats.get if isinstance(stats, dict) else lambda name, s=stats: getattr(s, name)
        assert (get("registered"), get("assigned"), get("replied")) == (1, 1, 1)
        assert dict(get("categories")) == {"A": 0, "B": 1, "C": 0, "D": 0}
        assert get("no_feedback") == 0
    assert overall.satisfaction_first_round.denominator == 0
    units = api.get(f"/api/v1/statistics/congresses/{congress.pk}/units/").json()
    assert {row["scope_name"]: row["assigned"] for row in units}["郴州市人民政府"] == 1
    unit = api.get(f"/api/v1/statistics/units/{counted.lead_unit.pk}/").json()
    assert (unit["assigned"], unit["replied"]) == (1, 1)


def test_staff_dashboard_counts_every_suggestion_of_the_congress(counted, client):
    client.force_login(counted.staff)
    block = client.get("/staff/dashboard/").context["blocks"][0]
    overall = block["overall"]
    assert (overall.registered, overall.assigned, overall.replied) == (2, 2, 2)
    assert overall.categories == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert overall.satisfaction_first_round.denominator == 1
    assert {row.scope_name: row.assigned for row in block["units"]}["郴州市人民政府"] == 2
