"""Brand evidence for NAME_BRAND that is not the tagger: a filer's company-name core and a brand
dictionary with a learned common-word filter.

    lexicon = BrandLexicon.load(dir)            # once, at start-up
    lexicon.leading_brand("华为充电宝")           # -> (0, 2, "华为", 0.98) or None
    company_core("珠海格力电器股份有限公司", lexicon.suffixes, lexicon.industry_words)  # -> "格力"

The dictionary is the 284,835-entry trade-name list of shibing624/companynameparser
(Apache-2.0, attribution in NOTICE beside the weights). Many of its entries are also ordinary
words (光度, 国际, 俄罗斯); ``training/brand_lexicon.py`` trains a logistic filter that scores
each entry's chance of being a brand rather than a common word, and only entries above the
filter's threshold ship, with their score. Matching is a longest-prefix walk over a set of the
entries (the trie of a prefix-only match): a brand at the start of a name is what a filer writes
(华为充电宝); one inside a name is left to the tagger, because a dictionary this noisy finds
"brands" inside most official goods names.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

from .base import Manifest, Model

_HAN = re.compile(r"[\u4e00-\u9fff]")
# a name may open with the brand's country before the brand (德国博世电钻): not part of the mark
_COUNTRY = re.compile(r"^(德国|日本|美国|韩国|意大利|法国|英国|瑞士|瑞典|丹麦|荷兰|芬兰|澳大利亚|新西兰|加拿大)")
# region prefixes of company names (珠海格力电器…): provinces, and 市/省/县/区 place names of 2-3 characters
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西",
    "西藏", "宁夏", "新疆", "香港", "澳门", "中国",
)
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}?(省|市|县|区|自治区|特别行政区)")


class BrandLexicon(Model):
    kind = "brand-lexicon"

    def __init__(self, entries: dict[str, float], suffixes: list[str], industry_words: list[str],
                 cities: list[str], threshold: float, manifest: Manifest | None = None) -> None:
        super().__init__(manifest)
        self.entries = entries  # entry -> the filter's brand probability (only those ≥ threshold)
        self.suffixes = sorted(suffixes, key=len, reverse=True)
        self.industry_words = sorted(industry_words, key=len, reverse=True)
        self.cities = sorted(set(cities) | set(PROVINCES), key=len, reverse=True)
        self.threshold = threshold
        self.max_len = max((len(e) for e in entries), default=0)

    def leading_brand(self, name: str) -> tuple[int, int, str, float] | None:
        """The longest dictionary entry opening the name (after a country word), when something
        is left after it to be the product (a whole name that is a dictionary entry is not a brand
        in front of a product: 大锤, 门廊)."""
        m = _COUNTRY.match(name)
        start = m.end() if m else 0
        best = None
        for end in range(start + 2, min(len(name), start + self.max_len) + 1):
            word = name[start:end]
            if word in self.entries and len(_HAN.findall(name[end:])) >= 2:
                best = (start, end, word, self.entries[word])
        return best

    def company_core(self, company: str | None) -> str | None:
        return company_core(company, self.suffixes, self.industry_words, self.cities)

    # --- Model contract ---------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "entries": len(self.entries), "files": ["entries.tsv.gz", "suffixes.txt",
                                                                                        "industry_words.txt", "cities.txt"]}

    def _save_weights(self, directory: Path) -> None:
        rows = "".join(f"{e}\t{p:.3f}\n" for e, p in sorted(self.entries.items()))
        # mtime 0: the same entries give the same bytes, so the manifest's file hash is stable
        (directory / "entries.tsv.gz").write_bytes(gzip.compress(rows.encode("utf-8"), mtime=0))
        (directory / "suffixes.txt").write_text("\n".join(self.suffixes) + "\n", encoding="utf-8")
        (directory / "industry_words.txt").write_text("\n".join(self.industry_words) + "\n", encoding="utf-8")
        (directory / "cities.txt").write_text("\n".join(c for c in self.cities if c not in PROVINCES) + "\n", encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "BrandLexicon":
        entries = {}
        for line in gzip.decompress((directory / "entries.tsv.gz").read_bytes()).decode("utf-8").splitlines():
            e, p = line.split("\t")
            entries[e] = float(p)

        def words(name: str) -> list[str]:
            return [w for w in (directory / name).read_text(encoding="utf-8").splitlines() if w.strip()]

        return cls(entries, words("suffixes.txt"), words("industry_words.txt"), words("cities.txt"),
                   float(config["threshold"]), manifest)


def company_core(company: str | None, suffixes: list[str], industry_words: list[str],
                 cities: list[str] | tuple[str, ...] = PROVINCES) -> str | None:
    """The trade name inside a company name: 华为技术有限公司 → 华为, 珠海格力电器股份有限公司 → 格力.
    Strips bracketed notes, the organisation suffix, the region in front and the industry words
    behind; None when fewer than two characters are left."""
    s = re.sub(r"[（(][^）)]*[）)]", "", (company or "").strip())
    if s in suffixes:  # a bare organisation form names no trade name
        return None
    for _ in range(2):  # 有限公司 then 股份 / 集团 in front of it
        for suf in sorted(suffixes, key=len, reverse=True):
            if s.endswith(suf) and len(s) > len(suf):
                s = s[: -len(suf)]
                break
    for _ in range(2):  # 广东省 then 深圳市
        m = _PLACE.match(s)
        if m and len(s) - m.end() >= 2:
            s = s[m.end() :]
            continue
        for c in sorted(cities, key=len, reverse=True):
            if s.startswith(c) and len(s) - len(c) >= 2:
                s = s[len(c) :]
                break
    changed = True
    while changed:  # 格力电器 → 格力, 华为技术 → 华为, 三一重工 → 三一
        changed = False
        for w in industry_words:
            if s.endswith(w) and len(s) - len(w) >= 2:
                s, changed = s[: -len(w)], True
                break
    return s if len(s) >= 2 else None
