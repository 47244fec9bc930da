"""`prescreen train text`: build the text data from real vocabulary, train the name tagger and
the sentence-level heads, and register both as candidates in the model registry
(``PRESCREEN_DATA_DIR/models``; ``prescreen models list``); nothing is written into the
installed package. ``prescreen models promote name-tagger V`` / ``text-heads V`` put them in
service at the next start (gated on their dev figures, ``metrics["fixed"]["dev"]``).

The recipe is a plain dict recorded in each manifest; the data hash is the content hash of
the generated rows plus the hashes of the real-data files they were drawn from; the version
is the training time plus the data hash (``models.base.new_version``). With ``--seed S`` every
random choice (data composition, initialisation, batch order) follows S: the same S on the
same data gives the same weights and the same metrics.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
from pathlib import Path

import numpy as np

from models.base import Manifest, sha256_rows

from .text_data import NameExample, compose_names, real_patent_example
from .text_forms import INTRO_CLASSES, FormComposer
from .text_vocab import RealVocab

# torch and the models built on it are imported in the functions that train: they take seconds
# to import, and `prescreen train text --help` imports this module for its options

HELP = "train the product-text models (name tagger, sentence heads) from ../shared/realdata"

RECIPE = {
    "tagger": {"names": 24000, "titles": 10000, "jd_repeat": 10, "epochs": 4, "clean_share": 0.5, "hidden": 128, "layers": 3, "seed": 1},
    "heads": {"names": 20000, "dev_names": 4000, "model_entries": 8000, "intros": 4000, "pairs": 10000,
              "epochs": 40, "seed": 7},
    "split": "hash(item) → 80% train / 20% eval; patent titles fold 1 = eval; JD titles 50/50",
}


# The tagger's dev set does not move with --seed, so taggers trained with other seeds are
# measured on the same names and the registry can compare them (the default seed 1 gives 101).
TAGGER_DEV = {"split": "train", "n": 2000, "seed": 101, "titles": 300}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default ../shared/realdata)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write name-tagger/ and text-heads/ into this folder (default: only register them "
                             "as candidates in PRESCREEN_DATA_DIR/models; the shipped models/weights/ is never "
                             "written unless named here)")
    parser.add_argument("--version", default=None,
                        help="version name for both (default: training time + data hash, e.g. 2026.12.03-081502-3b8025b6)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed for data, initialisation and batch order of both models (default: the recipe's, "
                             "tagger 1 / heads 7); the same seed gives the same metrics")
    parser.add_argument("--tagger", type=Path, default=None, help="reuse a trained tagger directory, train heads only")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every data size (0.1 for a smoke run)")


def run(args: argparse.Namespace) -> int:
    import json

    from models.registry import Registry
    from screening.settings import get_settings

    summary = train_text(args.realdata, Registry(get_settings().registry_dir), seed=args.seed, scale=args.scale,
                         version=args.version, tagger_dir=args.tagger, out=args.out)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def train_text(realdata, registry, *, seed: int | None = None, scale: float = 1.0, version: str | None = None,
               tagger_dir: Path | None = None, out: Path | None = None, actor: str = "cli:train",
               recipe: dict | None = None) -> dict:
    """Train both text models, register them as candidates; returns what the command prints.
    ``recipe`` replaces ``scaled(RECIPE, scale)`` (tests train a tiny configuration)."""
    import torch

    from models.base import new_version
    from models.embedder import SentenceEmbedder
    from models.name_tagger import NameTagger

    torch.set_num_threads(1)  # the 2 cores are shared: two threads thrash rather than help
    vocab = RealVocab.load(realdata)
    recipe = copy.deepcopy(recipe) if recipe is not None else scaled(RECIPE, scale)
    if seed is not None:
        recipe["tagger"]["seed"] = recipe["heads"]["seed"] = seed
    registered = []
    if tagger_dir:
        tagger = NameTagger.load(tagger_dir)
    else:
        tagger = build_tagger(vocab, recipe, "candidate")
        tagger.manifest.version = version or new_version(tagger.manifest.data_hash)
        registered.append(tagger)
    embedder = SentenceEmbedder.load(registry.path("sentence-embedder", registry.in_service("sentence-embedder")))
    heads = build_heads(vocab, tagger, embedder, recipe, "candidate")
    heads.manifest.version = version or new_version(heads.manifest.data_hash)
    heads.manifest.metrics = with_fixed(heads.manifest.metrics, heads_dev_hash(recipe["heads"], vocab.data_hash))
    registered.append(heads)
    summary: dict = {"registry": str(registry.root), "seed": seed, "scale": scale}
    with tempfile.TemporaryDirectory(prefix="text-models-") as tmp:
        for model in registered:
            name = model.manifest.name
            folder = model.save(Path(tmp) / name)
            info = registry.register(name, folder, actor=actor)
            summary[name] = {"version": info.version, "path": str(info.path), "data_hash": model.manifest.data_hash,
                             "metrics": {k: v for k, v in model.manifest.metrics.items() if k != "fixed"},
                             "in_service": registry.in_service(name)}
            if out is not None:
                model.save(out / name)
                summary[name]["also_written_to"] = str(out / name)
    return summary


def with_fixed(metrics: dict, set_hash: str) -> dict:
    """The dev figures as the registry's gate reads them: ``fixed["dev"]`` (higher is better)."""
    flat = {}
    for k, v in metrics.items():
        if isinstance(v, dict):
            flat.update({f"{k}.{m}": x for m, x in v.items() if isinstance(x, (int, float))})
        elif isinstance(v, (int, float)):
            flat[k] = v
    return {**metrics, "fixed": {"dev": {"hash": set_hash, **flat}}, "gate": dict.fromkeys(flat, "max")}


