"""Rendered business licences in three layouts, with their ground truth.

- ``vertical``: the 2015-era portrait 副本 (编号 top right, the code under the title, one
  column of fields);
- ``paper``: the current landscape 副本 (code top left, 证照编号 or "(1/4)" beside it, two
  columns);
- ``electronic``: the printed electronic licence (gold title, 说明 and 数字签名 lines).
"""

from __future__ import annotations

import random
import re
import string
from datetime import date, timedelta

from PIL import Image, ImageDraw

from . import damage as dmg
from .draw import border, emblem, qr, seal, spaced_label, text_width, wrap
from .entities import Entity, address, check_char, person, pick_entity, scope
from .fonts import font

LAYOUTS = ("vertical", "paper", "electronic")
CN_CAPITAL = ["壹佰万元整", "伍拾万元整", "壹仟万元整", "伍佰万元", "贰佰万元整", "叁仟万元整", "壹亿元整"]
SUBTYPES = ["有限责任公司(自然人投资或控股)", "有限责任公司(自然人独资)", "有限责任公司(法人独资)",
            "其他有限责任公司", "股份有限公司(非上市、自然人投资或控股)", "有限责任公司(非自然人投资或控股的法人独资)"]


def _core(name: str) -> str:
    """The trade-name part of a company name, without the company-form suffix."""
    core = re.sub(r"(股份有限公司|有限责任公司|有限公司|集团|公司).*$", "", name)
    return core[:10] or name[:6]


def _kind_of(rng: random.Random, e: Entity) -> tuple[str, Entity]:
    r = rng.random()
    if r < 0.07:
        code = "92" + e.uscc[2:17]
        code = code[:17] + check_char(code[:17])
        name = _core(e.name) + rng.choice(["商行", "经营部", "工作室", "店"])
        return "individual", Entity(name, code)
    if r < 0.12:
        return "sole", Entity(_core(e.name) + rng.choice(["工作室", "厂", "经营部"]), e.uscc)
    if r < 0.16:
        return "partnership", Entity(_core(e.name) + "投资合伙企业（有限合伙）", e.uscc)
    if r < 0.20:
        return "branch", Entity(e.name + rng.choice(["深圳分公司", "第一分公司", "上海分公司"]), e.uscc)
    return "enterprise", e


def _fields(rng: random.Random, kind: str, e: Entity) -> tuple[list[tuple[str, str]], dict]:
    est = date(rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28))
    est_s = f"{est.year}年{est.month:02d}月{est.day:02d}日"
    long_term = rng.random() < 0.45
    end = None if long_term else est + timedelta(days=365 * rng.choice([10, 20, 30, 50]) - 1)
    if end and rng.random() < 0.08:  # some licences have run out
        end = date(rng.randint(2016, 2025), rng.randint(1, 12), rng.randint(1, 28))
    term = f"{est_s}至{'长期' if long_term else f'{end.year}年{end.month:02d}月{end.day:02d}日'}"
    if long_term and rng.random() < 0.3:
        term = "长期"
    rep = person(rng)
    cap = rng.choice(CN_CAPITAL) if rng.random() < 0.5 else f"人民币{rng.choice([10, 50, 100, 300, 500, 1000, 6000])}.0000万元整"
    addr = address(rng)
    truth = {"legal_rep": rep, "established": est.isoformat(), "term_end": end.isoformat() if end else None,
             "term_long": long_term, "address": addr, "registered_capital": None, "type": None}
    if kind == "individual":
        truth.update(type="个体工商户", term_end=None, term_long=False)
        fields = [("名称", e.name), ("类型", "个体工商户"), ("经营者", rep), ("组成形式", "个人经营"),
                  ("注册日期", est_s), ("经营场所", addr)]
    elif kind == "sole":
        truth.update(type="个人独资企业", registered_capital=cap, term_end=None, term_long=False)
        fields = [("名称", e.name), ("类型", "个人独资企业"), ("投资人", rep), ("出资额", cap),
                  ("成立日期", est_s), ("住所", addr)]
    elif kind == "partnership":
        truth.update(type="有限合伙企业", registered_capital=cap)
        fields = [("名称", e.name), ("类型", "有限合伙企业"), ("执行事务合伙人", rep), ("出资额", cap),
                  ("成立日期", est_s), ("合伙期限", term), ("主要经营场所", addr)]
    elif kind == "branch":
        truth.update(type="有限责任公司分公司")
        fields = [("名称", e.name), ("类型", "有限责任公司分公司"), ("负责人", rep), ("成立日期", est_s),
                  ("营业期限", term), ("营业场所", addr)]
    else:
        t = rng.choice(SUBTYPES)
        truth.update(type=t, registered_capital=cap)
        fields = [("名称", e.name), ("类型", t), ("法定代表人", rep), ("注册资本", cap), ("成立日期", est_s),
                  ("营业期限", term), ("住所", addr)]
    if "营业期限" not in dict(fields) and "合伙期限" not in dict(fields):
        truth.update(term_end=None, term_long=False)
    return fields, truth


