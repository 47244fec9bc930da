"""DUPLICATE_FILING, DUPLICATE_IMAGE, IMAGE_NOT_PHOTO: this filing against every other one.

"同一产品不得重复备案": the duplicate search (``ctx.resources.duplicates``, loaded once) finds
candidates by meaning and by exact signals, the learned pair scorer decides; each duplicate is
reported with the other filing beside this one in the evidence. Product photos are compared
by perceptual hash; the main product image is judged photo / rendering / line drawing.
"""

from __future__ import annotations

from ..contract import DuplicateRef
from ..duplicates.filing import PHOTO_KINDS, Filing, is_own_annual_update
from ..duplicates.image_hash import PHASH_MAX, PhotoHash
from ..errors import ModelError
from ..pipeline import Check, ScreeningContext

MAX_FINDINGS = 3
MAX_REFS = 10
KIND_NAMES = {"rendering": "效果图/渲染图", "line_drawing": "线条图（如专利附图）"}


class DuplicateChecks(Check):
    name = "duplicates"
    part = "duplicates"
    codes = ("DUPLICATE_FILING", "DUPLICATE_IMAGE", "IMAGE_NOT_PHOTO")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in ("product", "annual_update") and ctx.submission.product is not None

    def run(self, ctx: ScreeningContext) -> None:
        search = ctx.resources.duplicates
        if search is None:
            raise ModelError("the duplicate index is not loaded")
        photos = self._photo_hashes(ctx)
        filing = Filing.from_form(ctx.submission.to_dict(), photos=[h for _, _, h in photos])
        if filing is None:
            return
        self._filings(ctx, search, filing)
        self._images(ctx, search, filing, photos)
        self._not_photo(ctx, search)

    # ---------------------------------------------------------------- helpers
    def _photo_docs(self, ctx: ScreeningContext):
        for i, doc in enumerate(ctx.submission.documents):
            if doc.kind in PHOTO_KINDS and doc.file in ctx.decoded and doc.file not in ctx.bad_files:
                yield i, doc

    def _photo_hashes(self, ctx: ScreeningContext) -> list[tuple[int, object, PhotoHash]]:
        return [(i, doc, PhotoHash.of(ctx.decoded[doc.file].image)) for i, doc in self._photo_docs(ctx)]

    def _filings(self, ctx: ScreeningContext, search, filing: Filing) -> None:
        scorer = search.scorer
        dups = [c for c in search.find(filing) if c.probability >= scorer.threshold]
        ctx.duplicates = [DuplicateRef(submission_id=c.other.submission_id, score=round(c.probability, 4),
                                       product_name=c.other.product_name, entity_name=c.other.entity_name)
                          for c in dups[:MAX_REFS]]
        for c in dups[:MAX_FINDINGS]:
            o = c.other
            who = "本单位" if c.features.get("same_entity") else f"“{o.entity_name or '其他单位'}”"
            ctx.add(
                "DUPLICATE_FILING", "product.name",
                f"与{who}已提交的产品“{o.product_name}”（{o.submission_id}，型号{'、'.join(o.models) or '未填'}）"
                f"疑似同一产品（相似度{c.probability:.2f}）",
                evidence={"score": round(c.probability, 4), "this": filing.side(), "other": o.side(),
                          "signals": {k: round(v, 4) for k, v in c.features.items()},
                          "drivers": _drivers(scorer, c.features)},
                confidence=c.probability, source=scorer.version,
            )

    def _images(self, ctx: ScreeningContext, search, filing: Filing, photos) -> None:
        if not photos:
            return
        matches = search.find_images([h for _, _, h in photos], exclude_submission=filing.submission_id)
        for (i, doc, h), found in zip(photos, matches):
            found = [m for m in found if not is_own_annual_update(filing, m.other)]
            if not found:
                continue
            m = found[0]
            ctx.add(
                "DUPLICATE_IMAGE", f"documents[{i}].file",
                f"产品图片“{doc.file}”与{m.other.submission_id}（{m.other.entity_name or '其他单位'}的"
                f"“{m.other.product_name}”）的图片基本相同",
                evidence={"document": doc.kind, "file": doc.file, "other": m.other.side(),
                          "phash_distance": m.phash_distance, "dhash_distance": m.dhash_distance,
                          "also": [x.other.submission_id for x in found[1:5]]},
                confidence=max(0.5, 1.0 - m.phash_distance / (2 * (PHASH_MAX + 1))), source="photo-hash@1",
            )

    def _not_photo(self, ctx: ScreeningContext, search) -> None:
        judge = getattr(search, "photo_kind", None)
        if judge is None:
            return
        docs = list(self._photo_docs(ctx))
        main = [d for d in docs if d[1].kind == "product_photo"] or docs
        if not main:
            return
        i, doc = main[0]
        verdict = judge.judge(ctx.decoded[doc.file].image)
        if verdict["not_photo"] >= judge.threshold:
            kind = verdict["kind"] if verdict["kind"] != "photo" else "rendering"
            ctx.add(
                "IMAGE_NOT_PHOTO", f"documents[{i}].file",
                f"产品主图“{doc.file}”疑似{KIND_NAMES[kind]}，应上传产品实物照片",
                evidence={"document": doc.kind, "file": doc.file, "kind": kind, **verdict},
                confidence=verdict["not_photo"], source=judge.version,
            )


def _drivers(scorer, features: dict) -> list[list]:
    """[[term, log-odds], ...]: what moved the score most (the comparison page lists them)."""
    explain = getattr(scorer, "contributions", None)
    return [[name, value] for name, value in explain(features)] if explain else []
