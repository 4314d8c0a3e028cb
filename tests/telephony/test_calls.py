"""Whole calls on every wire the server listens on, through the live server with the real models:
AudioSocket framing byte for byte, an AudioSocket call in Mandarin, a SIP call in English from
baresip, and the Twilio socket under abuse (malformed messages, a flood, an abrupt hang-up, a full
house) and keypad digits."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import glob
import json
import signal
import struct
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from speech.audio import resample
from telephony import audiosocket, twilio
from telephony.peers import AudioSocketPeer, TwilioPeer
from tests.telephony.test_sip import baresip_config, free_port

TOKEN = "twilio-test-token"  # tests/conftest.py live_server
API = {"Authorization": "Bearer operator-test-token"}  # reads records, metrics
PAYMENT_EN = ("alipay", "wechat", "paypal", "credit card", "unionpay")
PAYMENT_ZH = ("支付宝", "微信", "银联", "银行卡", "信用卡", "paypal")


# --- AudioSocket framing, no sockets ------------------------------------------------------------
async def _read_all(data: bytes) -> list[audiosocket.Packet]:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    packets = []
    while (packet := await audiosocket.read_packet(reader)) is not None:
        packets.append(packet)
    return packets


CALL_UUID = uuid.UUID("0123456789abcdef0123456789abcdef")
AUDIO = bytes(range(256)) + bytes(range(64))  # 320 bytes: 20 ms of 8 kHz PCM16


@pytest.mark.parametrize("kind, payload, wire", [
    (audiosocket.HANGUP, b"", b"\x00\x00\x00"),
    (audiosocket.UUID, CALL_UUID.bytes, b"\x01\x00\x10" + bytes.fromhex("0123456789abcdef0123456789abcdef")),
    (audiosocket.DTMF, b"5", b"\x03\x00\x015"),
    (audiosocket.AUDIO, AUDIO, b"\x10\x01\x40" + AUDIO),
    (audiosocket.ERROR, b"\x04", b"\xff\x00\x01\x04"),
])
def test_audiosocket_packets_round_trip_byte_for_byte(kind, payload, wire):
    assert audiosocket.encode(kind, payload) == wire
    assert asyncio.run(_read_all(wire)) == [audiosocket.Packet(kind, payload)]
    if kind == audiosocket.UUID:
        assert audiosocket.uuid_packet(CALL_UUID) == wire


def test_audiosocket_reads_a_stream_of_packets_in_order():
    wire = (audiosocket.uuid_packet(CALL_UUID) + audiosocket.encode(audiosocket.AUDIO, AUDIO) * 2
            + audiosocket.encode(audiosocket.DTMF, b"#") + audiosocket.encode(audiosocket.HANGUP))
    packets = asyncio.run(_read_all(wire))
    assert [p.name for p in packets] == ["uuid", "audio", "audio", "dtmf", "hangup"]
    assert uuid.UUID(bytes=packets[0].payload) == CALL_UUID and packets[3].payload == b"#"


@pytest.mark.parametrize("wire, reason", [
    (b"\x42\x00\x00", "unknown packet type 0x42"),
    (b"\x10" + struct.pack(">H", audiosocket.MAX_PAYLOAD + 1), "over the 8000 byte limit"),
    (b"\x01\x00\x0f" + bytes(15), r"uuid packet of 15 bytes \(expected 16\)"),
    (b"\x01\x00\x11" + bytes(17), r"uuid packet of 17 bytes \(expected 16\)"),
    (b"\x10\x01\x40" + bytes(100), "closed inside a audio packet"),
    (b"\x10\x01", "closed inside a packet header"),
])
def test_audiosocket_framing_errors_are_clear(wire, reason):
    with pytest.raises(audiosocket.AudioSocketError, match=reason):
        asyncio.run(_read_all(wire))


def test_audiosocket_encode_refuses_what_does_not_fit():
    with pytest.raises(audiosocket.AudioSocketError, match="does not fit"):
        audiosocket.encode(audiosocket.AUDIO, bytes(0x10000))


# --- helpers for whole calls --------------------------------------------------------------------
def _say(voice, text: str, language: str, rate: int = 8000) -> np.ndarray:
    chunks = list(voice.stream(text, language))
    pcm = np.concatenate([c.pcm for c in chunks])
    return np.concatenate([resample(pcm, chunks[0].sample_rate, rate), np.zeros(rate // 2, np.float32)])


async def _until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(step)
    return None


def _on_the_call_clock(peer) -> list[int]:
    """For each frame the peer receives, how many caller frames it had sent by then: the call's stream clock."""
    clock: list[int] = []
    receive = peer.heard.receive

    def stamped(pcm16: np.ndarray) -> None:
        clock.append(peer.sent_frames)
        receive(pcm16)

    peer.heard.receive = stamped
    return clock


