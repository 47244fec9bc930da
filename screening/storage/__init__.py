"""Persistence: the database (SQLAlchemy 2 + Alembic) and content-addressed files."""

from .blobs import BlobStore
from .db import make_engine, migrate
from .store import Store

__all__ = ["BlobStore", "Store", "make_engine", "migrate", "open_store"]


def open_store(database_url: str, files_dir) -> Store:
    """Connect, migrate to the newest schema, and return the repository."""
    engine = make_engine(database_url)
    migrate(engine)
    return Store(engine, BlobStore(files_dir))
