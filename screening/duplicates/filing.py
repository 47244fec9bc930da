"""One filed product as the duplicate search sees it, and the features of a pair of them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

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


def _bigrams(text: str) -> set[str]:
    t = _norm_text(text)
    return {t[i : i + 2] for i in range(len(t) - 1)} or ({t} if t else set())


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


FEATURES = (
    "cosine", "name_equal", "name_jaccard", "intro_jaccard", "intro_missing",
    *(f"model_{r}" for r in RELATIONS),
    "patent_shared", "patent_jaccard", "patent_missing", "same_entity",
    "photo_copy", "photo_distance", "photo_missing",
)


def pair_features(a: Filing, b: Filing, cosine: float) -> dict[str, float]:
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
    }
