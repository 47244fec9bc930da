"""Every Chinese label the reviewer pages show for a form path, a reader's field, a value the
readers or checks report, a duplicate signal or a model metric: one mapping, so no page falls
back to an English key or a raw path (``documents[1].file`` reads 第2份文件).

Plain data and small functions; ``present`` builds the pages' rows with them.
"""

from __future__ import annotations

import re

STAGES = {"entity": "实名认证", "product": "产品备案", "annual_update": "年度更新", "revocation": "撤销备案"}
DOCUMENTS = {
    "business_licence": "营业执照", "profit_statement": "利润表", "integrity_pledge": "诚信承诺书",
    "product_photo": "产品照片", "product_image": "产品图片", "economic_proof": "经济效益证明材料",
    "certification": "资质证明", "product_video": "产品视频", "organisation_certificate": "组织机构代码证",
    "seal_explanation": "无财务章说明",
    "production_licence": "生产许可证", "ccc_certificate": "CCC认证证书",
}
ENTITY_KINDS = {"enterprise": "企业", "university": "高等院校", "research_institute": "科研院所",
                "rd_institution": "新型研发机构", "social_organization": "社会组织"}

# form paths (list indexes dropped) → Chinese labels
FIELD_LABELS = {
    "submission_id": "备案编号", "stage": "备案阶段", "submitted_at": "提交时间",
    "entity": "备案主体", "entity.uscc": "统一社会信用代码", "entity.name": "单位名称", "entity.kind": "单位类型",
    "entity.figures_year": "数据年度", "entity.employees": "职工人数", "entity.figures_wan": "单位经济数据（万元）",
    "entity.figures_wan.total_cost": "总成本（万元）", "entity.figures_wan.ip_investment": "知识产权投入（万元）",
    "entity.figures_wan.net_profit": "净利润（万元）", "entity.figures_wan.operating_revenue": "单位年度营业收入总额（万元）",
    "entity.figures_wan.total_product_sales": "产品销售总额（万元）", "entity.figures_wan.fixed_assets": "固定资产（万元）",
    "entity.figures_wan.total_output": "总产值（万元）", "entity.figures_wan.selling_expense": "销售费用（万元）",
    "entity.figures_wan.admin_expense": "管理费用（万元）", "entity.figures_wan.finance_expense": "财务费用（万元）",
    "entity.figures_wan.patent_assets": "专利资产（万元）", "entity.figures_wan.total_assets": "总资产（万元）",
    "entity.figures_wan.rd_expense": "研发费用（万元）", "entity.figures_wan.total_profit": "利润总额（万元）",
    "entity.registered_capital_wan": "注册资本（万元）", "entity.established": "成立日期", "entity.address": "住所",
    "entity.legal_rep": "法定代表人", "entity.contact": "联系人", "entity.phone": "联系电话",
    "entity.business_scope": "经营范围", "entity.industry": "所属行业", "entity.industry.code": "所属行业代码",
    "entity.industry.name": "所属行业",
    "product": "产品", "product.name": "产品名称", "product.models": "规格型号", "product.models_reason": "多型号说明",
    "product.trademark": "商标", "product.category": "产品分类", "product.category.code": "产品分类代码",
    "product.category.name": "产品分类", "product.industry": "所属行业", "product.industry.code": "所属行业代码",
    "product.industry.name": "所属行业", "product.intro": "产品简介", "product.exported": "是否出口",
    "product.export_destinations": "出口目的地", "product.figures_wan": "产品经济数据（万元）",
    "product.figures_wan.sales": "上年度销售额（万元）", "product.figures_wan.export": "出口额（万元）",
    "product.figures_wan.profit": "产品利润（万元）", "product.figures_wan.ip_investment": "产品知识产权投入（万元）",
    "product.figures_wan.total_cost": "产品总成本（万元）", "product.market_share_pct": "市场占有率（%）",
    "product.figures_year": "数据年度", "product.filed_at": "备案时间", "product.first_sold": "首次销售时间",
    "product.patents": "相关专利", "product.patents.number": "专利号", "product.patents.core": "核心专利",
    "product.patents.litigated": "涉诉", "product.patents.case_number": "案件编号", "product.patents.holder": "专利权人",
    "product.patents.licensee": "被许可人", "product.patents.title": "专利名称", "product.patents.kind": "专利类型",
    "product.patents.status": "法律状态",
    "documents": "上传文件", "documents.file": "文件", "documents.kind": "文件类型", "documents.main": "主图",
    "previous": "上一版本", "filed": "已备案内容",
    "entity.former_names": "曾用名",
    "filed_submission_id": "原备案编号", "revocation": "撤销申请", "revocation.reason": "撤销原因",
    "revocation.explanation": "撤销说明",
}
# a list whose items a path can index: (measure word, noun): product.patents[0] → 第1项专利
ITEMS = {"documents": ("份", "文件"), "product.patents": ("项", "专利"), "product.models": ("个", "规格型号"),
         "product.export_destinations": ("个", "出口目的地")}
