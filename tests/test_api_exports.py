"""Ledger (台账) exports: XLSX and CSV, staff only, streamed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from rest_framework.test import APIClient

from suggestions.ledger import inert, ledger_headers
from tests import lifecycle
from tests.factories import CongressFactory, CongressStaffFactory

HEADERS = [
    "会议",
    "建议编号",
    "标题",
    "领衔代表",
    "代表团",
    "类别",
    "提出日期",
    "状态",
    "重点督办",
    "承办单位",
    "承办方式",
    "交办状态",
    "交办日期",
    "办理期限",
    "是否延期",
    "答复类别",
    "答复日期",
    "是否按期答复",
    "满意度测评",
]


@pytest.fixture
def ledger_world(world):
    lifecycle.evaluated(
        world,
        title="关于电池之都的建议",
        co_unit=True,
        category="B",
        assigned_on=dt.date(2024, 1, 10),
    )
    lifecycle.registered(world, title="关于古民居的建议")
    lifecycle.draft(world, title="草稿不进台账")
    return world


def staff_client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.staff)
    return client


def content_of(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse | FileResponse)
    return b"".join(response.streaming_content)


def test_headers_are_chinese_and_complete():
    assert ledger_headers() == HEADERS


def test_session_ledger_xlsx(ledger_world):
    world = ledger_world
    response = staff_client(world).get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(response)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    body = [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]
    assert [(r["标题"], r["承办单位"], r["承办方式"]) for r in body] == [
        ("关于电池之都的建议", "郴州市人民政府", "主办"),
        ("关于电池之都的建议", "郴州高新区", "协办"),
        ("关于古民居的建议", None, None),
    ]
    first = body[0]
    assert first["建议编号"] == 1 and first["领衔代表"] == "汤欣平"
    assert first["交办日期"] == dt.datetime(2024, 1, 10)  # a real date cell
    assert first["办理期限"] == dt.datetime(2024, 4, 10)
    assert first["答复类别"] == "B" and first["是否按期答复"] == "否"
    assert first["满意度测评"] == "满意" and first["状态"] == "已办结"
    assert body[2]["状态"] == "已立案"


def test_session_ledger_csv_has_bom_and_iso_dates(ledger_world):
    world = ledger_world
    response = staff_client(world).get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.csv")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    raw = content_of(response)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 4
    assert rows[1][HEADERS.index("交办日期")] == "2024-01-10"


def test_unit_ledger_has_only_that_units_rows(ledger_world):
    world = ledger_world
    response = staff_client(world).get(f"/api/v1/exports/units/{world.co_unit.pk}/ledger.csv")
    rows = list(csv.reader(io.StringIO(content_of(response).decode("utf-8-sig"))))
    assert [(r[2], r[9]) for r in rows[1:]] == [("关于电池之都的建议", "郴州高新区")]


def test_only_staff_of_that_congress_may_export(ledger_world):
    world = ledger_world
    url = f"/api/v1/exports/sessions/{world.session.pk}/ledger.xlsx"
    assert APIClient().get(url).status_code == 401
    for user in (world.deputy.person.user, world.lead_unit_user, world.leader):
        client = APIClient()
        client.force_authenticate(user)
        assert client.get(url).status_code == 403
    elsewhere = CongressStaffFactory(congress=CongressFactory(name="巍山县人民代表大会")).user
    client = APIClient()
    client.force_authenticate(elsewhere)
    response = client.get(url)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert (
        staff_client(world)
        .get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.pdf")
        .status_code
        == 404
    )


# ---- formula injection: text that a spreadsheet would run stays text ----

HOSTILE_TITLES = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
]


@pytest.fixture
def hostile_world(world):
    for title in HOSTILE_TITLES:
        lifecycle.registered(world, title=title)
    lifecycle.registered(world, title="关于古民居的建议")
    return world


def test_xlsx_writes_formula_like_titles_as_quoted_text(hostile_world):
    world = hostile_world
    response = staff_client(world).get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content_of(response))).active
    column = HEADERS.index("标题") + 1
    cells = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
    assert [cell.value for cell in cells] == [f"'{t}" for t in HOSTILE_TITLES] + [
        "关于古民居的建议"
    ]
    assert {cell.data_type for cell in cells} == {"s"}  # strings, not formulas ("f")


def test_csv_writes_formula_like_titles_as_quoted_text(hostile_world):
    world = hostile_world
    response = staff_client(world).get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.csv")
    rows = list(csv.reader(io.StringIO(content_of(response).decode("utf-8-sig"), newline="")))
    titles = [row[HEADERS.index("标题")] for row in rows[1:]]
    assert titles == [f"'{t}" for t in HOSTILE_TITLES] + ["关于古民居的建议"]


def test_every_formula_trigger_is_neutralised_and_nothing_else():
    # Titles are stripped when saved, so a leading tab or CR is checked here directly.
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1"):
        assert inert(text) == "'" + text
    for value in ("关于=的建议", "a-b", "", -1, 2.5, None, dt.date(2025, 1, 1)):
        assert inert(value) == value
