"""The call's observers: the call record, the Prometheus metrics, the browser page, the allocator.

Each subscribes to a session's events (voice/events.py) and does one job with them. The session
subscribes the record first: every later observer hears of an event only once it is stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

from voice import metrics
from voice.events import (
    BargeIn,
    CallEnded,
    CallerSpeaking,
    CallStarted,
    DigitsEntered,
    HangingUp,
    KeyPressed,
    Noted,
    RecognitionFailed,
    ReplySentence,
    TranscriptPartial,
    TurnFailed,
    TurnRecorded,
    TurnTaken,
    Understood,
)
from voice.records import CallRecords
from voice.services import tame_malloc


class RecordObserver:
    """The call record (voice/records.py): written as the call goes, so a crash loses at most the turn in
    progress. The row for the call itself is opened by the session before anything is published (a call
    ID already on the record refuses the call)."""

    def __init__(self, records: CallRecords, call_id: str) -> None:
        self.records, self.call_id = records, call_id

    async def __call__(self, event: object) -> None:
        call_id, records = self.call_id, self.records
        match event:
            case CallStarted(recording=recording, caller_id=caller_id, caller_id_trusted=trusted):
                if recording:
                    await asyncio.to_thread(records.update_call, call_id, recording=recording)
                if caller_id:
                    await asyncio.to_thread(records.add_event, call_id, "caller_id", number=caller_id, trusted=trusted)
            case TurnRecorded(idx, record):
                # Whole even if the caller hangs up this instant: the write is shielded from the reply's
                # cancellation, so the page's "turn" event means the record is there.
                await asyncio.shield(asyncio.to_thread(records.add_turn, call_id, idx, record))
            case DigitsEntered(digits):
                await asyncio.to_thread(records.add_event, call_id, "dtmf", digits=digits)
            case Noted():
                await asyncio.to_thread(records.add_event, call_id, event.kind, **event.detail())
            case CallEnded(reason, ticket_id):
                await asyncio.to_thread(records.end_call, call_id, reason, ticket_id)


class MetricsObserver:
    """Prometheus (voice/metrics.py), labelled by channel; the server exposes them on /metrics."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def __call__(self, event: object) -> None:
        channel = self.channel
        match event:
            case CallStarted():
                metrics.CALLS.labels(channel).inc()
                metrics.ACTIVE_CALLS.labels(channel).inc()
            case BargeIn():
                metrics.BARGE_INS.labels(channel).inc()
            case TurnFailed():
                metrics.ERRORS.labels(channel, "turn").inc()
            case RecognitionFailed():
                metrics.ERRORS.labels(channel, "asr").inc()
            case TurnRecorded(record=record):
                metrics.TURNS.labels(channel, record.get("language") or "?").inc()
                for stage, ms in record["latency_ms"].items():
                    if ms is not None:
                        metrics.STAGE_SECONDS.labels(channel, stage).observe(ms / 1000)
            case CallEnded():
                metrics.ACTIVE_CALLS.labels(channel).dec()


class PageObserver:
    """The live view (the browser page, the terminal): JSON events through the channel's `send_event`."""

    def __init__(self, channel: Any) -> None:
        self.channel = channel

    async def __call__(self, event: object) -> None:
        page = self.page(event)
        if page is not None:
            await self.channel.send_event(page)

    @staticmethod
    def page(event: object) -> dict[str, Any] | None:
        match event:
            case CallerSpeaking():
                return {"type": "speech_start"}
            case TranscriptPartial(text, stable):
                return {"type": "partial", "text": text, "stable": stable}
            case TurnTaken(idx, text):
                return {"type": "final", "text": text, "turn": idx}
            case Understood():
                return {"type": "understood", "turn": event.turn, "intent": event.intent, "language": event.language,
                        "mood": event.mood, "label": event.label, "trend": event.trend, "sentiment": event.sentiment}
            case ReplySentence(turn, text, language):
                return {"type": "reply", "text": text, "language": language, "turn": turn}
            case KeyPressed(digit):
                return {"type": "dtmf", "digit": digit}
            case TurnRecorded(record=record):
                return {"type": "turn", **{k: record[k] for k in ("idx", "latency_ms", "interrupted")}}
            case Noted():
                return {"type": event.kind, **event.detail()}
            case HangingUp(reason):
                return {"type": "hangup", "reason": reason}
        return None


class MemoryObserver:
    """After each turn, hand the turn's freed buffers back to the system (voice/services.py)."""

    async def __call__(self, event: object) -> None:
        if isinstance(event, TurnRecorded):
            await asyncio.to_thread(tame_malloc, True)
