"""The far ends, for tests and benchmarks: a Twilio Media Streams peer and an Asterisk AudioSocket peer.

Each streams the caller's audio in real time, 20 ms a frame (silence between turns, as a phone line
does), and plays what it receives the way the real peer does: in real time, in order, dropping the
queue on `clear` (Twilio), echoing each mark once the audio before it has played. What the caller
heard, and when, is kept for checking.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from speech import g711
from telephony import audiosocket, twilio

FRAME = 160  # 20 ms at 8 kHz


@dataclass
class Heard:
    """The far end's player: real-time playout of what the server sent."""

    queue: list[tuple[np.ndarray, float]] = field(default_factory=list)  # (frame, wall when received)
    played: list[np.ndarray] = field(default_factory=list)
    played_at: list[float] = field(default_factory=list)  # wall time each played frame started
    marks: list[tuple[int, str]] = field(default_factory=list)  # (frames queued before it, name)
    cleared_at: list[float] = field(default_factory=list)
    received_at: list[float] = field(default_factory=list)

    def receive(self, pcm16: np.ndarray) -> None:
        now = time.monotonic()
        self.queue.append((pcm16, now))
        self.received_at.append(now)

    def tick(self) -> list[str]:
        """Play one frame (if any); return the marks whose audio has now all played."""
        if self.queue:
            frame, _ = self.queue.pop(0)
            self.played.append(frame)
            self.played_at.append(time.monotonic())
            self.marks = [(before - 1, name) for before, name in self.marks]
        reached = [name for before, name in self.marks if before <= 0]
        self.marks = [(before, name) for before, name in self.marks if before > 0]
        return reached

    def clear(self) -> list[str]:
        self.queue.clear()
        self.cleared_at.append(time.monotonic())
        dropped, self.marks = [name for _, name in self.marks], []
        return dropped

    def audio(self, since: float = 0.0) -> np.ndarray:
        """What was played since a wall time, as float32 at 8 kHz."""
        frames = [f for f, t in zip(self.played, self.played_at, strict=True) if t >= since]
        return np.concatenate(frames).astype(np.float32) / 32768.0 if frames else np.zeros(0, np.float32)


class _Peer:
    def __init__(self) -> None:
        self.heard = Heard()
        self._outgoing: list[np.ndarray] = []  # caller audio frames still to send
        self._tasks: list[asyncio.Task] = []
        self.closed = asyncio.Event()
        self.sent_frames = 0

    async def say(self, pcm: np.ndarray) -> float:
        """Queue caller audio (float32, 8 kHz); returns once it is all sent (wall time of the end)."""
        pcm16 = np.clip(pcm * 32768, -32768, 32767).astype(np.int16)
        frames = [pcm16[i:i + FRAME] for i in range(0, len(pcm16), FRAME)]
        frames[-1] = np.pad(frames[-1], (0, FRAME - len(frames[-1])))
        self._outgoing.extend(frames)
        while self._outgoing and not self.closed.is_set():
            await asyncio.sleep(0.02)
        return time.monotonic()

    async def wait_reply(self, timeout: float = 60.0, quiet_s: float = 1.2) -> bool:
        """Until the server has sent something and then nothing for `quiet_s` and its audio has played."""
        deadline = time.monotonic() + timeout
        start_count = len(self.heard.received_at)
        while time.monotonic() < deadline and not self.closed.is_set():
            await asyncio.sleep(0.05)
            got = len(self.heard.received_at) > start_count
            if got and not self.heard.queue and time.monotonic() - self.heard.received_at[-1] > quiet_s:
                return True
        return self.closed.is_set()

    async def _pace(self) -> None:
        """Every 20 ms: send one caller frame (or silence) and play one received frame."""
        next_at = time.monotonic()
        silence = np.zeros(FRAME, np.int16)
        while not self.closed.is_set():
            frame = self._outgoing.pop(0) if self._outgoing else silence
            try:
                await self._send_frame(frame)
            except Exception:  # noqa: BLE001 - the server went away
                self.closed.set()
                return
            self.sent_frames += 1
            for name in self.heard.tick():
                await self._mark_played(name)
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _send_frame(self, frame: np.ndarray) -> None:
        raise NotImplementedError

    async def _mark_played(self, name: str) -> None:
        pass

    async def close(self) -> None:
        self.closed.set()
        for task in self._tasks:
            task.cancel()


