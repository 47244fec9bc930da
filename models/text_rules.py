"""The exact parts of text screening: what a rule knows for certain.

Each function returns spans (start, end, text) or a yes/no; ``text_screener`` merges them with
the tagger's spans and the heads' probabilities, so a rule and a model reinforce each other
rather than reporting twice.
"""

from __future__ import annotations

import re

# well-known abbreviations that may stand inside a Chinese name (DOMAIN.md: "LED屏")
ABBREVIATIONS = {
    "LED", "USB", "5G", "4G", "3G", "GPS", "WIFI", "3D", "2D", "RFID", "LCD", "OLED", "CNC", "UV", "AI", "VR", "AR",
    "PCB", "PVC", "ABS", "NFC", "CPU", "GPU", "SIM", "DVD", "CD", "T恤", "X光", "POS", "ETC", "IC", "PLC", "DNA",
    "RNA", "PCR", "CT", "MRI", "4K", "8K", "HDMI", "APP", "SUV", "MPV", "PE", "PP", "PET", "TPU", "EVA", "HDPE", "PA",
}
VAGUE_WORDS = ("一种", "系列", "各类", "各种", "各式", "若干", "多种", "诸如", "等")
# "等" is a vague word only where it lists ("椅子等家具", "…等"), not inside 等离子, 中等, 等温 …
_DENG_OK = re.compile(r"等(离子|温|压|径|边|效|级|渗|高|角|同|待|分|比|距|厚|速)|(中|高|初|上|次|优|均|相|平|对|同)等")
_UNIT = (r"(英寸|寸|mm|cm|毫米|厘米|公分|升|ml|mL|毫升|kW|千瓦|W|瓦|V|伏|mAh|Ah|匹|吨|kg|公斤|克|g|Hz|GB|TB|MB|"
         r"KG|L|m|米|层|门|孔|档|核|P)")
