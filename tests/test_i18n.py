"""The English catalog is complete and correct, and the product speaks English when asked.

Chinese is the default (the msgids are Chinese); English comes from locale/en. The catalog
is parsed here with a small reader of our own because a fresh clone has no gettext tools and
the project does not depend on a .po library; the compiled .mo is read with the stdlib.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from suggestions import services
from suggestions.deadlines import Period, WorkingCalendar, compute_deadline
from tests import lifecycle

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}")
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list of forms), flags.

    Obsolete (#~) entries are skipped; the header (empty msgid) is included."""
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def finish() -> None:
        nonlocal entry, field
        if "msgid" in entry:
            entries.append(entry)
        entry, field = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if "msgid" in entry:
                finish()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            keyword, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                if keyword == "msgstr" or keyword == "msgstr[0]":
                    entry["msgstr"] = []
                entry["msgstr"].append(value)
                field = "msgstr"
            else:
                if keyword == "msgid" and "msgid" in entry:
                    finish()
                entry[keyword] = value
                field = keyword
            entry.setdefault("flags", set())
    finish()
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[dict]:
    entries = read_po(PO_PATH)
    assert len(entries) > 100, "the catalog looks empty"
    return entries


def messages(catalog: list[dict]) -> list[dict]:
    return [e for e in catalog if e["msgid"]]


# ---- (a) the catalog --------------------------------------------------------------------


def test_header_declares_english_and_is_not_fuzzy(catalog):
    header = next(e for e in catalog if e["msgid"] == "")
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    untranslated = [
        e["msgid"] for e in messages(catalog) if not all(s.strip() for s in e["msgstr"])
    ]
    fuzzy = [e["msgid"] for e in messages(catalog) if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms(catalog):
    plurals = [e for e in messages(catalog) if "msgid_plural" in e]
    assert plurals, "the templates use blocktranslate count, so plural entries must exist"
    for entry in plurals:
        assert len(entry["msgstr"]) == 2, entry["msgid"]
        assert entry["msgstr"][0] != entry["msgstr"][1], entry["msgid"]


def test_every_placeholder_survives_translation(catalog):
    for entry in messages(catalog):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, text in enumerate(entry["msgstr"]):
            source = sources[min(index, 1)]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                source,
                text,
            )


def test_no_chinese_is_left_in_the_english_text(catalog):
    leftovers = [e["msgstr"] for e in messages(catalog) if any(map(CHINESE.search, e["msgstr"]))]
    assert leftovers == []


def test_compiled_catalog_matches_the_po_file(catalog):
    # The .mo is committed (a fresh clone cannot compile); it must not lag behind the .po.
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in messages(catalog):
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"][0]
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 5) == entry["msgstr"][1]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


