"""The vocabularies behind the brand dictionary's structural evidence (``BrandLexicon.before_head``):
a name that is an unknown word directly in front of a known product word (卡色|镜头, JBL|音箱) is
brand + product, whether or not the brand is in any list.

- product words: what real product text calls a product (official goods names of the train split,
  the e-commerce categories' lower levels, the product words annotated in the JD titles' train
  half: 手机壳, 保护套), 2-8 Chinese characters, and the nouns those names and the train folds'
  patent titles end in (读卡器);
- product grams: every two-character slice of real descriptive product text (goods and service
  names, categories, GB/T 4754 class names, patent titles of the train folds, industry words,
  business scopes of the train half, the JD titles' train half with their annotated brands blanked
  out), every dictionary entry that text holds, and its Latin words: a prefix made of these is a
  describing word (石蕊|试纸, 硅酸铝|耐火纤维, PVC|管), not a mark;
- general words: jieba's general dictionary (2-4 characters) less what the product grams already
  reject: a prefix that is an ordinary word (顶级, 广口) is no unknown mark either.

Only train halves are read: the JD half the tagger never saw and the eval splits stay unseen.
"""

from __future__ import annotations

import re

from .text_vocab import RealVocab, strip_parenthetical

_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
JD_BRAND, JD_PRODUCT = "1", "4"
_NOUN = ("n", "nz")
# endings that are no product: a method, a process, a system of parts, a use
_NOT_PRODUCT = re.compile(r"(方法|工艺|技术|方案|系统|应用|用途|结构|机构|组件|模块|装置)$")


def jd_train_text(vocab: RealVocab) -> tuple[list[str], list[str]]:
    """The JD train half: (its annotated product words, its titles with the brands blanked out)."""
    products, titles = [], []
    for r in vocab.jd_titles["train"]:
        t = r["title"]
        for e in r["entities"]:
            if e["label"] == JD_PRODUCT:
                products.append(e["text"].strip())
            elif e["label"] == JD_BRAND:
                t = t[: e["start"]] + "\0" * (e["end"] - e["start"]) + t[e["end"] :]
        titles.append(t)
    return products, titles


def product_words(vocab: RealVocab, jieba_words: dict[str, tuple[int, str]]) -> set[str]:
    """Whole product names, and the noun that ends a goods name, a category or a patent title
    of the train folds (…的读卡器 → 读卡器): the longest ending that jieba's dictionary holds as a
    noun, a method or system word aside (NAME_METHOD's, not a product)."""
    jd_products, _ = jd_train_text(vocab)
    goods = [strip_parenthetical(g.name) for g in vocab.goods["train"]]
    cats = [p for c in vocab.categories["train"] for level in c[1:] for p in re.split(r"[/、]", level)]
    words = {w for w in goods + cats + jd_products if _HAN_WORD.match(w)}
    for t in goods + cats + vocab.patent_titles["train"]:
        end = next((t[k:] for k in range(max(0, len(t) - 5), len(t) - 1)
                    if jieba_words.get(t[k:], (0, ""))[1] in _NOUN), None)
        if end and not _NOT_PRODUCT.search(end):
            words.add(end)
    return words


def descriptive_texts(vocab: RealVocab, products: list[str]) -> list[str]:
    """``products``: the filter's product text (``brand_lexicon.product_text``), plus what else
    describes goods and trades without naming a mark."""
    _, jd_titles = jd_train_text(vocab)
    return (products + [strip_parenthetical(g.name) for g in vocab.services["train"]]
            + [s for _, s in vocab.business_scopes["train"]] + jd_titles)


def product_grams(texts: list[str], entries_seen: set[str]) -> set[str]:
    grams = {t[i : i + 2] for t in texts for i in range(len(t) - 1)}
    grams = {g for g in grams if "\0" not in g and not any(c.isspace() for c in g)}
    latin = {w.upper() for t in texts for w in _LATIN_WORD.findall(t)}
    return grams | entries_seen | latin


def general_words(jieba_words: dict[str, tuple[int, str]], grams: set[str]) -> set[str]:
    """jieba's 2-4 character words that the bigram test would not already reject."""
    return {w for w in jieba_words if 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w)
            and not any(w[i : i + 2] in grams for i in range(len(w) - 1))}