def _metrics(base: str) -> str:
    return httpx.get(base + "/metrics", headers=API).text


# --- AudioSocket: a whole call in Mandarin ------------------------------------------------------
@pytest.mark.slow
def test_a_whole_audiosocket_call_in_mandarin(live_server, call_services, voice, transcriber):
    port = live_server.state.settings.audiosocket_port
    question = _say(voice, "你们支持哪些付款方式？", "zh")

    async def run():
        peer = AudioSocketPeer("127.0.0.1", port)
        clock = _on_the_call_clock(peer)
        await peer.connect()
        assert await peer.wait_reply(timeout=40), "no greeting"
        greeting_frames = len(peer.heard.received_at)
        sent = await peer.say(question)
        assert await peer.wait_reply(timeout=60), "no reply"
        reply_at = clock[greeting_frames:]
        heard = peer.heard.audio(since=sent)
        frames = list(peer.heard.played) + [f for f, _ in peer.heard.queue]
        await peer.hang_up()
        return peer, heard, reply_at, frames

    peer, heard, reply_at, frames = asyncio.run(run())
    call_id = str(peer.call_uuid)
    assert not peer.hung_up_by_server
    assert len(heard) > 8000, "no reply audio came back"
    assert all(len(f) == audiosocket.FRAME_BYTES // 2 for f in frames), {len(f) for f in frames}
    # Paced by the call's clock, counted in caller frames sent: reply frame k goes out once k more caller frames
    # are in (Asterisk plays what it gets). A backlog the server works through at once arrives together; a reply
    # sent as fast as it is synthesised would run ahead by most of its length.
    ahead = [k - (at - reply_at[0]) for k, at in enumerate(reply_at)]
    assert len(reply_at) > 50 and max(ahead) < len(reply_at) // 2, (max(ahead), len(reply_at))
    said = transcriber.transcribe(resample(heard, 8000, 16000), "zh").text
    record = call_services.records.get_call(call_id)
    assert record is not None and record["channel"] == "audiosocket"
    assert any(p in said.lower() for p in PAYMENT_ZH), (said, [(t["text"], t.get("reply")) for t in record["turns"]])
    turn = record["turns"][-1]
    assert turn["language"] == "zh" and turn["intent"] == "check_payment_methods", turn

    async def ended():
        return await _until(lambda: (call_services.records.get_call(call_id) or {}).get("end_reason"), 10)

    assert asyncio.run(ended()) == "caller hung up"


# --- SIP: a whole call in English from baresip --------------------------------------------------
@pytest.mark.slow
def test_a_whole_sip_call_from_baresip(live_server, call_services, voice, transcriber, tmp_path):
    sip_port = live_server.state.sip_settings.port
    question = _say(voice, "What payment methods do you accept?", "en")
    lead = 8.0  # the bilingual greeting plays first
    source = tmp_path / "caller.wav"
    sf.write(source, np.concatenate([np.zeros(int(8000 * lead), np.float32), question,
                                     np.zeros(8000 * 20, np.float32)]), 8000, subtype="PCM_16")
    baresip_config(tmp_path, free_port(), source, "PCMU")
    before = {c["id"] for c in call_services.records.list_calls(500)}

    def sip_call() -> dict | None:
        new = [c for c in call_services.records.list_calls(50) if c["id"] not in before and c["channel"] == "sip"]
        return new[0] if new else None

    async def body() -> tuple[str, dict | None]:
        process = await asyncio.create_subprocess_exec(
            "baresip", "-f", str(tmp_path), "-e", f"/dial sip:test@127.0.0.1:{sip_port}", "-t", "45",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            call = await _until(sip_call, 10)
            if call is not None:  # the reply is recorded as a turn once it has played
                await _until(lambda: call_services.records.get_call(call["id"])["turns"], 40, 0.25)
                await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), 10)
        if call is not None:  # baresip hangs up as it quits
            await _until(lambda: call_services.records.get_call(call["id"])["end_reason"], 10, 0.2)
        return output.decode(errors="replace"), call

    log, call = asyncio.run(body())
    assert call is not None, log
    assert "Call established" in log, log
    record = call_services.records.get_call(call["id"])
    assert record["channel"] == "sip" and record["caller"] == "caller"
    assert record["end_reason"], "the call did not end when baresip hung up"
    dumps = glob.glob(str(tmp_path / "dump-*-dec.wav"))
    assert dumps, (log, sorted(p.name for p in Path(tmp_path).iterdir()))
    heard, rate = sf.read(dumps[0], dtype="float32")
    assert rate == 8000
    # the dump holds the frames baresip decoded, back to back (the greeting, then the reply), not wall time
    assert len(heard) > 8000 * 6 and np.abs(heard).max() > 0.05, "baresip heard too little"
    said = transcriber.transcribe(resample(heard.astype(np.float32), 8000, 16000), "en").text
    replies = [(t["text"], t.get("reply")) for t in record["turns"]]
    assert "help" in said.lower(), ("no greeting heard", said, replies)
    assert any(p in said.lower() for p in PAYMENT_EN), (said, replies)
    turn = record["turns"][-1]
    assert turn["language"] == "en" and turn["intent"] == "check_payment_methods", turn


