"""End to end in Debian's Chromium: sign in, open the top item, see the evidence, mark a
false positive, return the submission (comment, Esc, Enter), land on the next item, whose
sideways licence is shown upright; the decision is in the database.

Runs against the real app under uvicorn on 127.0.0.1. Takes screenshots of the pages on the
SQLite run into a temporary folder; ``make screenshots`` sets PRESCREEN_SCREENSHOTS=docs/screenshots
to refresh the documentation's.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screening.storage.users import UserStore
from tests.api.web_helpers import Server
from training.pages_data import seed_realistic

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "wang-review-2026"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {CHROMIUM} is missing (.ci/run installs it)")
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: a temporary folder, or PRESCREEN_SCREENSHOTS (make screenshots)."""
    folder = Path(os.environ.get("PRESCREEN_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.slow  # a browser session: 3 s
def test_review_an_item_end_to_end(browser, app, store, database_url, shots):
    seeded = seed_realistic(store)
    SHOTS = shots
    UserStore(store.engine).create_user("wang", PASSWORD, "reviewer", actor="tests", display_name="王审核")
    with Server(app) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.set_default_timeout(15_000)
        external = []
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)

        # signed out: the queue sends us to sign in
        page.goto(f"{base}/queue")
        assert "/login" in page.url
        page.fill("input[name=username]", "wang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/queue")
        rows = page.locator("table[data-queue] tbody tr[data-href]")
        assert rows.count() == len(seeded["ids"])
        assert seeded["top"] in rows.first.inner_text()
        assert "产品名称含有品牌商标" in rows.first.inner_text()  # the reasons, in Chinese
        assert "深圳市雄楚速通国际物流有限公司" in rows.first.inner_text()  # who filed what, not only the id
        if database_url.startswith("sqlite"):
            page.screenshot(path=str(SHOTS / "queue.png"))

        # open the top item with the keyboard
        page.keyboard.press("o")
        page.wait_for_url(f"**/submissions/{seeded['top']}*")
        brand = page.locator('.finding[data-code="NAME_BRAND"]')
        assert brand.is_visible()
        assert "产品名称含有品牌商标" in brand.inner_text()
        assert brand.locator("mark").inner_text() == "雄楚"  # the span, highlighted in the form's name
        assert "家用电冰箱" in brand.locator(".suggestion").inner_text()

        # the licence code box, drawn where the code is printed, scaled to the displayed image
        licence = page.locator('figure.doc[data-kind="business_licence"]')
        img = licence.locator("svg.scan image")
        img.scroll_into_view_if_needed()
        rect = licence.locator('rect.box[data-code="LICENCE_USCC_MISMATCH"]')
        assert rect.count() == 1
        ib, rb = img.bounding_box(), rect.bounding_box()
        natural_w = 1240  # the licence's own pixel width (training.pages_data.licence_image)
        scale = ib["width"] / natural_w
        x0, y0, x1, y1 = seeded["box"]
        assert scale < 1  # the image is shown smaller than it is: the box must follow
        assert abs(rb["x"] - (ib["x"] + x0 * scale)) < 4
        assert abs(rb["y"] - (ib["y"] + y0 * scale)) < 4
        assert abs(rb["width"] - (x1 - x0) * scale) < 6
        assert abs(rb["height"] - (y1 - y0) * scale) < 6

        # J walks the findings (most severe first) and lights the box of the current one
        page.keyboard.press("j")
        assert "current" in page.locator('.finding[data-code="LICENCE_USCC_MISMATCH"]').get_attribute("class")
        assert "active" in (rect.get_attribute("class") or "")
        # the rule the finding enforces, as its tooltip
        title = page.locator('.finding[data-code="LICENCE_USCC_MISMATCH"] .rule').get_attribute("title")
        assert title == "依据：营业执照中显示的统一社会信用代码应当与在平台上填写的一致"
        # zoom in on the licence and back
        before = img.bounding_box()["width"]
        licence.locator('[data-zoom="1"]').click()
        assert img.bounding_box()["width"] > 1.3 * before
        licence.locator('[data-zoom="0"]').click()
        assert abs(img.bounding_box()["width"] - before) < 2
        if database_url.startswith("sqlite"):
            page.locator('.finding[data-code="LICENCE_USCC_MISMATCH"]').scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "submission.png"))
            page.locator(".dups .signals").evaluate("e => e.scrollIntoView({block: 'end'})")
            page.screenshot(path=str(SHOTS / "duplicate.png"))
            page.locator('.finding[data-code="LICENCE_USCC_MISMATCH"]').scroll_into_view_if_needed()

        # mark NAME_ADJECTIVE a false positive (walk to it with J, press F): its reason box clears
        adjective = page.locator('.finding[data-code="NAME_ADJECTIVE"]')
        for _ in range(5):
            if "current" in (adjective.get_attribute("class") or ""):
                break
            page.keyboard.press("j")
        page.keyboard.press("f")
        assert adjective.locator('input[value="false_positive"]').is_checked()
        assert not page.locator('fieldset.reasons input[value="NAME_ADJECTIVE"]').is_checked()
        assert page.locator('fieldset.reasons input[value="NAME_BRAND"]').is_checked()

        # return it: R chooses, M writes the comment, Esc leaves the box, Enter submits, and the
        # next item is on screen
        page.keyboard.press("r")
        assert page.locator('input[name="decision"][value="returned"]').is_checked()
        page.keyboard.press("m")
        page.keyboard.type("请修改产品名称，去掉商标；核对营业执照代码。")
        page.keyboard.press("Escape")
        page.keyboard.press("x")  # the decision keys work after Esc
        assert page.locator('input[name="decision"][value="rejected"]').is_checked()
        page.keyboard.press("r")
        assert page.locator('input[name="decision"][value="returned"]').is_checked()
        page.keyboard.press("m")
        page.keyboard.press("Escape")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/submissions/{seeded['next']}*")
        assert page.locator(".subhead h1").inner_text() == seeded["next"]
        assert seeded["top"] in page.locator(".flash").inner_text()

        # the next item's licence was scanned sideways: shown upright (wider than high), the
        # code's box still on the code
        sideways = page.locator('figure.doc[data-kind="business_licence"] svg.scan')
        sideways.scroll_into_view_if_needed()
        sb = sideways.bounding_box()
        assert sb["width"] > 1.3 * sb["height"]
        code = page.locator('figure.doc[data-kind="business_licence"] rect.box.read').first
        cb = code.bounding_box()
        assert cb["width"] > 3 * cb["height"]  # a line of text lies flat
        if database_url.startswith("sqlite"):
            page.screenshot(path=str(SHOTS / "licence-upright.png"))
        page.close()
        assert external == []  # nothing fetched from outside the app

    (decision,) = store.decisions(seeded["top"])
    assert decision["decision"] == "returned"
    assert decision["reviewer"] == "wang"
    assert decision["comment"] == "请修改产品名称，去掉商标；核对营业执照代码。"
    assert set(decision["reason_codes"]) == {"NAME_BRAND", "LICENCE_USCC_MISMATCH", "DUPLICATE_FILING"}
    assert decision["feedback"] == [{"finding": 3, "code": "NAME_ADJECTIVE", "field": "product.name",
                                     "verdict": "false_positive", "source": "name-tagger@2026.11.1"}]
    total, items = store.queue()
    assert seeded["top"] not in [i["submission_id"] for i in items]
    assert items[0]["submission_id"] == seeded["next"]
