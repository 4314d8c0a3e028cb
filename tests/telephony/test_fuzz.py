"""Fuzzing every wire of the live server: seeded, bounded (a few seconds each), with a good call up
throughout that must still take a turn and answer it afterwards, and the listener still serving.

Each test mutates valid messages of its wire (bit flips, truncations, splices, wrong types and sizes) and
adds the inputs that once did harm. The server may refuse, drop or close the bad peer; it may not stop a
listener, answer 5xx, or disturb the good call.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import struct
import uuid

import httpx
import pytest

from speech.g711 import ulaw_encode
from telephony import audiosocket, twilio
from telephony.peers import AudioSocketPeer, TwilioPeer
from telephony.rtp import RtpPacket, TelephoneEvent
from tests.telephony.test_calls import _until
from tests.telephony.test_sip import UdpPeer, in_dialog, invite
from tests.telephony.test_sip_hardening import options

pytestmark = pytest.mark.slow
TOKEN = "twilio-test-token"
API = {"Authorization": "Bearer operator-test-token"}


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: flip bits, drop, duplicate or overwrite a slice, insert junk, truncate."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            data = bytearray(rng.randbytes(rng.randint(1, 64)))
        at = rng.randrange(len(data))
        span = rng.randint(1, max(1, min(64, len(data) - at)))
        kind = rng.randrange(6)
        if kind == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[at:at + span]
        elif kind == 2:
            data[at:at] = data[at:at + span]
        elif kind == 3:
            data[at:at + span] = rng.randbytes(span)
        elif kind == 4:
            data[at:at] = rng.choice([b"\0", b"\xff" * 8, b"\r\n", b":", b";", b"%00", b"\"", b"{", b"99999999",
                                      "订单".encode(), b"A" * rng.randint(100, 5000)])
        else:
            del data[at:]
    return bytes(data)


class GoodCall:
    """A good call on any wire: it must still answer a keypad turn after the fuzzing."""

    def __init__(self, peer, call_id: str) -> None:
        self.peer, self.call_id = peer, call_id

    async def still_answers(self, records) -> list[dict]:
        assert not self.peer.closed.is_set(), "the good call was dropped"
        for digit in "10003#":
            await self.peer.dtmf(digit)
            await asyncio.sleep(0.05)
        turns = await _until(lambda: (records.get_call(self.call_id) or {}).get("turns"), 40, 0.25)
        assert turns and "10003" in turns[-1]["text"], turns
        assert not self.peer.closed.is_set(), "the good call was dropped"
        return turns


async def _greeted(peer) -> None:
    """Until the greeting's first audio arrives: the call is up (its end need not be waited for)."""
    assert await _until(lambda: peer.heard.received_at or peer.closed.is_set(), 40, 0.05) and not peer.closed.is_set()


async def twilio_good_call(base: str) -> GoodCall:
    peer = TwilioPeer(base, TOKEN, language="en")
    await peer.connect()
    await _greeted(peer)
    return GoodCall(peer, peer.call_sid)


def _ready(base: str) -> dict:
    return httpx.get(base + "/ready", headers=API).json()


def _quiet(live_server) -> None:
    assert asyncio.run(_until(lambda: not live_server.state.calls.active, 20, 0.1)), \
        list(live_server.state.calls.active)


# --- Twilio Media Streams ------------------------------------------------------------------------
def _twilio_messages(rng: random.Random, peer: TwilioPeer) -> list[str | bytes]:
    media = {"event": "media", "streamSid": peer.stream_sid, "media": {
        "track": "inbound", "chunk": "1", "timestamp": "20", "payload": base64.b64encode(bytes(160)).decode()}}
    valid = [media, {"event": "mark", "streamSid": peer.stream_sid, "mark": {"name": "1:0"}},
             {"event": "dtmf", "streamSid": peer.stream_sid, "dtmf": {"digit": "5"}},
             {"event": "start", "streamSid": "MZx", "start": {"streamSid": "MZx", "callSid": "CAx"}}]
    odd = [None, [], {}, 1e308, -1, "", "x" * 5000, "订单", {"payload": None}, True]
    out: list[str | bytes] = []
    for _ in range(250):
        message = json.loads(json.dumps(rng.choice(valid)))
        roll = rng.random()
        if roll < 0.4:  # a field replaced by the wrong type or size
            target = message if rng.random() < 0.5 else next((v for v in message.values() if isinstance(v, dict)),
                                                             message)
            target[rng.choice(list(target))] = rng.choice(odd)
            out.append(json.dumps(message))
        elif roll < 0.8:
            out.append(mutate(json.dumps(message).encode(), rng).decode("utf-8", "replace"))
        elif roll < 0.9:
            out.append(rng.randbytes(rng.randint(0, 400)))  # a binary frame: Twilio never sends one
        else:
            out.append(rng.choice(["", "null", "[]", "{}", '{"event": null}', '{"event": "stop"}', "x" * 20000]))
    return out


