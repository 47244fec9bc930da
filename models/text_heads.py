"""Small trained heads over sentence embeddings (plus a few exact features) for the
sentence-level text codes.

One ``TextHeads`` model holds several named heads; each is a one-hidden-layer MLP with either
independent sigmoid outputs (``multilabel``) or a softmax over classes. The input features of
each head are built by ``models.text_features``; the heads only know their widths.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .base import Manifest, Model


@dataclass
class HeadSpec:
    name: str
    inputs: int
    labels: list[str]
    multilabel: bool
    hidden: int = 128


def _network(spec: HeadSpec) -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Linear(spec.inputs, spec.hidden), torch.nn.GELU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(spec.hidden, len(spec.labels)),
    )


class TextHeads(Model):
    kind = "text-heads"

    def __init__(self, specs: list[HeadSpec], networks: dict[str, torch.nn.Module] | None = None,
                 manifest: Manifest | None = None, thresholds: dict[str, float] | None = None) -> None:
        super().__init__(manifest)
        self.specs = {s.name: s for s in specs}
        # decision threshold per "<head>.<label>", chosen on a development split at training time
        self.thresholds = dict(thresholds or {})
        self.networks = networks or {s.name: _network(s) for s in specs}
        for net in self.networks.values():
            net.eval()

    def threshold(self, head: str, label: str) -> float:
        return self.thresholds.get(f"{head}.{label}", 0.5)

    def predict(self, head: str, features: np.ndarray) -> np.ndarray:
        """(n, len(labels)) probabilities."""
        spec = self.specs[head]
        if features.shape[1] != spec.inputs:
            raise ValueError(f"head {head} takes {spec.inputs} features, got {features.shape[1]}")
        x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
        with torch.inference_mode():
            logits = self.networks[head](x)
            probs = torch.sigmoid(logits) if spec.multilabel else logits.softmax(-1)
        return probs.numpy()

    def fit(self, head: str, features: np.ndarray, targets: np.ndarray, *, epochs: int = 60, lr: float = 2e-3,
            batch_size: int = 256, seed: int = 0) -> float:
        """Train one head; ``targets`` is (n, labels) 0/1 for multilabel, (n,) class ids otherwise."""
        spec = self.specs[head]
        torch.manual_seed(seed)
        net = self.networks[head]
        net.train()
        x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
        y = torch.from_numpy(targets.astype(np.float32 if spec.multilabel else np.int64))
        loss_fn = torch.nn.BCEWithLogitsLoss() if spec.multilabel else torch.nn.CrossEntropyLoss()
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
        gen = torch.Generator().manual_seed(seed)
        loss = torch.tensor(0.0)
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=gen)
            for i in range(0, len(x), batch_size):
                idx = perm[i : i + batch_size]
                loss = loss_fn(net(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
        return float(loss.item())

    # --- Model contract -------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"heads": [s.__dict__ for s in self.specs.values()], "thresholds": self.thresholds}

    def _save_weights(self, directory: Path) -> None:
        state = {f"{name}.{k}": v.contiguous() for name, net in self.networks.items() for k, v in net.state_dict().items()}
        save_file(state, str(directory / "heads.safetensors"))

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "TextHeads":
        specs = [HeadSpec(**s) for s in config["heads"]]
        state = load_file(str(directory / "heads.safetensors"))
        networks = {}
        for spec in specs:
            net = _network(spec)
            prefix = spec.name + "."
            net.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
            networks[spec.name] = net
        return cls(specs, networks, manifest, config.get("thresholds"))


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
