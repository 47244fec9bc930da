"""The one settings class. Read once, by ``get_settings()``, from the environment.

Importing this module reads nothing; ``get_settings()`` is called by the API's start-up and
by the CLI, and passed down from there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "prescreen"


def _default_realdata_dir() -> Path:
    # the real data is read where it lies, next to the checkout, and never copied into it
    return Path(__file__).resolve().parents[2] / "shared" / "realdata"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESCREEN_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="files, indexes and the SQLite database")
    # DATABASE_URL is read without the prefix, as CONTRACT.md names it
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    host: str = "127.0.0.1"
    port: int = 8000
    models_dir: Path | None = Field(default=None, description="model registry; default: <data_dir>/models")
    max_request_bytes: int = 64 * 1024 * 1024
    body_timeout_s: float = Field(default=30.0, gt=0, description="longest wait for the next chunk of a request body")
    secure_cookies: bool = Field(default=False, description="session cookies only over HTTPS (set behind TLS)")
    ocr_enabled: bool = True
    ocr_engine: str = Field(default="rapidocr", description="rapidocr (in the wheel) or paddleocr (docs/ocr.md)")
    ocr_timeout_s: float = Field(default=60.0, description="how long the document check waits for one page")
    ocr_threads: int = Field(default=0, description="onnxruntime threads per OCR session; 0: its default")
    index_threads: int = Field(default=1, ge=1, description="faiss threads of the duplicate search (one query at a "
                               "time gains nothing from more; under load their hand-offs cost milliseconds)")
    job_threads: int = Field(default=2, ge=0, description="job workers (document reading) in each serve process")
    screen_threads: int = Field(default=2, ge=1, description="screenings without documents to read that one serve "
                                "process runs at once; more only share one GIL and stretch every request")
    job_lease_s: float = Field(default=30.0, gt=0, description="a job whose worker stops renewing this long is re-run")
    sync_wait_s: float = Field(default=60.0, ge=0, description="longest a screening request waits for its documents")
    paddle_det_dir: Path | None = Field(default=None, description="local PaddleX detection model folder")
    paddle_rec_dir: Path | None = Field(default=None, description="local PaddleX recognition model folder")
    # PRESCREEN_REALDATA, the name the training and evaluation commands have always documented
    realdata_dir: Path = Field(default_factory=_default_realdata_dir,
                               validation_alias=AliasChoices("PRESCREEN_REALDATA", "realdata_dir"),
                               description="real data for training and evaluation (read, never copied)")
    cjk_font: Path | None = Field(default=None, description="a CJK font for the document generator")
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # accept the common libpq spelling and use psycopg 3
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://") :]
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{self.data_dir / 'prescreen.db'}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def registry_dir(self) -> Path:
        return self.models_dir or (self.data_dir / "models")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def realdata_dir() -> Path:
    """The real-data folder (``PRESCREEN_REALDATA``): training, evaluation and tests read it."""
    return get_settings().realdata_dir
