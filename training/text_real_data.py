"""The labelled real evaluation set of the text screening (``eval/data/text_real/``).

Built once from real sources and frozen: official Nice goods names (clean), real patent titles
(NAME_PATENT_TITLE), well-known brands with the product they sell and the JD titles' annotated
brand spans (NAME_BRAND), and names, model entries and introductions written by hand from
public product catalogues (the other codes). ``LABELLING.md`` beside the data says how each
code is labelled. The set is split by a stable hash into ``dev.jsonl`` (may be read while rules
and models are changed) and ``test.jsonl`` (scored only by ``prescreen eval text --real``, never
printed item by item); ``test.sha256`` records the test half's hash so it can be shown frozen.

    python -m training.text_real_data --out eval/data/text_real     # rebuild (needs ../shared/realdata)

Only short items leave the real data: official goods names, patent titles (public records),
brand names with a product word; no file of ``../shared/realdata`` is copied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

from .text_vocab import RealVocab, split_of, strip_parenthetical

# the data is the evaluation's (eval/data): this module builds and loads it for eval and the calibration
DATA_DIR = Path(__file__).resolve().parents[1] / "eval" / "data" / "text_real"
NAME_CODES = (
    "NAME_METHOD", "NAME_PATENT_TITLE", "NAME_BRAND", "NAME_TOO_BROAD", "NAME_MULTI_PRODUCT", "NAME_HAS_SPEC",
    "NAME_VAGUE_WORDING", "NAME_ADJECTIVE", "NAME_FOREIGN_OR_CODE", "NAME_SELF_COINED",
)
SHORT = {"METHOD": "NAME_METHOD", "PATENT": "NAME_PATENT_TITLE", "BRAND": "NAME_BRAND", "BROAD": "NAME_TOO_BROAD",
         "MULTI": "NAME_MULTI_PRODUCT", "SPEC": "NAME_HAS_SPEC", "VAGUE": "NAME_VAGUE_WORDING", "ADJ": "NAME_ADJECTIVE",
         "FOREIGN": "NAME_FOREIGN_OR_CODE", "COINED": "NAME_SELF_COINED"}
SALT = "text-real-v1"
_LISTING = re.compile(r"[和及与或、，,；;/]")


def half_of(key: str) -> str:
    """dev or test, by a stable hash of the item's key (independent of file order)."""
    return "test" if int(hashlib.sha1(f"{SALT}:{key}".encode()).hexdigest()[:8], 16) % 2 else "dev"


def _tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def _name_item(name: str, codes, source: str, ignore=(), **extra) -> dict:
    return {"kind": "name", "name": name, "codes": sorted(codes), "ignore": sorted(set(ignore) - set(codes)),
            "source": source, **extra}


