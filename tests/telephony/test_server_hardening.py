"""Hardening against the live server (uvicorn, real models): a dead listener shows in /ready, a reused call ID
is refused with the live call untouched, SIP answers 486 before anything when the lines are full and an
unconfirmed INVITE holds no line, caller ID over an untrusted SIP line discloses nothing, no personal data in
any log line or records table, and the smaller holes (docs, /static with a NUL, limit=-1, query strings in
the access log)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import uuid

import httpx
import numpy as np
import pytest
from sqlalchemy import select
from websockets.sync.client import connect

from speech.g711 import ulaw_encode
from telephony.peers import AudioSocketPeer, TwilioPeer
from telephony.rtp import RtpPacket
from tests.telephony.test_calls import _say, _until
from tests.telephony.test_sip import UdpPeer, in_dialog, invite
from tests.telephony.test_sip_hardening import options
from voice import records as call_tables

TOKEN = "twilio-test-token"
API = {"Authorization": "Bearer operator-test-token"}
PII = {"phone": "13812345678", "card": "4111111111111111", "us_phone": "4155550123", "email": "pii.test@example.com",
       "zh_address": "科技园路6号", "en_address": "88 Nanjing Road"}
PII_TURNS = {"en": "My email is pii.test@example.com, my card is 4,111,111,111,111,111 and my phone is "
                   "415,555,0123. Please send order 10003 to 88 Nanjing Road.",
             "zh": "我的手机号是13812345678，订单10028的地址改成深圳市南山区科技园路6号"}


def _free(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ready_reports_each_listener_and_one_datagram_does_not_kill_sip(call_settings, call_services):
    from fastapi.testclient import TestClient

    from voicedesk.build import build_app

    settings = call_settings.model_copy(deep=True)
    settings.sip.port, settings.server.audiosocket_port = _free(socket.SOCK_DGRAM), _free(socket.SOCK_STREAM)
    app = build_app(settings, call_services)
    with TestClient(app) as client:
        ready = client.get("/ready", headers=API)
        assert ready.status_code == 200 and ready.json()["listeners"] == {"sip": "listening",
                                                                          "audiosocket": "listening"}
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # the datagram, then a good one
            probe.bind(("127.0.0.1", 0))
            probe.settimeout(3)
            probe.sendto(options(probe.getsockname()[1], 99999999), ("127.0.0.1", settings.sip.port))
            probe.sendto(options(probe.getsockname()[1], branch="z9hG4bKafter"), ("127.0.0.1", settings.sip.port))
            answers = [probe.recvfrom(4096)[0] for _ in range(2)]
        assert all(a.startswith(b"SIP/2.0 200") for a in answers)
        assert client.get("/ready", headers=API).json()["listeners"]["sip"] == "listening"

        async def kill_sip() -> None:  # what the datagram did: the socket closed under the server
            app.state.listeners["sip"]._transport.close()
            await asyncio.sleep(0.05)

        client.portal.call(kill_sip)
        dead = client.get("/ready", headers=API)
        assert dead.status_code == 503 and dead.json()["listeners"] == {"sip": "down", "audiosocket": "listening"}
        assert dead.json()["ready"] is False and dead.json()["models"] is True


@pytest.mark.slow
def test_a_reused_call_id_is_refused_and_the_live_call_untouched(live_server, call_services, caplog):
    caplog.set_level(logging.WARNING)
    base, registry = live_server.state.base_url, live_server.state.calls
    port = live_server.state.settings.audiosocket_port

    async def run():
        assert await _until(lambda: not registry.active, 15, 0.1), list(registry.active)
        a = TwilioPeer(base, TOKEN, language="en")
        await a.connect()
        assert await a.wait_reply(timeout=40), "no greeting"
        twin = TwilioPeer(base, TOKEN, language="en")
        twin.call_sid = a.call_sid  # the issue: a live call's callSid again
        await twin.connect()
        await asyncio.wait_for(twin.closed.wait(), 10)
        x = AudioSocketPeer("127.0.0.1", port)
        await x.connect()
        assert await _until(lambda: str(x.call_uuid) in registry.active, 20, 0.05)
        y = AudioSocketPeer("127.0.0.1", port)
        y.call_uuid = x.call_uuid
        await y.connect()
        await asyncio.wait_for(y.closed.wait(), 10)
        live = sorted(registry.active)
        for digit in "10003#":  # the live Twilio call still takes a turn and answers it
            await a.dtmf(digit)
        turns = await _until(lambda: call_services.records.get_call(a.call_sid)["turns"], 40, 0.25)
        a_open, x_open = not a.closed.is_set(), not x.closed.is_set()
        await a.hang_up()
        await x.hang_up()
        await _until(lambda: not registry.active, 15, 0.1)
        again = TwilioPeer(base, TOKEN, language="en")  # an ended call's ID: refused as well
        again.call_sid = a.call_sid
        await again.connect()
        await asyncio.wait_for(again.closed.wait(), 10)
        return a, twin, x, y, again, live, turns, a_open, x_open

    a, twin, x, y, again, live, turns, a_open, x_open = asyncio.run(run())
    assert twin.ws.close_code == 1008 and again.ws.close_code == 1008, (twin.ws.close_reason, again.ws.close_reason)
    assert live == sorted([a.call_sid, str(x.call_uuid)])  # both live calls still counted, nothing else
    assert a_open and x_open and turns and turns[0]["typed"]
    refusals = [r.getMessage() for r in caplog.records if "turned away" in r.getMessage()]
    assert len(refusals) == 3 and all("is live" in m or "on the record" in m for m in refusals), refusals
    assert not any("IntegrityError" in r.getMessage() for r in caplog.records)
    assert call_services.records.get_call(a.call_sid)["end_reason"] == "caller hung up"


def test_sip_answers_486_when_full_and_unconfirmed_invites_hold_no_line(live_server):
    registry, sip_port = live_server.state.calls, live_server.state.sip_settings.port

    async def run():
        assert await _until(lambda: not registry.active, 15, 0.1), list(registry.active)
        peer = await UdpPeer.open()
        for n in range(3):  # answered, never ACKed: no line is taken
            peer.send(invite(via_port=peer.port, call_id=f"ghost-{uuid.uuid4().hex[:8]}", branch=f"z9hG4bKgh{n}"),
                      sip_port)
            assert (await peer.final(5)).status == 200
        await asyncio.sleep(0.3)
        held = len(registry.active)
        room = registry.has_room()
        limit, registry.max_calls = registry.max_calls, 0  # every line busy
        try:
            peer.send(invite(via_port=peer.port, call_id="full-house", branch="z9hG4bKfull"), sip_port)
            statuses = []
            with contextlib.suppress(asyncio.TimeoutError):
                while True:
                    message = await peer.receive(1.0)
                    if message.get("Call-ID") == "full-house":
                        statuses.append(message.status or message.method)
        finally:
            registry.max_calls = limit
        return held, room, statuses

    held, room, statuses = asyncio.run(run())
    assert held == 0 and room
    assert statuses and set(statuses) == {486}, statuses  # never 100, 200 or BYE


def test_smaller_holes(live_server):
    base = live_server.state.base_url
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert httpx.get(base + path, headers=API).status_code == 404, path
    for path in ("/static/call.html%00.js", "/static/%2e%2e%2fapp.py", "/static/..%2F..%2Fpyproject.toml",
                 "/static/call.js%20", "/static/"):
        assert httpx.get(base + path).status_code == 404, path
    for query in ("limit=-1", "limit=0", "limit=501", "offset=-1", "limit=x"):
        assert httpx.get(f"{base}/api/calls?{query}", headers=API).status_code == 422, query
    assert len(httpx.get(f"{base}/api/calls?limit=1", headers=API).json()) <= 1


def test_access_log_lines_have_no_query_string(live_server, caplog):
    from uvicorn.logging import AccessFormatter

    logger = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/health?token=dev-token&x=1", "1.1", 200)
    record = caplog.records[-1]
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert "token" not in line and "/health" in line, line


def test_every_logger_redacts(live_server):
    """Whatever logger makes a record (ours, uvicorn's, a library's), no phone, card or email survives it."""
    names = [*logging.root.manager.loggerDict, "telephony.sip", "voicedesk.server", "some.library"]
    for name in names:
        logger = logging.getLogger(name)
        record = logger.makeRecord(name, logging.WARNING, __file__, 1, "call from %s, card %s, mail %s, at %s",
                                   ("+8613189326975", "4,111,111,111,111,111", PII["email"], "科技园路6号"), None)
        message = record.getMessage()
        assert "13189326975" not in message and "4,111" not in message and PII["email"] not in message, (name, message)
        assert "科技园" not in message, (name, message)


def _stored(call_services) -> str:
    """Every row of every records table, as text."""
    with call_services.records.engine.connect() as db:
        rows = [dict(r) for table in (call_tables.calls, call_tables.turns, call_tables.events)
                for r in db.execute(select(table)).mappings()]
    return json.dumps(rows, ensure_ascii=False, default=str)


def _typed_call(base: str, text: str, language: str) -> str:
    request = httpx.post(base + "/api/call-tokens", headers={"Authorization": "Bearer test-token"})
    url = base.replace("http://", "ws://") + f"/ws/browser?language={language}"
    with connect(url, open_timeout=10, subprotocols=["voicedesk", "voicedesk.token." + request.json()["token"]]) as ws:
        ready = json.loads(ws.recv(timeout=10))
        ws.send(json.dumps({"type": "text", "text": text}))
        while True:
            message = ws.recv(timeout=60)
            if isinstance(message, str) and json.loads(message)["type"] == "turn":
                break
        ws.send(json.dumps({"type": "hangup"}))
    return ready["call_id"]


@pytest.mark.slow
def test_no_personal_data_in_the_records_tables(live_server, call_services):
    base = live_server.state.base_url
    ids = [_typed_call(base, text, language) for language, text in PII_TURNS.items()]
    for call_id in ids:
        asyncio.run(_until(lambda c=call_id: call_services.records.get_call(c)["end_reason"], 15, 0.1))
        record = call_services.records.get_call(call_id)
        assert record["turns"], record
    stored = _stored(call_services)

    def around(value: str) -> str:
        at = stored.find(value)
        return stored[max(0, at - 300):at + 100]

    for name, value in PII.items():
        assert value not in stored, (name, around(value))
    for grouped in ("4,111,111", "415,555,0123", "深圳市南山区"):
        assert grouped not in stored, (grouped, around(grouped))
    for call_id in ids:
        slots = call_services.records.get_call(call_id)["turns"][0]["slots"]
        personal = [slots[k] for k in ("phone", "email", "address") if k in slots]
        assert personal and all("*" in v or v == "[address]" for v in personal), slots


# --- caller ID over an untrusted SIP line -------------------------------------------------------
async def _sip_caller(sip_port: int, caller: str, speech: np.ndarray, lead_s: float = 8.0,
                      wait_for_turn=None) -> tuple[str, list[bytes]]:
    """A SIP phone that presents `caller` as its caller ID, waits out the greeting, asks its question (PCMU RTP,
    20 ms frames in real time) and holds the line until `wait_for_turn(call_id)` is true; then hangs up."""
    sig, rtp = await UdpPeer.open(), await UdpPeer.open()
    # letters only: the log redaction masks a run of digits (a phone number), and a random hex id can be one
    call_id = "spoof-" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))
    request = invite(via_port=sig.port, rtp_port=rtp.port, call_id=call_id, branch=f"z9hG4bK{call_id}")
    sig.send(request.replace(b"<sip:caller@127.0.0.1>", f"<sip:{caller}@127.0.0.1>".encode()), sip_port)
    ok = await sig.final(5)
    assert ok.status == 200, ok.status
    sig.send(in_dialog("ACK", ok, 29572), sip_port)
    media_port = int(next(line for line in ok.body.decode().split("\r\n") if line.startswith("m=")).split()[1])
    pcm = np.concatenate([np.zeros(int(8000 * lead_s), np.float32), speech])
    pcm16 = (np.clip(pcm, -1, 1) * 32767).astype("<i2").tobytes()
    heard: list[bytes] = []
    loop = asyncio.get_running_loop()
    next_at, seq, sent = loop.time(), 1, 0
    deadline = loop.time() + lead_s + len(speech) / 8000 + 45
    while loop.time() < deadline:
        frame = pcm16[sent:sent + 320].ljust(320, b"\0")
        sent += 320
        rtp.send(RtpPacket(0, seq & 0xFFFF, seq * 160, 0x5EED, ulaw_encode(frame)).pack(), media_port)
        seq += 1
        while not rtp.received.empty():
            heard.append(rtp.received.get_nowait())
        if sent > len(pcm16) and seq % 25 == 0 and await asyncio.to_thread(wait_for_turn, call_id):
            break
        next_at += 0.02
        await asyncio.sleep(max(0.0, next_at - loop.time()))
    sig.send(in_dialog("BYE", ok, 29572), sip_port)
    await asyncio.sleep(0.3)
    return call_id, heard


@pytest.mark.slow
@pytest.mark.parametrize("language, caller, question, number", [
    ("zh", "+8613189326975", "查一下订单一零零二八", "10028"),  # the attack, word for word
    ("en", "+16254930309", "Where is my order one zero zero zero three?", "10003"),
])
def test_caller_id_over_an_untrusted_sip_line_discloses_nothing(live_server, call_services, voice, caplog,
                                                                 language, caller, question, number):
    caplog.set_level(logging.DEBUG)
    records, sip_port = call_services.records, live_server.state.sip_settings.port
    order = call_services.agent.shop.order(number)

    def answered(call_id: str) -> bool:
        call = records.get_call(call_id)
        return bool(call and call["turns"])

    call_id, heard = asyncio.run(_sip_caller(sip_port, caller, _say(voice, question, language), wait_for_turn=answered))
    asyncio.run(_until(lambda: (records.get_call(call_id) or {}).get("end_reason"), 10, 0.1))
    record = records.get_call(call_id)
    assert record is not None and heard, "the call was not answered"
    turn = record["turns"][-1]
    said = " ".join([turn["reply"], turn["heard"], json.dumps(turn["facts"], ensure_ascii=False)])
    for detail in (order["tracking_number"], order["carrier"].split()[0], "中通", order["address"], str(order["eta"])):
        assert detail not in said, (detail, turn)
    assert turn["action"]["reason"] == "not_verified" and not turn["action"]["ok"], turn["action"]
    assert turn["intent"] == "track_order", turn  # it understood the question, and refused it
    digits = caller.lstrip("+")
    assert record["caller"].endswith("*****" + digits[-4:]) and digits not in record["caller"]  # kept, redacted
    line = [e for e in record["events"] if e["kind"] == "caller_id"]
    assert line and line[0]["trusted"] is False and digits not in json.dumps(line)
    logged = [r.getMessage() for r in caplog.records]
    assert any(call_id in m and "untrusted" in m for m in logged), logged  # the SIP line says so, redacted
    assert not any(digits in m for m in logged), [m for m in logged if digits in m]


# --- end reasons say what happened -------------------------------------------------------------
@pytest.mark.slow
def test_end_reasons_say_what_happened(live_server, call_services):
    """The issue: a call dropped for "no RTP for 30 s" and an AudioSocket TCP abort were both stored as
    "caller hung up"."""
    records, sip = call_services.records, live_server.state.listeners["sip"]
    port = live_server.state.settings.audiosocket_port

    async def run():
        assert await _until(lambda: not live_server.state.calls.active, 15, 0.1)
        peer = AudioSocketPeer("127.0.0.1", port)
        await peer.connect()
        assert await peer.wait_reply(timeout=40), "no greeting"
        peer.writer.transport.abort()  # a TCP reset, no hang-up packet
        await peer.close()
        aborted = await _until(lambda: (records.get_call(str(peer.call_uuid)) or {}).get("end_reason"), 15, 0.1)
        timeout, sip.rtp_timeout_s = sip.rtp_timeout_s, 1.0
        try:
            sig = await UdpPeer.open()
            call_id = f"quiet-{uuid.uuid4().hex[:8]}"
            sig.send(invite(via_port=sig.port, call_id=call_id, branch=f"z9hG4bK{call_id}"), sip.port)
            ok = await sig.final(5)
            sig.send(in_dialog("ACK", ok, 29572), sip.port)  # and then no RTP at all
            silent = await _until(lambda: (records.get_call(call_id) or {}).get("end_reason"), 15, 0.1)
        finally:
            sip.rtp_timeout_s = timeout
        return aborted, silent

    aborted, silent = asyncio.run(run())
    assert aborted and aborted.startswith("disconnected"), aborted
    assert silent == "no RTP for 1 s", silent


# Open without a token: the liveness probe and the page's static files (exact names only), and Twilio's two
# routes, which check Twilio's signature instead.
OPEN = {"/health", "/static/{name}"}
SIGNED = {"/twilio/voice", "/twilio/media"}


def test_every_route_but_the_open_ones_refuses_a_request_without_its_token(call_settings):
    """Walks app.routes, so a route added later is covered. No models: the app is not started (no lifespan)."""
    from fastapi.routing import APIRoute, APIWebSocketRoute
    from fastapi.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    from voicedesk.build import build_app

    app = build_app(call_settings)
    client = TestClient(app)
    routes = [r for r in app.routes if isinstance(r, APIRoute | APIWebSocketRoute)]
    assert {r.path for r in routes} >= OPEN | SIGNED | {"/", "/api/calls", "/ws/browser"}
    for route in routes:
        path = route.path.replace("{", "").replace("}", "")  # /api/calls/{call_id} -> /api/calls/call_id
        if isinstance(route, APIWebSocketRoute):
            with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(path):
                pass
            assert refused.value.code == 1008, route.path
            continue
        for method in route.methods:
            for headers in ({}, {"Authorization": "Bearer wrong"}):
                status = client.request(method, path, headers=headers).status_code
                if route.path in OPEN:
                    assert status in (200, 404), (method, route.path, status)  # /static/name: no such file
                elif route.path in SIGNED:
                    assert status == 403, (method, route.path, status)
                else:
                    assert status == 401, (method, route.path, headers, status)
