from models.char_vocab import SPECIALS, CharVocab, normalise_char


def test_normalisation_folds_width_case_and_digits():
    assert normalise_char("Ａ") == "a"
    assert normalise_char("7") == "0"
    assert normalise_char("７") == "0"
    assert normalise_char("\u3000") == " "
    assert normalise_char("冰") == "冰"


def test_one_token_per_character_with_cls_and_sep(tmp_path):
    v = CharVocab.build(["电冰箱", "BCD-520W"])
    ids = v.encode("电冰箱X", max_len=10)
    assert len(ids) == 4 + 2
    assert ids[0] == v.index["[CLS]"] and ids[-1] == v.index["[SEP]"]
    assert ids[4] == v.index["[UNK]"]  # X was never seen
    assert len(v.encode("长" * 100, max_len=16)) == 16
    v.save(tmp_path / "vocab.txt")
    again = CharVocab.load(tmp_path / "vocab.txt")
    assert again.tokens == v.tokens
    assert again.tokens[: len(SPECIALS)] == list(SPECIALS)
