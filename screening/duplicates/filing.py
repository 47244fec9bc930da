"""One filed product as the duplicate search sees it, and the features of a pair of them."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from models.pair_scorer import SIGNALS

from .image_hash import PHASH_MAX, PhotoHash, hamming
from .model_codes import RELATIONS, line_of, relation, split_models

PHOTO_KINDS = ("product_photo", "product_image")
_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)
_PATENT = re.compile(r"[^0-9X]")


def _norm_text(text: str | None) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def normalise_patent(number: str | None) -> str:
    """'CN201710601862.3', 'ZL 2017 1 0601862.3' -> '2017106018623' (the check character kept)."""
    text = unicodedata.normalize("NFKC", number or "").upper().strip()
    for prefix in ("CN", "ZL"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return _PATENT.sub("", text)


@dataclass
class Filing:
    revision_id: int
    submission_id: str
    stage: str
    entity_uscc: str = ""
    entity_name: str = ""
    product_name: str = ""
    models: list[str] = field(default_factory=list)
    intro: str = ""
    patents: list[str] = field(default_factory=list)  # normalised numbers
    photos: list[PhotoHash] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: dict[str, Any], *, revision_id: int = 0, photos: list[PhotoHash] | None = None) -> "Filing | None":
        """From a stored form (CONTRACT.md JSON); None when it names no product (entity stage)."""
        product = form.get("product") or {}
        entity = form.get("entity") or {}
        if not product or not (product.get("name") or product.get("models") or product.get("intro")):
            return None
        if form.get("stage") == "revocation":
            return None  # a withdrawal names a product; it files none (see revoked_by)
        return cls(
            revision_id=revision_id,
            submission_id=str(form.get("submission_id") or ""),
            stage=str(form.get("stage") or "product"),
            entity_uscc=(entity.get("uscc") or "").strip().upper(),
            entity_name=(entity.get("name") or "").strip(),
            product_name=(product.get("name") or "").strip(),
            models=split_models(product.get("models")),
            intro=(product.get("intro") or "").strip(),
            patents=sorted({p for p in (normalise_patent(x.get("number")) for x in product.get("patents") or [] if x)
                            if p}),
            photos=list(photos or []),
        )

    @property
    def text(self) -> str:
        """What the embedder sees: name, models and introduction."""
        return " ".join(x for x in (self.product_name, " ".join(self.models), self.intro[:400]) if x)

    @property
    def lines(self) -> set[str]:
        return {line_of(m) for m in self.models} - {""}

    def to_json(self) -> dict:
        d = asdict(self)
        d["photos"] = [p.to_list() for p in self.photos]
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Filing":
        d = dict(d)
        d["photos"] = [PhotoHash(int(p), int(q)) for p, q in d.get("photos", [])]
        return cls(**d)

    def side(self) -> dict:
        """The filing as a reviewer sees it beside the other one."""
        return {"submission_id": self.submission_id, "stage": self.stage, "product_name": self.product_name,
                "models": self.models, "entity_name": self.entity_name, "entity_uscc": self.entity_uscc,
                "patents": self.patents, "intro": self.intro[:200]}


def is_own_annual_update(a: Filing, b: Filing) -> bool:
    """A product's annual update is not a duplicate of itself: same entity, same line, one an update."""
    if "annual_update" not in (a.stage, b.stage) or not a.entity_uscc or a.entity_uscc != b.entity_uscc:
        return False
    if a.models and b.models:
        return relation(a.models, b.models) in ("same", "variant")
    return _norm_text(a.product_name) == _norm_text(b.product_name)


def same_product(a: Filing, b: Filing) -> bool:
    """One entity's filing and a later record of the same product (an annual update, a
    revocation): the same entity, and the same model line or, without models, the same name."""
    if not a.entity_uscc or a.entity_uscc != b.entity_uscc:
        return False
    if a.models and b.models:
        return relation(a.models, b.models) in ("same", "variant")
    return bool(a.product_name) and _norm_text(a.product_name) == _norm_text(b.product_name)


