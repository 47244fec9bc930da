"""What a reviewer reads is Chinese and readable: labels (no field paths, no English keys),
money, the duplicate comparison's patents and drivers, rules as tooltips, reason codes
pre-filled for any code, the queue's names and overdue items, a sideways scan shown upright,
model cards rendered and metrics as tables."""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.web import labels, present
from tests.api.web_helpers import sign_in
from training.pages_data import make_finding, make_form, make_report, seed_realistic
from screening.codes import CODES
from screening.parsing import parse_submission

PASSWORD = "correct-horse-42"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
ASCII_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]]*$")  # a key or a path, not a label


@pytest.fixture
def web(app, store):
    app.state.users.hasher = FAST
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        sign_in(c, "", "wang", PASSWORD)
        yield c


def cells(html: str, tag: str) -> list[str]:
    """The text of every <tag> element (tags inside stripped)."""
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, flags=re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found]


def english_labels(html: str) -> list[str]:
    """Row and field labels (<th>, <dt>) that are an English key or a raw path."""
    return [t for tag in ("th", "dt") for t in cells(html, tag) if t and ASCII_WORD.match(t)]


# ---------------------------------------------------------------- labels (no database)
@pytest.mark.parametrize("path, label", [
    ("documents[1].file", "第2份文件"),
    ("documents[0].kind", "第1份文件的文件类型"),
    ("documents", "上传文件"),
    ("product.patents[1].number", "第2项专利的专利号"),
    ("product.patents[0]", "第1项专利"),
    ("product.models[2]", "第3个规格型号"),
    ("product.industry", "所属行业"),
    ("product.industry.code", "所属行业代码"),
    ("entity.figures_wan.operating_revenue", "单位年度营业收入总额（万元）"),
    ("product.no_such_field", "产品"),          # an unknown tail: its nearest known parent
    ("no_such.thing", "表单其他字段"),
    (None, "整体"),
])
def test_field_paths_read_in_chinese(path, label):
    assert labels.field_label(path) == label


def test_every_form_row_has_a_chinese_label_and_money_reads_with_separators():
    form = make_form("X-1", "product", datetime.now(timezone.utc))
    form["entity"]["figures_wan"]["operating_revenue"] = 98085900.0
    rows = present.form_rows(form, {})
    assert rows and all(present.has_cjk(r["label"]) for r in rows), [r["label"] for r in rows if not present.has_cjk(r["label"])]
    values = {r["path"]: r["value"] for r in rows}
    assert values["product.industry"] == "C3851 家用制冷电器具制造"
    assert values["entity.figures_wan.operating_revenue"] == "98,085,900.00"
    assert values["product.figures_wan.sales"] == "2,300.00"


def test_what_the_readers_read_has_chinese_labels_and_values():
    from screening.validators.uscc import validate_uscc

    extracted = {
        "uscc": validate_uscc("91440300MA5H3E0T3W").to_dict(),
        "business_licence": {"uscc_status": "ok", "uscc": {"value": "91440300MA5H3E0T3W", "confidence": 0.9},
                             "rotation": 90},
        "profit_statement": {"file": "s.png", "operating_revenue_yuan": 98085900.0, "unit": "元", "period_year": 2025,
                             "period_full_year": True, "sealed": False, "seal_box": None, "boxes": {},
                             "seal_kind": "purpose", "seal_text": "某某有限公司合同专用章"},
        "files": {"s.png": {"document": "profit_statement", "detected": "png", "size": 10}},
        "text_feedback_dropped": [{"code": "NAME_ADJECTIVE"}],
    }
    tables = present.extracted_tables(extracted)
    titles = [t["title"] for t in tables]
    assert titles == ["统一社会信用代码校验", "营业执照", "利润表"]
    for t in tables:
        for r in t["rows"]:
            assert present.has_cjk(r["label"]), r
            assert not (isinstance(r["value"], str) and re.fullmatch(r"[a-z_]+", r["value"])), r  # no bare "ok"
    rows = {r["label"]: r["value"] for t in tables for r in t["rows"]}
    assert rows["代码识别状态"] == "识别无误" and rows["校验结果"] == "通过"
    assert rows["营业收入（元）"] == "98,085,900.00元" and rows["报表年度"] == 2025 and rows["红色印章"] == "未发现"
    assert rows["页面旋转"] == "已按逆时针旋转90°读取"
    assert rows["印章种类"] == "其他专用章" and rows["印章文字"] == "某某有限公司合同专用章"


