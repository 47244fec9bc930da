import numpy as np
import pytest

from models.text_heads import HeadSpec, TextHeads


def test_heads_learn_separable_data_and_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 8)).astype(np.float32)
    y_multi = np.stack([x[:, 0] > 0, x[:, 1] > 0], axis=1).astype(np.float32)
    y_class = (x[:, 2] > 0).astype(int) + (x[:, 3] > 1).astype(int)
    heads = TextHeads([HeadSpec("a", 8, ["p", "q"], True, 16), HeadSpec("b", 8, ["x", "y", "z"], False, 16)],
                      thresholds={"a.p": 0.4})
    heads.fit("a", x, y_multi, epochs=150, lr=1e-2)
    heads.fit("b", x, y_class, epochs=150, lr=1e-2)
    acc = ((heads.predict("a", x) > 0.5) == (y_multi > 0.5)).mean()
    assert acc > 0.9
    assert (heads.predict("b", x).argmax(1) == y_class).mean() > 0.8
    assert heads.threshold("a", "p") == 0.4 and heads.threshold("a", "q") == 0.5
    heads.save(tmp_path / "h")
    again = TextHeads.load(tmp_path / "h")
    assert np.allclose(again.predict("a", x), heads.predict("a", x), atol=1e-6)
    assert again.threshold("a", "p") == 0.4
    with pytest.raises(ValueError):
        again.predict("a", x[:, :5])
