"""Migration 0005 (keys, sign-ins, audit) on a database that already holds keys and audit entries: the
old keys keep the pipeline's scopes only, and the audit log becomes append-only."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from screening.storage.db import alembic_config, make_engine


def test_keys_made_before_keep_the_pipelines_scopes_and_the_audit_log_turns_append_only(database_url):
    engine = make_engine(database_url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO api_keys (name, prefix, key_hash, created_at) "
                              "VALUES ('old', 'psk_old', 'h', CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO audit_log (at, actor, action, subject, detail) "
                              "VALUES (CURRENT_TIMESTAMP, 'cli', 'api_key.created', 'old', '{}')"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT scopes, expires_at FROM api_keys")).one() == ("screen read", None)
        with pytest.raises(Exception):
            with engine.begin() as conn:
                conn.execute(text("UPDATE audit_log SET actor = 'someone'"))
        with pytest.raises(Exception):
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_log"))
        with engine.begin() as conn:  # and back down: the triggers and columns go
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    finally:
        engine.dispose()
