"""RTP (RFC 3550) for one phone call: G.711 audio in and out, RFC 4733 DTMF digits in.

Packets are plain values (`RtpPacket`, `TelephoneEvent`) packed and parsed without sockets, so the
wire format is tested with bytes. `RtpStream` is the per-call UDP endpoint: it decodes inbound
PCMU/PCMA to PCM16 8 kHz frames, turns telephone-events into digits, and sends 20 ms frames with
the sequence number, timestamp, SSRC and talkspurt marker a receiver's jitter buffer relies on.

Media comes only from the peer: the stream latches onto the first packet from the host the SDP named
(any port, for NATs that rewrite it; any host when the SDP named none) and from then on drops RTP from
every other address (symmetric RTP: our packets go back to that address too). The local port is drawn at
random from the configured range, so a stranger cannot guess a call's port from the last one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass

from speech.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode

log = logging.getLogger(__name__)

SAMPLE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
PAYLOAD_TYPES = {"PCMU": 0, "PCMA": 8}
DTMF_EVENTS = "0123456789*#ABCD"
_HEADER = struct.Struct("!BBHII")
_TALKSPURT_GAP_S = 0.1  # a longer pause between sends starts a new talkspurt (marker bit set)
_REORDER_WINDOW = 100  # a packet this many sequence numbers behind the newest is late, not a restart


class RtpError(ValueError):
    """A datagram that is not a well-formed RTP packet."""


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False
    csrcs: tuple[int, ...] = ()

    def pack(self) -> bytes:
        first = 0x80 | len(self.csrcs)  # version 2, no padding, no extension
        second = (0x80 if self.marker else 0) | self.payload_type
        header = _HEADER.pack(first, second, self.sequence, self.timestamp, self.ssrc)
        return header + b"".join(struct.pack("!I", c) for c in self.csrcs) + self.payload

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < _HEADER.size:
            raise RtpError(f"{len(data)} bytes is shorter than an RTP header")
        first, second, sequence, timestamp, ssrc = _HEADER.unpack_from(data)
        if first >> 6 != 2:
            raise RtpError(f"RTP version {first >> 6}, expected 2")
        offset = _HEADER.size + 4 * (first & 0x0F)
        if first & 0x10 and offset + 4 <= len(data):  # a header extension: skipped
            offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
        elif first & 0x10:
            offset = len(data) + 1
        end = len(data) - (data[-1] if first & 0x20 else 0)  # padding: the last byte counts it
        if offset > end:
            raise RtpError("RTP header or padding runs past the end of the packet")
        csrcs = struct.unpack_from(f"!{first & 0x0F}I", data, _HEADER.size)
        return cls(second & 0x7F, sequence, timestamp, ssrc, bytes(data[offset:end]), bool(second & 0x80), csrcs)


@dataclass(frozen=True)
class TelephoneEvent:
    """RFC 4733 section 2.3 payload: one DTMF key press, repeated while the key is held."""

    event: int
    end: bool
    volume: int
    duration: int

    @property
    def digit(self) -> str | None:
        return DTMF_EVENTS[self.event] if self.event < len(DTMF_EVENTS) else None

    def pack(self) -> bytes:
        return struct.pack("!BBH", self.event, (0x80 if self.end else 0) | (self.volume & 0x3F), self.duration)

    @classmethod
    def parse(cls, payload: bytes) -> TelephoneEvent:
        if len(payload) < 4:
            raise RtpError(f"telephone-event payload of {len(payload)} bytes, expected 4")
        event, flags, duration = struct.unpack_from("!BBH", payload)
        return cls(event, bool(flags & 0x80), flags & 0x3F, duration)


def encode(codec: str, pcm16: bytes) -> bytes:
    return ulaw_encode(pcm16) if codec == "PCMU" else alaw_encode(pcm16)


def decode(codec: str, payload: bytes) -> bytes:
    return (ulaw_decode(payload) if codec == "PCMU" else alaw_decode(payload)).tobytes()


def udp_destination(host: str, port: object) -> tuple[str, int] | None:
    """`(host, port)` when a UDP packet may be sent there: an IPv4 literal and a port in 1..65535; else None.

    asyncio's datagram transport closes itself for good when `sendto()` raises anything but OSError (a port
    of 99999999 raises OverflowError), and a host name would be resolved, blocking, on the event loop: so
    an address that came from a peer is checked here before anything is sent to it."""
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        return None
    if not isinstance(port, int) or not 0 < port < 65536:
        return None
    return str(address), port


class RtpStream(asyncio.DatagramProtocol):
    """The media half of one call; the SIP dialog owns it and closes it when the call ends."""

    def __init__(self, codec: str = "PCMU", payload_type: int = 0, dtmf_payload_type: int | None = None,
                 remote: tuple[str, int] | None = None, peer_host: str | None = None) -> None:
        self.codec, self.payload_type, self.dtmf_payload_type = codec, payload_type, dtmf_payload_type
        self.remote = remote  # where our RTP goes; None: send nothing (hold, recvonly)
        self.peer_host = peer_host or (remote[0] if remote else None)  # the SDP's host: only it may latch
        self.latched: tuple[str, int] | None = None  # the one address RTP is taken from, once it has come
        self.dropped = 0  # packets from any other address
        self.on_frame: Callable[[bytes], None] | None = None  # inbound audio, PCM16 8 kHz
        self.on_digit: Callable[[str], None] | None = None
        self.on_latched: Callable[[], None] | None = None  # the peer's media has started
        self.last_received = 0.0
        self._transport: asyncio.DatagramTransport | None = None
        self._ssrc = secrets.randbits(32)
        self._sequence = secrets.randbits(16)
        self._timestamp = secrets.randbits(32)
        self._last_send: float | None = None
        self._last_samples = 0
        self._inbound_ssrc: int | None = None
        self._inbound_sequence = 0
        self._seen_events: set[tuple[int, int]] = set()

    @classmethod
    async def open(cls, host: str, ports: tuple[int, int], **settings) -> RtpStream:
        """Bind a free even port drawn at random from `ports` (inclusive); odd ports are left for RTCP."""
        loop = asyncio.get_running_loop()
        candidates = list(range(ports[0] + ports[0] % 2, ports[1] + 1, 2))
        random.SystemRandom().shuffle(candidates)
        for port in candidates:
            try:
                _, stream = await loop.create_datagram_endpoint(lambda: cls(**settings), local_addr=(host, port))
                return stream
            except OSError:
                continue
        raise OSError(f"no free RTP port in {ports[0]}-{ports[1]}")

    @property
    def port(self) -> int:
        assert self._transport is not None
        return self._transport.get_extra_info("sockname")[1]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self.last_received = asyncio.get_running_loop().time()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        addr = (addr[0], addr[1])
        if addr != self.latched and not self._latch(addr):
            return
        try:
            packet = RtpPacket.parse(data)
        except RtpError as error:
            log.debug("RTP from %s:%d dropped: %s", addr[0], addr[1], error)
            return
        self.last_received = asyncio.get_running_loop().time()
        if packet.payload_type == self.dtmf_payload_type:
            self._receive_event(packet)
        elif packet.payload_type == self.payload_type and self._is_new(packet) and self.on_frame:
            self.on_frame(decode(self.codec, packet.payload))

    def _latch(self, addr: tuple[str, int]) -> bool:
        """Take media from `addr` from now on, if it may be the peer; one log line for the first stranger."""
        if self.latched is None and self.peer_host in (None, "0.0.0.0", addr[0]):
            self.latched = addr
            if self.remote is not None and self.remote[0] == addr[0]:
                self.remote = addr  # symmetric RTP: answer where the peer's packets come from
            if self.on_latched:
                self.on_latched()
            return True
        self.dropped += 1
        if self.dropped == 1:
            log.warning("RTP from %s:%d dropped: not the call's peer (%s)", addr[0], addr[1],
                        f"{self.latched[0]}:{self.latched[1]}" if self.latched else self.peer_host)
        return False

    def _is_new(self, packet: RtpPacket) -> bool:
        """Drop duplicates and packets overtaken by a later one; a new SSRC or a long jump back starts afresh."""
        if packet.ssrc == self._inbound_ssrc and (self._inbound_sequence - packet.sequence) % 65536 < _REORDER_WINDOW:
            return False
        self._inbound_ssrc, self._inbound_sequence = packet.ssrc, packet.sequence
        return True

    def _receive_event(self, packet: RtpPacket) -> None:
        try:
            event = TelephoneEvent.parse(packet.payload)
        except RtpError as error:
            log.debug("telephone-event dropped: %s", error)
            return
        key = (packet.timestamp, event.event)  # every packet of one key press carries its start timestamp
        if event.digit is None or key in self._seen_events:
            return
        self._seen_events.add(key)
        if len(self._seen_events) > 64:
            self._seen_events = {key}
        if self.on_digit:
            self.on_digit(event.digit)

    def send(self, pcm16: bytes) -> None:
        """Send one frame now; the caller paces frames in real time."""
        if self._transport is None or self.remote is None or not pcm16:
            return
        now = asyncio.get_running_loop().time()
        marker = self._last_send is None or now - self._last_send > _TALKSPURT_GAP_S
        if self._last_send is not None and marker:  # the sampling clock ran on through the silence
            silence = int((now - self._last_send) * SAMPLE_RATE) - self._last_samples
            self._timestamp += max(0, silence) // FRAME_SAMPLES * FRAME_SAMPLES
        packet = RtpPacket(self.payload_type, self._sequence, self._timestamp & 0xFFFFFFFF, self._ssrc,
                           encode(self.codec, pcm16), marker)
        destination = udp_destination(*self.remote)
        if destination is None:  # the SDP named somewhere no packet can go: send nothing, keep the socket
            return
        self._transport.sendto(packet.pack(), destination)
        self._last_send, self._last_samples = now, len(pcm16) // 2
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._timestamp = (self._timestamp + len(pcm16) // 2) & 0xFFFFFFFF

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