def revoked_by(form: dict[str, Any]) -> tuple[str | None, Filing | None]:
    """What a revocation withdraws: (the filing's submission_id if named, the product as a Filing
    to match the entity's records against). (None, None) for any other stage."""
    if form.get("stage") != "revocation":
        return None, None
    as_product = Filing.from_form({**form, "stage": "product"})
    return form.get("filed_submission_id") or None, as_product


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)} | {"十": 10, "两": 2}
_ROMAN = {"Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "Ⅵ": 6, "II": 2, "III": 3, "IV": 4}
_NUMERAL = r"[0-9一二两三四五六七八九十]{1,3}"
_GENERATION = re.compile(
    rf"第(?P<nth>{_NUMERAL})代"                      # 第二代, 第3代
    rf"|(?P<new>新一代|新世代)"                        # 新一代
    rf"|(?<![0-9一二两三四五六七八九十第])(?P<gen>[0-9二两三四五六七八九十]{{1,2}})代(?![理替表言价工购])"  # 二代, 3代 (not 代理/代替…)
    r"|(?P<year>(?:19|20)?\d{2})\s*年?款"            # 2025款, 25款, 2025年款
    r"|(?P<ver>\d{1,2})\.0(?![0-9])"                 # 2.0, 3.0
    r"|(?P<roman>Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ|(?<![A-Za-z])(?:III|II|IV)(?![A-Za-z]))"
)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 1:
        return _CN_DIGITS.get(text, 0)
    if text.startswith("十"):                          # 十二
        return 10 + _CN_DIGITS.get(text[1:], 0)
    tens, _, ones = text.partition("十")               # 二十, 二十一
    return _CN_DIGITS.get(tens, 0) * 10 + _CN_DIGITS.get(ones, 0)


def generation_of(name: str | None) -> str:
    """The generation or model-year marker a product name carries: '第二代空气净化器' -> 'gen:2',
    '空气净化器（2025款）' -> 'year:2025', '新一代…' -> 'new', none -> ''.

    Why: one maker's next generation is another product (new patents, other parts; like P40 and
    P40Pro), yet without model codes every other signal says "same product". The marker is what
    tells the two names apart; whether it decides is left to the pair scorer and reviewers."""
    text = unicodedata.normalize("NFKC", name or "")
    marks = []
    for m in _GENERATION.finditer(text):
        if m.group("nth") or m.group("gen"):
            marks.append(f"gen:{_number(m.group('nth') or m.group('gen'))}")
        elif m.group("new"):
            marks.append("new")
        elif m.group("year"):
            year = int(m.group("year"))
            marks.append(f"year:{year + 2000 if year < 100 else year}")
        elif m.group("ver"):
            marks.append(f"gen:{int(m.group('ver'))}")
        else:
            marks.append(f"gen:{_ROMAN[unicodedata.normalize('NFKC', m.group('roman')).upper()]}")
    return ",".join(sorted(set(marks)))


@functools.lru_cache(maxsize=512)
def _bigrams(text: str) -> frozenset[str]:
    # cached: a search compares one query with up to 65 candidates, and its own name and
    # introduction were cut into bigrams again for each of them
    t = _norm_text(text)
    return frozenset({t[i : i + 2] for i in range(len(t) - 1)} or ({t} if t else set()))


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def pair_features(a: Filing, b: Filing, cosine: float) -> dict[str, float]:
    """The pair's signals, named and ordered by the pair scorer's one list (``SIGNALS``)."""
    signals = _signals(a, b, cosine)
    return {name: signals[name] for name in SIGNALS}


def _signals(a: Filing, b: Filing, cosine: float) -> dict[str, float]:
    rel = relation(a.models, b.models)
    pa, pb = set(a.patents), set(b.patents)
    intro_missing = not (a.intro and b.intro)
    photo_d = 1.0
    photo_copy = 0.0
    if a.photos and b.photos:
        best = min((hamming(x.phash, y.phash), hamming(x.dhash, y.dhash)) for x in a.photos for y in b.photos)
        photo_d = best[0] / 64
        photo_copy = float(best[0] <= PHASH_MAX)
    return {
        "cosine": float(cosine),
        "name_equal": float(bool(a.product_name) and _norm_text(a.product_name) == _norm_text(b.product_name)),
        "name_jaccard": _jaccard(_bigrams(a.product_name), _bigrams(b.product_name)),
        "intro_jaccard": 0.0 if intro_missing else _jaccard(_bigrams(a.intro), _bigrams(b.intro)),
        "intro_missing": float(intro_missing),
        **{f"model_{r}": float(rel == r) for r in RELATIONS},
        "patent_shared": float(bool(pa & pb)),
        "patent_jaccard": _jaccard(pa, pb),
        "patent_missing": float(not (pa and pb)),
        "same_entity": float(bool(a.entity_uscc) and a.entity_uscc == b.entity_uscc),
        "photo_copy": photo_copy,
        "photo_distance": photo_d,
        "photo_missing": float(not (a.photos and b.photos)),
        "generation_differs": float(generation_of(a.product_name) != generation_of(b.product_name)),
    }
