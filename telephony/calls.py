"""Calls in progress across every wire: the concurrency limit, and starting a session for a channel."""

from __future__ import annotations

import asyncio
import logging
import time

from voice import metrics
from voice.services import Services
from voice.session import CallSession, Channel, SessionOptions

log = logging.getLogger("voicedesk.calls")


class TooManyCalls(RuntimeError):
    pass


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


class CallRegistry:
    def __init__(self, services: Services | None, max_calls: int) -> None:
        self.services = services
        self.max_calls = max_calls
        self.active: dict[str, CallSession] = {}
        self._lock = asyncio.Lock()

    @property
    def ready(self) -> bool:
        return self.services is not None

    def has_room(self) -> bool:
        return self.ready and len(self.active) < self.max_calls

    async def start(self, channel: Channel, *, caller_id: str | None = None, call_id: str | None = None,
                    language: str | None = None) -> CallSession:
        """A started session for this channel, or TooManyCalls (the caller is told, the operator logs it)."""
        async with self._lock:
            if self.services is None:
                metrics.REJECTED.labels(channel.name, "not ready").inc()
                raise TooManyCalls("the call models are not loaded")
            if len(self.active) >= self.max_calls:
                metrics.REJECTED.labels(channel.name, "too many calls").inc()
                raise TooManyCalls(f"{len(self.active)} calls in progress (limit {self.max_calls})")
            settings = self.services.settings
            language = language if language in ("en", "zh") else settings.language  # the line's, or the server's
            options = SessionOptions(language=language if language in ("en", "zh") else None,
                                     recordings_dir=settings.recordings_dir)
            session = CallSession(self.services, channel, caller_id=caller_id, call_id=call_id, options=options)
            self.active[session.call_id] = session
        try:
            await session.start()
        except Exception:
            self.active.pop(session.call_id, None)
            raise
        return session

    async def end(self, session: CallSession, reason: str) -> None:
        try:
            await session.close(reason)
        finally:
            self.active.pop(session.call_id, None)

    async def end_all(self, reason: str) -> None:
        for session in list(self.active.values()):
            await self.end(session, reason)
