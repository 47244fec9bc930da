"""The distilled-student backend of the shared embedder: trains, saves, loads, keeps the interface."""

import numpy as np
import pytest

from models.embedder import SentenceEmbedder
from training.embedder_distil import compare, corpus, distil
from training.text_vocab import RealVocab


@pytest.mark.slow
def test_student_distils_saves_and_loads(realdata, tmp_path):
    vocab = RealVocab.load(realdata)
    teacher = SentenceEmbedder.load_default()
    texts = corpus(vocab, "train", 256)
    assert len(texts) == 256 and all(isinstance(t, str) and t for t in texts)
    student = distil(teacher, texts, tmp_path, epochs=1, hidden=32, layers=1)
    again = SentenceEmbedder.load(tmp_path / "model")
    assert again.backend == "student" and again.dim == teacher.dim == 512
    vecs = again.encode(["家用电冰箱", "洗衣机"])
    assert vecs.dtype == np.float32 and np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs, student.encode(["家用电冰箱", "洗衣机"]), atol=1e-5)
    result = compare(teacher, again, vocab, n=60)
    assert set(result) == {"teacher_use_m3", "student", "student_teacher_cosine_mean"}
    assert 0.0 <= result["student"]["rephrased_recall_at_1"] <= 1.0
