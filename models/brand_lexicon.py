"""Brand evidence for NAME_BRAND that is not the tagger: a filer's company-name core and a brand
dictionary with a learned common-word filter, matched anywhere in a name.

    lexicon = BrandLexicon.load(dir)            # once, at start-up
    lexicon.matches("德国博世电钻")                # -> [BrandMatch(2, 4, "博世", 0.998)]
    lexicon.matches("新款华为充电宝", [2])          # a word ends at 2 (新款|): -> [BrandMatch(2, 4, "华为", 0.981)]
    company_core("珠海格力电器股份有限公司", lexicon.suffixes, lexicon.industry_words)  # -> "格力"

The dictionary is the 284,835-entry trade-name list of shibing624/companynameparser
(Apache-2.0, attribution in NOTICE beside the weights). Many of its entries are also ordinary
words (新能源, 冰淇淋, 统一); ``training/brand_lexicon.py`` trains a logistic filter that scores
each entry's chance of being a brand rather than a common word, and every entry ships with that
score: the cut-off is the calibration's (``models/text_calibration.py``), per kind of evidence.

Matching is a trie over all entries, walked from every word start in the name, left to right
(the forward maximum match of dictionary segmentation, but a brand + product compound that the
list holds, 华为手机, gives way to the brand). The trie is stored as the set of its
inner nodes (every proper prefix of an entry) beside the entries: a walk stops as soon as the
text read is no node, so a name costs a few set look-ups per character. Aho-Corasick would do the
same in one pass, but product names are short (a walk is at most 16 characters) and a node-per-
object automaton over 284k entries would cost far more memory than these two sets.
"""

from __future__ import annotations

import functools
import gzip
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from . import text_rules as rules
from .base import Manifest, Model

_HAN = re.compile(r"[\u4e00-\u9fff]")
# a name may open with the brand's country before the brand (德国博世电钻): not part of the mark
COUNTRIES = ("德国", "日本", "美国", "韩国", "意大利", "法国", "英国", "瑞士", "瑞典", "丹麦", "荷兰", "芬兰", "澳大利亚",
             "新西兰", "加拿大")
# region prefixes of company names (珠海格力电器…): provinces, and 市/省/县/区 place names of 2-3 characters
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
    "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西",
    "西藏", "宁夏", "新疆", "香港", "澳门", "中国",
)
_COUNTRY_FIRST = {c[0] for c in COUNTRIES}
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}?(省|市|县|区|自治区|特别行政区)")
# a brand stands before the product it names: this many Chinese characters must follow a match
PRODUCT_AFTER = 2
CORE_CACHE = 4096  # company names whose core is remembered
# an entry right before 版 names an edition (…版按摩椅), not a mark
EDITION = "版"
# characters that make a prefix a phrase rather than a mark: 的, 用, conjunctions, 型/式/款/版/制
_PHRASE_CHARS = set("的用和及与或等、型式款版制")
_LATIN_PREFIX = re.compile(r"^[A-Za-z]{2,12}$")
_HAN_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
UNSEEN_ENTRY = "entry unseen in product text"
LATIN_SCORE = 0.9
_TRAILING_NOTE = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


class BrandMatch(NamedTuple):
    start: int
    end: int
    text: str
    score: float  # the common-word filter's brand probability for the entry


class HeadMatch(NamedTuple):
    """A prefix directly in front of a known product word, read as brand + product."""
    start: int
    end: int
    text: str
    head: str  # the product word after it
    reason: str  # "unknown word", "latin word" or "entry unseen in product text"
    score: float  # how much its characters belong to trade names rather than product text (0-1)