class TwilioPeer(_Peer):
    """Twilio's side of a bidirectional Media Stream, message for message."""

    def __init__(self, base_url: str, auth_token: str, *, caller: str = "", language: str = "",
                 sign: bool = True) -> None:
        super().__init__()
        self.url = base_url.replace("http", "ws", 1) + "/twilio/media"
        self.auth_token, self.caller, self.language, self.sign = auth_token, caller, language, sign
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self.call_sid = "CA" + uuid.uuid4().hex
        self.messages: list[dict] = []  # everything the server sent, with "_t" (wall time received)
        self.seq = 0
        self.ws = None

    async def connect(self) -> None:
        import websockets

        headers = {"X-Twilio-Signature": twilio.signature(self.url, {}, self.auth_token)} if self.sign else {}
        self.ws = await websockets.connect(self.url, additional_headers=headers, max_size=1 << 20)
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self._send({"event": "start", "streamSid": self.stream_sid, "start": {
            "accountSid": "AC" + "0" * 32, "streamSid": self.stream_sid, "callSid": self.call_sid,
            "tracks": ["inbound"], "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            "customParameters": {"caller": self.caller, "language": self.language}}})
        self._tasks = [asyncio.create_task(self._pace()), asyncio.create_task(self._receive())]

    async def _send(self, msg: dict) -> None:
        self.seq += 1
        if msg["event"] != "connected":
            msg = {**msg, "sequenceNumber": str(self.seq)}
        await self.ws.send(json.dumps(msg))

    async def _send_frame(self, frame: np.ndarray) -> None:
        chunk = self.sent_frames + 1
        await self._send({"event": "media", "streamSid": self.stream_sid, "media": {
            "track": "inbound", "chunk": str(chunk), "timestamp": str(chunk * 20),
            "payload": base64.b64encode(g711.ulaw_encode(frame.tobytes())).decode()}})

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text)

    async def dtmf(self, digit: str) -> None:
        await self._send({"event": "dtmf", "streamSid": self.stream_sid,
                          "dtmf": {"track": "inbound_track", "digit": digit}})

    async def _mark_played(self, name: str) -> None:
        await self._send({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    async def _receive(self) -> None:
        try:
            async for text in self.ws:
                msg = json.loads(text)
                msg["_t"] = time.monotonic()
                self.messages.append(msg)
                if msg["event"] == "media":
                    self.heard.receive(g711.ulaw_decode(base64.b64decode(msg["media"]["payload"])))
                elif msg["event"] == "mark":
                    self.heard.marks.append((len(self.heard.queue), msg["mark"]["name"]))
                elif msg["event"] == "clear":
                    for name in self.heard.clear():
                        await self._mark_played(name)
        except Exception:  # noqa: BLE001 - closed by the server
            pass
        finally:
            self.closed.set()

    async def hang_up(self) -> None:
        if self.ws is not None and not self.closed.is_set():
            await self._send({"event": "stop", "streamSid": self.stream_sid,
                              "stop": {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid}})
            await self.ws.close()
        await self.close()


class AudioSocketPeer(_Peer):
    """Asterisk's side of an AudioSocket connection: a UUID, then slin frames both ways."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.host, self.port = host, port
        self.call_uuid = uuid.uuid4()
        self.hung_up_by_server = False

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(audiosocket.uuid_packet(self.call_uuid))
        self._tasks = [asyncio.create_task(self._pace()), asyncio.create_task(self._receive())]

    async def _send_frame(self, frame: np.ndarray) -> None:
        self.writer.write(audiosocket.encode(audiosocket.AUDIO, frame.astype("<i2").tobytes()))
        await self.writer.drain()

    async def dtmf(self, digit: str) -> None:
        self.writer.write(audiosocket.encode(audiosocket.DTMF, digit.encode()))
        await self.writer.drain()

    async def _receive(self) -> None:
        try:
            while (packet := await audiosocket.read_packet(self.reader)) is not None:
                if packet.kind == audiosocket.AUDIO:
                    self.heard.receive(np.frombuffer(packet.payload, "<i2").copy())
                elif packet.kind == audiosocket.HANGUP:
                    self.hung_up_by_server = True
                    break
        except (audiosocket.AudioSocketError, ConnectionError):
            pass
        finally:
            self.closed.set()

    async def hang_up(self) -> None:
        if not self.closed.is_set():
            self.writer.write(struct.pack(">BH", audiosocket.HANGUP, 0))
            await self.writer.drain()
            self.writer.close()
        await self.close()
