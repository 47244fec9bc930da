"""Character-level tagger for product names: brand, spec/model, adjective, vague-word spans
and the product head word.

A tiny ``BertForTokenClassification`` built from a config (no pretrained weights exist for
Chinese offline) over the project's own character vocabulary; BIO labels, one per character.

    tagger = NameTagger.load(dir)
    tagger.tag(["海尔电冰箱"])  ->  [[Span("BRAND", 0, 2, "海尔", 0.98), Span("HEAD", 2, 5, "电冰箱", 0.99)]]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, BertForTokenClassification

from .base import Manifest, Model
from .char_vocab import CharVocab

SPAN_TAGS = ("BRAND", "SPEC", "ADJ", "VAGUE", "HEAD")
LABELS = ("O",) + tuple(f"{p}-{t}" for t in SPAN_TAGS for p in ("B", "I"))


@dataclass(frozen=True)
class Span:
    tag: str
    start: int
    end: int
    text: str
    confidence: float


def default_bert_config(vocab_size: int, *, hidden: int = 128, layers: int = 3, heads: int = 4,
                        max_len: int = 128) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=hidden * 4, max_position_embeddings=max_len, type_vocab_size=1,
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
    )


class NameTagger(Model):
    kind = "name-tagger"

    def __init__(self, vocab: CharVocab, bert_config: BertConfig, *, max_len: int = 96,
                 manifest: Manifest | None = None, network: BertForTokenClassification | None = None) -> None:
        super().__init__(manifest)
        self.vocab = vocab
        self.max_len = max_len
        self.bert_config = bert_config
        self.network = network if network is not None else BertForTokenClassification(bert_config)
        self.network.eval()

    # --- batching ---------------------------------------------------------------------------
    def batch(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        encoded = [self.vocab.encode(t, self.max_len) for t in texts]
        width = max(len(e) for e in encoded)
        ids = torch.zeros((len(texts), width), dtype=torch.long)
        mask = torch.zeros((len(texts), width), dtype=torch.long)
        for i, e in enumerate(encoded):
            ids[i, : len(e)] = torch.tensor(e)
            mask[i, : len(e)] = 1
        return ids, mask

    def label_ids(self, tags: list[str], width: int) -> list[int]:
        """Training targets aligned with ``batch``: -100 on [CLS], [SEP] and padding."""
        body = [LABELS.index(t) for t in tags[: self.max_len - 2]]
        row = [-100] + body + [-100]
        return row + [-100] * (width - len(row))

    # --- prediction -------------------------------------------------------------------------
    def probabilities(self, texts: list[str]) -> list[torch.Tensor]:
        """Per text, a (len(text), len(LABELS)) tensor of label probabilities."""
        if not texts:
            return []
        ids, mask = self.batch(texts)
        with torch.inference_mode():
            logits = self.network(input_ids=ids, attention_mask=mask).logits
            probs = logits.softmax(-1)
        return [probs[i, 1 : 1 + min(len(t), self.max_len - 2)] for i, t in enumerate(texts)]

    def tag(self, texts: list[str]) -> list[list[Span]]:
        return [decode_spans(t, p) for t, p in zip(texts, self.probabilities(texts))]

    # --- Model contract ---------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"max_len": self.max_len, "labels": list(LABELS), "bert": self.bert_config.to_dict()}

    def _save_weights(self, directory: Path) -> None:
        state = {k: v.contiguous() for k, v in self.network.state_dict().items()}
        save_file(state, str(directory / "model.safetensors"))
        self.vocab.save(directory / "vocab.txt")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "NameTagger":
        if tuple(config["labels"]) != LABELS:
            raise ValueError(f"{directory}: label set differs from this code's")
        vocab = CharVocab.load(directory / "vocab.txt")
        bert_config = BertConfig.from_dict(config["bert"])
        network = BertForTokenClassification(bert_config)
        network.load_state_dict(load_file(str(directory / "model.safetensors")))
        return cls(vocab, bert_config, max_len=int(config["max_len"]), manifest=manifest, network=network)


def decode_spans(text: str, probs: torch.Tensor) -> list[Span]:
    """BIO decoding; an I- without its B- opens a span (the tagger's slip, not a reason to drop it)."""
    best = probs.argmax(-1).tolist()
    conf = probs.max(-1).values.tolist()
    spans: list[Span] = []
    cur_tag, start, scores = None, 0, []

    def close(end: int) -> None:
        if cur_tag is not None:
            spans.append(Span(cur_tag, start, end, text[start:end], round(sum(scores) / len(scores), 4)))

    for i, label_id in enumerate(best):
        label = LABELS[label_id]
        if label == "O":
            close(i)
            cur_tag, scores = None, []
            continue
        prefix, tag = label.split("-", 1)
        if prefix == "B" or tag != cur_tag:
            close(i)
            cur_tag, start, scores = tag, i, []
        scores.append(conf[i])
    close(len(best))
    # a span must hold something other than spaces and brackets
    return [s for s in spans if s.text.strip(" ()（）")]
