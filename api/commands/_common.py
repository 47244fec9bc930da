"""What the commands share: settings, logging and the store, opened once per command."""

from __future__ import annotations

from screening.settings import Settings, get_settings
from screening.storage import Store, open_store

from ..logging_setup import configure_logging


def setup(*, quiet: bool = False) -> Settings:
    settings = get_settings()
    configure_logging("WARNING" if quiet else settings.log_level, settings.log_json)
    return settings


def store_for(settings: Settings) -> Store:
    return open_store(settings.sqlalchemy_url, settings.files_dir)


def register(subparsers) -> None:  # not a command: keeps the discovery loop uniform
    return None
