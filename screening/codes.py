"""The finding codes the whole system speaks (DOMAIN.md), with their severities.

Reviewers reject with the same codes, so this table is shared by the rule checks, the
models, the priority score and the reviewer pages. Six codes are our own additions for the
report's honesty: ``CHECK_SKIPPED`` (a part could not be checked because the filer left it
empty), ``CHECK_FAILED`` (a part of the pipeline failed; the report is ``degraded``),
``STATEMENT_UNREADABLE`` (a 利润表 field the reader could not read: never a silent gap) and
``DOCUMENT_KIND_WRONG`` (the page uploaded as a 利润表 is another statement); and
``PLEDGE_UNSEALED`` (the 诚信承诺书 carries no seal, or not the entity's official seal) and
``PROOF_UNSEALED`` (the economic proof carries no seal, or not the entity's finance seal),
which DOMAIN.md's list has no code for.
"""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    BLOCK = "block"
    HIGH = "high"
    MEDIUM = "medium"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.BLOCK: 3, Severity.HIGH: 2, Severity.MEDIUM: 1, Severity.INFO: 0}

B, H, M, I = Severity.BLOCK, Severity.HIGH, Severity.MEDIUM, Severity.INFO

# code -> (severity, short Chinese title used by the reviewer pages and as a default message)
CODES: dict[str, tuple[Severity, str]] = {
    # entity (real-name verification)
    "ENTITY_USCC_INVALID": (B, "统一社会信用代码不符合国家标准"),
    "ENTITY_INELIGIBLE": (B, "备案主体不具备独立法人资格"),
    "LICENCE_USCC_MISMATCH": (B, "营业执照上的统一社会信用代码与填写不一致"),
    "LICENCE_NAME_MISMATCH": (H, "营业执照上的单位名称与填写不一致"),
    "LICENCE_UNREADABLE": (H, "营业执照无法识别"),
    "LICENCE_EXPIRED": (B, "营业执照已超过营业期限"),
    "STATEMENT_REVENUE_MISMATCH": (H, "营业收入与利润表不一致"),
    "STATEMENT_UNIT_ERROR": (H, "营业收入单位换算错误"),
    "STATEMENT_PROFIT_MISMATCH": (M, "净利润与利润表不一致"),
    "STATEMENT_ENTITY_MISMATCH": (H, "利润表编制单位不是备案主体"),
    "STATEMENT_PERIOD_WRONG": (H, "利润表不是上一完整年度"),
    "STATEMENT_UNSEALED": (M, "利润表未见红色印章"),
    "ENTITY_FIGURES_INCONSISTENT": (M, "单位资产信息相互矛盾"),
    # product filing
    "NAME_METHOD": (B, "产品名称为方法、技术或工艺"),
    "NAME_PATENT_TITLE": (H, "产品名称为专利名称"),
    "NAME_BRAND": (H, "产品名称含有品牌商标"),
    "NAME_TOO_BROAD": (H, "产品名称过于宽泛"),
    "NAME_MULTI_PRODUCT": (H, "产品名称包含多个产品或服务"),
    "NAME_HAS_SPEC": (M, "产品名称含有规格型号"),
    "NAME_VAGUE_WORDING": (M, "产品名称含有模糊用语"),
    "NAME_ADJECTIVE": (M, "产品名称含有修饰性形容词"),
    "NAME_FOREIGN_OR_CODE": (M, "产品名称为外文或字母代号"),
    "NAME_SELF_COINED": (H, "产品名称为自行命名"),
    "MODEL_VAGUE": (M, "规格型号含有“系列”“等”"),
    "MODEL_MULTI_UNJUSTIFIED": (M, "多个型号未说明理由"),
    "MODEL_INVALID_CONTENT": (M, "规格型号填写了非型号内容"),
    "INTRO_TOO_LONG": (B, "产品简介超过500字"),
    "INTRO_OFF_TOPIC": (M, "产品简介不是产品介绍"),
    "CATEGORY_MISMATCH": (M, "产品分类与产品不符"),
    "SALES_ZERO": (B, "产品上年度无销售"),
    "PRODUCT_FIGURES_INCONSISTENT": (M, "产品经济数据相互矛盾"),
    "PATENT_MISSING": (B, "未关联专利"),
    "PATENT_NUMBER_INVALID": (H, "专利号无效或非中国专利"),
    "PATENT_LITIGATED_NO_CASE": (M, "涉诉专利未注明案件编号"),
    "PATENT_NOT_HELD": (H, "备案单位不是专利权人或被许可人"),
    # second round: product, patents and entity consistency (DOMAIN.md "Added with the review rules…")
    "PATENT_NOT_IN_FORCE": (B, "关联专利未维持有效"),
    "PATENT_ALL_LAPSED": (H, "关联专利已全部失效或转让，应撤销备案"),
    "MODEL_LINES_DIFFER": (H, "多个型号属于不同产品"),
    "NAME_NOT_IN_PATENTS": (M, "产品名称与关联专利名称无共同之处"),
    "DESIGN_PATENT_ONLY": (I, "核心专利仅为外观设计专利"),
    "SCOPE_MISMATCH": (M, "经营范围未涵盖产品的制造或销售"),
    "INDUSTRY_CODE_INVALID": (M, "国民经济行业分类代码无效"),
    "EXPORT_DESTINATIONS_MISSING": (M, "出口信息缺失或矛盾"),
    "DUPLICATE_FILING": (H, "同一产品重复备案"),
    "DUPLICATE_IMAGE": (M, "产品图片与其他备案重复"),
    "IMAGE_NOT_PHOTO": (M, "产品主图不是实物照片"),
    "PROOF_MISMATCH": (H, "证明材料与填写的经济数据不一致"),
    # added with the review rules of the second round (DOMAIN.md, in its order)
    "DOCUMENT_MISSING": (H, "缺少必须上传的材料"),
    "IMAGE_MAIN_COUNT": (H, "产品主图应有且仅有一幅"),
    "ANNUAL_UPDATE_OUT_OF_WINDOW": (M, "年度更新不在1月1日至3月31日之间"),
    "ASSET_UPDATE_OVERDUE": (H, "5月1日后未更新上一年度资产信息"),
    "FILED_FIELD_CHANGED": (H, "更新修改了备案后锁定的信息"),
    "UPDATE_FIGURES_STALE": (H, "更新的数据不是上一年度的"),
    "UPDATE_PROOF_STALE": (M, "更新未替换上一年度的经济证明材料"),
    # files (any stage)
    "FILE_TYPE_INVALID": (B, "文件格式不符合要求"),
    "FILE_TOO_LARGE": (B, "文件超过大小限制"),
    "FILE_CORRUPT": (B, "文件已损坏，无法打开"),
    # the report's own honesty (ours, not DOMAIN.md's)
    "CHECK_SKIPPED": (I, "该项因未填写而无法检查"),
    "CHECK_FAILED": (I, "该项检查未能完成"),
    # high, as LICENCE_UNREADABLE: an unread figure or preparer cannot be checked against the form,
    # and a page that is not a 利润表 leaves the filing without one; both send the filing back
    "STATEMENT_UNREADABLE": (H, "利润表的营业收入、净利润、期间或编制单位无法识别"),
    "DOCUMENT_KIND_WRONG": (H, "上传的文件不是所需种类的材料"),
    # medium, as STATEMENT_UNSEALED: seed 002 三(一) "诚信承诺书加盖公章"
    "PLEDGE_UNSEALED": (M, "诚信承诺书未见本单位公章"),
    # medium, as STATEMENT_UNSEALED: seed 002 五(一)3 ① "…相关证明材料…，并加盖财务章"
    "PROOF_UNSEALED": (M, "经济效益证明材料未见本单位财务章"),
}


def severity_of(code: str) -> Severity:
    return CODES[code][0]


def title_of(code: str) -> str:
    return CODES[code][1]
