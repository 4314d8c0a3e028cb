"""Calls in progress across every wire: the concurrency limit, call identity, and starting a session for a
channel; the per-call tokens the browser page opens its call with."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from voice import metrics
from voice.services import Services
from voice.session import CallSession, Channel, SessionOptions

log = logging.getLogger("voicedesk.calls")


class CallRefused(RuntimeError):
    """A call that is not taken; the message says why (the wire tells the far end its own way)."""


class TooManyCalls(CallRefused):
    pass


class DuplicateCall(CallRefused):
    """A call ID that is live, or already on the record: never a second session under one ID."""


class CallTokens:
    """Short-lived, single-use tokens the browser page is issued to open one call with. They are what a
    caller's page holds, so the talk token never rides in a socket URL and opens nothing by itself."""

    def __init__(self, ttl_s: float = 60.0, most: int = 1000) -> None:
        self.ttl_s, self.most = ttl_s, most
        self._issued: dict[str, float] = {}

    def issue(self) -> str:
        now = time.monotonic()
        self._issued = {t: at for t, at in self._issued.items() if now - at < self.ttl_s}
        if len(self._issued) >= self.most:  # a flood of requests: the oldest unused tokens go first
            self._issued.pop(next(iter(self._issued)))
        token = secrets.token_urlsafe(24)
        self._issued[token] = now
        return token

    def redeem(self, token: str | None) -> bool:
        """True once for a token issued less than `ttl_s` ago; it is spent either way."""
        if not token:
            return False
        match = next((t for t in self._issued if hmac.compare_digest(t.encode(), token.encode())), None)
        issued = self._issued.pop(match, None) if match else None
        return issued is not None and time.monotonic() - issued < self.ttl_s


class RateLimiter:
    """At most `per_second` messages in any one-second window (a flood gets a clear rejection)."""

    def __init__(self, per_second: int) -> None:
        self.per_second = per_second
        self.window_start = time.monotonic()
        self.count = 0

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self.window_start >= 1.0:
            self.window_start, self.count = now, 0
        self.count += 1
        return self.count <= self.per_second


@dataclass
class CallsSettings:
    """Calls across every wire (VOICEDESK_CALLS__*): how many at once, and where their records go."""

    max_calls: int = 3  # concurrent calls (3 stay real-time on 2 cores: docs/calls.md); more are refused
    records_url: str = "sqlite:///data/calls.db"  # call records; a postgresql:// URL for deployments


class CallRegistry:
    def __init__(self, services: Services | None, max_calls: int, session: SessionOptions | None = None) -> None:
        self.services = services
        self.max_calls = max_calls
        self.session = session or SessionOptions()  # every call's options; a line may give its language
        self.active: dict[str, CallSession] = {}
        self._lock = asyncio.Lock()

    @property
    def ready(self) -> bool:
        return self.services is not None

    def has_room(self) -> bool:
        return self.ready and len(self.active) < self.max_calls

    async def refusal(self, call_id: str | None = None) -> CallRefused | None:
        """Why a call would be refused now (before a wire answers it), or None."""
        if self.services is None:
            return TooManyCalls("the call models are not loaded")
        if call_id is not None and (call_id in self.active or
                                    await asyncio.to_thread(self.services.records.exists, call_id)):
            return DuplicateCall(f"call id {call_id!r} is {'live' if call_id in self.active else 'on the record'}")
        if len(self.active) >= self.max_calls:
            return TooManyCalls(f"{len(self.active)} calls in progress (limit {self.max_calls})")
        return None

    async def start(self, channel: Channel, *, caller_id: str | None = None, caller_id_trusted: bool = False,
                    call_id: str | None = None, language: str | None = None) -> CallSession:
        """A started session for this channel, or CallRefused (the caller is told, the operator logs it):
        TooManyCalls past the limit, DuplicateCall for an ID that is live or already recorded (the live
        call is left alone). `caller_id` verifies the caller only when the line is trusted."""
        async with self._lock:
            refused = await self.refusal(call_id)
            if refused is not None:
                why = "duplicate call id" if isinstance(refused, DuplicateCall) else \
                    "not ready" if self.services is None else "too many calls"
                metrics.REJECTED.labels(channel.name, why).inc()
                raise refused
            assert self.services is not None
            options = replace(self.session, language=language) if language in ("en", "zh") else self.session
            session = CallSession(self.services, channel, caller_id=caller_id, caller_id_trusted=caller_id_trusted,
                                  call_id=call_id, options=options)
            self.active[session.call_id] = session
        try:
            await session.start()
        except Exception as error:
            self._forget(session)
            if isinstance(error, IntegrityError):  # another process recorded the same ID meanwhile
                metrics.REJECTED.labels(channel.name, "duplicate call id").inc()
                raise DuplicateCall(f"call id {session.call_id!r} is on the record") from None
            raise
        return session

    def _forget(self, session: CallSession) -> None:
        if self.active.get(session.call_id) is session:  # never another session that has the same ID
            del self.active[session.call_id]

    async def end(self, session: CallSession, reason: str) -> None:
        try:
            await session.close(reason)
        finally:
            self._forget(session)

    async def end_all(self, reason: str) -> None:
        for session in list(self.active.values()):
            await self.end(session, reason)