# the part of an item that IS the item (documents[1].file is the second document itself)
ITEM_ITSELF = {"documents.file"}
_PART = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def field_label(path: str | None) -> str:
    """A form path as a reviewer reads it: ``entity.name`` → 单位名称, ``documents[1].file`` →
    第2份文件, ``product.patents[0].number`` → 第1项专利的专利号. Never the raw path: an unknown
    tail falls back to the label of its nearest known parent."""
    if not path:
        return "整体"
    plain, prefix, known = [], "", ""
    for name, indexes in _PART.findall(path):
        plain.append(name)
        here = ".".join(plain)
        if here not in FIELD_LABELS:
            break  # an unknown part: what is known so far stands for the whole
        numbers = [int(i) for i in re.findall(r"\d+", indexes)]
        if numbers and here in ITEMS:
            measure, noun = ITEMS[here]
            prefix = f"{prefix}第{numbers[0] + 1}{measure}{noun}"
            known = ""
        else:
            known = here
    if known and known not in ITEM_ITSELF:
        label = FIELD_LABELS[known]
        return f"{prefix}的{label}" if prefix else label
    return prefix or "表单其他字段"


SOURCES = {"rules": "规则检查", "pipeline": "预审流程"}


def source_label(source: str | None) -> str:
    """What produced a finding: 规则检查, or 模型 name@version (the version is what reviewers quote)."""
    if not source:
        return "—"
    return SOURCES.get(source, f"模型 {source}" if "@" in source else source)


# ---------------------------------------------------------------- what the readers read
READ_LABELS = {
    "uscc": "统一社会信用代码", "uscc_status": "代码识别状态", "uscc_seen": "原始识别", "name": "名称", "type": "类型",
    "form": "组成形式", "legal_rep": "法定代表人", "registered_capital": "注册资本",
    "registered_capital_wan": "注册资本（万元）", "established": "成立日期", "term": "营业期限",
    "term_start": "营业期限自", "term_end": "营业期限至", "term_long": "长期", "address": "住所",
    "ineligible": "不具备独立法人资格的原因", "operating_revenue": "营业收入（表内单位）",
    "net_profit": "净利润（表内单位）", "unit": "金额单位", "period": "报表期间", "period_year": "报表年度",
    "period_full_year": "完整年度", "preparer": "编制单位", "seal": "红色印章", "sealed": "红色印章",
    "seal_kind": "印章种类", "seal_text": "印章文字",
    "operating_revenue_yuan": "营业收入（元）", "net_profit_yuan": "净利润（元）", "error": "无法识别的原因",
    "rotation": "页面旋转", "scope": "经营范围", "business_scope": "经营范围", "kind": "文件种类",
    "document_kind": "文件种类",
    # the USCC check (report.extracted["uscc"])
    "code": "代码", "valid": "校验结果", "authority_name": "登记管理部门", "category_name": "机构类别",
    "division": "行政区划码", "org_code": "组织机构代码", "org_check_ok": "组织机构代码校验位",
    "expected_check": "应有的校验码",
}
READ_TITLES = {**DOCUMENTS, "uscc": "统一社会信用代码校验"}
# keys never shown: raw codes a *_name key already says in words, the engine's own bookkeeping
READ_SKIP = {"engine", "elapsed_ms", "image_size", "lines", "text", "file", "boxes", "seal_box", "authority",
             "category", "reasons", "problems", "warnings"}
# extracted parts that are not a document's reading (file sizes, model bookkeeping)
READ_KINDS_SKIP = {"files", "text_feedback_dropped"}
READ_VALUES = {
    "uscc_status": {"ok": "识别无误", "corrected": "按校验码纠正了一个字符", "unreadable": "无法确认",
                    "ambiguous": "有多种可能，未纠正"},
    "valid": {True: "通过", False: "不通过"},
    "org_check_ok": {True: "正确", False: "不符合GB 11714（部分真实代码如此）"},
    "seal": {True: "有", False: "未发现"}, "sealed": {True: "有", False: "未发现"},
    "seal_kind": {"audit": "审计单位印章", "finance": "财务专用章", "official": "单位公章", "purpose": "其他专用章",
                  "authority": "机关印章", "unknown": "未能读出"},
    "period_full_year": {True: "是", False: "否"}, "term_long": {True: "是", False: "否"},
}
YUAN_KEYS = {"operating_revenue_yuan", "net_profit_yuan"}
WAN_KEYS = {"registered_capital_wan"}


