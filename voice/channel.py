"""What a wire offers a call: the one interface Twilio, AudioSocket, SIP, the browser and local audio implement."""

from __future__ import annotations

from typing import Any, Protocol


class Channel(Protocol):
    """What a wire offers the session. Audio is PCM16 mono at `sample_rate`, one 20 ms frame per call.
    Every channel states each attribute, so what a wire can do is read in its own class."""

    name: str
    sample_rate: int
    playback_lead_s: float  # how far ahead of the far end's playback audio may be sent (its jitter buffer)
    uses_marks: bool  # the far end echoes a mark once the audio before it played (Twilio): heard is confirmed
    continuous_media: bool  # the line expects media all call long (RTP): silence goes out between replies

    async def send_audio(self, pcm16: bytes) -> None: ...
    async def clear(self) -> None: ...  # drop what the far end has queued (Twilio `clear`)
    async def mark(self, name: str) -> None: ...  # sent after each sentence where `uses_marks`
    async def send_event(self, event: dict[str, Any]) -> None: ...  # transcripts, replies, mood (the browser)
    async def hangup(self) -> None: ...