def build(vocab: RealVocab, hand_dir: Path = DATA_DIR, seed: int = 11) -> list[dict]:
    items: list[dict] = []
    hand_names = set()
    # 1. names written by hand from public catalogues
    for codes, name in _tsv(hand_dir / "names.tsv"):
        pos = [] if codes == "clean" else [SHORT[c] for c in codes.split(",")]
        items.append(_name_item(name, pos, "hand"))
        hand_names.add(name)
    broad_hand = {n for c, n in _tsv(hand_dir / "names.tsv") if c == "BROAD"}

    # 2. brand-led names: well-known brands (hand-picked, checked against the brand lists) + product
    for brand, product in _tsv(hand_dir / "brands.tsv"):
        items.append(_name_item(brand + product, ["NAME_BRAND"], "brand-known", brand=brand))
    # ... and the JD titles' annotated brands (label 1) with the title's first product word (label 4);
    # only the JD half the tagger never trained on
    for r in vocab.jd_titles["eval"]:
        brands = [e for e in r["entities"] if e["label"] == "1" and len(e["text"].strip()) >= 2]
        products = [e for e in r["entities"] if e["label"] == "4" and len(e["text"]) >= 2]
        if not brands or not products:
            continue
        b, p = brands[0]["text"].strip(), products[0]["text"].strip()
        if b in p or p in b:
            continue
        items.append(_name_item(b + p, ["NAME_BRAND"], "brand-jd", ignore=["NAME_TOO_BROAD"], brand=b))

    # 3. official goods names (Nice 1-34) as clean names: one product each (no listing), notes stripped
    goods = {}
    for split in ("train", "eval"):
        for g in vocab.goods[split]:
            n = strip_parenthetical(g.name)
            if len(n) >= 2 and not _LISTING.search(n) and n not in hand_names and n not in broad_hand:
                goods.setdefault(n, (g, split))
    for n, (g, split) in goods.items():
        # a two-character official name (茶, 家具) may or may not pin a product down: not scored for TOO_BROAD
        ignore = ["NAME_TOO_BROAD"] if len(n) <= 2 else []
        items.append(_name_item(n, [], "nice-goods", ignore=ignore, nice_class=g.nice_class, vocab_split=split))

    # 4. several products joined (A和B, A及B, A、B): official goods of two different classes
    rng = random.Random(seed)
    pool = sorted(n for n, (g, _) in goods.items() if 2 <= len(n) <= 6)
    cls = {n: goods[n][0].nice_class for n in pool}
    made = set()
    while len(made) < 300:
        a, b = rng.sample(pool, 2)
        if cls[a] == cls[b]:
            continue
        name = a + rng.choice(["和", "及", "、", "与"]) + b
        if name not in made:
            made.add(name)
            items.append(_name_item(name, ["NAME_MULTI_PRODUCT"], "nice-multi", ignore=["NAME_TOO_BROAD"]))

    # 5. real patent titles (the fold no model trained on), labelled by form (LABELLING.md)
    for t in vocab.patent_titles["eval"]:
        codes, ignore = [], set(NAME_CODES)
        if re.match(r"(一种|基于|用于)", t) or "及其" in t:
            codes.append("NAME_PATENT_TITLE")
            ignore.discard("NAME_PATENT_TITLE")
        if t.startswith("一种"):
            codes.append("NAME_VAGUE_WORDING")
            ignore.discard("NAME_VAGUE_WORDING")
        if re.search(r"(方法|工艺)$", t):
            codes.append("NAME_METHOD")
        if not re.search(r"方法|工艺|技术|方案", t):
            ignore.discard("NAME_METHOD")  # a title that names no method is a negative for it
        if codes:
            items.append(_name_item(t, codes, "patent-title", ignore=ignore))

    # 6. model entries and introductions written by hand
    for label, entry, name, tm in (r + [""] * (4 - len(r)) for r in _tsv(hand_dir / "models.tsv")):
        items.append({"kind": "model", "entry": entry, "name": name, "trademark": tm or None,
                      "codes": ["MODEL_INVALID_CONTENT"] if label == "invalid" else [], "source": "hand"})
    for label, text in _tsv(hand_dir / "intros.tsv"):
        items.append({"kind": "intro", "text": text, "class": label,
                      "codes": [] if label == "product" else ["INTRO_OFF_TOPIC"], "source": "hand"})

    seen, out = set(), []
    for it in items:
        key = it["kind"] + ":" + (it.get("name") if it["kind"] == "name" else it.get("entry") or it.get("text")) + (
            ":" + it["name"] if it["kind"] == "model" else "")
        if key in seen:
            continue
        seen.add(key)
        it["half"] = half_of(key)
        out.append(it)
    return out


def write(items: list[dict], out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for half in ("dev", "test"):
        rows = [json.dumps({k: v for k, v in it.items() if k != "half"}, ensure_ascii=False, sort_keys=True)
                for it in items if it["half"] == half]
        (out_dir / f"{half}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        counts[half] = len(rows)
    digest = hashlib.sha256((out_dir / "test.jsonl").read_bytes()).hexdigest()
    (out_dir / "test.sha256").write_text(f"{digest}  test.jsonl\n", encoding="utf-8")
    return {"counts": counts, "test_sha256": digest}


def load(half: str, data_dir: Path = DATA_DIR) -> list[dict]:
    path = data_dir / f"{half}.jsonl"
    if half == "test":
        want = (data_dir / "test.sha256").read_text(encoding="utf-8").split()[0]
        if hashlib.sha256(path.read_bytes()).hexdigest() != want:
            raise ValueError("the frozen test half changed: its sha256 differs from test.sha256")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--realdata", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DATA_DIR)
    args = p.parse_args(argv)
    print(json.dumps(write(build(RealVocab.load(args.realdata)), args.out), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
