"""Who the generated documents belong to: real names and codes when the real-data folder is
there (read at run time, never copied into the repo), generated ones otherwise.

Entities are split by a hash of their code so the evaluation set (``split="eval"``) never
shares an entity with what tests or training draw (``split="train"``).
"""

from __future__ import annotations

import csv
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache

# the generated codes carry the validators' own check character (one implementation of the rule)
from screening.settings import realdata_dir
from screening.validators.uscc import ALPHABET, check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉玲志国红梅海燕鹏飞俊杰晓东永健宇航雪梅春生振宏瑞祥善德嘉欣子涵雨轩浩然思远"
CITIES = [("广东省", "深圳市", "南山区"), ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区"),
          ("江苏省", "苏州市", "工业园区"), ("北京市", "北京市", "海淀区"), ("上海市", "上海市", "浦东新区"),
          ("湖北省", "武汉市", "洪山区"), ("四川省", "成都市", "高新区"), ("山东省", "青岛市", "崂山区"),
          ("福建省", "厦门市", "思明区"), ("河南省", "郑州市", "金水区"), ("陕西省", "西安市", "雁塔区")]
WORDS = "华信达通科技创新智能精密机械电子材料环保能源医疗生物光电新材仪器软件网络数据汽车装备化工食品纺织建材照明"
SCOPE_BITS = ["技术开发、技术咨询、技术服务", "电子产品销售", "机械设备研发", "软件开发", "货物进出口", "技术进出口",
              "新材料技术研发", "智能机器人的研发", "通用设备制造（不含特种设备制造）", "日用百货销售", "信息技术咨询服务",
              "工业设计服务", "计算机软硬件及辅助设备零售", "五金产品批发", "塑料制品销售", "环境保护专用设备制造"]


@dataclass
class Entity:
    name: str
    uscc: str
    province: str | None = None
    scope: str | None = None


def in_split(code: str, split: str) -> bool:
    is_eval = zlib.crc32(code.encode()) % 5 == 0
    return is_eval if split == "eval" else not is_eval


@lru_cache(maxsize=4)
def real_entities(split: str) -> tuple[Entity, ...]:
    """Real (name, code) pairs whose code passes the checksum; empty when the folder is absent."""
    path = realdata_dir() / "uscc" / "enterprise_registration_2002_name_uscc.csv"
    if not path.is_file():
        return ()
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = (row.get("uscc") or "").strip(), (row.get("company_name") or "").strip()
            if len(code) != 18 or not name or len(name) > 26 or any(c not in ALPHABET for c in code):
                continue
            if check_char(code[:17]) != code[17] or not in_split(code, split):
                continue
            out.append(Entity(name, code, row.get("province")))
    return tuple(out)


@lru_cache(maxsize=1)
def real_scopes() -> tuple[str, ...]:
    path = realdata_dir() / "product_names" / "enterprise_registration_2002_business_scope_sample10k.csv"
    if not path.is_file():
        return ()
    with open(path, encoding="utf-8", newline="") as fh:
        return tuple(r["business_scope"] for r in csv.DictReader(fh) if 30 <= len(r.get("business_scope") or "") <= 400)


def generated_code(rng: random.Random, prefix: str = "91") -> str:
    division = rng.choice(["110108", "310115", "440300", "440106", "330106", "320505", "420111", "510107"])
    body = "".join(rng.choice(ALPHABET) for _ in range(9)) if rng.random() < 0.6 else "MA" + "".join(
        rng.choice(ALPHABET) for _ in range(7))
    first17 = prefix + division + body
    return first17 + check_char(first17)


def generated_name(rng: random.Random) -> str:
    _, city, _ = rng.choice(CITIES)
    core = "".join(rng.sample(WORDS, 2)) + "".join(rng.sample(WORDS, 2))
    return f"{city}{core}{rng.choice(['有限公司', '科技有限公司', '股份有限公司', '实业有限公司'])}"


def pick_entity(rng: random.Random, split: str = "train") -> Entity:
    pool = real_entities(split)
    if pool:
        e = rng.choice(pool)
        return Entity(e.name, e.uscc, e.province)
    return Entity(generated_name(rng), generated_code(rng))


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def address(rng: random.Random) -> str:
    prov, city, district = rng.choice(CITIES)
    road = "".join(rng.sample(WORDS, 2)) + rng.choice(["路", "大道", "街"])
    extra = rng.choice(["", f"{rng.randint(1, 30)}栋{rng.randint(101, 2808)}室", f"{rng.randint(1, 9)}号楼{rng.randint(2, 18)}层"])
    head = city if prov == city else prov + city
    return f"{head}{district}{road}{rng.randint(1, 999)}号{extra}"


def scope(rng: random.Random) -> str:
    real = real_scopes()
    if real and rng.random() < 0.7:
        return rng.choice(real)
    return "；".join(rng.sample(SCOPE_BITS, rng.randint(4, 10))) + "。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