class BrandLexicon(Model):
    kind = "brand-lexicon"

    def __init__(self, entries: dict[str, float], suffixes: list[str], industry_words: list[str],
                 cities: list[str], threshold: float, manifest: Manifest | None = None, *,
                 product_words: Iterable[str] = (), product_grams: Iterable[str] = (),
                 general_words: Iterable[str] = (), char_scores: dict[str, float] | None = None) -> None:
        super().__init__(manifest)
        # per character: log share among trade-name cores less log share in product text (the
        # filter's brand_characters feature); 糖, 酸, 涂 lean to product text, 斯, 迅, 沣 to marks
        self.char_scores = dict(char_scores or {})
        # the structural evidence's vocabularies (training/brand_context.py); empty: no such evidence
        self.product_words = set(product_words)
        self.product_grams = set(product_grams)
        self.general_words = set(general_words)
        self.entries = entries  # entry -> the filter's brand probability
        self.suffixes = sorted(suffixes, key=len, reverse=True)
        self.industry_words = sorted(industry_words, key=len, reverse=True)
        # longest first, then by text: a set's order changes from run to run, the saved file must not
        self.cities = sorted(set(cities) | set(PROVINCES), key=lambda c: (-len(c), c))
        self.threshold = threshold
        self.max_len = max((len(e) for e in entries), default=0)
        # the trie's inner nodes; an entry is a node too when a longer entry extends it
        self._nodes = {e[:k] for e in entries for k in range(1, len(e))}
        # one filer sends many products, and stripping a name walks thousands of place names:
        # the cores of the last few thousand companies are kept
        self._core = functools.lru_cache(maxsize=CORE_CACHE)(
            lambda company: company_core(company, self.suffixes, self.industry_words, self.cities))

    def matches(self, name: str, boundaries: Iterable[int] = ()) -> list[BrandMatch]:
        """The dictionary entries in the name, left to right and not overlapping, each with a
        product after it (≥ 2 Chinese characters: a whole name that is an entry, 大锤, is not a
        brand in front of a product; of 格力空调, also an entry, 格力 is). Of the entries that
        start at one place the longest is taken, unless it extends a shorter one by two or more
        characters and scores lower than it.

        A match starts where a word may start: the name's start, after a country word (德国|博世,
        never the mark itself), after a character that is not Chinese (2024款|… is not, 5G|… is),
        or at one of ``boundaries`` (word ends the caller has read: 新款|华为, or a tagger BRAND
        start). Inside a run of Chinese an entry is as often a slice across two words (和乐 in
        山梨豆和乐谱纸卷), and there is no segmenter here to tell them apart."""
        n = len(name)
        han_after = [0] * (n + 1)  # Chinese characters from each position to the end
        for k in range(n - 1, -1, -1):
            han_after[k] = han_after[k + 1] + bool(_HAN.match(name[k]))
        starts = set(boundaries) | {0}
        out: list[BrandMatch] = []
        i = 0
        while i < n:
            country = name[i] in _COUNTRY_FIRST and next((c for c in COUNTRIES if name.startswith(c, i)), None)
            if country and i in starts:
                starts.add(i + len(country))
                i += len(country)
                continue
            best = None
            if i in starts or (i and not _HAN.match(name[i - 1])):
                for j in range(i + 1, min(n, i + self.max_len) + 1):
                    word = name[i:j]
                    # the longest entry, unless it is a shorter one plus a word (华为|手机, an entry
                    # of the list, 0.17) that scores lower than the shorter one alone (华为, 0.98);
                    # one character more is not a word (小龙|虾, 景泰|蓝): the longer one stands
                    if (j - i >= 2 and word in self.entries and han_after[j] >= PRODUCT_AFTER
                            and (best is None or j - best < 2 or self.entries[word] >= self.entries[name[i:best]])):
                        best = j
                    if word not in self._nodes:
                        break
                if best is not None and self._inside_word(name, i, best):
                    best = None
            if best is not None:
                out.append(BrandMatch(i, best, name[i:best], self.entries[name[i:best]]))
                starts.add(best)
                i = best
            else:
                i += 1
        return out

    def _inside_word(self, name: str, i: int, j: int) -> bool:
        """The entry name[i:j] is the opening of a longer word, not a mark: an edition (尊享|版), or
        a product word that real product text holds running on past it (齐特|拉琴 of 齐特拉琴)."""
        if name.startswith(EDITION, j):
            return True
        return any(name[i:k] in self.product_words for k in range(j + 1, min(len(name), i + 8) + 1))

    def before_head(self, name: str, starts: Iterable[int] = (0,)) -> HeadMatch | None:
        """A brand read from the name's shape, for marks in no list (沣标读卡器, JBL音箱): from a word
        start, a prefix and then the rest of the name is exactly a known product word (a bracketed
        note at the end aside), and the prefix is no word of descriptive product text:
        - 2-4 Chinese characters, none of its two-character slices in real product text and not a
          general word (石蕊|试纸, 广口|玻璃瓶 are describing words), or a dictionary entry that
          product text never holds (茅台|白酒);
        - or a Latin word that real product text never writes (PVC|管 and LED|灯 it does).
        Transliterated goods names (齐特拉琴) stay whole: 齐特拉 before 琴 leaves no product
        word of two characters or more."""
        if not self.product_words:
            return None
        body = _TRAILING_NOTE.sub("", name)
        for s in sorted(set(starts)):
            for k in range(s + 2, len(body) - 1):
                head = body[k:]
                if head not in self.product_words:
                    continue
                reason = self._unknown_prefix(body[s:k])
                if reason:
                    # a Latin word no product text writes is a mark far more often than not
                    score = LATIN_SCORE if reason == "latin word" else self.character_score(body[s:k])
                    return HeadMatch(s, k, body[s:k], head, reason, score)
                break  # the longest product word decides: a describing prefix before it is no mark
        return None

    def character_score(self, word: str) -> float:
        """The mean brand-vs-product leaning of the word's characters, squashed to 0-1 (a Latin word
        or characters the table lacks lean nowhere: 0.5)."""
        ratio = sum(self.char_scores.get(c, 0.0) for c in word) / max(len(word), 1)
        return round(1 / (1 + math.exp(-ratio)), 4)

    def _unknown_prefix(self, prefix: str) -> str | None:
        if _LATIN_PREFIX.match(prefix):
            up = prefix.upper()
            return None if up in self.product_grams or up in rules.ABBREVIATIONS else "latin word"
        if not _HAN_PREFIX.match(prefix) or _PHRASE_CHARS & set(prefix):
            return None
        if prefix not in self.general_words and not any(prefix[i : i + 2] in self.product_grams for i in range(len(prefix) - 1)):
            return "unknown word"
        if prefix in self.entries and prefix not in self.product_grams:
            return UNSEEN_ENTRY
        return None

    def company_core(self, company: str | None) -> str | None:
        return self._core(company)

    # --- Model contract ---------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "entries": len(self.entries),
                "files": ["entries.tsv.gz", "suffixes.txt", "industry_words.txt", "cities.txt", CHARACTERS]
                + list(CONTEXT_FILES.values())}

    def _save_weights(self, directory: Path) -> None:
        rows = "".join(f"{e}\t{p:.3f}\n" for e, p in sorted(self.entries.items()))
        # mtime 0: the same entries give the same bytes, so the manifest's file hash is stable
        (directory / "entries.tsv.gz").write_bytes(gzip.compress(rows.encode("utf-8"), mtime=0))
        (directory / "suffixes.txt").write_text("\n".join(self.suffixes) + "\n", encoding="utf-8")
        (directory / "industry_words.txt").write_text("\n".join(self.industry_words) + "\n", encoding="utf-8")
        (directory / "cities.txt").write_text("\n".join(c for c in self.cities if c not in PROVINCES) + "\n", encoding="utf-8")
        for attr, file in CONTEXT_FILES.items():
            rows = "".join(w + "\n" for w in sorted(getattr(self, attr)))
            (directory / file).write_bytes(gzip.compress(rows.encode("utf-8"), mtime=0))
        rows = "".join(f"{c}\t{r:.3f}\n" for c, r in sorted(self.char_scores.items()))
        (directory / CHARACTERS).write_text(rows, encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "BrandLexicon":
        entries = {}
        for line in gzip.decompress((directory / "entries.tsv.gz").read_bytes()).decode("utf-8").splitlines():
            e, p = line.split("\t")
            entries[e] = float(p)

        def words(name: str) -> list[str]:
            return [w for w in (directory / name).read_text(encoding="utf-8").splitlines() if w.strip()]

        # weights from before the structural evidence lack these files: no such evidence then
        context = {attr: gzip.decompress((directory / file).read_bytes()).decode("utf-8").split()
                   if (directory / file).is_file() else [] for attr, file in CONTEXT_FILES.items()}
        chars = (directory / CHARACTERS).read_text(encoding="utf-8").splitlines() if (directory / CHARACTERS).is_file() else []
        context["char_scores"] = {c: float(r) for c, r in (line.split("\t") for line in chars if line)}
        return cls(entries, words("suffixes.txt"), words("industry_words.txt"), words("cities.txt"),
                   float(config["threshold"]), manifest, **context)


CONTEXT_FILES = {"product_words": "product_words.txt.gz", "product_grams": "product_grams.txt.gz",
                 "general_words": "general_words.txt.gz"}
CHARACTERS = "characters.tsv"


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
