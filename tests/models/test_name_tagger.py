import torch

from models.char_vocab import CharVocab
from models.name_tagger import LABELS, NameTagger, decode_spans, default_bert_config


def _probs(labels):
    p = torch.full((len(labels), len(LABELS)), 0.01)
    for i, lab in enumerate(labels):
        p[i, LABELS.index(lab)] = 0.9
    return p


def test_bio_decoding():
    spans = decode_spans("海尔电冰箱", _probs(["B-BRAND", "I-BRAND", "B-HEAD", "I-HEAD", "I-HEAD"]))
    assert [(s.tag, s.start, s.end, s.text) for s in spans] == [("BRAND", 0, 2, "海尔"), ("HEAD", 2, 5, "电冰箱")]


def test_stray_inside_label_opens_a_span():
    spans = decode_spans("新款冰箱", _probs(["I-ADJ", "I-ADJ", "O", "O"]))
    assert [(s.tag, s.text) for s in spans] == [("ADJ", "新款")]


def test_untrained_tagger_round_trips_and_aligns(tmp_path):
    vocab = CharVocab.build(["海尔电冰箱"])
    tagger = NameTagger(vocab, default_bert_config(len(vocab), hidden=32, layers=1, heads=2), max_len=16)
    probs = tagger.probabilities(["海尔电冰箱", "冰箱"])
    assert probs[0].shape == (5, len(LABELS)) and probs[1].shape == (2, len(LABELS))
    tagger.save(tmp_path / "t")
    again = NameTagger.load(tmp_path / "t")
    assert torch.allclose(again.probabilities(["海尔电冰箱"])[0], probs[0], atol=1e-5)
    ids, _ = tagger.batch(["海尔电冰箱"])
    labels = tagger.label_ids(["B-BRAND", "I-BRAND", "B-HEAD", "I-HEAD", "I-HEAD"], ids.shape[1])
    assert labels[0] == -100 and labels[-1] == -100 and labels[1] == LABELS.index("B-BRAND")