def test_fuzz_twilio(live_server, call_services):
    base, rng = live_server.state.base_url, random.Random(10_01)
    _quiet(live_server)

    async def run():
        good = await twilio_good_call(base)
        for round_ in range(2):  # garbage before the start, then garbage inside a started call
            fuzz = TwilioPeer(base, TOKEN, language="en")
            if round_ == 0:
                import websockets

                headers = {"X-Twilio-Signature": twilio.signature(fuzz.url, {}, TOKEN)}
                fuzz.ws = await websockets.connect(fuzz.url, additional_headers=headers, max_size=1 << 20)
            else:
                await fuzz.connect()
                for task in fuzz._tasks[:1]:
                    task.cancel()
            with contextlib.suppress(Exception):  # the server may close a bad peer: that is allowed
                for n, message in enumerate(_twilio_messages(rng, fuzz)):
                    await fuzz.ws.send(message)
                    if n % 50 == 49:
                        await asyncio.sleep(0.3)  # under the flood limit: every message is parsed
            with contextlib.suppress(Exception):
                await fuzz.ws.close()
            await fuzz.close()
        twin = TwilioPeer(base, TOKEN, language="en")  # the issue's: the live call's callSid again
        twin.call_sid = good.call_id
        await twin.connect()
        await asyncio.wait_for(twin.closed.wait(), 10)
        turns = await good.still_answers(call_services.records)
        await good.peer.hang_up()
        return turns

    assert asyncio.run(run())
    assert _ready(base)["ready"]


# --- the browser socket --------------------------------------------------------------------------
def test_fuzz_browser(live_server, call_services):
    from websockets.asyncio.client import connect

    base, rng = live_server.state.base_url, random.Random(10_02)
    _quiet(live_server)

    async def run():
        good = await twilio_good_call(base)
        token = httpx.post(base + "/api/call-tokens", headers={"Authorization": "Bearer test-token"}).json()["token"]
        url = base.replace("http://", "ws://") + "/ws/browser?language=" + rng.choice(["en", "zh", "xx", "%00"])
        async with connect(url, subprotocols=["voicedesk", "voicedesk.token." + token], max_size=1 << 20) as ws:
            with contextlib.suppress(Exception):
                for n in range(250):
                    roll = rng.random()
                    if roll < 0.35:  # audio of every size, odd lengths and over the limit included
                        await ws.send(rng.randbytes(rng.choice([0, 1, 3, 320, 641, 70_000])))
                    elif roll < 0.9:
                        base_msg = json.dumps({"type": rng.choice(["txt", "hang", "start", None, 1]), "text": "hi"})
                        await ws.send(mutate(base_msg.encode(), rng).decode("utf-8", "replace"))
                    else:
                        await ws.send(rng.choice(["", "{}", "[]", "null", '{"type": []}', "x" * 5000]))
                    if n % 50 == 49:
                        await asyncio.sleep(0.3)
        turns = await good.still_answers(call_services.records)
        await good.peer.hang_up()
        return turns

    assert asyncio.run(run())
    assert _ready(base)["ready"]


# --- AudioSocket ---------------------------------------------------------------------------------
def _audiosocket_streams(rng: random.Random, live: uuid.UUID) -> list[bytes]:
    frame = audiosocket.encode(audiosocket.AUDIO, bytes(320))
    streams = [rng.randbytes(rng.randint(1, 600)) for _ in range(10)]  # not even a UUID first
    streams.append(audiosocket.uuid_packet(live) + frame * 3)  # the issue's: the live call's UUID again
    streams += [b"\x01\x00\x10", b"\x01\xff\xff" + bytes(16), b"\x00\x00\x00", b"\x10\x01\x40" + bytes(320)]
    for _ in range(4):  # a good start, then a mutated packet stream
        body = b"".join(rng.choice([frame, audiosocket.encode(audiosocket.DTMF, b"7"), audiosocket.encode(0xFF, b"\4"),
                                    struct.pack(">BH", rng.randrange(256), rng.randrange(65536))])
                        for _ in range(30))
        streams.append(audiosocket.uuid_packet(uuid.uuid4()) + mutate(body, rng))
    return streams


def test_fuzz_audiosocket(live_server, call_services):
    base, port, rng = live_server.state.base_url, live_server.state.settings.audiosocket_port, random.Random(10_03)
    _quiet(live_server)

    async def run():
        peer = AudioSocketPeer("127.0.0.1", port)
        await peer.connect()
        await _greeted(peer)
        good = GoodCall(peer, str(peer.call_uuid))
        for data in _audiosocket_streams(rng, peer.call_uuid):
            with contextlib.suppress(ConnectionError, OSError):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(data)
                await writer.drain()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(reader.read(65536), 0.5)  # the server answers or closes
                if rng.random() < 0.5:
                    writer.transport.abort()  # a TCP reset in the middle
                else:
                    writer.close()
            await asyncio.sleep(0.05)
        turns = await good.still_answers(call_services.records)
        await peer.hang_up()
        return turns

    assert asyncio.run(run())
    assert _ready(base)["listeners"]["audiosocket"] == "listening"


