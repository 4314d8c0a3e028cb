"""Asterisk AudioSocket: a TCP server Asterisk's `AudioSocket(uuid,host:port)` dials for each call.

Every packet is: 1 byte type, 2 bytes payload length (big-endian), the payload. Types: 0x00
hang up, 0x01 the call's UUID (16 bytes, first), 0x03 a DTMF digit (1 ASCII byte), 0x10 audio
(signed linear 16-bit little-endian, 8 kHz mono, 20 ms = 320 bytes), 0xff an error code.
We answer with 0x10 audio, paced at 20 ms by the call's clock (one frame out per frame in),
and 0x00 to hang up.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("voicedesk.audiosocket")

HANGUP, UUID, DTMF, AUDIO, ERROR = 0x00, 0x01, 0x03, 0x10, 0xFF
KINDS = {HANGUP: "hangup", UUID: "uuid", DTMF: "dtmf", AUDIO: "audio", ERROR: "error"}
FRAME_BYTES = 320  # 20 ms of 8 kHz PCM16
MAX_PAYLOAD = 8000  # a quarter second of audio; Asterisk sends 320


class AudioSocketError(ValueError):
    pass


@dataclass(frozen=True)
class Packet:
    kind: int
    payload: bytes = b""

    @property
    def name(self) -> str:
        return KINDS.get(self.kind, f"0x{self.kind:02x}")


def encode(kind: int, payload: bytes = b"") -> bytes:
    if len(payload) > 0xFFFF:
        raise AudioSocketError(f"payload of {len(payload)} bytes does not fit a packet")
    return struct.pack(">BH", kind, len(payload)) + payload


def uuid_packet(call_uuid: uuid.UUID) -> bytes:
    return encode(UUID, call_uuid.bytes)


async def read_packet(reader: asyncio.StreamReader) -> Packet | None:
    """The next packet, or None at a clean end of stream."""
    try:
        header = await reader.readexactly(3)
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise AudioSocketError("connection closed inside a packet header") from e
    kind, length = struct.unpack(">BH", header)
    if kind not in KINDS:
        raise AudioSocketError(f"unknown packet type 0x{kind:02x}")
    if length > MAX_PAYLOAD:
        raise AudioSocketError(f"{KINDS[kind]} packet of {length} bytes is over the {MAX_PAYLOAD} byte limit")
    try:
        payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as e:
        raise AudioSocketError(f"connection closed inside a {KINDS[kind]} packet") from e
    if kind == UUID and length != 16:
        raise AudioSocketError(f"uuid packet of {length} bytes (expected 16)")
    return Packet(kind, payload)


class AudioSocketChannel:
    name = "audiosocket"
    sample_rate = 8000
    playback_lead_s = 0.0  # Asterisk plays what it gets: exactly one frame out per frame in
    uses_marks = False
    continuous_media = False  # no silence is sent between replies

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    async def send_audio(self, pcm16: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(AUDIO, pcm16))
            await self.writer.drain()

    async def clear(self) -> None:
        pass  # nothing is queued at Asterisk beyond the frame in flight

    async def mark(self, name: str) -> None:
        pass

    async def send_event(self, event: dict[str, Any]) -> None:
        pass

    async def hangup(self) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(HANGUP))
            await self.writer.drain()


Handler = Callable[[uuid.UUID, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serve(handler: Handler, host: str, port: int, allowed: Callable[[str], bool] = lambda host: True
                ) -> asyncio.Server:
    """Accept AudioSocket connections from hosts `allowed` says yes to (the operator's Asterisk); `handler`
    gets the call's UUID and the stream (first packet read). Whatever one connection sends ends that
    connection at worst, never the listener."""

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if not peer or not allowed(peer[0]):
            log.warning("audiosocket connection from %s refused: not an allowed peer "
                        "(VOICEDESK_AUDIOSOCKET_ALLOWED_PEERS)", peer)
            writer.close()
            return
        try:
            first = await asyncio.wait_for(read_packet(reader), timeout=5)
            if first is None or first.kind != UUID:
                raise AudioSocketError(f"first packet is {first.name if first else 'nothing'}, expected uuid")
            await handler(uuid.UUID(bytes=first.payload), reader, writer)
        except (AudioSocketError, TimeoutError) as e:
            log.warning("audiosocket %s: %s; closing", peer, e)
            writer.write(encode(ERROR, b"\x04"))  # application error
        except ConnectionError as e:
            log.info("audiosocket %s: connection lost: %s", peer, e)
        except Exception as e:  # noqa: BLE001 - one connection's failure is logged, the listener goes on
            log.error("audiosocket %s: %r; closing", peer, e)
        finally:
            writer.close()

    return await asyncio.start_server(accept, host, port)