# --- Twilio: abuse on one socket does not disturb the others -------------------------------------
async def _flood(peer: TwilioPeer, count: int) -> None:
    text = json.dumps({"event": "media", "streamSid": peer.stream_sid, "media": {
        "track": "inbound", "chunk": "1", "timestamp": "20", "payload": base64.b64encode(b"\xff" * 160).decode()}})
    with contextlib.suppress(Exception):  # the server closes the socket mid-flood
        for _ in range(count):
            await peer.send_raw(text)


@pytest.mark.slow
def test_twilio_abuse_and_a_full_house_do_not_disturb_good_calls(live_server, call_services, voice, transcriber):
    base = live_server.state.base_url
    question = _say(voice, "What payment methods do you accept?", "en")

    async def run():
        # the full-house check below counts on every line being free at the start
        assert await _until(lambda: not live_server.state.calls.active, 15, 0.1), list(live_server.state.calls.active)
        a = TwilioPeer(base, TOKEN, caller="+14266674749", language="en")
        b = TwilioPeer(base, TOKEN, caller="+14155550123", language="en")
        await a.connect()
        await b.connect()
        assert all(await asyncio.gather(a.wait_reply(timeout=40), b.wait_reply(timeout=40))), "no greetings"

        async def a_asks() -> tuple[float, bool]:
            sent = await a.say(question)
            return sent, await a.wait_reply(timeout=60)

        asking = asyncio.create_task(a_asks())

        # B: malformed messages, each refused on its own; the call stays up
        for text in ("this is not json", '{"event": "bogus", "streamSid": "x"}',
                     '{"event": "media", "media": {"payload": "***not base64***"}}', "x" * 20000,
                     '{"event": "media", "media": {"payload": "' + "A" * 20000 + '"}}'):
            await b.send_raw(text)
        # C: a flood of media messages gets the socket closed with 1008
        c = TwilioPeer(base, TOKEN, language="en")
        await c.connect()
        for task in c._tasks[:1]:  # no paced audio of its own; only the flood
            task.cancel()
        await _flood(c, 400)
        await asyncio.wait_for(c.closed.wait(), 10)
        # D: hangs up abruptly (no stop, no close handshake) while the assistant is talking
        await _until(lambda: c.call_sid not in live_server.state.calls.active, 10, 0.05)
        d = TwilioPeer(base, TOKEN, language="en")
        await d.connect()
        while len(d.heard.received_at) < 25 and not d.closed.is_set():  # half a second of the greeting
            await asyncio.sleep(0.02)
        d.ws.transport.abort()
        await d.close()
        d_ended = await _until(lambda: (call_services.records.get_call(d.call_sid) or {}).get("end_reason"), 10)

        # A full house: A, B and E are up; F is turned away on the socket and by the webhook
        await _until(lambda: d.call_sid not in live_server.state.calls.active, 10, 0.05)
        e = TwilioPeer(base, TOKEN, language="en")
        await e.connect()
        await _until(lambda: e.call_sid in live_server.state.calls.active, 10, 0.05)
        f = TwilioPeer(base, TOKEN, language="en")
        await f.connect()
        await asyncio.wait_for(f.closed.wait(), 10)
        url = f"{base}/twilio/voice"
        form = {"CallSid": "CAfull", "From": "+14155550199", "To": "+18005551212"}
        async with httpx.AsyncClient() as client:
            busy = await client.post(url, data=form, headers={"X-Twilio-Signature": twilio.signature(url, form, TOKEN)})
        await e.hang_up()
        await f.close()

        sent, a_replied = await asking
        a_heard = a.heard.audio(since=sent)
        # B still answers (its messages after the garbage are handled as usual)
        b_before = len(b.heard.received_at)
        b_sent = await b.say(question)
        b_replied = await b.wait_reply(timeout=60)
        b_heard = b.heard.audio(since=b_sent)
        b_more = len(b.heard.received_at) - b_before
        a_open, b_open = not a.closed.is_set(), not b.closed.is_set()
        await a.hang_up()
        await b.hang_up()
        return dict(a=a, b=b, c=c, d=d, f=f, busy=busy, d_ended=d_ended, a_replied=a_replied, a_heard=a_heard,
                    b_replied=b_replied, b_heard=b_heard, b_more=b_more, a_open=a_open, b_open=b_open)

    r = asyncio.run(run())
    records = {k: call_services.records.get_call(r[k].call_sid) for k in "abcdf"}
    # the flooder
    assert r["c"].ws.close_code == 1008, (r["c"].ws.close_code, r["c"].ws.close_reason)
    assert records["c"]["end_reason"] == "flood"
    metrics = _metrics(base)
    assert 'voicedesk_rejected_total{channel="twilio",reason="flood"}' in metrics
    assert 'voicedesk_rejected_total{channel="twilio",reason="malformed"}' in metrics
    # the abrupt hang-up
    assert r["d_ended"] and r["d_ended"].startswith("disconnected"), r["d_ended"]
    assert r["d"].call_sid not in live_server.state.calls.active
    # the full house
    assert r["f"].ws.close_code == 1013, (r["f"].ws.close_code, r["f"].ws.close_reason)
    assert records["f"] is None, "a call turned away leaves no record"
    assert 'voicedesk_rejected_total{channel="twilio",reason="too many calls"}' in metrics
    assert r["busy"].status_code == 200
    twiml = ET.fromstring(r["busy"].text)
    assert [child.tag for child in twiml] == ["Say", "Hangup"] and "busy" in twiml.find("Say").text
    # the good calls
    assert r["a_open"] and r["b_open"], "abuse elsewhere closed a good call"
    assert r["a_replied"] and len(r["a_heard"]) > 8000, "A got no reply"
    said = transcriber.transcribe(resample(r["a_heard"], 8000, 16000), "en").text
    assert any(p in said.lower() for p in PAYMENT_EN), (said, [(t["text"], t.get("reply"))
                                                            for t in records["a"]["turns"]])
    assert r["b_more"] > 50, "B no longer receives audio"
    b_turns = call_services.records.get_call(r["b"].call_sid)["turns"]
    assert r["b_replied"] and b_turns and b_turns[-1]["intent"] == "check_payment_methods", b_turns
    assert httpx.get(base + "/health", headers=API).json() == {"status": "ok"}
    assert not live_server.state.calls.active, list(live_server.state.calls.active)


# --- Twilio: keypad digits are a typed turn -----------------------------------------------------
@pytest.mark.slow
def test_dtmf_digits_over_twilio_become_a_typed_turn(live_server, call_services):
    async def run():
        peer = TwilioPeer(live_server.state.base_url, TOKEN, caller="+14266674749", language="en")
        await peer.connect()
        assert await peer.wait_reply(timeout=40), "no greeting"
        for digit in "10003#":
            await peer.dtmf(digit)
            await asyncio.sleep(0.1)
        turns = await _until(lambda: call_services.records.get_call(peer.call_sid)["turns"], 40, 0.25)
        await peer.hang_up()
        return peer, turns

    peer, turns = asyncio.run(run())
    assert turns, "no turn from the digits"
    assert turns[0]["typed"] is True and "10003" in turns[0]["text"], turns[0]
    record = call_services.records.get_call(peer.call_sid)
    assert [e["digits"] for e in record["events"] if e["kind"] == "dtmf"] == ["10003#"]  # one event an entry