# --- SIP and RTP ---------------------------------------------------------------------------------
class SipPhone:
    """A good SIP call: INVITE, ACK, 20 ms RTP all call long (silence), RFC 4733 keypad digits, BYE."""

    def __init__(self, sip_port: int) -> None:
        self.sip_port = sip_port
        self.closed = asyncio.Event()
        self.call_id = f"good-{uuid.uuid4().hex[:10]}"
        self.events: list[tuple[int, bool, int]] = []  # keypad packets still to send: (event, end, timestamp)
        self._press = 0

    async def connect(self) -> None:
        self.sig, self.rtp = await UdpPeer.open(), await UdpPeer.open()
        self.sig.send(invite(via_port=self.sig.port, rtp_port=self.rtp.port, call_id=self.call_id,
                             branch=f"z9hG4bK{self.call_id}"), self.sip_port)
        self.ok = await self.sig.final(5)
        assert self.ok.status == 200, self.ok.status
        self.sig.send(in_dialog("ACK", self.ok, 29572), self.sip_port)
        self.media_port = int(next(line for line in self.ok.body.decode().split("\r\n")
                                   if line.startswith("m=")).split()[1])
        self.task = asyncio.create_task(self._pace())

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        next_at, seq = loop.time(), 1
        silence = ulaw_encode(bytes(320))
        while not self.closed.is_set():
            if self.events:  # every packet of one key press carries the press's start timestamp
                event, end, timestamp = self.events.pop(0)
                packet = RtpPacket(101, seq & 0xFFFF, timestamp, 0x600D, TelephoneEvent(event, end, 10, 320).pack())
            else:
                packet = RtpPacket(0, seq & 0xFFFF, seq * 160, 0x600D, silence)
            self.rtp.send(packet.pack(), self.media_port)
            while not self.sig.received.empty():
                message = self.sig.received.get_nowait()
                if message.startswith(b"BYE"):
                    self.closed.set()
            seq += 1
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def dtmf(self, digit: str) -> None:
        event = "0123456789*#".index(digit)
        self._press += 1
        timestamp = 1_000_000 + 8000 * self._press
        self.events += [(event, False, timestamp), (event, False, timestamp), (event, True, timestamp),
                        (event, True, timestamp)]
        while self.events:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.06)

    async def hang_up(self) -> None:
        self.closed.set()
        self.task.cancel()
        self.sig.send(in_dialog("BYE", self.ok, 29572), self.sip_port)
        await asyncio.sleep(0.2)


