"""The project's own character vocabulary for the text models.

Characters are normalised before lookup (NFKC, Latin lower-cased, every ASCII digit → "0")
so that a model learns "a number followed by 英寸" rather than each number; one character
maps to exactly one token, so token i is character i of the input and spans need no
alignment step.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"
SPECIALS = (PAD, UNK, CLS, SEP)


def normalise_char(ch: str) -> str:
    ch = unicodedata.normalize("NFKC", ch)
    if len(ch) != 1:  # NFKC may expand (e.g. ㎜ → mm): keep the first character
        ch = ch[:1] or " "
    if ch.isascii():
        if ch.isdigit():
            return "0"
        return ch.lower()
    if ch.isspace():
        return " "
    return ch


class CharVocab:
    def __init__(self, tokens: list[str]) -> None:
        if list(tokens[: len(SPECIALS)]) != list(SPECIALS):
            raise ValueError("a vocabulary starts with the special tokens")
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1) -> "CharVocab":
        counts = Counter(normalise_char(c) for t in texts for c in t)
        chars = sorted(c for c, n in counts.items() if n >= min_count and c not in SPECIALS)
        return cls(list(SPECIALS) + chars)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def pad_id(self) -> int:
        return 0

    def encode(self, text: str, max_len: int) -> list[int]:
        """[CLS] one id per character (truncated to ``max_len - 2``) [SEP]."""
        unk = self.index[UNK]
        ids = [self.index.get(normalise_char(c), unk) for c in text[: max_len - 2]]
        return [self.index[CLS]] + ids + [self.index[SEP]]

    def save(self, path: Path) -> None:
        Path(path).write_text("\n".join(t.replace("\n", " ") for t in self.tokens) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "CharVocab":
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines = lines[:-1]
        return cls(lines)
