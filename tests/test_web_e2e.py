"""End to end in a real headless Chromium (Debian's package, driven by Playwright) against the
live server: the whole lifecycle of a co-signed suggestion, through the pages only.

Screenshots of the main pages go to artifacts/screenshots/ (desktop and phone width).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from suggestions.models import Rating, State, Suggestion

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium "
        "(install it with: apt-get install -y chromium)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

TITLE = "关于加快推进湘粤（临武）电池产业集聚区发展的建议"
REVISED_TITLE = "关于把郴州打造成为“中国电池之都”的建议"


@pytest.fixture(scope="module")
def browser():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Actor:
    """One signed-in person with their own browser context (cookies)."""

    def __init__(self, browser, base_url: str, username: str, *, phone: bool = False):
        viewport = PHONE if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.page.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw-test-123")
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def act(self, action: str) -> None:
        """Press the button of the action form `action` and wait for the next page."""
        with self.page.expect_navigation():
            self.page.click(f"#form-{action} button[type=submit]")


def test_co_signed_suggestion_through_its_whole_lifecycle(browser, live_server, world):
    base = live_server.url

    # 1. The lead deputy drafts a suggestion with a co-signer.
    deputy = Actor(browser, base, "deputy")
    assert deputy.page.url.endswith("/deputy/")
    deputy.page.click("text=起草新建议")
    deputy.page.select_option("#id_session", value=str(world.session.pk))
    deputy.page.fill("#id_title", TITLE)
    deputy.page.fill("#id_topic", "经济发展")
    deputy.page.fill("#id_body", "建议加快推进电池产业集聚区发展。")
    deputy.page.get_by_label("刘杨").check()
    deputy.shot("01-deputy-new-draft")
    with deputy.page.expect_navigation():
        deputy.page.click("main form button[type=submit]")
    suggestion = Suggestion.objects.get(title=TITLE)
    # Submitting waits for the co-signer: the button is disabled and says why.
    assert deputy.page.locator("#form-submit button").is_disabled()
    assert "所有联名代表都须确认联名" in deputy.page.content()
    deputy.shot("02-deputy-draft-waiting-cosigner")

    # 2. The co-signer confirms.
    cosigner = Actor(browser, base, "cosigner")
    cosigner.page.click(f"text={TITLE}")
    cosigner.act("confirm")
    assert "您已确认联名" in cosigner.page.content()

    # 3. The lead deputy submits.
    deputy.page.reload()
    deputy.act("submit")
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED

    # 4. Staff return it for revision with comments.
    staff = Actor(browser, base, "staff")
    assert staff.page.url.endswith("/staff/")
    staff.shot("03-staff-workbench")
    staff.page.click(f"#q-review ~ ul >> text={TITLE}")
    staff.page.click("summary:has-text('退回修改')")
    staff.page.fill("#id_return_for_revision-comments", "请按财经委意见聚焦“中国电池之都”定位。")
    staff.act("return_for_revision")
    suggestion.refresh_from_db()
    assert suggestion.state == State.RETURNED

    # 5. The deputy reads the comments, revises (diff shown) and resubmits.
    deputy.page.goto(f"/deputy/suggestions/{suggestion.pk}/")
    assert "请按财经委意见聚焦" in deputy.page.content()
    deputy.page.fill("#id_edit-title", REVISED_TITLE)
    deputy.page.fill("#id_edit-body", "建议把郴州打造成为“中国电池之都”。")
    deputy.page.fill("#id_edit-reason", "按审查意见修改")
    deputy.act("edit")
    assert deputy.page.locator(".diff ins").count() > 0
    deputy.shot("04-deputy-revision-diff")
    deputy.act("submit")
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED and suggestion.current_version_number == 2

    # 6. Staff register and assign it; the computed due dates are shown before assigning.
    staff.page.goto("/staff/")
    staff.page.click(f"#q-register ~ ul >> text={REVISED_TITLE}")
    staff.act("register")
    assert "交办 " in staff.page.content() and "个月" in staff.page.content()
    staff.page.select_option("#id_assign-lead_unit", label="郴州市人民政府")
    staff.act("assign")
    suggestion.refresh_from_db()
    assert suggestion.state == State.ASSIGNED
    staff.shot("05-staff-assigned")

    # 7. The unit records its contact with the deputy and replies.
    unit = Actor(browser, base, "unit_lead")
    assert unit.page.url.endswith("/unit/")
    unit.shot("06-unit-inbox")
    unit.page.click(f"text={REVISED_TITLE}")
    unit.page.select_option("#id_contact-method", label="当面沟通")
    unit.page.fill("#id_contact-notes", "到临武县当面听取意见")
    unit.act("contact")
    unit.page.get_by_label("B 正在解决或者列入规划逐步解决").check()
    unit.page.fill("#id_reply-text", "市政府已将锂电产业列入规划，正在逐步推进。")
    unit.page.fill("#id_reply-signer", "郴州市人民政府办公室")
    unit.act("reply")
    suggestion.refresh_from_db()
    assert suggestion.state == State.REPLIED
    unit.shot("07-unit-replied")

    # 8. The deputy rates it 不满意: the unit must handle it again.
    deputy.page.goto(f"/deputy/suggestions/{suggestion.pk}/")
    assert "市政府已将锂电产业列入规划" in deputy.page.content()
    deputy.page.get_by_label("不满意", exact=True).check()
    deputy.page.fill("#id_evaluate-comment", "措施不够具体")
    deputy.act("evaluate")
    suggestion.refresh_from_db()
    assert suggestion.state == State.REHANDLING

    # 9. The unit replies again.
    unit.page.goto("/unit/")
    assert "重新办理" in unit.page.content()
    unit.page.click(f"text={REVISED_TITLE}")
    unit.page.get_by_label("A 已经解决或者基本解决").check()
    unit.page.fill("#id_reply-text", "已出台支持锂电新能源全产业链发展的若干措施。")
    unit.page.fill("#id_reply-signer", "郴州市人民政府办公室")
    unit.act("reply")
    suggestion.refresh_from_db()
    assert suggestion.state == State.REPLIED and suggestion.handling_round == 2

    # 10. The deputy rates it 满意: closed.
    deputy.page.goto(f"/deputy/suggestions/{suggestion.pk}/")
    deputy.page.get_by_label("满意", exact=True).check()
    deputy.act("evaluate")
    suggestion.refresh_from_db()
    assert suggestion.state == State.CLOSED
    assert list(suggestion.evaluations.values_list("rating", flat=True)) == [
        Rating.DISSATISFIED,
        Rating.SATISFIED,
    ]
    deputy.shot("08-deputy-closed")

    # 11. Staff publish the second reply.
    staff.page.goto(f"/staff/suggestions/{suggestion.pk}/")
    staff.page.locator("summary:has-text('公开答复')").last.click()
    with staff.page.expect_navigation():
        staff.page.locator("form:has(input[name=publish-reply]) button[type=submit]").last.click()
    assert list(
        suggestion.replies.filter(published_at__isnull=False).values_list("round", flat=True)
    ) == [2]
    staff.page.goto("/staff/dashboard/")
    staff.shot("09-staff-dashboard")

    # 12. The public finds it by search and reads its timeline, on a desktop and a phone.
    for phone in (False, True):
        context = browser.new_context(
            base_url=base,
            viewport=PHONE if phone else {"width": 1280, "height": 900},
            locale="zh-CN",
        )
        page = context.new_page()
        page.goto("/suggestions/?q=电池之都")
        suffix = "phone" if phone else "desktop"
        page.screenshot(path=str(SCREENSHOTS / f"10-public-search-{suffix}.png"), full_page=True)
        page.click(f"text={REVISED_TITLE}")
        assert re.search(rf"/suggestions/{suggestion.pk}/$", page.url)
        timeline = page.locator(".timeline").inner_text()
        for step in ("立案", "交办", "答复", "满意度测评"):
            assert step in timeline, step
        content = page.content()
        assert "已出台支持锂电新能源全产业链发展的若干措施" in content  # published reply
        assert "市政府已将锂电产业列入规划" not in content  # the unpublished first reply
        assert "请按财经委意见聚焦" not in content  # review comments are internal
        page.screenshot(path=str(SCREENSHOTS / f"11-public-detail-{suffix}.png"), full_page=True)
        page.goto("/stats/")
        page.screenshot(path=str(SCREENSHOTS / f"12-public-stats-{suffix}.png"), full_page=True)
        page.goto("/")
        page.screenshot(path=str(SCREENSHOTS / f"00-public-home-{suffix}.png"), full_page=True)
        context.close()

    # A draft's public address is not found.
    draft_deputy = world.deputy
    from suggestions import services

    draft = services.suggestion_create_draft(
        actor=draft_deputy.person.user, lead_deputy=draft_deputy, title="尚未提交的草稿"
    )
    context = browser.new_context(base_url=base)
    response = context.new_page().goto(f"/suggestions/{draft.pk}/")
    assert response.status == 404
    context.close()
    for actor in (deputy, cosigner, staff, unit):
        actor.context.close()
