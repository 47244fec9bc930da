"""Training the character-level name tagger from composed, labelled names."""

from __future__ import annotations

import random
import sys

import torch
from tqdm import tqdm

from models.base import Manifest, sha256_rows
from models.char_vocab import CharVocab
from models.name_tagger import NameTagger, default_bert_config

from .text_data import NameExample


def train_tagger(examples: list[NameExample], *, extra_chars: list[str] = (), epochs: int = 3, batch_size: int = 64,
                 lr: float = 3e-4, hidden: int = 128, layers: int = 3, seed: int = 0, version: str = "dev",
                 recipe: dict | None = None, progress: bool = True) -> NameTagger:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    vocab = CharVocab.build([e.text for e in examples] + list(extra_chars))
    tagger = NameTagger(vocab, default_bert_config(len(vocab), hidden=hidden, layers=layers))
    net = tagger.network
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    # batches of similar length: padding is most of the cost on short names
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].text))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    net.train()
    bar = tqdm(total=steps, desc="name tagger", file=sys.stderr, disable=not progress)
    for _ in range(epochs):
        rng.shuffle(batches)
        for idx in batches:
            batch = [examples[i] for i in idx]
            ids, mask = tagger.batch([e.text for e in batch])
            labels = torch.tensor([tagger.label_ids(e.tags, ids.shape[1]) for e in batch])
            loss = net(input_ids=ids, attention_mask=mask, labels=labels).loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    net.eval()
    tagger.manifest = Manifest(
        name="name-tagger", version=version, kind=NameTagger.kind,
        data_hash=sha256_rows(e.to_row() for e in examples),
        recipe={"epochs": epochs, "batch_size": batch_size, "lr": lr, "hidden": hidden, "layers": layers,
                "seed": seed, "examples": len(examples), **(recipe or {})},
    )
    return tagger


def span_accuracy(tagger: NameTagger, examples: list[NameExample]) -> dict[str, float]:
    """Exact-span precision/recall/F1 per tag on labelled examples."""
    from models.name_tagger import SPAN_TAGS

    def gold_spans(e: NameExample):
        out, cur = [], None
        for i, t in enumerate(e.tags + ["O"]):
            if cur and (t == "O" or t.startswith("B-") or t[2:] != cur[0]):
                out.append((cur[0], cur[1], i))
                cur = None
            if t.startswith("B-") or (t.startswith("I-") and cur is None):
                cur = (t[2:], i)
        return set(out)

    stats = {t: [0, 0, 0] for t in SPAN_TAGS}
    preds = []
    for i in range(0, len(examples), 256):
        preds += tagger.tag([e.text for e in examples[i : i + 256]])
    for e, p in zip(examples, preds):
        g = gold_spans(e)
        q = {(s.tag, s.start, s.end) for s in p}
        for t in SPAN_TAGS:
            gt, qt = {x for x in g if x[0] == t}, {x for x in q if x[0] == t}
            stats[t][0] += len(gt & qt)
            stats[t][1] += len(qt)
            stats[t][2] += len(gt)
    out = {}
    for t, (tp, np_, ng) in stats.items():
        p = tp / np_ if np_ else 1.0
        r = tp / ng if ng else 1.0
        out[t] = round(2 * p * r / (p + r) if p + r else 0.0, 4)
    return out
