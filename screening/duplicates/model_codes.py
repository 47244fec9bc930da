"""Model codes: the same code, a variant of the same line, or another line.

"同一产品不得重复备案": colour, size, memory and configuration variants of one model line are
ONE product (P40 and "P40 8+128G 黑色"), while other lines are other products (P40, P40Pro
and P40Plus are three). A code is split into its LINE (what is left once the variant tokens
are taken out, with spaces and hyphens dropped) and its variant tokens.
"""

from __future__ import annotations

import functools
import re
import unicodedata

COLOURS_ZH = ("黑", "白", "红", "蓝", "绿", "金", "银", "灰", "粉", "紫", "黄", "橙", "棕", "青", "褐", "米", "咖啡",
              "香槟", "玫瑰金", "曜石黑", "星空灰", "深空灰", "冰霜银", "珍珠白", "宝石蓝", "墨绿", "亮黑", "雅川青",
              "翡冷翠", "极光", "幻夜", "天空之境", "钛", "原色", "本色", "透明")
COLOURS_EN = ("BLACK", "WHITE", "RED", "BLUE", "GREEN", "GOLD", "SILVER", "GREY", "GRAY", "PINK", "PURPLE", "YELLOW",
              "ORANGE", "BROWN", "TITANIUM", "ROSE")
CONFIG_WORDS = ("标准版", "豪华版", "尊享版", "旗舰版", "基础版", "舒适版", "精英版", "高配", "低配", "顶配", "标配", "中配",
                "套装", "礼盒装", "单机", "整机", "裸机", "国行", "全网通", "官方标配", "升级版", "家庭装", "经典款",
                "男款", "女款", "加大", "加厚", "大号", "中号", "小号", "特大号", "常规款")
SIZES = ("XXXL", "XXL", "XL", "XS", "S", "M", "L", "均码", "F")

_COLOUR_ZH = re.compile(r"(?:%s)[\u4e00-\u9fff]{0,2}色|(?:%s)" % ("|".join(COLOURS_ZH), "|".join(
    sorted([c for c in COLOURS_ZH if len(c) > 1], key=len, reverse=True))))
_MEMORY = re.compile(r"\d{1,2}(?:GB|G)?\+\d{1,4}(?:GB|G|TB|T)|\d{1,4}(?:GB|TB|G|T)(?![A-Z0-9])")
_MEASURE = re.compile(r"\d+(?:\.\d+)?(?:英寸|寸|CM|MM|M|米|厘米|毫米|L|ML|升|毫升|KG|G|克|公斤|W|瓦|V|伏|MAH|匹|P|HZ|码)"
                      r"(?![A-Z0-9])")
_COUNT = re.compile(r"\d+(?:件|只|支|片|粒|袋|瓶|盒)装")
_PAREN = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_SEP = re.compile(r"[\s/,，;；|]+")
_JOIN = re.compile(r"[\s\-_.·•]+")


def normalise_code(code: str | None) -> str:
    """Upper case, NFKC, separators dropped: 'bcd-520 w' and 'BCD520W' are one code."""
    return _JOIN.sub("", unicodedata.normalize("NFKC", code or "").upper())


@functools.lru_cache(maxsize=8192)  # a search's query codes meet every candidate's: computed once
def line_of(code: str | None) -> str:
    """The model line: the code without colours, memory, sizes, configuration words, brackets.

    Only whole tokens (separated by spaces, slashes, '+') are taken for variants, so that a
    hyphenated code keeps its parts: 'BCD-520W' is a line, '520W' alone would be a wattage."""
    text = unicodedata.normalize("NFKC", code or "").upper()
    text = _PAREN.sub(" ", text)
    for word in CONFIG_WORDS:
        text = text.replace(word, " ")
    text = _COUNT.sub(" ", text)
    text = _COLOUR_ZH.sub(" ", text)
    tokens = [t for t in re.split(r"[\s/,，;；|]+", text) if t.strip("-_.+")]
    core = [t for t in tokens if not _is_variant_token(t)]
    if not core and tokens:
        core = tokens[:1]
    return normalise_code(" ".join(core))


def _is_variant_token(tok: str) -> bool:
    tok = tok.strip("-_.+")
    return (tok in SIZES or tok in COLOURS_EN or bool(_MEASURE.fullmatch(tok)) or bool(_MEMORY.fullmatch(tok))
            or tok in ("色", "版", "款", ""))


def split_models(models: list[str] | None) -> list[str]:
    """The codes a filer entered; one field sometimes holds several, separated by ; or ，."""
    out = []
    for m in models or []:
        for part in re.split(r"[;；，,、]+", m or ""):
            if part.strip():
                out.append(part.strip())
    return out


RELATIONS = ("same", "variant", "different", "unknown")


def relation(a: list[str] | None, b: list[str] | None) -> str:
    """The closest relation between any code of ``a`` and any of ``b``."""
    a, b = split_models(a), split_models(b)
    if not a or not b:
        return "unknown"
    full_a = {normalise_code(x) for x in a}
    if full_a & {normalise_code(x) for x in b}:
        return "same"
    lines_a = {_bare(line_of(x)) for x in a} - {""}
    lines_b = {_bare(line_of(x)) for x in b} - {""}
    if lines_a & lines_b:
        return "variant"
    return "different"


_HAN_PREFIX = re.compile(r"^[\u4e00-\u9fff·]+(?=[A-Z0-9])")


def _bare(line: str) -> str:
    """A line without a leading brand in Chinese ('奥迪A4' and 'A4' are one line)."""
    return _HAN_PREFIX.sub("", line)