def read_value(key: str, value):
    """A reader's value in Chinese: status words, booleans, rotation, money."""
    from screening.money import format_money

    words = READ_VALUES.get(key)
    if words is not None and value in words:
        return words[value]
    if key == "rotation":
        return f"已按逆时针旋转{value}°读取" if value else "正向"
    if key in YUAN_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_money(value, "元")
    if key in WAN_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_money(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


# ---------------------------------------------------------------- duplicates
# what the duplicate evidence says about each filing ("this" / "other": Filing.side())
SIDE_LABELS = {"submission_id": "备案编号", "stage": "备案阶段", "product_name": "产品名称", "entity_name": "单位名称",
               "entity_uscc": "统一社会信用代码", "uscc": "统一社会信用代码", "models": "规格型号", "trademark": "商标",
               "intro": "产品简介", "patents": "相关专利", "file": "文件", "document": "文件类型", "score": "相似度",
               "similarity": "相似度", "text": "文字", "product": "产品", "kind": "图片类型"}
# the pair scorer's signals (screening.duplicates.filing.pair_features) and their products
SIGNAL_LABELS = {
    "cosine": "全文语义相似度", "name_equal": "产品名称相同", "name_jaccard": "产品名称字面重合度",
    "intro_jaccard": "产品简介字面重合度", "intro_missing": "一方未填简介", "model_same": "型号相同",
    "model_variant": "同一型号的颜色/配置变体", "model_different": "型号属于不同产品线",
    "model_unknown": "一方未填型号", "patent_shared": "有相同的专利", "patent_jaccard": "专利重合度",
    "patent_missing": "一方未填专利", "same_entity": "同一申报单位", "photo_copy": "产品照片相同或近似",
    "photo_distance": "照片差异", "photo_missing": "一方无照片", "generation_differs": "代际/年款标记不同",
    "likeness": "名称、型号或照片相似", "cosine*cosine": "全文语义相似度（平方）",
}
SIGNAL_FORMAT = {"cosine", "name_jaccard", "intro_jaccard", "patent_jaccard", "photo_distance"}  # shown as %


def signal_label(name: str) -> str:
    """``patent_shared*likeness`` → 有相同的专利 × 名称、型号或照片相似."""
    if name in SIGNAL_LABELS:
        return SIGNAL_LABELS[name]
    return " × ".join(SIGNAL_LABELS.get(p, "其他信号") for p in name.split("*"))


def signal_value(name: str, value) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    if name in SIGNAL_FORMAT:
        return f"{100 * float(value):.0f}%"
    return "是" if float(value) >= 0.5 else "否"


# ---------------------------------------------------------------- models page
METRIC_LABELS = {
    "test": "测试集", "validation": "验证集", "train": "训练集", "fixed": "固定评估集", "untouched": "未接触评估集",
    "development": "开发集", "n": "样本数", "positives": "正例数", "threshold": "阈值", "precision": "精确率",
    "recall": "召回率", "f1": "F1", "accuracy": "准确率", "auc": "AUC", "ece": "ECE（校准误差）", "brier": "Brier 分数",
    "tp": "真正例", "fp": "假正例", "fn": "假反例", "tn": "真反例", "by_kind": "按类型", "by_code": "按问题代码",
    "by_class": "按类别", "label": "标签", "macro_f1": "宏平均 F1", "micro_f1": "微平均 F1", "support": "样本数",
    "loss": "损失", "log_loss": "对数损失", "decisions": "审核结论数", "pairs": "样本对数", "real_photos": "真实照片",
    "kept_as_photo": "仍判为照片的比例", "errors": "错误数", "coverage": "覆盖率", "mean": "平均值",
    "span_f1_dev": "开发集片段 F1", "roc_auc": "ROC AUC", "dev": "开发集",
}


def metric_label(key: str) -> str:
    return METRIC_LABELS.get(str(key), str(key))


def metrics_view(metrics: dict) -> list[dict]:
    """A manifest's metrics (nested dicts) as tables, not JSON: a dict whose values are all
    dicts of numbers is one grid (e.g. ``by_kind``: a row per kind, a column per measure);
    anything else is (label, value) rows, nested dicts as sub-tables, lists of numbers joined."""
    if not isinstance(metrics, dict):
        return [{"rows": [{"label": "", "value": metrics, "sub": None}]}]
    items = sorted(metrics.items(), key=lambda kv: str(kv[0]))
    if items and all(isinstance(v, dict) and v and all(not isinstance(x, (dict, list)) for x in v.values())
                     for _, v in items):
        cols = list(dict.fromkeys(c for _, v in items for c in v))
        return [{"grid": [(metric_label(k), [v.get(c) for c in cols]) for k, v in items],
                 "cols": [metric_label(c) for c in cols]}]
    rows = []
    for key, value in items:
        if isinstance(value, dict):
            rows.append({"label": metric_label(key), "value": None, "sub": value})
        elif isinstance(value, list):
            shown = (f"{len(value)} 条" if value and isinstance(value[0], (dict, list))
                     else "、".join(str(v) for v in value) or "—")
            rows.append({"label": metric_label(key), "value": shown, "sub": None})
        else:
            rows.append({"label": metric_label(key), "value": value, "sub": None})
    return [{"rows": rows, "grid": None}]
