"""Twilio: signatures, TwiML, Media Streams framing (against the message sequence Twilio documents),
and whole calls over the real server with the real models, barge-in included."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import xml.etree.ElementTree as ET

import httpx
import numpy as np
import pytest

from speech import g711
from speech.audio import resample
from telephony import twilio
from telephony.peers import TwilioPeer

TOKEN = "twilio-test-token"  # tests/conftest.py live_server
API = {"Authorization": "Bearer operator-test-token"}  # reads records, metrics

# The Media Streams session as Twilio's documentation prints it (websocket-messages page), in order.
DOCUMENTED = [
    '{"event": "connected", "protocol": "Call", "version": "1.0.0"}',
    '{"event": "start", "sequenceNumber": "1", "start": {"accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", '
    '"streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", '
    '"tracks": ["inbound", "outbound"], "customParameters": {"FirstName": "Jane", "LastName": "Doe", '
    '"RemoteParty": "Bob"}, "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}, '
    '"streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}',
    '{"event": "media", "sequenceNumber": "3", "media": {"track": "outbound", "chunk": "1", "timestamp": "5", '
    '"payload": "no+JhoaJjpzSHxAKBgYJDhtEopGKh4aIjZm7JhILBwYIDRg1qZSLh4aIjJevLBYNCAYHCxUqtpiMh4aHi5WkOxsPCQcHChEj'
    'xp6O"}, '
    '"streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}',
    '{"event": "dtmf", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "sequenceNumber": "5", '
    '"dtmf": {"track": "inbound_track", "digit": "1"}}',
    '{"event": "mark", "sequenceNumber": "4", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", '
    '"mark": {"name": "my label"}}',
    '{"event": "stop", "sequenceNumber": "5", "streamSid": "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", '
    '"stop": {"accountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "callSid": "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"}}',
]


def test_the_documented_message_sequence_parses():
    events = [twilio.parse(m) for m in DOCUMENTED]
    assert [e.event for e in events] == ["connected", "start", "media", "dtmf", "mark", "stop"]
    start = events[1].start
    assert start.stream_sid.startswith("MZ") and start.call_sid.startswith("CA")
    assert start.custom == {"FirstName": "Jane", "LastName": "Doe", "RemoteParty": "Bob"}
    media = events[2]
    payload = base64.b64decode(json.loads(DOCUMENTED[2])["media"]["payload"])
    assert media.audio == g711.ulaw_decode(payload).tobytes() and len(media.audio) == 2 * len(payload)
    assert events[3].digit == "1" and events[4].mark == "my label"


def test_outbound_messages_are_twilios_format_byte_for_byte():
    pcm = (np.sin(np.arange(160) / 5) * 8000).astype(np.int16)
    media = json.loads(twilio.media_message("MZ1", pcm.tobytes()))
    assert media == {"event": "media", "streamSid": "MZ1",
                     "media": {"payload": base64.b64encode(g711.ulaw_encode(pcm.tobytes())).decode()}}
    assert len(base64.b64decode(media["media"]["payload"])) == twilio.FRAME_BYTES
    assert json.loads(twilio.mark_message("MZ1", "1:40")) == {"event": "mark", "streamSid": "MZ1",
                                                              "mark": {"name": "1:40"}}
    assert json.loads(twilio.clear_message("MZ1")) == {"event": "clear", "streamSid": "MZ1"}


@pytest.mark.parametrize("text, reason", [
    ("{", "not JSON"), ('{"foo": 1}', "no 'event'"), ('{"event": "media", "media": {}}', "payload"),
    ('{"event": "media", "media": {"payload": "***"}}', "media message"), ('{"event": "bogus"}', "unknown event"),
    ('{"event": "start", "start": {"streamSid": "MZ", "callSid": "CA", "mediaFormat": {"encoding": "audio/l16", '
     '"sampleRate": 16000}}}', "unsupported media format"),
    ("x" * 20000, "over the"),
])
def test_malformed_messages_get_a_clear_reason(text, reason):
    with pytest.raises(twilio.TwilioProtocolError, match=reason):
        twilio.parse(text)


def test_signature_matches_twilios_published_example():
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature(url, params, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio.valid_signature(url, params, "12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not twilio.valid_signature(url, {**params, "Digits": "9"}, "12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not twilio.valid_signature(url, params, "", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def test_voice_webhook_checks_the_signature_and_answers_connect_stream(live_server):
    base = live_server.state.base_url
    url = f"{base}/twilio/voice?language=zh"
    form = {"CallSid": "CA1", "From": "+8618761253853", "To": "+18005551212"}
    assert httpx.post(url, data=form).status_code == 403
    assert httpx.post(url, data=form, headers={"X-Twilio-Signature": "bogus"}).status_code == 403
    answer = httpx.post(url, data=form, headers={"X-Twilio-Signature": twilio.signature(url, form, TOKEN)})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    stream = ET.fromstring(answer.text).find("Connect/Stream")
    assert stream.get("url") == base.replace("http", "ws") + "/twilio/media"
    assert {p.get("name"): p.get("value") for p in stream.findall("Parameter")} == {
        "caller": "+8618761253853", "language": "zh"}


def test_every_other_endpoint_needs_its_token(live_server):
    """Talking and reading are separate credentials: the talk token opens the page and buys call tokens but
    reads no record; the operator token reads records, metrics and readiness. /health says only "ok"."""
    base = live_server.state.base_url
    talk = {"Authorization": "Bearer test-token"}
    for path in ("/ready", "/metrics", "/api/calls", "/api/calls/x", "/calls", "/"):
        assert httpx.get(base + path).status_code == 401, path
        assert httpx.get(base + path, headers={"Authorization": "Bearer wrong"}).status_code == 401, path
    for path in ("/ready", "/metrics", "/api/calls", "/calls"):
        assert httpx.get(base + path, headers=talk).status_code == 401, path  # the caller's token reads nothing
        assert httpx.get(base + path, headers=API).status_code == 200, path
    assert httpx.get(base + "/", headers=API).status_code == 401  # nor does the operator's open a call
    assert httpx.post(base + "/api/call-tokens", headers=API).status_code == 401
    assert httpx.post(base + "/api/call-tokens", headers=talk).json()["token"]
    assert httpx.get(base + "/health").json() == {"status": "ok"}
    assert httpx.get(base + "/ready?token=operator-test-token").json()["ready"] is True


def test_media_socket_without_a_valid_signature_is_refused(live_server):
    async def run():
        peer = TwilioPeer(live_server.state.base_url, TOKEN, sign=False)
        with pytest.raises(Exception, match="1008|403|invalid"):
            await peer.connect()
            await asyncio.wait_for(peer.closed.wait(), 5)
            raise RuntimeError(f"closed: {peer.ws.close_code}")
        await peer.close()

    asyncio.run(run())


def _say(voice, text: str, language: str) -> np.ndarray:
    chunks = list(voice.stream(text, language))
    pcm = np.concatenate([c.pcm for c in chunks])
    return np.concatenate([resample(pcm, chunks[0].sample_rate, 8000), np.zeros(4000, np.float32)])


async def _call(base: str, records, caller: str, language: str,
                utterance: np.ndarray) -> tuple[TwilioPeer, np.ndarray]:
    peer = TwilioPeer(base, TOKEN, caller=caller, language=language)
    await peer.connect()
    assert await peer.wait_reply()  # the greeting
    sent = await peer.say(utterance)
    assert await peer.wait_reply()
    # A busy machine can leave more than the peer's quiet gap between two sentences of one reply: the turn is
    # recorded once the whole reply has played, so wait for the record, then for the last frames to play here.
    deadline = time.monotonic() + 60
    while not (records.get_call(peer.call_sid) or {}).get("turns") and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    while peer.heard.queue and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    heard = peer.heard.audio(since=sent)
    await peer.hang_up()
    return peer, heard


@pytest.mark.parametrize("language, caller, text, expect", [
    ("en", "+14266674749", "Hi, where is my order one zero zero zero three?", ("shipped", "10003", "ems", "post")),
    ("zh", "+8618761253853", "你好，我的快递到哪里了？", ("付款", "10012", "一零零一二")),  # their latest: unpaid
])
def test_a_whole_call_over_twilio(live_server, call_services, voice, transcriber, language, caller, text, expect):
    utterance = _say(voice, text, language)
    peer, heard = asyncio.run(_call(live_server.state.base_url, call_services.records, caller, language, utterance))
    assert len(heard) > 8000, "no reply audio came back"
    said = transcriber.transcribe(resample(heard, 8000, 16000), language).text
    record = call_services.records.get_call(peer.call_sid)
    assert any(e.lower() in said.lower() for e in expect), (said, [t["text"] for t in record["turns"]])
    marks = [m for m in peer.messages if m["event"] == "mark"]
    assert marks, "the server marks the end of each sentence"
    assert record["channel"] == "twilio" and record["end_reason"]
    turn = record["turns"][-1]
    assert turn["language"] == language and turn["intent"] == "track_order"
    assert turn["marks_played"], "marks echoed by Twilio are recorded as played"
    assert turn["latency_ms"]["voice_to_voice"] > 0 and turn["latency_ms"]["first_token"] is not None
    import soundfile as sf

    recording = sf.info(record["recording"])  # the optional recording: caller left, assistant right
    assert recording.channels == 2 and recording.samplerate == 8000 and recording.duration > 3
    metrics = httpx.get(live_server.state.base_url + "/metrics", headers=API).text
    assert 'voicedesk_turns_total{channel="twilio"' in metrics
    assert 'voicedesk_stage_seconds_bucket{channel="twilio",le="1.5",stage="voice_to_voice"}' in metrics


def test_barge_in_over_twilio_clears_the_far_end(live_server, call_services, voice, transcriber):
    question = _say(voice, "What payment methods do you accept?", "en")
    interruption = _say(voice, "Sorry, actually I want to cancel my order please.", "en")
    onset = int(np.argmax(np.abs(interruption) > 0.02))  # first sample of speech in the clip

    async def run():
        peer = TwilioPeer(live_server.state.base_url, TOKEN, caller="+14266674749", language="en")
        await peer.connect()
        assert await peer.wait_reply()
        count = len(peer.heard.received_at)
        await peer.say(question)
        while len(peer.heard.received_at) == count:  # the reply starts
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)
        started = time.monotonic()
        await peer.say(interruption)
        assert await peer.wait_reply()
        await peer.hang_up()
        return peer, started + onset / 8000

    peer, onset_wall = asyncio.run(run())
    clears = [m["_t"] for m in peer.messages if m["event"] == "clear" and m["_t"] > onset_wall]
    record = call_services.records.get_call(peer.call_sid)
    assert clears, ("the server sent `clear`", record["events"], [(t["text"], t["reply"]) for t in record["turns"]])
    media_after = [m["_t"] for m in peer.messages if m["event"] == "media" and clears[0] < m["_t"] < clears[0] + 0.3]
    assert not media_after, "playback stops at once"
    pauses = [e for e in record["events"] if e["kind"] == "barge_in_pause"]
    assert pauses, record["events"]  # how soon, on the stream clock: tests/voice/test_session.py
    interrupted = [t for t in record["turns"] if t["interrupted"]]
    assert interrupted and len(interrupted[0]["heard"]) < len(interrupted[0]["reply"])
    assert record["turns"][-1]["intent"] == "cancel_order"
