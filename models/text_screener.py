# Over 400 lines: one screener combining the tagger, heads, brand lexicon and calibration with the exact rules per product field, kept together so each finding is decided in one place.
"""Product text screening: name, model field, introduction and category, rules and models together.

    screener = TextScreener.load_default()          # once, at start-up
    findings = screener.screen(product)             # product: screening.contract.Product or alike

How the parts combine (not side by side):
- span codes (NAME_BRAND, NAME_HAS_SPEC, NAME_VAGUE_WORDING, NAME_ADJECTIVE): the tagger's spans
  and the exact rules' spans (the form's trademark first for brands) are merged into one set;
  a span both found gets the higher confidence, the finding names every span;
- sentence codes (NAME_PATENT_TITLE, NAME_TOO_BROAD, NAME_MULTI_PRODUCT, NAME_SELF_COINED,
  NAME_METHOD): a head decides from the shared embedding plus the rules' and tagger's signals
  as features; exact rules (a trailing 方法/工艺/技术/方案, a set sold together) then overrule
  where they are certain;
- the suggested name is the name without the flagged spans, or the tagger's head word when the
  name is a patent title (一种含有乳酸菌的碳酸饮料 → 碳酸饮料).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import text_rules as rules
from .brand_lexicon import COUNTRIES, UNSEEN_ENTRY, BrandLexicon
from .text_calibration import EXACT, TextCalibration, evidence_kind
from .embedder import WEIGHTS_ROOT, SentenceEmbedder
from .name_tagger import NameTagger, Span
from .text_features import intro_features, model_entry_features, name_features, pair_features
from .text_heads import TextHeads

NAME_HEAD_CODES = ("NAME_PATENT_TITLE", "NAME_TOO_BROAD", "NAME_MULTI_PRODUCT", "NAME_SELF_COINED", "NAME_METHOD")
SPAN_CODES = {"BRAND": "NAME_BRAND", "SPEC": "NAME_HAS_SPEC", "ADJ": "NAME_ADJECTIVE", "VAGUE": "NAME_VAGUE_WORDING"}
INTRO_LABELS = {"advert": "广告宣传", "patent": "专利摘要", "company": "企业简介"}
MESSAGES = {
    "NAME_BRAND": "产品名称含有品牌商标“{text}”",
    "NAME_HAS_SPEC": "产品名称含有规格型号“{text}”",
    "NAME_VAGUE_WORDING": "产品名称含有模糊用语“{text}”",
    "NAME_ADJECTIVE": "产品名称含有修饰性形容词“{text}”",
    "NAME_PATENT_TITLE": "产品名称“{name}”为专利名称，不是产品名称",
    "NAME_METHOD": "“{name}”是方法、技术或工艺，不是产品",
    "NAME_TOO_BROAD": "产品名称“{name}”过于宽泛，无法确定具体产品",
    "NAME_MULTI_PRODUCT": "产品名称“{name}”包含多个产品或产品加服务",
    "NAME_FOREIGN_OR_CODE": "产品名称“{name}”为外文或字母代号",
    "NAME_SELF_COINED": "产品名称“{name}”为自行命名，看不出是什么产品",
}
MAX_INTRO_CHARS = 600
SPAN_MIN_CONFIDENCE = {"BRAND": 0.6, "SPEC": 0.6, "ADJ": 0.6, "VAGUE": 0.6}
# what each span of a finding says: where, which evidence (by), the tagger's version (model), the
# dictionary's version and its filter score for the entry (lexicon, score), the filer's company,
# and for the structural evidence the product word after the mark and why the mark is unknown (head, reason)
SPAN_EVIDENCE = ("span", "text", "by", "confidence", "score", "lexicon", "model", "company", "head", "reason")



@dataclass
class TextFinding:
    code: str
    field: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    source: str = "rules"


@dataclass
class NameAnalysis:
    name: str
    spans: list[Span]
    head_probs: dict[str, float]
    findings: list[TextFinding]
    suggestion: str | None


class TextScreener:
    def __init__(self, embedder: SentenceEmbedder, tagger: NameTagger, heads: TextHeads,
                 brands: BrandLexicon | None = None, calibration: TextCalibration | None = None) -> None:
        self.embedder = embedder
        self.tagger = tagger
        self.heads = heads
        # the brand dictionary (optional: without it NAME_BRAND rests on the trademark, the
        # company name, the spelling rules and the tagger)
        self.brands = brands
        # per-code calibrated probabilities and thresholds fitted on the real development half
        # (optional: without it a finding carries its raw confidence)
        self.calibration = calibration

    @classmethod
    def load(cls, directory: str | os.PathLike, embedder: SentenceEmbedder | None = None) -> "TextScreener":
        directory = Path(directory)
        # these models are small: one thread is faster than two fighting over 2 shared cores
        torch.set_num_threads(1)
        emb_dir = directory / "sentence-embedder"
        if embedder is None:
            embedder = SentenceEmbedder.load(emb_dir if emb_dir.is_dir() else WEIGHTS_ROOT / "sentence-embedder")
        lexicon = BrandLexicon.load(directory / "brand-lexicon") if (directory / "brand-lexicon").is_dir() else None
        cal = TextCalibration.load(directory / "text-calibration") if (directory / "text-calibration").is_dir() else None
        return cls.from_parts(embedder, NameTagger.load(directory / "name-tagger"), TextHeads.load(directory / "text-heads"),
                              lexicon, cal)

    @classmethod
    def from_parts(cls, embedder: SentenceEmbedder, tagger: NameTagger, heads: TextHeads,
                   brands: BrandLexicon | None = None, calibration: TextCalibration | None = None) -> "TextScreener":
        """A screener over parts loaded elsewhere (the registry's versions in service), warmed up."""
        torch.set_num_threads(1)
        screener = cls(embedder, tagger, heads, brands, calibration)
        screener.warm_up()
        return screener

    def warm_up(self) -> None:
        """One screening at start-up, so the first real request does not pay for lazy initialisation."""
        from types import SimpleNamespace

        self.screen(SimpleNamespace(name="家用电冰箱", trademark="预热", models=["BCD-520W"], intro="双门风冷无霜冰箱。",
                                    category=SimpleNamespace(code=None, name="家用电冰箱")))

    @classmethod
    def load_default(cls, embedder: SentenceEmbedder | None = None) -> "TextScreener":
        return cls.load(WEIGHTS_ROOT, embedder)

    @property
    def version(self) -> str:
        """One string for the report's ``models`` and /healthz: every part with its version."""
        return "+".join(m.version for m in self._models())

    @property
    def versions(self) -> dict[str, str]:
        return {m.manifest.name: m.manifest.version for m in self._models()}

    def _models(self) -> list:
        return [m for m in (self.tagger, self.heads, self.embedder, self.brands, self.calibration) if m is not None]

    # --- names ------------------------------------------------------------------------------
    def analyse_names(self, names: list[str], trademarks: list[str | None] | None = None,
                      embeddings: np.ndarray | None = None, companies: list[str | None] | None = None,
                      patents: list[list[str] | None] | None = None) -> list[NameAnalysis]:
        """``companies``: the filer's name per product (its trade-name core is brand evidence);
        ``patents``: the titles of the filing's related patents (a name copied from one is a patent title)."""
        trademarks = trademarks or [None] * len(names)
        companies = companies or [None] * len(names)
        patents = patents or [None] * len(names)
        spans = self.tagger.tag(names) if names else []
        if embeddings is None:
            embeddings = self.embedder.encode(names)
        feats = np.array([name_features(n, s) for n, s in zip(names, spans)], dtype=np.float32).reshape(len(names), -1)
        probs = self.heads.predict("name", np.concatenate([embeddings, feats], axis=1)) if names else np.zeros((0, 5))
        labels = self.heads.specs["name"].labels
        out = []
        for name, tm, co, pt, sp, pr in zip(names, trademarks, companies, patents, spans, probs):
            hp = {lab: float(p) for lab, p in zip(labels, pr)}
            out.append(self._name_findings(name, tm, sp, hp, co, pt))
        return out

    def _name_findings(self, name: str, trademark: str | None, spans: list[Span], hp: dict[str, float],
                       company: str | None = None, patents: list[str] | None = None) -> NameAnalysis:
        tag_src = self.tagger.version
        head_src = self.heads.version
        model_p = dict(hp)  # the heads' own view, before the exact rules overrule it
        found: list[TextFinding] = []
        if rules.is_foreign_or_code(name):
            found.append(self._name_finding("NAME_FOREIGN_OR_CODE", name, 0.99, "rules",
                                            {"text": name, "span": [0, len(name)], "by": "rules"}))
            return NameAnalysis(name, spans, hp, found, None)

        # span codes: tagger ∪ rules
        merged: dict[str, list[dict]] = {t: [] for t in SPAN_CODES}
        notes = _chinese_notes(name)
        for s in spans:
            if s.tag == "BRAND" and any(a <= s.start and s.end <= b for a, b in notes):
                continue  # inside an official note such as "（化学制剂）": not a brand
            if s.tag == "BRAND" and (len(s.text.strip()) < 2 or s.text.strip().isdigit()):
                continue  # a one-character "brand" is the tagger's slip (火柴… → 火), not a mark
            if s.tag == "VAGUE" and not any(w in s.text for w in rules.VAGUE_WORDS):
                continue  # vague wording is a closed class: 一氧化二氮 holds no 一种
            if s.tag in SPAN_CODES and s.confidence >= SPAN_MIN_CONFIDENCE[s.tag] and not _is_abbreviation(s.text):
                merged[s.tag].append({"span": [s.start, s.end], "text": s.text, "confidence": s.confidence, "by": "tagger",
                                     "model": tag_src})
        adj_rule = rules.adjective_spans(name)
        rule_spans = rules.vague_spans(name) + rules.spec_spans(name) + adj_rule
        for tag, hits in (("BRAND", rules.trademark_spans(name, trademark)), ("VAGUE", rules.vague_spans(name)),
                          ("SPEC", rules.spec_spans(name)), ("ADJ", adj_rule)):
            for a, b, text in hits:
                _merge(merged[tag], a, b, text, 0.99 if tag == "BRAND" else 0.97, "trademark" if tag == "BRAND" else "rule")
        # NAME_BRAND evidence after the declared trademark: the filer's own trade name, then the
        # brand dictionary (an entry at any word start in the name, before a product), then the
        # spelling rules; the tagger's spans are already in
        core = self.brands.company_core(company) if self.brands is not None and company else None
        if core:
            for m in re.finditer(re.escape(core), name):
                _merge(merged["BRAND"], m.start(), m.end(), core, 0.97, "company", company=company)
        if self.brands is not None:
            heads = [x for x in spans if x.tag == "HEAD"]
            # where a word starts inside the name: after what the exact rules read (新款|华为, 一种|…)
            # or a compatibility word (适用于|华为), and where the tagger opens a brand
            words = [b for _, b, _ in rule_spans] + [m.end() for m in _FOR_BRAND.finditer(name)]
            words += [x.start for x in spans if x.tag == "BRAND"]
            for hit in self.brands.matches(name, words):
                if hit.score < self.brands.threshold:
                    continue
                # the tagger reading a product word that goes on past the entry (华为|充电宝, or
                # 魅族手机 read as one word) makes it a brand in front of a product; a name with no
                # product word after the entry (龙腾四海) is a coined phrase, not brand + product
                before_product = any(x.end > hit.end for x in heads)
                # any tagger BRAND character inside the entry (even one the span rules drop: 格|力空调)
                # is the tagger half-seeing the same brand
                touched = any(x.tag == "BRAND" and x.start < hit.end and hit.start < x.end for x in spans)
                by = "brand-dictionary" + ("+product" if before_product else "") + ("+tagger" if touched else "")
                _merge(merged["BRAND"], hit.start, hit.end, hit.text, hit.score, by, score=round(hit.score, 3),
                       lexicon=self.brands.version)
            # a mark in no list: an unknown word right before a known product word (沣标|读卡器)
            # (from the name's start, a country word or what the rules read: not from a tagger
            # BRAND start, which may sit inside a transliterated goods name: 安|果斯都拉|树皮)
            lead = [next((len(c) for c in COUNTRIES if name.startswith(c)), 0)]
            shape = self.brands.before_head(name, lead + [b for _, b, _ in rule_spans])
            listed = shape is not None and any("brand-dictionary" in h["by"] and h["span"][0] < shape.end
                                                and shape.start < h["span"][1] for h in merged["BRAND"])
            if listed:  # the entry's own score stays; the kind says it stands before a product word
                _merge(merged["BRAND"], shape.start, shape.end, shape.text, 0.0, "head", head=shape.head,
                       reason=shape.reason)
            elif shape is not None and shape.reason == UNSEEN_ENTRY:
                # a dictionary entry: its filter score stays the raw confidence, the kind says why
                score = self.brands.entries[shape.text]
                _merge(merged["BRAND"], shape.start, shape.end, shape.text, score, "brand-dictionary+head",
                       head=shape.head, reason=shape.reason, score=round(score, 3), lexicon=self.brands.version)
            elif shape is not None:
                _merge(merged["BRAND"], shape.start, shape.end, shape.text, shape.score, "structure",
                       head=shape.head, reason=shape.reason, score=shape.score, lexicon=self.brands.version)
        for lead in _leading_brand_forms(name):
            _merge(merged["BRAND"], *lead, 0.7, "rule")
        _brand_other_script(name, merged["BRAND"])
        # a praising word the dictionary also lists (爆款, 网红) is an adjective, not a brand
        merged["BRAND"] = [h for h in merged["BRAND"] if h["by"] == "trademark"
                           or not any(a < h["span"][1] and h["span"][0] < b for a, b, _ in adj_rule)]
        masked = rules.not_adjective_spans(name)
        merged["ADJ"] = [h for h in merged["ADJ"] if not any(a <= h["span"][0] < b for a, b in masked)]
        if merged["VAGUE"]:  # "等" the tagger found inside 等离子 and alike is not vague wording
            merged["VAGUE"] = [h for h in merged["VAGUE"] if h["text"] != "等" or h["by"] != "tagger"
                               or any(r[0] == h["span"][0] for r in rules.vague_spans(name))]
        flagged = sorted((tuple(h["span"]) for hits in merged.values() for h in hits), key=lambda x: x[0])
        head_spans = [s for s in spans if s.tag == "HEAD"]

        # sentence codes: head probabilities, then the exact rules where they are certain
        decided = {c: hp.get(c, 0.0) >= self.heads.threshold("name", c) for c in NAME_HEAD_CODES}
        if rules.is_method(name):
            decided["NAME_METHOD"] = True
            hp["NAME_METHOD"] = max(hp.get("NAME_METHOD", 0.0), 0.97)
        # a patent title needs the form, not just the head's say-so (length is not the form)
        copied = rules.matching_patent_title(name, patents)
        long_attr = rules.has_attributive_chain(name) or ("的" in name and len(name) >= 12)
        decided["NAME_PATENT_TITLE"] = decided["NAME_PATENT_TITLE"] and long_attr
        if rules.is_patent_phrasing(name) or copied:  # 一种…, 基于…, …的制备方法, …及其应用: exact
            decided["NAME_PATENT_TITLE"] = True
            hp["NAME_PATENT_TITLE"] = max(hp.get("NAME_PATENT_TITLE", 0.0), 0.97)
        parts = rules.multi_product_parts(name)
        if parts:
            decided["NAME_MULTI_PRODUCT"] = True
            hp["NAME_MULTI_PRODUCT"] = max(hp.get("NAME_MULTI_PRODUCT", 0.0), 0.95 if rules.has_service_part(parts) else 0.9)
        if rules.is_set(name):
            decided["NAME_MULTI_PRODUCT"] = False
        if any(self._sure_brand(h) for h in merged["BRAND"]):  # a brand in front of a product word is not coined
            decided["NAME_SELF_COINED"] = False
        if len(rules.strip_brackets(name)) < 3:  # two characters: an ordinary word (门廊, 大黄) far more often
            decided["NAME_SELF_COINED"] = False
        if rules.is_class_word_name(name):
            decided["NAME_TOO_BROAD"] = True
        if rules.is_broad_term(name):
            decided["NAME_TOO_BROAD"] = True
            hp["NAME_TOO_BROAD"] = max(hp.get("NAME_TOO_BROAD", 0.0), 0.97)
        if decided["NAME_PATENT_TITLE"] or decided["NAME_METHOD"]:
            decided["NAME_SELF_COINED"] = decided["NAME_TOO_BROAD"] = False

        suggestion = _suggest(name, flagged, head_spans, decided["NAME_PATENT_TITLE"])
        for tag, code in SPAN_CODES.items():
            hits = sorted(merged[tag], key=lambda h: (h["by"] != "trademark", h["span"][0]))
            if not hits:
                continue
            first = hits[0]
            by_model = any(h["by"].startswith("tagger") for h in hits)
            evidence = {"span": first["span"], "text": first["text"], "suggestion": suggestion, "by": first["by"],
                        "spans": [{k: h[k] for k in SPAN_EVIDENCE if k in h} for h in hits]}
            conf = max(h["confidence"] for h in hits)
            found.append(TextFinding(code, "product.name", MESSAGES[code].format(text=first["text"], name=name),
                                     evidence, conf, tag_src if by_model else "rules"))
        for code in NAME_HEAD_CODES:
            if not decided[code]:
                continue
            evidence: dict[str, Any] = {"text": name, "span": [0, len(name)], "probability": round(hp.get(code, 0.0), 4)}
            if code == "NAME_PATENT_TITLE" and suggestion:
                evidence["suggestion"] = suggestion
            if code == "NAME_MULTI_PRODUCT":
                evidence["products"] = parts or [s.text for s in head_spans]
            if code == "NAME_PATENT_TITLE":
                evidence["form"] = ("patent phrasing" if rules.is_patent_phrasing(name) else
                                    "copied from the filing's patent" if copied else "long attributive chain")
                if copied:
                    evidence["patent_title"] = copied
            by_rule = {"NAME_METHOD": rules.is_method(name),
                       "NAME_PATENT_TITLE": rules.is_patent_phrasing(name) or bool(copied),
                       "NAME_TOO_BROAD": rules.is_broad_term(name), "NAME_MULTI_PRODUCT": bool(parts)}.get(code, False)
            evidence["by"] = "rules" if by_rule else (
                "class-word" if code == "NAME_TOO_BROAD" and rules.is_class_word_name(name) else "head")
            src = "rules" if by_rule and model_p.get(code, 0) < self.heads.threshold("name", code) else head_src
            found.append(self._name_finding(code, name, hp.get(code, 0.0), src, evidence))
        if self.calibration is not None:
            found = self.calibration.apply(found)
        return NameAnalysis(name, spans, hp, found, suggestion)

    def _sure_brand(self, hit: dict) -> bool:
        """A brand span that will be reported: exact evidence, or calibrated above the code's threshold."""
        ev = {"by": hit["by"], "spans": [hit]}
        if self.calibration is None:
            return hit["confidence"] >= 0.9
        kind = evidence_kind("NAME_BRAND", ev)
        if kind not in self.calibration.maps and kind.split(":")[1] in EXACT:
            return True
        return self.calibration.probability("NAME_BRAND", ev, hit["confidence"]) >= self.calibration.thresholds.get("NAME_BRAND", 0.0)

    @staticmethod
    def _name_finding(code: str, name: str, conf: float, source: str, evidence: dict | None = None) -> TextFinding:
        return TextFinding(code, "product.name", MESSAGES[code].format(name=name, text=name),
                           evidence or {"text": name, "span": [0, len(name)]}, round(float(conf), 4), source)

    # --- the whole product ------------------------------------------------------------------
    def screen(self, product: Any, company: str | None = None) -> list[TextFinding]:
        """``company``: the filing entity's name (its trade-name core in the product name is a brand)."""
        name = (getattr(product, "name", None) or "").strip()
        trademark = getattr(product, "trademark", None)
        entries = [m for m in (getattr(product, "models", None) or []) if m and m.strip()]
        # the form caps the introduction at 500 characters (INTRO_TOO_LONG says so): the models read
        # no more than a little over that, so an oversized text cannot slow the screening down
        intro = (getattr(product, "intro", None) or "").strip()[:MAX_INTRO_CHARS]
        category = getattr(product, "category", None)
        cat_name = (getattr(category, "name", None) or "").strip() if category is not None else ""
        singles = [t for t in (name, cat_name, intro) if t]
        all_vecs = self.embedder.encode(singles + entries)  # one call: the encoder's overhead is per call
        vecs = dict(zip(singles, all_vecs[: len(singles)]))
        entry_vecs = all_vecs[len(singles) :]
        findings: list[TextFinding] = []
        if name:
            titles = [t for t in (getattr(pt, "title", None) for pt in (getattr(product, "patents", None) or [])) if t]
            findings += self.analyse_names([name], [trademark], vecs[name][None, :], [company], [titles])[0].findings
        findings += self.check_models(entries, trademark, name, entry_vecs)
        if intro:
            findings += self.check_intro(intro, vecs[intro][None, :])
        if name and cat_name:
            findings += self.check_category(name, cat_name, vecs[name][None, :], vecs[cat_name][None, :])
        return findings

    def check_models(self, entries: list[str], trademark: str | None, name: str | None,
                     vecs: np.ndarray | None = None) -> list[TextFinding]:
        if not entries:
            return []
        vecs = self.embedder.encode(entries) if vecs is None else vecs
        feats = np.array([model_entry_features(e, trademark, name) for e in entries], dtype=np.float32)
        probs = self.heads.predict("model_entry", np.concatenate([vecs, feats], axis=1))[:, 0]
        out = []
        for i, (entry, p) in enumerate(zip(entries, probs)):
            why = None
            if rules.is_classification(entry):
                why, p, src = "专利分类号", max(p, 0.97), "rules"
            elif trademark and entry.strip() == trademark.strip():
                why, p, src = "商标", max(p, 0.97), "rules"
            elif p >= self.heads.threshold("model_entry", "invalid"):
                why, src = "非型号内容", self.heads.version
            if why:
                out.append(TextFinding("MODEL_INVALID_CONTENT", f"product.models[{i}]",
                                       f"规格型号“{entry}”填写的是{why}，不是型号",
                                       {"span": [0, len(entry)], "text": entry, "index": i, "kind": why}, round(float(p), 4), src))
        return out

    def check_intro(self, intro: str, vec: np.ndarray | None = None) -> list[TextFinding]:
        vec = self.embedder.encode([intro]) if vec is None else vec
        x = np.concatenate([vec, np.array([intro_features(intro)], dtype=np.float32)], axis=1)
        probs = self.heads.predict("intro", x)[0]
        labels = self.heads.specs["intro"].labels
        best = labels[int(np.argmax(probs))]
        p_product = float(probs[labels.index("product")])
        if best == "product" or p_product >= self.heads.threshold("intro", "product"):
            return []
        return [TextFinding("INTRO_OFF_TOPIC", "product.intro",
                            f"产品简介像是{INTRO_LABELS[best]}，应介绍产品的组成、结构、功能和用途",
                            {"kind": best, "text": intro[:80], "probabilities": {l: round(float(p), 4) for l, p in zip(labels, probs)}},
                            round(1.0 - p_product, 4), self.heads.version)]

    def check_category(self, name: str, category: str, name_vec: np.ndarray | None = None,
                       cat_vec: np.ndarray | None = None) -> list[TextFinding]:
        if name_vec is None or cat_vec is None:
            name_vec, cat_vec = (v[None, :] for v in self.embedder.encode([name, category]))
        p = float(self.heads.predict("category", pair_features(name_vec, cat_vec))[0, 0])
        if p < self.heads.threshold("category", "mismatch"):
            return []
        return [TextFinding("CATEGORY_MISMATCH", "product.category", f"产品“{name}”归入分类“{category}”，分类与产品不符",
                            {"text": category, "product": name, "probability": round(p, 4)}, round(p, 4), self.heads.version)]


def _merge(hits: list[dict], a: int, b: int, text: str, conf: float, by: str, **extra) -> None:
    for h in hits:
        if h["span"][0] < b and a < h["span"][1]:  # overlapping: the rule confirms the tagger
            h["confidence"] = max(h["confidence"], conf)
            h.update(extra)
            if by == "trademark":
                h.update(span=[a, b], text=text, by=by)
            else:
                h["by"] += "".join("+" + t for t in by.split("+") if t not in h["by"].split("+"))
            return
    hits.append({"span": [a, b], "text": text, "confidence": conf, "by": by, **extra})


# "for use with" before a brand (适用于华为…): the brand is named all the same
_FOR_BRAND = re.compile(r"(适用于|适用|兼容|适配)")
_LATIN_AFTER = re.compile(r"\s*[（(]\s*([A-Za-z][A-Za-z0-9&.\- ]*?)\s*[）)]")
_HAN_AFTER = re.compile(r"\s*[（(]\s*([\u4e00-\u9fff]{1,6})\s*[）)]")
_LATIN_BEFORE = re.compile(r"([A-Za-z][A-Za-z0-9&.\-]*)\s*$")


_LEADING_LATIN = re.compile(r"^(?:德国|日本|美国|韩国|意大利|法国|英国|瑞士|瑞典|丹麦)?([A-Za-z][A-Za-z\-&]*[A-Za-z])(?=[\s\u4e00-\u9fff（(])")


_BILINGUAL = re.compile(r"^([\u4e00-\u9fff]{2,6})\s*[（(]\s*([A-Za-z][A-Za-z0-9\-&. ]*?)\s*[）)]")


def _leading_brand_forms(name: str) -> list[tuple[int, int, str]]:
    """Brand spellings that open a name:
    - "迪士尼（Disney）…": a Chinese name with its Latin form in brackets is how a brand is written;
    - a Latin word opening a Chinese name (Spigen手机壳, TP-LINK路由器), unless it is a well-known
      abbreviation (LED屏) or a short capital code attached to the word it qualifies (PVC管)."""
    out = []
    m = _BILINGUAL.match(name)
    if m:
        out += [(m.start(1), m.end(1), m.group(1)), (m.start(2), m.end(2), m.group(2))]
    m = _LEADING_LATIN.match(name)
    if m and re.search(r"[\u4e00-\u9fff]", name):
        word = m.group(1)
        spaced = name[m.end(1) : m.end(1) + 1].isspace()
        if word.upper() not in rules.ABBREVIATIONS and not (word.isupper() and len(word) <= 3 and not spaced):
            out.append((m.start(1), m.end(1), word))
    return out


def _brand_other_script(name: str, hits: list[dict]) -> None:
    """A brand's other-script form beside it is the same brand: 卡色（Kase）, Bose（博士）, BOEGAM宝疆."""
    for h in list(hits):
        a, b = h["span"]
        m = (_LATIN_AFTER if not re.match(r"[A-Za-z]", h["text"]) else _HAN_AFTER).match(name, b)
        if m:
            _merge(hits, m.start(1), m.end(1), m.group(1), h["confidence"], "tagger+rule")
        before = _LATIN_BEFORE.search(name[:a])
        if before and before.start() == 0 and not re.match(r"[A-Za-z]", h["text"]) and before.group(1).upper() not in rules.ABBREVIATIONS:
            _merge(hits, before.start(1), before.end(1), before.group(1), h["confidence"], "tagger+rule")


def _chinese_notes(name: str) -> list[tuple[int, int]]:
    """Bracketed notes in Chinese: (start, end) including the brackets."""
    return [(m.start(), m.end()) for m in re.finditer(r"[（(][^）)]*[\u4e00-\u9fff][^）)]*[）)]", name)]


def _is_abbreviation(text: str) -> bool:
    return text.strip().upper() in rules.ABBREVIATIONS


def _suggest(name: str, flagged: list[tuple[int, int]], heads: list[Span], patent_title: bool) -> str | None:
    if patent_title and heads:
        return heads[-1].text
    keep = [True] * len(name)
    for a, b in flagged:
        for i in range(a, min(b, len(name))):
            keep[i] = False
    # "椅子等家具": what follows a listing 等 is the broader word, not the product
    for a, b in flagged:
        if name[a:b] == "等" and any(h.end == a for h in heads):
            for i in range(a, len(name)):
                keep[i] = False
    out = "".join(c for c, k in zip(name, keep) if k).strip(" （）()、，,-_/")
    out = rules.strip_brackets(out) if out else out
    return out or None
