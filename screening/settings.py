"""The one settings class. Read once, by ``get_settings()``, from the environment.

Importing this module reads nothing; ``get_settings()`` is called by the API's start-up and
by the CLI, and passed down from there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "prescreen"


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
    ocr_timeout_s: float = 60.0
    log_level: str = "INFO"
    log_json: bool = True
    session_secret: str | None = None

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
