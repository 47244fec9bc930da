"""`prescreen train embedder_distil`: distil a small Chinese sentence-transformers student from the
multilingual USE encoder, and compare the two as the project's shared embedder.

The student is a character-level BERT (the project's own character vocabulary, as a
``BertTokenizer`` vocab file, so sentence-transformers loads it like any other model) with mean
pooling and a dense layer to the teacher's 512 dimensions, trained with MSE to the teacher's
vectors on Chinese text from ``../shared/realdata`` (train split only). ``compare`` measures,
on held-out real text: agreement with the teacher, a duplicate-search proxy (find a filing's
rephrased name among the others: recall@1), a category proxy (siblings in one official group
closer than goods of another class), and encoding speed. The measured choice is in docs/text.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

# torch is imported by the functions that train: `prescreen train embedder-distil --help` stays instant
from models.embedder import WEIGHTS_ROOT, SentenceEmbedder

from .text_data import QUALIFIERS
from .text_vocab import RealVocab, strip_parenthetical

HELP = "distil a small sentence-transformers student from the USE encoder and compare the two"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting, ../shared/realdata)")
    parser.add_argument("--out", type=Path, default=Path("var/embedder-student"), help="folder the student is written to (not the registry: it is compared, not served)")
    parser.add_argument("--texts", type=int, default=30000, help="training texts")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs")
    parser.add_argument("--hidden", type=int, default=192, help="student hidden size")
    parser.add_argument("--layers", type=int, default=3, help="student transformer layers")


def run(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(1)
    vocab = RealVocab.load(args.realdata)
    teacher = SentenceEmbedder.load(WEIGHTS_ROOT / "sentence-embedder")
    texts = corpus(vocab, "train", args.texts)
    t0 = time.time()
    student = distil(teacher, texts, args.out, epochs=args.epochs, hidden=args.hidden, layers=args.layers)
    print(f"distilled in {time.time() - t0:.0f} s", file=sys.stderr)
    import json

    print(json.dumps(compare(teacher, student, vocab), ensure_ascii=False, indent=2))
    return 0


def corpus(vocab: RealVocab, split: str, n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    pool = [g.name for g in vocab.goods[split]] + vocab.patent_titles[split] + [r["title"] for r in vocab.jd_titles[split]]
    pool += [s[:120] for _, s in vocab.business_scopes[split]] + ["".join(c) for c in vocab.categories[split]]
    pool += [rng.choice(QUALIFIERS) + strip_parenthetical(g.name) for g in vocab.goods[split]]
    rng.shuffle(pool)
    return pool[:n]


def distil(teacher: SentenceEmbedder, texts: list[str], out: Path, *, epochs: int = 2, hidden: int = 192,
           layers: int = 3, batch_size: int = 64) -> SentenceEmbedder:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models
    from transformers import BertConfig, BertModel, BertTokenizer

    from models.char_vocab import CharVocab

    out.mkdir(parents=True, exist_ok=True)
    base = out / "base"
    base.mkdir(exist_ok=True)
    vocab = CharVocab.build(texts)
    (base / "vocab.txt").write_text("\n".join(t if t != " " else "[unused_space]" for t in vocab.tokens) + "\n", encoding="utf-8")
    BertTokenizer(str(base / "vocab.txt"), do_lower_case=True, tokenize_chinese_chars=True).save_pretrained(str(base))
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=4,
                     intermediate_size=hidden * 4, max_position_embeddings=256)
    BertModel(cfg).save_pretrained(str(base))
    word = models.Transformer(str(base), max_seq_length=64)
    pool = models.Pooling(word.get_embedding_dimension(), "mean")
    dense = models.Dense(word.get_embedding_dimension(), teacher.dim, activation_function=torch.nn.Identity())
    st = SentenceTransformer(modules=[word, pool, dense], device="cpu")
    targets = torch.from_numpy(teacher.encode(texts))
    opt = torch.optim.AdamW(st.parameters(), lr=5e-4)
    st.train()
    from tqdm import tqdm

    steps = epochs * (len(texts) // batch_size)
    bar = tqdm(total=steps, desc="distil", file=sys.stderr)
    for _ in range(epochs):
        order = np.random.permutation(len(texts))
        for i in range(0, len(texts) - batch_size + 1, batch_size):
            idx = order[i : i + batch_size]
            features = st.preprocess([texts[j] for j in idx]) if hasattr(st, "preprocess") else st.tokenize([texts[j] for j in idx])
            emb = st(features)["sentence_embedding"]
            loss = torch.nn.functional.mse_loss(torch.nn.functional.normalize(emb, dim=-1), targets[idx]) * 100
            opt.zero_grad()
            loss.backward()
            opt.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    st.eval()
    from models.base import Manifest, sha256_rows

    student = SentenceEmbedder("student", student=st, manifest=Manifest(
        name="sentence-embedder", version="student-dev", kind=SentenceEmbedder.kind, data_hash=sha256_rows(texts),
        recipe={"teacher": teacher.version, "texts": len(texts), "epochs": epochs, "hidden": hidden, "layers": layers}))
    student.save(out / "model")
    return student


def compare(teacher: SentenceEmbedder, student: SentenceEmbedder, vocab: RealVocab, n: int = 600, seed: int = 1) -> dict:
    rng = random.Random(seed)
    goods = [g for g in vocab.goods["eval"] if 3 <= len(strip_parenthetical(g.name)) <= 12]
    rng.shuffle(goods)
    goods = goods[:n]
    names = [strip_parenthetical(g.name) for g in goods]
    rephrased = [rng.choice(QUALIFIERS) + n_ for n_ in names]
    held = corpus(vocab, "eval", n, seed)
    out = {}
    for label, emb in (("teacher_use_m3", teacher), ("student", student)):
        t0 = time.perf_counter()
        a = emb.encode(names)
        b = emb.encode(rephrased)
        ms = (time.perf_counter() - t0) * 1000 / (2 * len(names))
        sims = b @ a.T
        r1 = float((sims.argmax(1) == np.arange(len(names))).mean())
        # siblings in one official group vs goods of another class
        wins = total = 0
        for i, g in enumerate(goods):
            sib = [j for j, h in enumerate(goods) if h.group == g.group and j != i]
            other = [j for j, h in enumerate(goods) if h.nice_class != g.nice_class]
            if sib and other:
                total += 1
                wins += float(a[i] @ a[sib[0]]) > float(a[i] @ a[rng.choice(other)])
        single = []
        for t in names[:50]:
            t1 = time.perf_counter()
            emb.encode([t])
            single.append((time.perf_counter() - t1) * 1000)
        out[label] = {"rephrased_recall_at_1": round(r1, 4), "sibling_vs_other_class": round(wins / max(total, 1), 4),
                      "ms_per_text_batched": round(ms, 3), "ms_single_median": round(float(np.median(single)), 3)}
    ht, hs = teacher.encode(held), student.encode(held)
    out["student_teacher_cosine_mean"] = round(float(np.mean(np.sum(ht * hs, axis=1))), 4)
    return out