def tagger_dev_hash(realdata_hash: str) -> str:
    return sha256_rows([{"set": "name-tagger dev", **TAGGER_DEV}, realdata_hash])


def heads_dev_hash(heads_recipe: dict, realdata_hash: str) -> str:
    """The heads' dev part is drawn with their training data: the same seed and sizes, the same set."""
    keys = ("names", "dev_names", "model_entries", "intros", "pairs", "seed", "real_share")
    recipe = {"real_share": 1.0, **heads_recipe}  # manifests from before real_share existed: the full share
    return sha256_rows([{"set": "text-heads dev", **{k: recipe.get(k) for k in keys}}, realdata_hash])


def scaled(recipe: dict, scale: float) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in recipe.items()}
    for part in ("tagger", "heads"):
        for k in ("names", "titles", "dev_names", "model_entries", "intros", "pairs"):
            if k in out[part]:
                out[part][k] = max(50, int(out[part][k] * scale))
    out["heads"]["real_share"] = min(1.0, scale)
    return out


def build_tagger(vocab: RealVocab, recipe: dict, version: str) -> NameTagger:
    from .text_tagger import span_accuracy, train_tagger

    r = recipe["tagger"]
    examples = compose_names(vocab, "train", r["names"], seed=r["seed"], titles=r["titles"], jd_repeat=r["jd_repeat"],
                             clean_share=r.get("clean_share", 0.4))
    extra = [g.name for s in ("train", "eval") for g in vocab.goods[s]] + vocab.patent_titles["train"] + vocab.trade_names["train"][:50000]
    tagger = train_tagger(examples, extra_chars=extra, epochs=r["epochs"], hidden=r["hidden"], layers=r["layers"],
                          seed=r["seed"], version=version, recipe={"recipe": r, "split": recipe["split"]})
    tagger.manifest.data_hash = sha256_rows([tagger.manifest.data_hash, vocab.data_hash])
    dev = compose_names(vocab, TAGGER_DEV["split"], TAGGER_DEV["n"], seed=TAGGER_DEV["seed"], titles=TAGGER_DEV["titles"])
    tagger.manifest.metrics = with_fixed({"span_f1_dev": span_accuracy(tagger, dev)}, tagger_dev_hash(vocab.data_hash))
    return tagger


def name_matrix(names, tagger: NameTagger, embedder: SentenceEmbedder) -> np.ndarray:
    from models.text_features import name_features

    spans = []
    for i in range(0, len(names), 256):
        spans += tagger.tag(names[i : i + 256])
    feats = np.array([name_features(n, s) for n, s in zip(names, spans)], dtype=np.float32)
    return np.concatenate([embedder.encode(names), feats], axis=1)