def render_licence(rng: random.Random, layout: str | None = None, entity: Entity | None = None,
                   damage: list[str] | None = None, split: str = "train") -> tuple[Image.Image, dict]:
    """One licence image and its truth. ``damage=None`` draws damage at random."""
    layout = layout or rng.choice(LAYOUTS)
    kind, e = _kind_of(rng, entity or pick_entity(rng, split))
    fields, truth = _fields(rng, kind, e)
    w, h = (1240, 1720) if layout == "vertical" else (1600, 1130)
    paper = (250, 246, 236) if layout != "electronic" else (252, 244, 232)
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    frame = (150, 140, 100) if layout != "electronic" else (170, 140, 70)
    border(d, w, h, 40 if layout == "vertical" else 60, frame, rng)
    title_colour = (40, 30, 20) if layout == "paper" else (200, 140, 30)
    code_text = e.uscc
    distractor = None
    if layout == "vertical":
        d.text((w - 380, 60), f"编号：{rng.randint(10**8, 10**9 - 1)}", font=font(24), fill=(30, 30, 30))
        emblem(d, w // 2, 250, 80)
        d.text((w // 2 - 230, 380), "营业执照", font=font(110, "bold"), fill=title_colour)
        d.text((w // 2 - 80, 520), "(副 本)", font=font(34), fill=(30, 30, 30))
        d.text((w // 2 + 60, 505), "(1-1)", font=font(22), fill=(30, 30, 30))
        label = "统一社会信用代码"
        cx = w - 160 - text_width(label + " " + code_text, 26)
        d.text((cx, 590), f"{label} {code_text}", font=font(26), fill=(20, 20, 20))
        code_box = [cx + text_width(label + " ", 26), 590, cx + text_width(label + " " + code_text, 26), 590 + 34]
        y = 660
        for lab, val in fields:
            spaced_label(d, (200, y), lab, 150, 28, style="sans")
            lines = wrap(val, 28, 720)
            for k, line in enumerate(lines):
                d.text((400, y + k * 40), line, font=font(28), fill=(20, 20, 20))
            y += 40 * len(lines) + 14
        spaced_label(d, (200, y), "经营范围", 150, 28, style="sans")
        for k, line in enumerate(wrap(scope(rng), 26, 700)[:9]):
            d.text((400, y + k * 38), line, font=font(26), fill=(25, 25, 25))
        qr(d, 120, h - 420, 200, rng)
        d.text((w - 560, h - 330), "登 记 机 关", font=font(32), fill=(20, 20, 20))
        issue = f"{rng.randint(2015, 2019)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
        d.text((w - 520, h - 200), issue, font=font(30), fill=(20, 20, 20))
        seal(img, w - 400, h - 260, 120, "某市市场监督管理局", rng)
        d.text((100, h - 110), "企业信用信息公示系统网址：gsxt.gov.cn", font=font(20), fill=(60, 60, 60))
    else:
        emblem(d, w // 2, 130, 75)
        d.text((w // 2 - 260, 230), "营业执照", font=font(120, "bold"), fill=title_colour)
        if layout == "paper":
            d.text((w // 2 - 70, 390), "(副 本)", font=font(34), fill=(30, 30, 30))
        d.text((140, 250), "统一社会信用代码", font=font(26, "bold"), fill=(20, 20, 20))
        tail = ""
        if layout == "paper" and rng.random() < 0.4:
            tail = f"（{rng.randint(1, 2)}/{rng.randint(2, 4)}）"
        d.text((140, 295), code_text + tail, font=font(26), fill=(20, 20, 20))
        code_box = [140, 295, 140 + text_width(code_text, 26), 295 + 34]
        if layout == "paper" and rng.random() < 0.5:
            distractor = "".join(rng.choice(string.digits) for _ in range(20))
            d.text((140, 340), f"证照编号：{distractor}", font=font(22), fill=(20, 20, 20))
        qr(d, w - 340, 240, 130, rng)
        for k, line in enumerate(wrap("扫描二维码登录“国家企业信用信息公示系统”了解更多登记、备案、许可、监管信息", 16, 120)):
            d.text((w - 200, 240 + k * 22), line, font=font(16), fill=(60, 60, 60))
        left = [f for f in fields if f[0] in ("名称", "类型", "法定代表人", "经营者", "投资人", "执行事务合伙人", "负责人")]
        right = [f for f in fields if f not in left]
        y = 470
        for lab, val in left:
            spaced_label(d, (140, y), lab, 150, 32)
            for k, line in enumerate(wrap(val, 28, 560)):
                d.text((320, y + 2 + k * 40), line, font=font(28), fill=(20, 20, 20))
            y += 40 * len(wrap(val, 28, 560)) + 24
        spaced_label(d, (140, y), "经营范围", 150, 32)
        for k, line in enumerate(wrap(scope(rng), 22, 560)[:10]):
            d.text((320, y + k * 31), line, font=font(22), fill=(25, 25, 25))
        y = 470
        for lab, val in right:
            spaced_label(d, (900, y), lab, 150, 32)
            lines = wrap(val, 28, 480)
            for k, line in enumerate(lines):
                d.text((1075, y + 2 + k * 40), line, font=font(28), fill=(20, 20, 20))
            y += 40 * len(lines) + 24
        d.text((1000, h - 260), "登 记 机 关", font=font(34, "bold"), fill=(20, 20, 20))
        issue = f"{rng.randint(2019, 2025)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
        d.text((1100, h - 170), issue, font=font(30), fill=(20, 20, 20))
        seal(img, 1280, h - 230, 110, "某区市场监督管理局", rng)
        if layout == "electronic":
            d.text((140, h - 210), "说明：", font=font(18), fill=(70, 70, 70))
            d.text((140, h - 185), f"1、本营业执照于{issue}由{truth['legal_rep']}(法定代表人)留存(打印)", font=font(18), fill=(70, 70, 70))
            sig = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(70))
            d.text((140, h - 160), f"2、数字签名：{sig}", font=font(18), fill=(70, 70, 70))
        d.text((90, h - 95), "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn", font=font(20), fill=(60, 60, 60))
    if rng.random() < 0.12:  # a red seal stamped right over the code
        seal(img, (code_box[0] + code_box[2]) // 2, (code_box[1] + code_box[3]) // 2, 85, "某某有限公司财务专用章", rng, alpha=150)
    kinds = dmg.random_kinds(rng) if damage is None else list(damage)
    img = dmg.apply(img, kinds, rng)
    truth.update(kind="business_licence", layout=layout, entity_kind=kind, uscc=e.uscc, name=e.name,
                 ineligible=kind != "enterprise", damage=kinds, distractor=distractor)
    return img, truth
