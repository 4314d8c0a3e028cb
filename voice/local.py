"""Calls without a network: audio files in and out, and the local sound card.

`MemoryChannel` keeps what the assistant sent (audio on the call's clock, events, clears, marks);
`drive` plays a caller's turns into a session, in real time or as fast as possible, the way a
recorded call is replayed; `run_files` is `voicedesk demo --input/--output`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from voice.session import CallSession, SessionOptions


@dataclass
class MemoryChannel:
    name: str = "file"
    sample_rate: int = 16000
    playback_lead_s: float = 0.1
    uses_marks: bool = False  # nothing here echoes marks back
    continuous_media: bool = False
    clock: Any = None  # a callable giving the session's clock (samples), to stamp what is sent
    audio: list[tuple[int, bytes]] = field(default_factory=list)  # (clock when sent, PCM16 frame)
    events: list[dict[str, Any]] = field(default_factory=list)
    clears: list[tuple[int, float]] = field(default_factory=list)  # (clock, wall)
    marks: list[str] = field(default_factory=list)
    hung_up: bool = False
    on_event: Any = None  # optional callback, for a live view

    async def send_audio(self, pcm16: bytes) -> None:
        self.audio.append((self.clock() if self.clock else 0, pcm16))

    async def clear(self) -> None:
        self.clears.append((self.clock() if self.clock else 0, time.monotonic()))

    async def mark(self, name: str) -> None:
        self.marks.append(name)

    async def send_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.on_event:
            self.on_event(event)

    async def hangup(self) -> None:
        self.hung_up = True

    def output(self) -> np.ndarray:
        """The assistant's audio as the caller heard it: frames placed on the call's clock, clears honoured."""
        if not self.audio:
            return np.zeros(0, np.int16)
        frame = len(self.audio[0][1]) // 2
        end = max(t for t, _ in self.audio) + frame * (len(self.audio) + 1)
        out = np.zeros(end, np.int16)
        play_end = 0
        clears = sorted(c for c, _ in self.clears)
        for t, data in self.audio:
            while clears and clears[0] <= t:  # a clear drops whatever was still queued at the far end
                play_end = min(play_end, clears.pop(0))
            start = max(play_end, t)
            pcm = np.frombuffer(data, np.int16)
            out[start:start + len(pcm)] = pcm
            play_end = start + len(pcm)
        return np.trim_zeros(out, "b")


@dataclass
class CallerTurnAudio:
    pcm: np.ndarray  # float32 at the session's rate
    barge_in_after_s: float | None = None  # start talking this far into the assistant's reply


class Driver:
    """Plays the caller's side of a call into a session. Time only passes through the audio fed, so a fast
    run (`realtime=False`: computing takes no stream time) gives the same call as a live one, minus the waiting."""

    def __init__(self, session: CallSession, *, realtime: bool = False, max_wait_s: float = 30.0) -> None:
        self.session, self.realtime, self.max_wait_s = session, realtime, max_wait_s
        self.frame = session.rate // 50

    async def feed(self, pcm: np.ndarray) -> None:
        s, frame = self.session, self.frame
        for i in range(0, len(pcm), frame):
            if s.closed.is_set():
                return
            started = time.monotonic()
            if not self.realtime:
                await s.wait_quiet()
            await s.feed(pcm[i:i + frame])
            if self.realtime:
                await asyncio.sleep(max(0.0, frame / s.rate - (time.monotonic() - started)))

    async def settle(self, barge_in_after_s: float | None = None, replies: int | None = None) -> None:
        """Feed silence until the assistant is done, or has spoken `barge_in_after_s` of a reply begun after
        `replies` replies."""
        s = self.session
        silence = np.zeros(self.frame, np.float32)
        replies, waited = s.replies if replies is None else replies, 0
        while not s.closed.is_set() and waited < self.max_wait_s * s.rate:
            if not self.realtime:
                await s.wait_quiet()
            if barge_in_after_s is None:
                if not s.assistant_busy and not s.caller_turn_open:
                    return
            elif s.replies > replies and s.playback.first_sent_at is not None \
                    and s.clock - s.playback.first_sent_at >= barge_in_after_s * s.rate:
                return
            await self.feed(silence)
            waited += self.frame

    async def turn(self, pcm: np.ndarray, next_barge_in_after_s: float | None = None) -> None:
        """One caller turn and the assistant's answer (or its start, when the caller will talk over it)."""
        replies = self.session.replies
        await self.feed(pcm)
        await self.settle(next_barge_in_after_s, replies)