def _sip_datagrams(rng: random.Random, port: int) -> list[bytes]:
    valid = [invite(via_port=port, call_id="fz", branch="z9hG4bKfz"), options(port),
             in_dialog("BYE", invite_response(), 1), in_dialog("ACK", invite_response(), 1),
             b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nCall-ID: x\r\nCSeq: 1 BYE\r\n\r\n"]
    out = [options(port, 99999999), options(port, 0), options(port, 5060, host="no-such-host.invalid"),
           invite(via_port=port, rtp_port=99999999, call_id="fz-port", branch="z9hG4bKfzp"),
           invite(via_port=port, call_id="fz-ip", branch="z9hG4bKfzi").replace(b"c=IN IP4 127.0.0.1",
                                                                                b"c=IN IP4 evil.example")]
    for _ in range(350):
        out.append(mutate(rng.choice(valid), rng) if rng.random() < 0.9 else rng.randbytes(rng.randint(1, 1400)))
    return out


def invite_response():
    from telephony.sip import SipMessage, build_response

    return build_response(SipMessage.parse(invite()), 200, to_tag="fuzz")


async def sip_good_call(sip_port: int) -> tuple[SipPhone, GoodCall]:
    phone = SipPhone(sip_port)
    await phone.connect()
    await asyncio.sleep(1.0)  # the greeting has begun: the session is up
    return phone, GoodCall(phone, phone.call_id)


def test_fuzz_sip(live_server, call_services):
    base, sip_port, rng = live_server.state.base_url, live_server.state.sip_settings.port, random.Random(10_04)
    _quiet(live_server)

    async def run():
        phone, good = await sip_good_call(sip_port)
        fuzz = await UdpPeer.open()
        for n, datagram in enumerate(_sip_datagrams(rng, fuzz.port)):
            fuzz.send(datagram, sip_port)
            await asyncio.sleep(0.002 if n % 20 else 0.05)
        fuzz.send(options(fuzz.port, branch="z9hG4bKalive"), sip_port)  # still answering SIP
        alive = False
        with contextlib.suppress(asyncio.TimeoutError):
            while not alive:
                alive = (await fuzz.receive(3)).get("Call-ID") == "z9hG4bKalive"
        turns = await good.still_answers(call_services.records)
        await phone.hang_up()
        return alive, turns

    alive, turns = asyncio.run(run())
    assert alive and turns
    assert _ready(base)["listeners"]["sip"] == "listening"


def test_fuzz_rtp(live_server, call_services):
    """Into a live call's RTP port: mutated and random datagrams from a stranger (all dropped) and malformed
    packets from the peer's own address (dropped one by one); the call goes on."""
    base, sip_port, rng = live_server.state.base_url, live_server.state.sip_settings.port, random.Random(10_05)
    _quiet(live_server)

    async def run():
        phone, good = await sip_good_call(sip_port)
        stranger = await UdpPeer.open()
        for n, event in enumerate((4, 2, 11)):  # "42#" typed by a stranger: the issue's injected turn
            for end in (False, True, True):
                stranger.send(RtpPacket(101, 50 + n, 7000 + 800 * n, 2, TelephoneEvent(event, end, 10, 160).pack())
                              .pack(), phone.media_port)
        valid = [RtpPacket(101, 7, 9000, 1, TelephoneEvent(11, True, 10, 160).pack()).pack(),
                 RtpPacket(0, 8, 9160, 1, ulaw_encode(bytes(320))).pack()]
        for n in range(300):
            stranger.send(mutate(rng.choice(valid), rng) if n % 3 else rng.choice(valid), phone.media_port)
            await asyncio.sleep(0.002)
        broken = [b"", b"\x80", bytes([0x40]) + bytes(11), bytes([0xBF]) + bytes(11), bytes([0x90]) + bytes(13),
                  bytes([0xA0]) + bytes(11) + b"\xff", bytes([0x8F]) + bytes(11)]
        for n in range(120):
            phone.rtp.send(rng.choice(broken) if n % 2 else mutate(rng.choice(broken) or b"\x80", rng),
                           phone.media_port)
            await asyncio.sleep(0.002)
        turns = await good.still_answers(call_services.records)
        await phone.hang_up()
        return turns

    turns = asyncio.run(run())
    assert turns and not any("42" in t["text"] for t in turns), turns  # no turn typed by the stranger
    assert _ready(base)["ready"]


# --- HTTP ----------------------------------------------------------------------------------------
def test_fuzz_http(live_server, call_services):
    base, rng = live_server.state.base_url, random.Random(10_06)
    _quiet(live_server)
    paths = ["/", "/health", "/ready", "/metrics", "/calls", "/api/calls", "/api/calls/x", "/api/call-tokens",
             "/static/call.js", "/twilio/voice", "/docs", "/openapi.json", "/ws/browser", "/twilio/media"]
    odd = ["%00", "%2e%2e%2f", "..", "//", "%ff", "订单", "?", "#", ";", "\\", "%", "A" * 3000]

    async def run():
        good = await twilio_good_call(base)
        statuses: dict[int, int] = {}
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for path in ("/static/call.html%00.js", "/api/calls?limit=-1", "/health?token=dev-token",
                         "/openapi.json", "/static/..%2f..%2fpyproject.toml"):  # the issue's own inputs
                response = await client.get(path, headers=API)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            for _ in range(300):
                path = rng.choice(paths)
                if rng.random() < 0.5:
                    at = rng.randint(0, len(path))
                    path = path[:at] + rng.choice(odd) + path[at:]
                query = "&".join(f"{rng.choice(['limit', 'offset', 'token', 'language', 'x'])}="
                                 f"{rng.choice(['-1', '0', '1e9', 'x', '%00', 'dev-token', ''])}"
                                 for _ in range(rng.randint(0, 3)))
                headers = {"Authorization": rng.choice(["", "Bearer", "Bearer operator-test-token", "Basic x",
                                                        "Bearer test-token", "Bearer " + "A" * 5000]),
                           "X-Twilio-Signature": rng.choice(["", "x", "=" * 40])}
                body = rng.randbytes(rng.randint(0, 20_000)) if rng.random() < 0.3 else b""
                with contextlib.suppress(httpx.TransportError, httpx.InvalidURL, UnicodeError):
                    response = await client.request(rng.choice(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"]),
                                                    path + ("?" + query if query else ""), headers=headers,
                                                    content=body)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        turns = await good.still_answers(call_services.records)
        await good.peer.hang_up()
        return statuses, turns

    statuses, turns = asyncio.run(run())
    assert turns and sum(statuses.values()) > 250, statuses
    assert not [code for code in statuses if code >= 500], statuses
    assert httpx.get(base + "/health").json() == {"status": "ok"}