def test_a_rule_sentence_is_kept_and_an_internal_rule_id_is_not():
    f = [{"code": "ENTITY_FIGURES_INCONSISTENT", "severity": "medium", "message": "…", "field": None,
          "evidence": {"rule": "non_negative"}},
         {"code": "LICENCE_EXPIRED", "severity": "block", "message": "…", "field": None,
          "evidence": {"rule": "营业执照必须在有效期内"}}]
    shown = present.shown_findings(f, {})
    assert shown[0].rule is None and shown[1].rule == "营业执照必须在有效期内"


def test_overdue_says_so():
    fri = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    nine = present.age_of("product", fri, fri + timedelta(days=13))  # 9 working days against 3–5
    assert nine.working_days == 9 and nine.overdue and nine.verdict == "已超期 4 个工作日"
    assert present.reason_title("TIME_PRESSURE", nine) == "已超期4个工作日"
    five = present.age_of("product", fri, fri + timedelta(days=7))
    assert not five.overdue and five.verdict == "今日到期"
    assert present.reason_title("TIME_PRESSURE", five) == "审核时限临近"


def test_rotation_turns_the_page_and_keeps_the_boxes_in_original_pixels():
    assert present.rotate_transform(0, 874, 1240) == ""
    assert present.rotate_transform(90, 874, 1240) == "translate(0 874) rotate(-90)"
    assert present.rotate_transform(270, 874, 1240) == "translate(1240 0) rotate(90)"
    assert present.rotation_of({"business_licence": {"rotation": 270}}, "business_licence") == 270
    assert present.rotation_of({"business_licence": {"rotation": 45}}, "business_licence") == 0


def test_what_produced_a_finding_reads_in_chinese():
    assert labels.source_label("rules") == "规则检查"
    assert labels.source_label("name-tagger@2026.11.1") == "模型 name-tagger@2026.11.1"


def test_duplicate_side_values_read_in_chinese():
    from api.web import compare

    assert compare.side_value("stage", "annual_update") == "年度更新"
    assert compare.side_value("document", "product_photo") == "产品照片"
    assert compare.side_value("kind", "rendering") == "效果图"
    assert compare.side_value("product_name", "电冰箱") == "电冰箱"


def test_metrics_are_tables_not_json():
    view = labels.metrics_view({"test": {"precision": 1.0, "recall": 0.99,
                                         "by_kind": {"variant": {"n": 5, "accuracy": 1.0},
                                                     "random": {"n": 3, "accuracy": 0.5}}}})
    (outer,) = view
    (test_row,) = outer["rows"]
    assert test_row["label"] == "测试集"
    inner = labels.metrics_view(test_row["sub"])[0]["rows"]
    assert [r["label"] for r in inner] == ["按类型", "精确率", "召回率"]
    grid = labels.metrics_view(inner[0]["sub"])[0]
    assert grid["cols"] == ["样本数", "准确率"] and grid["grid"][0] == ("random", [3, 0.5])


# ---------------------------------------------------------------- the pages
def test_the_submission_page_has_no_english_labels(web, store):
    seeded = seed_realistic(store)
    for sid in (seeded["top"], seeded["next"]):
        html = web.get(f"/submissions/{sid}").text
        assert english_labels(html) == [], sid
        for raw in ("product.industry", "documents[", ">ok<", ">valid<", ">authority<", ">period_year<", ">sealed<",
                    ">stage<", ">product<"):
            assert raw not in html, (sid, raw)


def test_the_duplicate_comparison_lists_both_filings_patents_and_the_drivers(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['top']}").text
    dup = html.split('class="dups"')[1].split("</section>")[0]
    assert "<th>备案阶段</th><td>产品备案</td><td>产品备案</td>" in dup
    patents = dup.split('class="patents')[1].split("</tr>")[0]
    assert patents.count('<mark title="双方均列出此专利">CN201710601862.3</mark>') == 2  # listed by both
    assert "决定相似度的因素" in dup
    drivers = cells(dup.split('class="drivers"')[1].split("</ul>")[0], "li")
    assert drivers[:2] == ["提高 全文语义相似度 × 型号相同", "提高 有相同的专利 × 名称、型号或照片相似"]
    assert "降低 同一申报单位" in drivers
    assert "产品照片相同或近似" in dup  # the signals, in Chinese


