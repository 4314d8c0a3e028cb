"""What a call session tells the world: typed events, published in order to the observers that want them.

The session publishes; the call record, the metrics and the browser page subscribe (voice/observers.py),
the way LiveKit emits its metrics. An observer that fails logs one line and the call goes on; the first
observer is the call record, so by the time anything else hears of an event it is stored.

Events that are "noted" (`kind` set) go to the record's event list and to the page with the same detail:
their fields, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

log = logging.getLogger("voicedesk.session")


@dataclass(frozen=True)
class CallStarted:
    call_id: str
    channel: str
    caller_id: str | None
    caller_id_trusted: bool
    language: str | None
    recording: str | None  # the call's WAV, when it is recorded


@dataclass(frozen=True)
class CallerSpeaking:
    """The VAD heard the caller start."""


@dataclass(frozen=True)
class TranscriptPartial:
    text: str
    stable: str  # the committed words, never revised


@dataclass(frozen=True)
class TurnTaken:
    """The caller's turn, as it will be answered (two breaths of one thought are one turn)."""

    idx: int
    text: str


@dataclass(frozen=True)
class Understood:
    turn: int
    intent: str
    language: str
    mood: float
    label: str
    trend: str
    sentiment: float


@dataclass(frozen=True)
class ReplySentence:
    """A sentence of a reply, written and about to be synthesised (turn 0: the session's own lines)."""

    turn: int
    text: str
    language: str


@dataclass(frozen=True)
class Noted:
    """An event the call record keeps in its event list, and the page shows."""

    kind: ClassVar[str] = ""

    def detail(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReplyPaused(Noted):
    """The caller talked past the guard while we spoke: the reply stops where they are, maybe for a nod."""

    kind: ClassVar[str] = "barge_in_pause"
    after_ms: float
    heard: str


@dataclass(frozen=True)
class Backchannel(Noted):
    kind: ClassVar[str] = "backchannel"
    text: str


@dataclass(frozen=True)
class BargeIn(Noted):
    """The caller took the floor: the reply is cancelled, the history keeps what was heard."""

    kind: ClassVar[str] = "barge_in"
    why: str  # redacted
    heard: str
    clear_after_ms: float


@dataclass(frozen=True)
class Reprompted(Noted):
    kind: ClassVar[str] = "reprompt"
    count: int


@dataclass(frozen=True)
class TurnFailed(Noted):
    kind: ClassVar[str] = "error"
    turn: int
    error: str


@dataclass(frozen=True)
class KeyPressed:
    digit: str


@dataclass(frozen=True)
class DigitsEntered:
    """Keypad digits up to '#': one record event per entry (redacted like a turn), then a typed turn."""

    digits: str


@dataclass(frozen=True)
class TurnRecorded:
    """A turn is over (answered, interrupted or failed): its full account."""

    idx: int
    record: dict[str, Any]


@dataclass(frozen=True)
class RecognitionFailed:
    """Handling one recognition event failed (logged by the session); the call goes on."""


@dataclass(frozen=True)
class HangingUp:
    reason: str


@dataclass(frozen=True)
class CallEnded:
    reason: str
    ticket_id: str | None
    turns: int


Observer = Callable[[object], Awaitable[None]]


class Events:
    """The session's publisher: observers are called in the order they subscribed, each awaited in turn."""

    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        self.observers: list[Observer] = []

    def subscribe(self, observer: Observer) -> None:
        self.observers.append(observer)

    async def publish(self, event: object) -> None:
        for observer in self.observers:
            try:
                await observer(event)
            except Exception as e:  # noqa: BLE001 - a record, a metric or a page must never stop the call
                log.error("call %s: %s failed on %s: %s: %s", self.call_id, _name(observer),
                          type(event).__name__, type(e).__name__, e)


def _name(observer: Observer) -> str:
    return getattr(observer, "__qualname__", None) or type(observer).__name__  # a function, or an observer object
