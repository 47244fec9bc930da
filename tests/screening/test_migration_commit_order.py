"""Migration 0009 (commit places) on a database that already holds revisions: each keeps its id
as its place, so an index snapshot's watermark still means the same revision, and the next
revision recorded is placed after them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from screening.contract import Priority, Report
from screening.parsing import parse_submission
from screening.storage import open_store
from screening.storage.db import alembic_config, make_engine


def test_revisions_before_the_migration_keep_their_id_as_their_place(database_url, tmp_path, contract_example):
    engine = make_engine(database_url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0008")
        with engine.begin() as conn:
            for i, sid in enumerate(("OLD-1", "OLD-2"), start=1):
                conn.execute(text("INSERT INTO submissions (submission_id, stage, latest_revision, open, priority_score,"
                                  " submitted_at, created_at, updated_at) VALUES (:s, 'product', 1, true, 0,"
                                  " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"s": sid})
                conn.execute(text("INSERT INTO revisions (id, submission_pk, revision, form, content_hash, created_at)"
                                  " VALUES (:i, (SELECT id FROM submissions WHERE submission_id = :s), 1, '{}', 'h',"
                                  " CURRENT_TIMESTAMP)"), {"i": i * 5, "s": sid})
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT setval('revisions_id_seq', 10)"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
    store = open_store(database_url, tmp_path / "files")
    try:
        assert [(r.id, r.seq) for r in store.revisions_since(0)] == [(5, 5), (10, 10)]
        sub = parse_submission(contract_example)
        store.record_screening(sub, {}, Report(submission_id=sub.submission_id, status="complete",
                                               priority=Priority(score=0.1, p_reject=0.1, reasons=[]), findings=[]), actor="t")
        assert [r.seq for r in store.revisions_since(10)] == [11]
        assert store.last_commit_seq() == 11
    finally:
        store.engine.dispose()