def test_a_finding_shows_its_rule_as_a_tooltip(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['top']}").text
    finding = html.split('data-code="LICENCE_USCC_MISMATCH"')[1].split("</article>")[0]
    assert 'title="依据：营业执照中显示的统一社会信用代码应当与在平台上填写的一致"' in finding


def test_reason_codes_are_pre_filled_for_every_code(web, store):
    sid = "2026-P-000777"
    findings = [make_finding(code, None, "示例", {}, 0.8) for code in CODES]
    store.record_screening(parse_submission(make_form(sid, "product", datetime.now(timezone.utc))), {},
                           make_report(sid, findings, 50.0), actor="tests")
    html = web.get(f"/submissions/{sid}").text
    checked = set(re.findall(r'name="reason_codes" value="(\w+)" checked', html))
    want = {c for c, (sev, _) in CODES.items() if sev.value != "info"}
    assert checked == want and want


def test_money_on_the_page_reads_with_separators(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['next']}").text
    assert "填写的营业收入68,905,000.00万元" in html  # the finding's message
    assert "<td>68,905,000.00</td>" in html  # the form row (its label says 万元)
    assert "68,905,000.00元" in html  # what the statement said
    assert 'class="suggestion">6,890.50万元<' in html
    assert "e+" not in html


def test_a_sideways_licence_is_shown_upright_with_its_boxes_on_the_text(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['next']}").text
    doc = html.split('data-kind="business_licence"')[1].split("</figure>")[0]
    # the upload is 874 wide, 1240 high; read turned 90° back: shown 1240 wide, 874 high
    assert 'viewBox="0 0 1240 874"' in doc and 'transform="translate(0 874) rotate(-90)"' in doc
    assert 'width="874" height="1240"' in doc  # the image in its own pixels, inside the turn
    x0, y0, x1, y1 = seeded["turned_box"]
    assert f'<rect class="box read" x="{float(x0)}" y="{float(y0)}"' in doc
    assert "data-zoom" in doc and "data-rotate" in doc
    css = web.get("/static/app.css").text
    assert re.search(r"rect\.box \{ fill: none;", css)  # outlined, not filled over the text


def test_the_queue_names_who_filed_what_and_says_overdue(web, store):
    seeded = seed_realistic(store)
    html = web.get("/queue").text
    rows = {sid: html.split(f'<tr data-href="/submissions/{sid}?')[1].split("</tr>")[0] for sid in seeded["ids"]}
    assert "广州市穗新材料科技有限公司" in rows[seeded["next"]]
    assert "深圳市雄楚速通国际物流有限公司 · 雄楚家用电冰箱" in rows[seeded["top"]]
    overdue = rows[seeded["overdue"]]
    assert "已超期" in overdue and "审核时限临近" not in overdue
    assert english_labels(html) == []


def test_the_models_page_renders_the_card_safely_and_metrics_as_tables(app, store, settings):
    from models.base import Manifest
    from models.registry import Registry

    trained = settings.data_dir / "trained"
    trained.mkdir()
    (trained / "card.md").write_text("# 重复备案判别模型\n\n- 用途：判断**同一产品**\n\n<script>alert(1)</script>\n\n"
                                     "[链接](javascript:alert(1))\n", encoding="utf-8")
    Manifest(name="pair-scorer", version="2026.12.2", kind="pair-scorer",
             metrics={"test": {"precision": 1.0, "recall": 1.0, "by_kind": {"variant": {"n": 263, "accuracy": 1.0}}}},
             recipe={"C": 1.0}).write(trained)
    Registry(settings.registry_dir).register("pair-scorer", trained, actor="zhao")
    app.state.users.hasher = FAST
    app.state.users.create_user("zhao", PASSWORD, "data_scientist", actor="tests")
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, "", "zhao", PASSWORD)
        html = c.get("/models").text
    assert "<h1>重复备案判别模型</h1>" in html and "<strong>同一产品</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert "<th>精确率</th>" in html and "<th>召回率</th>" in html and "<th>测试集</th>" in html
    assert '"precision"' not in html and "<pre>{" not in html  # no JSON
