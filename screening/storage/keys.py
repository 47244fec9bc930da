"""API keys (hashed, scoped, expiring), verified credit codes and the append-only audit log, as
``Store`` keeps them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InvalidInput, NotFound
from .tables import ApiKeyRow, AuditRow, OnceMarkerRow, VerifiedCodeRow, aware, utcnow

KEY_PREFIX = "psk_"

# what a key may do: the pipeline screens and reads; reviewers' actions need a scope of their own
SCOPES = ("screen", "read", "decisions", "verified_codes")
PIPELINE_SCOPES = ("screen", "read")


@dataclass
class ApiKey:
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    scopes: tuple[str, ...] = PIPELINE_SCOPES
    expires_at: datetime | None = None


def _key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(row.id, row.name, row.prefix, aware(row.created_at), aware(row.revoked_at) if row.revoked_at else None,
                  tuple((row.scopes or "").split()), aware(row.expires_at) if row.expires_at else None)


class KeysAndAudit:
    """The keys, verified codes and audit part of ``Store`` (it brings ``Session``)."""

    def create_api_key(self, name: str, *, actor: str, scopes: Sequence[str] = PIPELINE_SCOPES,
                       expires_at: datetime | None = None) -> str:
        """A new key; only its SHA-256 is stored (keys are 256-bit random, so no KDF is needed)."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.Session.begin() as s:
            self._add_key(s, token, name, scopes, expires_at, actor)
        return token

    def create_bootstrap_key(self, *, actor: str) -> str | None:
        """The first start's key, made once per database however many processes start together:
        the marker's primary key lets one of them win; the others get None."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.Session.begin() as s:
                s.add(OnceMarkerRow(name="bootstrap_api_key", at=utcnow()))
                s.flush()  # the losing process stops here, before it adds a key
                if s.execute(select(func.count()).select_from(ApiKeyRow)).scalar_one():
                    return None  # keys were made by hand before this database's first serve
                self._add_key(s, token, "bootstrap", PIPELINE_SCOPES, None, actor)
        except IntegrityError:
            return None
        return token

    def _add_key(self, s, token: str, name: str, scopes: Sequence[str], expires_at: datetime | None,
                 actor: str) -> None:
        unknown = [x for x in scopes if x not in SCOPES]
        if unknown or not scopes:
            raise InvalidInput(f"scopes are some of {', '.join(SCOPES)}", field="scopes")
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        ordered = " ".join(x for x in SCOPES if x in scopes)
        s.add(ApiKeyRow(name=name, prefix=token[:12], key_hash=_sha(token), created_at=utcnow(), scopes=ordered,
                        expires_at=expires_at))
        s.add(AuditRow(at=utcnow(), actor=actor, action="api_key.created", subject=name,
                       detail={"prefix": token[:12], "scopes": ordered,
                               "expires_at": expires_at.isoformat() if expires_at else None}))

    def verify_api_key(self, token: str, *, now: datetime | None = None) -> ApiKey | None:
        """The key, when it is known, not revoked and not expired."""
        if not token.startswith(KEY_PREFIX) or len(token) > 100:
            return None
        with self.Session() as s:
            row = s.execute(select(ApiKeyRow).where(ApiKeyRow.key_hash == _sha(token))).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        key = _key(row)
        if key.expires_at is not None and key.expires_at <= (now or utcnow()):
            return None
        return key

    def list_api_keys(self) -> list[ApiKey]:
        with self.Session() as s:
            rows = s.execute(select(ApiKeyRow).order_by(ApiKeyRow.id)).scalars().all()
        return [_key(r) for r in rows]

    def revoke_api_key(self, prefix: str, *, actor: str) -> int:
        with self.Session.begin() as s:
            n = s.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == prefix, ApiKeyRow.revoked_at.is_(None))
                          .values(revoked_at=utcnow())).rowcount
            if not n:
                raise NotFound(f"no active key with prefix {prefix!r}", field="prefix")
            s.add(AuditRow(at=utcnow(), actor=actor, action="api_key.revoked", subject=prefix, detail={}))
        return n

    def mark_code_verified(self, uscc: str, *, actor: str, note: str | None = None, client: str | None = None) -> None:
        uscc = uscc.strip().upper()
        if len(uscc) != 18:
            raise InvalidInput("a USCC has 18 characters", field="uscc")
        with self.Session.begin() as s:
            if s.get(VerifiedCodeRow, uscc) is None:
                s.add(VerifiedCodeRow(uscc=uscc, verified_by=actor, note=note, created_at=utcnow()))
            s.add(AuditRow(at=utcnow(), actor=actor, action="uscc.verified", subject=uscc, detail={"note": note},
                           client=client))

    def is_code_verified(self, uscc: str) -> bool:
        with self.Session() as s:
            return s.get(VerifiedCodeRow, uscc.strip().upper()) is not None

    def audit(self, actor: str, action: str, subject: str | None = None, detail: dict | None = None, *,
              client: str | None = None) -> None:
        with self.Session.begin() as s:
            s.add(AuditRow(at=utcnow(), actor=actor, action=action, subject=subject, detail=detail or {},
                           client=client))

    def audit_log(self, subject: str | None = None, limit: int = 100, *, before_id: int | None = None,
                  action: str | None = None, actor: str | None = None) -> list[dict]:
        """Newest first; ``before_id`` pages on by id (keyset: no OFFSET)."""
        with self.Session() as s:
            q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
            if subject is not None:
                q = q.where(AuditRow.subject == subject)
            if before_id is not None:
                q = q.where(AuditRow.id < before_id)
            if action is not None:
                q = q.where(AuditRow.action == action)
            if actor is not None:
                q = q.where(AuditRow.actor == actor)
            return [{"id": r.id, "at": aware(r.at).isoformat(), "actor": r.actor, "action": r.action,
                     "subject": r.subject, "detail": r.detail, "client": r.client} for r in s.execute(q).scalars()]


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
