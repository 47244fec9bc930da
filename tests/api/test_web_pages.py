"""The reviewer pages' content: the queue, a submission's evidence, decisions, files, models."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.web import present
from screening.parsing import parse_decision, parse_submission
from tests.api.web_helpers import sign_in
from training.pages_data import make_finding, make_form, make_report, photo_image, seed_many, seed_realistic

PASSWORD = "correct-horse-42"


FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # real argon2id, lowest cost


@pytest.fixture
def web(app, store):
    app.state.users.hasher = FAST
    app.state.users.create_user("wang", PASSWORD, "reviewer", actor="tests")
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        sign_in(c, "", "wang", PASSWORD)
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def queue_ids(html: str) -> list[str]:
    return re.findall(r'<td><a href="/submissions/([^"?]+)\?', html)


# ---------------------------------------------------------------- the queue
def test_the_queue_is_ordered_filtered_counted_and_paged(web, store):
    seed_many(store, 120)
    total, items = store.queue(limit=500)
    page1 = web.get("/queue")
    assert page1.status_code == 200
    assert queue_ids(page1.text) == [i["submission_id"] for i in items[:50]]  # by priority
    assert f"共 {total} 条" in page1.text
    counts = store.counts()
    assert f"<b>{counts['open']}</b><span>待审核</span>" in page1.text
    assert f"<b>{counts['open_entity']}</b><span>实名认证</span>" in page1.text
    assert queue_ids(web.get("/queue?page=3").text) == [i["submission_id"] for i in items[100:120]]

    entity = web.get("/queue?stage=entity").text
    want = [i["submission_id"] for i in store.queue(stage="entity", limit=50)[1]]
    assert queue_ids(entity) == want and all("-E-" in s for s in want)
    brand = web.get("/queue?code=NAME_BRAND&age=gt7").text
    want = store.queue(code="NAME_BRAND", min_age_days=7, limit=50)[1]
    assert queue_ids(brand) == [i["submission_id"] for i in want] and want
    assert "code=NAME_BRAND" in brand  # filters carried into the links
    # unknown filter values are ignored rather than failing
    assert web.get("/queue?stage=bogus&code=<script>&age=x&page=-3").status_code == 200


def test_next_page_links_follow_the_keyset_cursor(web, store):
    import html as html_lib

    seed_many(store, 120)
    items = store.queue(limit=500)[1]
    page = web.get("/queue").text
    seen = []
    for _ in range(3):
        seen += queue_ids(page)
        link = re.search(r'<a href="([^"]+)" rel="next">', page)
        if not link:
            break
        href = html_lib.unescape(link.group(1))
        assert "cursor=" in href  # the database seeks to the next page instead of skipping rows
        page = web.get(href).text
    assert seen == [i["submission_id"] for i in items]
    # a cursor edited by hand falls back to the page number
    assert queue_ids(web.get("/queue?page=2&cursor=garbage").text) == [i["submission_id"] for i in items[50:100]]


def test_queue_rows_show_reasons_in_chinese_and_age_against_the_target(web, store):
    seeded = seed_realistic(store)
    html = web.get("/queue").text
    assert queue_ids(html) == seeded["ids"]
    assert "产品名称含有品牌商标" in html and "营业执照上的统一社会信用代码与填写不一致" in html
    assert "/ 3–5 个工作日" in html and "/ 1–2 个工作日" in html


# ---------------------------------------------------------------- a submission
def test_the_submission_page_shows_findings_evidence_duplicates_and_history(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['top']}?pos=0").text
    # grouped by severity, most severe first, each with its Chinese title and message
    heads = re.findall(r'class="sev-head sev-(\w+)"', html)
    assert heads == ["block", "high", "medium"]
    assert "产品名称含有品牌商标“雄楚”" in html
    assert "<mark>雄楚</mark>家用电冰箱" in html
    assert 'class="suggestion">家用电冰箱<' in html
    # the box on the licence image, in the image's own pixels (the SVG scales with the image)
    x0, y0, x1, y1 = seeded["box"]
    rect = re.search(r'<rect class="box sev-block" data-finding="1" data-code="LICENCE_USCC_MISMATCH" '
                     r'x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', html)
    assert rect and [float(v) for v in rect.groups()] == [x0, y0, x1 - x0, y1 - y0]
    assert 'viewBox="0 0 1240 874"' in html
    assert "91440300MA5H3E0T3X" in html  # what was read, beside the form's value
    # everything the reader read: a table, and a faint box where each field sits
    readings = html.split('class="readings"')[1].split("</section>")[0]
    assert "营业期限至" in readings and "2047-03-14" in readings and "置信度 95%" in readings
    assert "rapidocr" not in readings
    assert html.count('<rect class="box read"') == 3
    # duplicates side by side with the other filing's form
    assert f'href="/submissions/{seeded["other"]}"' in html
    other = store.revision(seeded["other"])
    sha = next(f["sha256"] for f in other.files if f["name"] == "photo.jpg")
    assert f"/submissions/{seeded['other']}/files/{sha}?rev=1" in html  # by content hash, never the name
    # reason codes pre-filled from the non-info findings
    checked = re.findall(r'name="reason_codes" value="(\w+)" checked', html)
    assert checked == ["LICENCE_USCC_MISMATCH", "DUPLICATE_FILING", "NAME_BRAND", "NAME_ADJECTIVE"]
    assert "修改历史" in html and "第 1 版" in html
    assert web.get("/submissions/NO-SUCH-1").status_code == 404


def test_a_new_revision_shows_in_the_history(web, store):
    seeded = seed_realistic(store)
    form = make_form(seeded["next"], "entity", datetime.now(timezone.utc), entity_name="广州市穗新材料科技有限公司")
    form["entity"]["employees"] = 231
    store.record_screening(parse_submission(form), {}, make_report(seeded["next"], [], 10.0), actor="tests")
    html = web.get(f"/submissions/{seeded['next']}").text
    assert "第 2 版" in html and "第 1 版" in html
    assert "营业收入单位换算错误" in html  # revision 1's codes in the history


def test_files_are_served_by_content_type_judged_from_the_bytes(web, store):
    seeded = seed_realistic(store)
    r = web.get(f"/submissions/{seeded['top']}/files/licence.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")
    assert r.headers["x-content-type-options"] == "nosniff"
    r = web.get(f"/submissions/{seeded['top']}/files/photo.jpg")
    assert r.headers["content-type"] == "image/jpeg" and r.content == photo_image()
    assert web.get(f"/submissions/{seeded['top']}/files/nothing.png").status_code == 404
    assert web.get(f"/submissions/{seeded['top']}/files/licence.png?rev=9").status_code == 404


def test_a_file_named_png_that_is_not_an_image_is_not_served_as_one(web, store):
    from screening.pipeline import UploadedFile

    form = make_form("2026-P-000999", "product", datetime.now(timezone.utc),
                     documents=[{"kind": "product_photo", "file": "photo.png"}])
    store.record_screening(parse_submission(form), {"photo.png": UploadedFile("photo.png", b"<html>hi</html>")},
                           make_report("2026-P-000999", [], 5.0), actor="tests")
    r = web.get("/submissions/2026-P-000999/files/photo.png")
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")
    assert "<img" not in web.get("/submissions/2026-P-000999").text.split('class="docs"')[1].split("</section>")[0]


# ---------------------------------------------------------------- deciding
def _decide_form(html: str, **fields) -> dict:
    return {"csrf_token": csrf_of(html), "revision": "1", "pos": "0", **fields}


def test_a_decision_from_the_page_is_stored_as_the_endpoint_stores_it(web, app, store, api_key):
    now = datetime.now(timezone.utc)
    findings = [make_finding("NAME_BRAND", "product.name", "产品名称含有品牌商标“雄楚”", {"span": [0, 2]}, 0.9,
                             "name-tagger@1"),
                make_finding("NAME_ADJECTIVE", "product.name", "修饰", {}, 0.4, "name-tagger@1")]
    for sid in ("2026-P-000001", "2026-P-000002"):
        store.record_screening(parse_submission(make_form(sid, "product", now - timedelta(days=1))), {},
                               make_report(sid, findings, 50.0), actor="tests")
    html = web.get("/submissions/2026-P-000001").text
    r = web.post("/submissions/2026-P-000001/decision", data=_decide_form(
        html, decision="returned", reason_codes=["NAME_BRAND"], verdict_0="confirmed", verdict_1="false_positive",
        comment="  去掉商标  "))
    assert r.status_code == 303
    body = {"decision": "returned", "reason_codes": ["NAME_BRAND"], "comment": "去掉商标", "revision": 1,
            "feedback": [{"finding": 0, "verdict": "confirmed"}, {"finding": 1, "verdict": "false_positive"}]}
    with TestClient(app) as api:
        # the endpoint, as a signed-in reviewer would call it: the same reviewer name
        api.cookies.update(web.cookies)
        csrf = csrf_of(web.get("/queue").text)
        r2 = api.post("/v1/screenings/2026-P-000002/decision", json=body, headers={"X-CSRF-Token": csrf})
        assert r2.status_code == 201, r2.text
    (page,), (endpoint,) = store.decisions("2026-P-000001"), store.decisions("2026-P-000002")
    drop = {"id", "submission_id", "created_at"}
    assert {k: v for k, v in page.items() if k not in drop} == {k: v for k, v in endpoint.items() if k not in drop}
    assert page["reviewer"] == "wang"
    assert page["feedback"][1] == {"finding": 1, "code": "NAME_ADJECTIVE", "field": "product.name",
                                   "verdict": "false_positive", "source": "name-tagger@1"}
    audit = store.audit_log("2026-P-000001")
    assert audit[0]["action"] == "decision.recorded" and audit[0]["actor"] == "user:wang"
    assert parse_decision(body)  # the body itself is valid for the parser both paths use


def test_after_a_decision_the_next_item_opens(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['top']}?pos=0").text
    r = web.post(f"/submissions/{seeded['top']}/decision", data=_decide_form(html, decision="approved"))
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/submissions/{seeded['next']}?pos=0")
    page = web.get(r.headers["location"])
    assert "已保存：" + seeded["top"] in page.text and "通过" in page.text
    # with a filter, the next item is the next one under that filter
    html = web.get("/submissions/2026-E-000202?stage=entity&pos=1").text
    r = web.post("/submissions/2026-E-000202/decision",
                 data=_decide_form(html, decision="rejected", reason_codes="LICENCE_EXPIRED", stage="entity", pos="1"))
    assert r.headers["location"].startswith(f"/submissions/{seeded['next']}?stage=entity&pos=0")


def test_a_decision_on_a_version_that_was_replaced_meanwhile_stays_and_says_so(web, store):
    seeded = seed_realistic(store)
    sid = seeded["next"]
    html = web.get(f"/submissions/{sid}?pos=1").text  # the reviewer reads revision 1 ...
    form = make_form(sid, "entity", datetime.now(timezone.utc), entity_name="广州市穗新材料科技有限公司")
    store.record_screening(parse_submission(form), {}, make_report(sid, [], 10.0), actor="tests")  # ... 2 arrives
    r = web.post(f"/submissions/{sid}/decision", data=_decide_form(
        html, decision="returned", reason_codes="STATEMENT_UNIT_ERROR", pos="1"))
    assert r.status_code == 303 and r.headers["location"].startswith(f"/submissions/{sid}?pos=1&newer=1")
    (decision,) = store.decisions(sid)
    assert decision["revision"] == 1
    assert sid in [i["submission_id"] for i in store.queue()[1]]  # revision 2 still waits
    assert "申报单位在此期间提交了第 2 版" in web.get(r.headers["location"]).text


def test_the_last_decision_in_the_queue_returns_to_the_empty_queue(web, store):
    sid = "2026-P-000777"
    store.record_screening(parse_submission(make_form(sid, "product", datetime.now(timezone.utc))), {},
                           make_report(sid, [], 1.0), actor="tests")
    html = web.get(f"/submissions/{sid}").text
    r = web.post(f"/submissions/{sid}/decision", data=_decide_form(html, decision="approved"))
    assert r.headers["location"].startswith("/queue?done=")
    assert "队列中已没有符合条件的备案" in web.get(r.headers["location"]).text


def test_returning_without_a_reason_explains_itself_and_stores_nothing(web, store):
    seeded = seed_realistic(store)
    html = web.get(f"/submissions/{seeded['top']}").text
    r = web.post(f"/submissions/{seeded['top']}/decision", data=_decide_form(html, decision="returned"))
    assert r.status_code == 422
    assert "请至少选择一个原因代码" in r.text
    assert store.decisions(seeded["top"]) == []


def test_a_decision_without_the_csrf_token_is_refused(web, store):
    seeded = seed_realistic(store)
    for token in ("", "forged-token"):
        r = web.post(f"/submissions/{seeded['top']}/decision",
                     data={"csrf_token": token, "decision": "approved", "revision": "1"})
        assert r.status_code == 403
        assert "CSRF" in r.text
    assert store.decisions(seeded["top"]) == []


def test_skip_opens_the_following_item_and_leaves_this_one_open(web, store):
    seeded = seed_realistic(store)
    r = web.get(f"/submissions/{seeded['top']}/skip?pos=0")
    assert r.headers["location"].startswith(f"/submissions/{seeded['next']}?pos=1")
    assert store.queue()[1][0]["submission_id"] == seeded["top"]


# ---------------------------------------------------------------- data scientists
def test_the_models_page_shows_the_registry_and_false_positive_rates(app, store, settings):
    from models.base import Manifest
    from models.registry import Registry

    seeded = seed_realistic(store)
    trained = settings.data_dir / "trained"
    trained.mkdir()
    (trained / "card.md").write_text("# 产品名称标注模型\n用途：标出名称中的品牌。", encoding="utf-8")
    (trained / "pr_curve.png").write_bytes(photo_image())
    registry = Registry(settings.registry_dir)
    shipped = registry.builtin("name-tagger").manifest.metrics  # the same dev figures: the gate lets it through
    Manifest(name="name-tagger", version="2026.11.1", kind="name-tagger",
             metrics={"f1": 0.912, "fixed": shipped["fixed"], "gate": shipped["gate"]}, recipe={"epochs": 4}).write(trained)
    registry.register("name-tagger", trained, actor="zhao")
    registry.promote("name-tagger", "2026.11.1", actor="zhao")
    app.state.service.pipeline.resources.model_versions["name-tagger"] = "2026.11.1"
    app.state.users.hasher = FAST
    app.state.users.create_user("zhao", PASSWORD, "data_scientist", actor="tests")
    # two reviewers' verdicts on NAME_ADJECTIVE: one confirmed (superseded later), one false positive
    store.record_decision(seeded["top"], parse_decision(
        {"decision": "returned", "reason_codes": ["NAME_BRAND"],
         "feedback": [{"finding": 3, "verdict": "confirmed"}, {"finding": 0, "verdict": "confirmed"}]}), actor="t")
    store.record_decision(seeded["top"], parse_decision(
        {"decision": "returned", "reason_codes": ["NAME_BRAND"],
         "feedback": [{"finding": 3, "verdict": "false_positive"}, {"finding": 0, "verdict": "confirmed"}]}), actor="t")
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, "", "zhao", PASSWORD)
        html = c.get("/models").text
        assert "name-tagger" in html and "2026.11.1" in html and "已加载" in html and "已发布" in html
        assert "产品名称标注模型" in html and "0.912" in html
        assert "<td>发布</td>" in html and "<td>登记</td>" in html  # the registry's events
        plot = "/models/files/name-tagger/versions/2026.11.1/pr_curve.png"
        assert plot in html
        assert c.get(plot).status_code == 200
        assert c.get("/models/files/../prescreen.db").status_code == 404
        assert c.get("/models/files/name-tagger/versions/2026.11.1/manifest.json").status_code == 404
    rates = {r["code"]: r for r in present.false_positive_rates(store.decisions())}
    assert rates["NAME_ADJECTIVE"]["false_positive"] == 1 and rates["NAME_ADJECTIVE"]["confirmed"] == 0
    assert rates["NAME_BRAND"]["rate"] == 0.0 and rates["NAME_BRAND"]["n"] == 1
    assert "100%" in html  # NAME_ADJECTIVE's rate on the page


def test_the_models_page_lists_every_model_in_service_with_the_built_in_ones(app, settings):
    """Before any promotion the registry folder is empty, yet eight models answer: the shipped
    built-in versions are listed with their data hash and figures, then a promoted one as such."""
    import html as html_lib

    from models.base import Manifest
    from models.registry import SHIPPED, Registry

    app.state.users.hasher = FAST
    app.state.users.create_user("zhao", PASSWORD, "data_scientist", actor="tests")
    shipped = {p.parent.name: Manifest.read(p.parent) for p in SHIPPED.glob("*/manifest.json")}
    assert {"pair-scorer", "text-calibration", "brand-lexicon", "priority"} <= set(shipped)
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, "", "zhao", PASSWORD)
        page = html_lib.unescape(c.get("/models").text)
        # the section's own rows open with <tr><td>; the metrics' nested tables' rows with <tr><th>
        table = page.split("各模型在用版本")[1].split("</section>")[0]
        assert "模型库中还没有模型" in page  # nothing registered …
        for name, manifest in shipped.items():  # … and still every shipped model, in a row of its own
            row = next(r for r in table.split("<tr><td>") if f"<code>{name}</code>" in r)
            assert f"<code>{manifest.version}</code>" in row and "内置" in row, name
            if manifest.data_hash:
                assert manifest.data_hash[:12] in row, name
        assert "重复申报判定模型" in table and "名称问题置信度校准" in table  # Chinese labels
        calibration = next(r for r in table.split("<tr><td>") if "<code>text-calibration</code>" in r)
        # its card, rendered: the reliability table is an HTML table, not markdown text
        assert "名称问题置信度校准" in calibration and "<td>0.9–1.0</td>" in calibration and "| 0.9–1.0 |" not in calibration
        plot = "/models/shipped/text-calibration/reliability.png"
        assert f'src="{plot}"' in calibration
        got = c.get(plot)
        assert got.status_code == 200 and got.content[:4] == b"\x89PNG"
        assert c.get("/models/shipped/text-calibration/manifest.json").status_code == 404
        assert c.get("/models/shipped/text-calibration/..%2F..%2Fregistry.py").status_code == 404
        tagger = next(r for r in table.split("<tr><td>") if "<code>name-tagger</code>" in r)
        # its figures by Chinese labels; the gate's copy of them ("fixed") is not repeated inline
        assert "开发集片段 F1·BRAND <b>" in tagger and "固定评估集" not in tagger.split("全部指标")[0]

        registry = Registry(settings.registry_dir)
        trained = settings.data_dir / "trained"
        trained.mkdir()
        (trained / "weights.json").write_text("{}", encoding="utf-8")  # the manifest lists its files' hashes
        Manifest(name="pair-scorer", version="v7", kind="pair-scorer", data_hash="abc123def4567890",
                 metrics={"test": {"precision": 0.975}}).write(trained)
        registry.register("pair-scorer", trained, actor="zhao")
        registry.promote("pair-scorer", "v7", force=True, actor="zhao")  # made-up figures: past the gate by force
        table = html_lib.unescape(c.get("/models").text).split("各模型在用版本")[1].split("</section>")[0]
        row = next(r for r in table.split("<tr><td>") if "<code>pair-scorer</code>" in r)
        assert "<code>v7</code>" in row and "已发布" in row and "abc123def456" in row and "测试集·精确率 <b>0.975" in row


def test_the_models_page_degrades_without_a_registry(app, store):
    app.state.users.hasher = FAST
    app.state.users.create_user("zhao", PASSWORD, "data_scientist", actor="tests")
    with TestClient(app, follow_redirects=False) as c:
        sign_in(c, "", "zhao", PASSWORD)
        r = c.get("/models")
    assert r.status_code == 200
    assert "模型库中还没有模型" in r.text and "尚无审核员反馈" in r.text


# ---------------------------------------------------------------- presentation helpers (no database)
def test_age_against_the_targets_counts_working_days_in_beijing():
    fri = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert present.age_of("entity", fri, fri + timedelta(hours=3)).state == "ok"
    assert present.age_of("entity", fri, fri + timedelta(days=3)).state == "warn"  # Mon: 1 working day
    assert present.age_of("entity", fri, fri + timedelta(days=4)).state == "late"  # Tue: 2
    assert present.age_of("product", fri, fri + timedelta(days=4)).state == "ok"
    assert present.age_of("product", fri, fri + timedelta(days=5)).state == "warn"  # Wed: 3
    assert present.age_of("product", fri, fri + timedelta(days=7)).state == "late"  # Fri: 5


def test_boxes_come_as_corners_or_four_points():
    assert present.box_of([10, 20, 110, 60]) == (10.0, 20.0, 100.0, 40.0)
    assert present.box_of([[10, 20], [110, 20], [110, 60], [10, 60]]) == (10.0, 20.0, 100.0, 40.0)
    assert present.box_of("nonsense") is None and present.box_of([1, 2, 3]) is None


def test_field_labels_and_paths():
    assert present.field_label("product.patents[1].number") == "第2项专利的专利号"
    assert present.field_label("entity.figures_wan.operating_revenue") == "单位年度营业收入总额（万元）"
    assert present.get_path({"product": {"patents": [{"number": "x"}]}}, "product.patents[0].number") == "x"
    assert present.get_path({"product": {"patents": []}}, "product.patents[3].number") is None


def test_the_submission_page_shows_the_score_as_the_queue_orders_it_today(web, store):
    sid = "2026-P-000555"
    form = make_form(sid, "product", datetime.now(timezone.utc) - timedelta(days=10))  # its whole target used
    store.record_screening(parse_submission(form), {}, make_report(sid, [], 40.0, p_reject=0.5), actor="tests")
    html = web.get(f"/submissions/{sid}").text
    assert "优先级 <b>60</b>" in html and "筛查时 40" in html  # 100·(0.8·0.5 + 0.2·1.0) today
    (item,) = [i for i in store.queue()[1] if i["submission_id"] == sid]
    assert item["priority"]["score"] == 60.0
