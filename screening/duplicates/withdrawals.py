"""What a revocation withdraws from the duplicate index.

A revocation (stage ``revocation``) names the filing it withdraws by submission id, or by
entity and product. The filing leaves the index at once, with every record of the same
product of the entity (its annual updates) recorded before the revocation; a re-filing after
it is not touched.
"""

from __future__ import annotations

from .filing import Filing, revoked_by, same_product


def withdrawn(table, rev, pending: list[Filing] = ()) -> set[int]:
    """The revision ids that revision ``rev`` withdraws among the filings held in ``table`` and
    ``pending`` (read from the same catch-up batch, not yet held)."""
    return withdrawn_among(_candidates(table, rev, pending), rev)


def withdrawn_among(filings, rev) -> set[int]:
    """The revision ids among ``filings`` that revision ``rev`` (a revocation) withdraws."""
    target, product = revoked_by({**(rev.form or {}), "submission_id": rev.submission_id})
    if target is None and product is None:
        return set()
    earlier = [f for f in filings if f.revision_id < rev.id]
    named = [f for f in earlier if f.submission_id in (target, rev.submission_id)]
    anchors = named + ([product] if product is not None else [])
    return {f.revision_id for f in earlier if f in named or any(same_product(a, f) for a in anchors)}


def _candidates(table, rev, pending: list[Filing]) -> list[Filing]:
    """The filings a revocation could withdraw: those it names by submission id, and every
    filing of their entities and of the named product's entity (``same_product`` needs the same
    entity). The rest of the index cannot be withdrawn by it, so it is not read."""
    target, product = revoked_by({**(rev.form or {}), "submission_id": rev.submission_id})
    if target is None and product is None:
        return []
    named_ids = {target, rev.submission_id} - {None}
    held = [table.current(sid) for sid in named_ids]
    named = [table.get(i) for i in held if i is not None] + [f for f in pending if f.submission_id in named_ids]
    out = {f.revision_id: f for f in named}
    for uscc in {f.entity_uscc for f in [*named, product] if f is not None and f.entity_uscc}:
        out.update((f.revision_id, f) for f in table.of_entity(uscc))
    out.update((f.revision_id, f) for f in pending)
    return list(out.values())