def build_heads(vocab: RealVocab, tagger: NameTagger, embedder: SentenceEmbedder, recipe: dict, version: str) -> TextHeads:
    from models.text_features import intro_features, model_entry_features, pair_features
    from models.text_heads import HeadSpec, TextHeads
    from models.text_screener import NAME_HEAD_CODES

    r = recipe["heads"]
    seed = r["seed"]
    names = [e for e in compose_names(vocab, "train", r["names"] + r["dev_names"], seed=seed) if not e.tagger_only]
    # every real training-split patent title and official goods name as published, once each:
    # the heads must know real titles and real official names, not only composed ones
    share = r.get("real_share", 1.0)
    titles, goods = vocab.patent_titles["train"], vocab.goods["train"]
    names += [real_patent_example(t) for t in titles[: int(len(titles) * share)]]
    names += [NameExample(g.name, ["O"] * len(g.name)) for g in goods[: int(len(goods) * share)]]
    forms = FormComposer(vocab, "train", seed)
    entries = []
    for _ in range(r["model_entries"]):
        tm = forms.rng.choice(forms.brands)
        text, invalid, _kind = forms.model_entry(tm)
        entries.append((text, tm, forms.rng.choice(forms.names), invalid))
    intros = [forms.intro() for _ in range(r["intros"])]
    pairs = [forms.category_pair() for _ in range(r["pairs"])]
    rows = ([e.to_row() for e in names] + [list(x) for x in entries] + [list(x) for x in intros] + [list(x) for x in pairs])

    x_names = name_matrix([e.text for e in names], tagger, embedder)
    y_names = np.array([[c in e.codes for c in NAME_HEAD_CODES] for e in names], dtype=np.float32)
    x_entries = np.concatenate([embedder.encode([e[0] for e in entries]),
                                np.array([model_entry_features(t, tm, n) for t, tm, n, _ in entries], dtype=np.float32)], axis=1)
    y_entries = np.array([[e[3]] for e in entries], dtype=np.float32)
    x_intro = np.concatenate([embedder.encode([t for t, _ in intros]),
                              np.array([intro_features(t) for t, _ in intros], dtype=np.float32)], axis=1)
    y_intro = np.array([INTRO_CLASSES.index(c) for _, c in intros])
    va = embedder.encode([p[0] for p in pairs])
    vb = embedder.encode([p[1] for p in pairs])
    x_pairs = pair_features(va, vb)
    y_pairs = np.array([[p[2]] for p in pairs], dtype=np.float32)

    specs = [
        HeadSpec("name", x_names.shape[1], list(NAME_HEAD_CODES), True, 192),
        HeadSpec("model_entry", x_entries.shape[1], ["invalid"], True, 64),
        HeadSpec("intro", x_intro.shape[1], list(INTRO_CLASSES), False, 64),
        HeadSpec("category", x_pairs.shape[1], ["mismatch"], True, 128),
    ]
    heads = TextHeads(specs)
    n_dev = r["dev_names"] if len(names) > r["dev_names"] * 2 else len(names) // 5
    metrics = {}
    heads.fit("name", x_names[n_dev:], y_names[n_dev:], epochs=r["epochs"], seed=seed)
    probs = heads.predict("name", x_names[:n_dev])
    for j, code in enumerate(NAME_HEAD_CODES):
        t, f1 = best_threshold(probs[:, j], y_names[:n_dev, j])
        heads.thresholds[f"name.{code}"] = t
        metrics[f"name.{code}.dev_f1"] = f1
    for head, x, y in (("model_entry", x_entries, y_entries), ("intro", x_intro, y_intro), ("category", x_pairs, y_pairs)):
        k = len(x) // 5
        heads.fit(head, x[k:], y[k:], epochs=r["epochs"], seed=seed)
        p = heads.predict(head, x[:k])
        if head == "intro":
            metrics["intro.dev_accuracy"] = round(float((p.argmax(1) == y[:k]).mean()), 4)
        else:
            t, f1 = best_threshold(p[:, 0], y[:k, 0])
            label = heads.specs[head].labels[0]
            heads.thresholds[f"{head}.{label}"] = t
            metrics[f"{head}.{label}.dev_f1"] = f1
    # after choosing thresholds on the dev part, the final heads see all of the training data
    heads.fit("name", x_names, y_names, epochs=r["epochs"], seed=seed)
    for head, x, y in (("model_entry", x_entries, y_entries), ("intro", x_intro, y_intro), ("category", x_pairs, y_pairs)):
        heads.fit(head, x, y, epochs=r["epochs"], seed=seed)
    heads.manifest = Manifest(
        name="text-heads", version=version, kind=TextHeads.kind,
        data_hash=sha256_rows([sha256_rows(rows), vocab.data_hash]),
        recipe={"heads": r, "split": recipe["split"], "embedder": embedder.version, "tagger": tagger.version},
        metrics=metrics,
    )
    return heads


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.2, 0.81, 0.05):
        pred = p >= t
        tp = float((pred & (y > 0.5)).sum())
        prec = tp / max(pred.sum(), 1)
        rec = tp / max((y > 0.5).sum(), 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best[1] + 1e-9:
            best = (round(float(t), 2), round(f1, 4))
    return best
