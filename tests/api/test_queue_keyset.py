"""The queue pages by cursor (keyset): the database seeks past the last item instead of
skipping rows with OFFSET, and the pages join up to the whole queue, in order, once each."""

from __future__ import annotations

from sqlalchemy import event

from training.pages_data import seed_many


def test_cursor_pages_join_up_to_the_whole_queue_without_offset(client, store):
    seed_many(store, 120)
    whole = [i["submission_id"] for i in store.queue(limit=500)[1]]
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        pages, cursor = [], None
        while True:
            r = client.get("/v1/queue", params={"limit": 50, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            body = r.json()
            pages.append([i["submission_id"] for i in body["items"]])
            cursor = body["next_cursor"]
            if cursor is None:
                break
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sum(pages, []) == whole
    queue_queries = [(s, p) for s, p in statements if "ORDER BY" in s and "submissions" in s]
    # SQLite's compiler always writes "OFFSET ?" and binds 0 when no offset was asked for
    skipping = [s for s, p in queue_queries if "OFFSET" in s.upper() and not (isinstance(p, tuple) and p[-1] == 0)]
    assert queue_queries and not skipping


def test_cursor_pages_follow_filters(client, store):
    seed_many(store, 120)
    whole = [i["submission_id"] for i in store.queue(stage="product", limit=500)[1]]
    first = client.get("/v1/queue", params={"stage": "product", "limit": 7}).json()
    second = client.get("/v1/queue", params={"stage": "product", "limit": 7, "cursor": first["next_cursor"]}).json()
    assert [i["submission_id"] for i in first["items"] + second["items"]] == whole[:14]


def test_pages_merged_from_the_index_are_the_ordered_querys_pages(store):
    """Cursor pages (merged per stage and pressure step, queue_order.py) against pages by number
    (the one ordered query): the same items in the same order, with rows of every stage, every
    pressure step and without a p_reject."""
    from datetime import datetime, timezone

    from sqlalchemy import update

    from screening.storage.tables import SubmissionRow

    seed_many(store, 300)
    with store.Session.begin() as s:  # a few without a learned p_reject: ordered by their stored score
        s.execute(update(SubmissionRow).where(SubmissionRow.id % 17 == 0).values(p_reject=None))
    now = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
    for filters in ({}, {"stage": "product"}, {"min_age_days": 2}, {"code": "NAME_BRAND"}):
        total, by_number = store.queue(limit=1000, offset=0, now=now, **filters)
        by_offset = sum((store.queue(limit=40, offset=k, now=now, **filters)[1] for k in range(0, total, 40)), [])
        by_cursor, cursor = [], None
        while True:
            _, items, cursor = store.queue_page(limit=40, cursor=cursor, now=now, **filters)
            by_cursor += items
            if cursor is None:
                break
        ids = [i["submission_id"] for i in by_cursor]
        assert ids == [i["submission_id"] for i in by_offset] == [i["submission_id"] for i in by_number], filters
        assert len(ids) == total == len(set(ids)) and total > 0
        scores = [i["priority"]["score"] for i in by_cursor]
        assert scores == sorted(scores, reverse=True)


def test_a_forged_cursor_is_a_422(client):
    for bad in ("not-a-cursor", "eyJub3ciOjF9", "e30"):
        r = client.get("/v1/queue", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["field"] == "cursor", r.text