_SPEC = re.compile(r"(?<![A-Za-z0-9])\d+(\.\d+)?\s*" + _UNIT + r"(?![A-Za-z\u4e00-\u9fff]{0,0}[A-Za-z])")
_MODEL_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,5}-?\d{2,6}[A-Za-z]{0,4}(?![A-Za-z0-9])")
# names that name a whole class of goods, not a product (DOMAIN.md: "电器" → 电冰箱)
BROAD_TERMS = frozenset({
    "电器", "叶片", "设备", "装置", "产品", "材料", "配件", "零件", "部件", "机械", "器材", "用品", "系统", "工具", "仪器",
    "机器", "元件", "组件", "器具", "电子产品", "化工产品", "食品", "饮料", "药品", "家具", "五金", "建材", "服饰", "日用品",
    "电子元器件", "机电设备", "化学品", "原材料", "零部件", "成套设备", "智能设备", "电气设备", "医疗器械", "家用电器",
    "办公用品", "机械设备", "电子设备", "通讯设备", "汽车配件", "结构件", "电子元件", "仪器仪表", "工业设备", "软件",
})
METHOD_TAIL = re.compile(r"(方法|工艺|技术|方案)$|方法(及|和|与)")
SET_TAIL = re.compile(r"(套装|套件|组合装|组合套装|礼盒装?|套组)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
IPC = re.compile(r"^[A-H]\d{2}[A-Z](\s*\d{1,4}\s*/\s*\d{1,6})?$")


def trademark_spans(name: str, trademark: str | None) -> list[tuple[int, int, str]]:
    """Where the form's own 商标 field occurs in the name: the first evidence for NAME_BRAND."""
    out = []
    for mark in re.split(r"[/、，,；;\s]+", trademark or ""):
        mark = mark.strip("（）()[]【】“”\"'")
        if len(mark) < 2 and not (len(mark) == 1 and _HAN.match(mark or " ")):
            continue
        for m in re.finditer(re.escape(mark), name, flags=re.IGNORECASE):
            out.append((m.start(), m.end(), name[m.start() : m.end()]))
    return out


# promotional words that say nothing about the product (DOMAIN.md: "新型", "高端"); none occurs
# in the 11,230 official goods and service names
ADJECTIVE_WORDS = ("高品质", "新型", "新款", "高端", "优质", "豪华", "超级", "顶级", "极品", "精品", "至尊", "尊贵", "爆款",
                   "网红", "一流", "卓越", "完美", "领先", "奢华", "最新", "高档", "极致")
_NOT_ADJECTIVE = re.compile(r"实用新型|超级电容")


def adjective_spans(name: str) -> list[tuple[int, int, str]]:
    out = []
    masked = _NOT_ADJECTIVE.sub(lambda m: "＊" * len(m.group(0)), name)
    for word in ADJECTIVE_WORDS:
        for m in re.finditer(word, masked):
            if not any(a <= m.start() < b for a, b, _ in out):
                out.append((m.start(), m.end(), word))
    return sorted(out)


def not_adjective_spans(name: str) -> list[tuple[int, int]]:
    """Technical terms that contain a praising word (实用新型, 超级电容): no adjective inside them."""
    return [(m.start(), m.end()) for m in _NOT_ADJECTIVE.finditer(name)]


def vague_spans(name: str) -> list[tuple[int, int, str]]:
    out = []
    if name.startswith("一种"):
        out.append((0, 2, "一种"))
    for word in ("系列", "各类", "各种", "若干"):
        for m in re.finditer(word, name):
            out.append((m.start(), m.end(), word))
    for m in re.finditer("等", name):
        i = m.start()
        window = name[max(0, i - 1) : i + 3]
        if _DENG_OK.search(window):
            continue
        rest = name[i + 1 :]
        # a listing 等: at the end, before a class word, or between two noun phrases (沙发等家具)
        if rest == "" or re.match(r"(产品|配套|用品|设备|家具|器材|材料|物品|类)", rest) or (
                i >= 2 and _HAN.match(name[i - 1]) and len(_HAN.findall(rest)) >= 2 and not rest.startswith("级")):
            out.append((i, i + 1, "等"))
    for m in re.finditer("各式|诸如", name):
        out.append((m.start(), m.end(), m.group(0)))
    return out


def spec_spans(name: str) -> list[tuple[int, int, str]]:
    out = []
    for rx in (_SPEC, _MODEL_CODE):
        for m in rx.finditer(name):
            text = m.group(0)
            if text.upper() in ABBREVIATIONS or re.fullmatch(r"[3-8][GDK]", text):
                continue
            out.append((m.start(), m.end(), text))
    return out


def is_foreign_or_code(name: str) -> bool:
    """No Chinese at all and some Latin letters: "table", "PS"."""
    return not _HAN.search(name) and bool(_LATIN.search(name))


# the form only patent titles have (DOMAIN.md: "一种含有乳酸菌的碳酸饮料", "…的制造方法"): the
# 一种/基于/用于 opening, the 及其 coupling, claim wording (所述, 具有其的), a method with its
# device. Length is not the form, nor a 可…的 attribute (可下载的手机铃音 is an official name).
PATENT_PHRASING = re.compile(
    r"^(一种|基于|用于)|及其(制备|制造|生产|加工|应用|用途|方法|工艺|装置|系统|设备|组合物)|具有其的|所述|(的|及其)(制备|制造|生产|加工|使用|检测|控制)方法$|"
    r"方法(及|和|与)(其)?(装置|系统|设备|应用)|(装置|系统|设备)(及|和|与)(其)?(方法|工艺)"
)
# a long attributive chain: two 的-clauses in front of the head (带有…的可…的…)
_ATTRIBUTIVE_CHAIN = re.compile(r"的[^的]{1,}的")


def is_patent_phrasing(name: str) -> bool:
    return bool(PATENT_PHRASING.search(strip_brackets(name)))


def has_attributive_chain(name: str) -> bool:
    return bool(_ATTRIBUTIVE_CHAIN.search(strip_brackets(name)))


def matching_patent_title(name: str, titles: list[str] | None) -> str | None:
    """The filing's patent title the name was copied from: equal once the patent opening (一种) is
    dropped from both, and long enough to be a title rather than a product word (≥ 8 characters)."""
    core = re.sub(r"^(一种|一类)", "", strip_brackets(name)).strip()
    if len(core) < 8:
        return None
    for t in titles or []:
        t_core = re.sub(r"^(一种|一类)", "", strip_brackets(t or "")).strip()
        if t_core and t_core == core:
            return t
    return None


# several products or a product and a service: "A和B", "A及B", "A、B", "…及其安装服务"
_CONJ = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z0-9])(?:以及|及其|和|及|与|、)(?=[\u4e00-\u9fffA-Za-z0-9])")
_SERVICE = re.compile(r"(服务|工程|维护|维修|保养|安装|运维|设计|咨询|租赁|课程|培训)$")


def multi_product_parts(name: str) -> list[str] | None:
    """The products a name lists, when it lists several (two parts of ≥ 2 characters each);
    None for a set sold together (…套装), a patent-form name (…方法及装置 is a title) and a method."""
    plain = strip_brackets(name)
    if is_set(plain) or is_patent_phrasing(plain) or is_method(plain):
        return None
    parts = [p for p in _CONJ.split(plain) if p]
    if len(parts) < 2 or any(len(_HAN.findall(p)) < 2 for p in parts):
        return None
    return parts


def has_service_part(parts: list[str]) -> bool:
    return any(_SERVICE.search(p) for p in parts[1:])


# a short field or material word before 产品/用品 names a whole class (安防产品, 母婴用品); 3 of the
# 9,860 official goods names have this form, the 制品 ending is too common there to use
_CLASS_WORD = re.compile(r"^[\u4e00-\u9fff]{1,4}(产品|用品)$")


def is_broad_term(name: str) -> bool:
    """On the list of class names (电器, 家用电器): exact."""
    return strip_brackets(name) in BROAD_TERMS


def is_class_word_name(name: str) -> bool:
    """A short word before 产品/用品 (安防产品): a pattern, not exact; its findings are calibrated apart."""
    return bool(_CLASS_WORD.match(strip_brackets(name)))


def is_method(name: str) -> bool:
    return bool(METHOD_TAIL.search(strip_brackets(name)))


def is_set(name: str) -> bool:
    return bool(SET_TAIL.search(strip_brackets(name)))


def strip_brackets(text: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", text).strip()


def is_classification(entry: str) -> bool:
    return bool(IPC.match(entry.strip()))
