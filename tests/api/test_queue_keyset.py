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
    assert len(queue_queries) == 3 and not skipping


def test_cursor_pages_follow_filters(client, store):
    seed_many(store, 120)
    whole = [i["submission_id"] for i in store.queue(stage="product", limit=500)[1]]
    first = client.get("/v1/queue", params={"stage": "product", "limit": 7}).json()
    second = client.get("/v1/queue", params={"stage": "product", "limit": 7, "cursor": first["next_cursor"]}).json()
    assert [i["submission_id"] for i in first["items"] + second["items"]] == whole[:14]


def test_a_forged_cursor_is_a_422(client):
    for bad in ("not-a-cursor", "eyJub3ciOjF9", "e30"):
        r = client.get("/v1/queue", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["field"] == "cursor", r.text