async def drive(session: CallSession, turns: list[CallerTurnAudio], *, realtime: bool = False,
                max_wait_s: float = 30.0) -> None:
    """Play a caller's turns: each after the assistant has finished, or `barge_in_after_s` into its reply."""
    driver = Driver(session, realtime=realtime, max_wait_s=max_wait_s)
    await driver.settle()  # the greeting
    for i, turn in enumerate(turns):
        await driver.turn(turn.pcm, turns[i + 1].barge_in_after_s if i + 1 < len(turns) else None)


def print_event(event: dict[str, Any]) -> None:
    """The live terminal view: partials, finals, replies, mood and latency."""
    kind = event.get("type")
    if kind == "partial":
        if sys.stdout.isatty():  # a partial is rewritten in place; a log file gets the finals only
            print(f"\r  … {event['text'][-100:]}", end="", flush=True)
    elif kind == "final":
        print(f"\r  caller: {event['text']}" + " " * 20, flush=True)
    elif kind == "understood":
        print(f"  [{event['intent']} · {event['language']} · mood {event['label']} {event['mood']:+.2f}"
              f" ({event['trend']})]", flush=True)
    elif kind == "reply":
        print(f"  assistant: {event['text']}", flush=True)
    elif kind == "turn":
        lat = event["latency_ms"]
        print(f"  latency: voice-to-voice {lat.get('voice_to_voice')} ms (endpoint {lat.get('endpoint')}, "
              f"first token {lat.get('first_token')}, first audio {lat.get('first_audio')})"
              + ("  [interrupted]" if event.get("interrupted") else ""), flush=True)
    elif kind in ("barge_in", "backchannel", "reprompt", "hangup", "error"):
        detail = event.get("heard") or event.get("text") or event.get("reason") or event.get("error") or ""
        print(f"  ({kind}: {detail})", flush=True)


async def run_files(services: Any, input_path: str, output_path: str, *, realtime: bool = False,
                    caller_id: str | None = None, language: str | None = None,
                    options: SessionOptions | None = None) -> CallSession:
    """The same session as a live call, on a file: the caller's audio in, what they would hear out."""
    from speech.audio import read_audio, write_wav

    audio = read_audio(input_path, sample_rate=None)
    rate = 8000 if audio.sample_rate <= 8000 else 16000
    channel = MemoryChannel(name="file", sample_rate=rate, on_event=print_event)
    session = CallSession(services, channel, caller_id=caller_id, caller_id_trusted=True,  # typed by the operator
                          options=replace(options or SessionOptions(), realtime=realtime, language=language))
    channel.clock = lambda: session.clock
    await session.start()
    from speech.audio import resample

    await drive(session, [CallerTurnAudio(resample(audio.pcm, audio.sample_rate, rate))], realtime=realtime)
    await session.close("end of file")
    write_wav(output_path, channel.output().astype(np.float32) / 32768.0, rate)
    return session


async def run_microphone(services: Any, *, caller_id: str | None = None, language: str | None = None,
                         device: Any = None, options: SessionOptions | None = None) -> None:
    """Talk to the assistant through the sound card (sounddevice); Ctrl-C ends the call."""
    import sounddevice as sd

    rate, frame = 16000, 320
    loop = asyncio.get_running_loop()
    inbound: asyncio.Queue[bytes] = asyncio.Queue()
    outbound: list[bytes] = []

    class SpeakerChannel(MemoryChannel):
        async def send_audio(self, pcm16: bytes) -> None:
            outbound.append(pcm16)

        async def clear(self) -> None:
            outbound.clear()

    channel = SpeakerChannel(name="local", sample_rate=rate, playback_lead_s=0.06, on_event=print_event)
    session = CallSession(services, channel, caller_id=caller_id, caller_id_trusted=True,  # typed by the operator
                          options=replace(options or SessionOptions(), language=language))

    def callback(indata: Any, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        loop.call_soon_threadsafe(inbound.put_nowait, bytes(indata))
        data = outbound.pop(0) if outbound else b"\0" * frames * 2
        outdata[:] = data[:frames * 2].ljust(frames * 2, b"\0")

    with sd.RawStream(samplerate=rate, blocksize=frame, channels=1, dtype="int16", callback=callback, device=device):
        await session.start()
        print("Talking to VoiceDesk: speak after the greeting (Ctrl-C to hang up).")
        try:
            while not session.closed.is_set():
                await session.feed(await inbound.get())
        finally:
            await session.close("local call ended")