SIMPLE_PY_STRING = re.compile(r'\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*"([^"\\\n]+)"\s*\)')
SIMPLE_TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])([^"'\\]+?)\1""")


def test_every_simple_literal_in_the_code_is_in_the_catalog(catalog):
    # A cheap guard against strings added after the last makemessages run. It only looks at
    # one-line literals, so it never reports a false positive; makemessages sees the rest.
    known = {e["msgid"] for e in catalog}
    base = Path(settings.BASE_DIR)
    sources = [
        p
        for folder in ("congress", "suggestions", "templates")
        for p in (base / folder).rglob("*")
        if p.suffix in {".py", ".html"} and "migrations" not in p.parts
    ]
    missing, checked = set(), 0
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found = SIMPLE_PY_STRING.findall(text) if path.suffix == ".py" else []
        found += [m[1] for m in SIMPLE_TEMPLATE_STRING.findall(text)]
        checked += len(found)
        missing |= {f"{path.relative_to(base)}: {s}" for s in found if s not in known}
    assert checked > 300, "the literal scan found too little to be meaningful"
    assert sorted(missing) == []


# ---- (b) pages in English on request, Chinese by default -----------------------------------


@pytest.mark.django_db
def test_home_page_is_chinese_by_default_and_english_on_request(client, world):
    lifecycle.registered(world, title="关于加快推进电池产业发展的建议")
    chinese = client.get("/").content.decode()
    assert "人大代表建议办理公开平台" in chinese
    assert "Public Platform for Deputy Suggestions" not in chinese

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    english = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert "Public Platform for Deputy Suggestions" in english
    assert "Latest suggestions" in english
    assert "人大代表建议办理公开平台" not in english
    assert "最新建议" not in english
    # User data stays as entered.
    assert "关于加快推进电池产业发展的建议" in english


@pytest.mark.django_db
def test_suggestion_list_in_english_translates_labels_states_and_plurals(client, world):
    lifecycle.registered(world, title="关于第一件事的建议")
    english = client.get("/suggestions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key supervision only" in english
    assert "Handling state" in english
    assert "Registered" in english  # the state badge and the state filter
    assert "1 suggestion<" in english or "1 suggestion " in english
    assert "Lead deputy" in english
    assert "只看重点督办" not in english
    assert "领衔代表" not in english

    lifecycle.registered(world, title="关于第二件事的建议")
    english = client.get("/suggestions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 suggestions" in english

    chinese = client.get("/suggestions/").content.decode()
    assert "只看重点督办" in chinese
    assert "Key supervision only" not in chinese


@pytest.mark.django_db
def test_login_page_in_english_and_chinese(client):
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in ("Log in", "Username", "Password", "The public can read suggestions"):
        assert label in english
    assert "用户名" not in english and "密码" not in english

    chinese = client.get("/accounts/login/").content.decode()
    assert "用户名" in chinese and "密码" in chinese
    assert "Username" not in chinese


@pytest.mark.django_db
def test_language_switch_form_remembers_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/suggestions/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # No Accept-Language header: the cookie alone chooses English from now on.
    english = client.get("/accounts/login/").content.decode()
    assert "Username" in english and "用户名" not in english

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "用户名" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_a_refusal_message_from_a_service_is_english(world):
    draft = lifecycle.draft(world)
    with translation.override("en"), pytest.raises(services.TransitionRefused) as refused:
        services.suggestion_register(suggestion=draft, actor=world.staff)
    message = str(refused.value)
    assert message.startswith(
        "“Register” is not possible: this suggestion is currently “Draft”, "
        "and “Register” is only possible for suggestions in "
    )
    assert "Submitted" in message


# ---- (c) deadline explanations ----------------------------------------------------------


def english_deadline(start: dt.date, period: str, start_label: str | None = None) -> str:
    with translation.override("en"):
        # The holiday names come from the package in the language active when the calendar
        # is built, so build it inside the override.
        calendar_ = WorkingCalendar(overrides={})
        label = _(start_label) if start_label else None
        return compute_deadline(start, period, start_label=label, calendar_=calendar_).explanation


def test_deadline_rolled_past_national_day_reads_in_english():
    assert (
        english_deadline(dt.date(2025, 7, 1), "3m", "交办")
        == "Assignment 2025-07-01 + 3 months = 2025-10-01 (National Day), rolled forward → 2025-10-09"
    )


def test_deadline_on_a_weekend_names_the_weekday_in_english():
    assert (
        english_deadline(dt.date(2022, 1, 10), "3m")
        == "2022-01-10 + 3 months = 2022-04-10 (Sunday), rolled forward → 2022-04-11"
    )


def test_deadline_on_a_working_day_uses_the_singular_for_one_month():
    assert (
        english_deadline(dt.date(2025, 3, 3), "1m")
        == "2025-03-03 + 1 month = 2025-04-03 (Thursday, a working day)"
    )


def test_deadline_in_working_days_in_english():
    # Sun 09-28 is a make-up workday (1), Mon-Tue (2, 3), 10-01..10-08 National Day week off,
    # Thu-Fri 10-09/10 (4, 5), Sat 10-11 make-up workday (6), Mon 10-13 (7).
    assert english_deadline(dt.date(2025, 9, 26), "7wd", "交办") == (
        "Assignment 2025-09-26 + 7 working days "
        "(working day no. 7, not counting holidays and weekends) = 2025-10-13"
    )


def test_deadline_stays_chinese_by_default():
    calendar_ = WorkingCalendar(overrides={})
    explanation = compute_deadline(
        dt.date(2025, 3, 3), "1m", calendar_=calendar_, start_label=_("交办")
    ).explanation
    assert explanation == "交办 2025-03-03 + 1个月 = 2025-04-03（星期四，工作日）"


def test_bad_period_is_reported_in_english():
    with translation.override("en"), pytest.raises(ValueError, match="Unrecognised period “3x”"):
        Period.parse("3x")


# ---- (d) the admin ----------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_in_english_shows_translated_model_and_app_names(client, world):
    world.staff.is_staff = True
    world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)

    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("Congress institutions", "Handling unit", "Deputy", "Suggestion", "Evaluation"):
        assert name in english, name
    for name in ("人大机构", "承办单位", "满意度测评"):
        assert name not in english, name

    lifecycle.registered(world)
    changelist = client.get(
        "/admin/suggestions/suggestion/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Registered" in changelist
    assert "已立案" not in changelist

    chinese = client.get("/admin/").content.decode()
    assert "承办单位" in chinese and "Handling unit" not in chinese
