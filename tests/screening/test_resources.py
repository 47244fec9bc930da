"""The OCR's configuration comes from the settings class, handed down by screening.resources."""

from __future__ import annotations

import pytest

from screening.resources import load_readers
from screening.settings import Settings


def test_ocr_settings_reach_the_engine(monkeypatch):
    # set through the environment, as an operator would: the settings class reads it, ocr does not
    monkeypatch.setenv("PRESCREEN_OCR_THREADS", "1")
    monkeypatch.setenv("PRESCREEN_OCR_TIMEOUT_S", "7.5")
    readers = load_readers(Settings())
    assert readers.timeout_s == 7.5
    assert readers.engine.name == "rapidocr"
    # onnxruntime's own session options: the thread count got all the way down
    for session in (readers.engine._det, readers.engine._rec):
        assert session.session.session.get_session_options().intra_op_num_threads == 1


def test_unknown_ocr_engine_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown OCR engine 'tesseract'"):
        load_readers(Settings(ocr_engine="tesseract"))


def test_paddle_engine_without_model_folders_names_the_settings():
    with pytest.raises(ValueError, match="PRESCREEN_PADDLE_DET_DIR"):
        load_readers(Settings(ocr_engine="paddleocr", paddle_det_dir=None, paddle_rec_dir=None))


def test_realdata_dir_is_the_settings_one(monkeypatch, tmp_path):
    from screening import settings as settings_module

    monkeypatch.setenv("PRESCREEN_REALDATA", str(tmp_path))
    settings_module.get_settings.cache_clear()
    try:
        assert settings_module.realdata_dir() == tmp_path
    finally:
        settings_module.get_settings.cache_clear()
