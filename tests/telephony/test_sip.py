"""The SIP user-agent server: wire formats as bytes, then real calls from baresip and sipp over UDP."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import inspect
import logging
import random
import shutil
import signal
import socket
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from speech.audio import read_audio
from speech.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from telephony.rtp import RtpPacket, RtpStream, TelephoneEvent
from telephony.sip import NameAddr, SipCall, SipMessage, SipServer, answer_sdp, build_response, split_values
from tests.conftest import SAMPLES, need

# What baresip 1.0.0 sends for `/dial sip:test@127.0.0.1:5096` (captured on the wire).
BARESIP_INVITE = (
    "INVITE sip:test@127.0.0.1:5096 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5097;branch=z9hG4bK1c264810658599ea;rport\r\n"
    "Contact: <sip:caller-0x558c328c84a0@127.0.0.1:5097>\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:test@127.0.0.1:5096>\r\n"
    "From: <sip:caller@127.0.0.1>;tag=140004e88df18e0a\r\n"
    "Call-ID: 1c698ff74fc8a8af\r\n"
    "CSeq: 29572 INVITE\r\n"
    "User-Agent: baresip v1.0.0 (x86_64/linux)\r\n"
    "Allow: INVITE,ACK,BYE,CANCEL,OPTIONS,NOTIFY,SUBSCRIBE,INFO,MESSAGE,REFER\r\n"
    "Supported:\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: {length}\r\n"
    "\r\n"
)
BARESIP_SDP = (
    "v=0\r\n"
    "o=- 1459093647 746902054 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "a=tool:baresip 1.0.0\r\n"
    "m=audio {port} RTP/AVP {formats}\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "a=ptime:20\r\n"
)


def invite(formats: str = "0 8 101", rtp_port: int = 32516, call_id: str = "1c698ff74fc8a8af",
           branch: str = "z9hG4bK1c264810658599ea", via_port: int = 5097) -> bytes:
    sdp = BARESIP_SDP.format(port=rtp_port, formats=formats)
    head = BARESIP_INVITE.format(length=len(sdp)).replace("1c698ff74fc8a8af", call_id)
    head = head.replace("z9hG4bK1c264810658599ea", branch).replace("127.0.0.1:5097", f"127.0.0.1:{via_port}")
    return (head + sdp).encode()


def in_dialog(method: str, response: SipMessage, cseq: int, branch: str = "z9hG4bKdialog1") -> bytes:
    """ACK or BYE from the caller, in the dialog that `response` (our 200 OK) set up."""
    number = cseq if method == "ACK" else cseq + 1
    return (f"{method} sip:voicedesk@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{5097};branch={branch};rport\r\n"
            f"Max-Forwards: 70\r\nTo: {response.get('To')}\r\nFrom: {response.get('From')}\r\n"
            f"Call-ID: {response.get('Call-ID')}\r\nCSeq: {number} {method}\r\nContent-Length: 0\r\n\r\n").encode()


class UdpPeer(asyncio.DatagramProtocol):
    """A bare UDP socket playing the far end, so that each test sees exactly what went on the wire."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    @classmethod
    async def open(cls, port: int = 0) -> UdpPeer:
        _, peer = await asyncio.get_running_loop().create_datagram_endpoint(cls, local_addr=("127.0.0.1", port))
        return peer

    @property
    def port(self) -> int:
        return self.transport.get_extra_info("sockname")[1]

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        self.received.put_nowait(data)

    def send(self, data: bytes, port: int) -> None:
        self.transport.sendto(data, ("127.0.0.1", port))

    async def receive(self, timeout: float = 2.0) -> SipMessage:
        return SipMessage.parse(await asyncio.wait_for(self.received.get(), timeout))

    async def final(self, timeout: float = 2.0) -> SipMessage:
        """The next response that is not provisional."""
        while (message := await self.receive(timeout)).status and message.status < 200:
            pass
        return message


class Calls:
    """An on_call handler that records every call and holds it until the test lets go."""

    def __init__(self) -> None:
        self.calls: list[SipCall] = []
        self.live = 0
        self.most_live = 0

    async def __call__(self, call: SipCall) -> None:
        self.calls.append(call)
        self.live += 1
        self.most_live = max(self.most_live, self.live)
        await call.ended.wait()
        self.live -= 1


def run(coroutine_function):
    """Run an async test body with a started server on an ephemeral port, stopped afterwards."""

    def test(*args, **kwargs):
        async def body():
            calls = Calls()
            server = SipServer(calls, port=0)
            await server.start()
            try:
                await asyncio.wait_for(coroutine_function(server, calls, *args, **kwargs), 50)
            finally:
                await server.stop()

        asyncio.run(body())

    parameters = list(inspect.signature(coroutine_function).parameters.values())[2:]  # pytest's fixtures
    test.__signature__ = inspect.Signature(parameters)
    test.__name__ = coroutine_function.__name__
    return test


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Wire formats, no sockets


def test_parse_compact_folded_and_comma_joined_headers():
    text = ("\r\nINVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
            "v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
            "f: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
            "t: \"Bob, the builder\" <sip:bob@biloxi.example.com>\r\n"
            "i: 3848276298220188511@atlanta.example.com\r\n"
            "CSeq: 1 INVITE\r\nSubject: a long\r\n  folded line\r\n"
            "l: 4\r\n\r\nbodyEXTRA")
    message = SipMessage.parse(text.encode())
    assert (message.method, message.uri) == ("INVITE", "sip:bob@biloxi.example.com")
    assert message.get_all("Via") == ["SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8",
                                      "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx"]
    assert message.branch == "z9hG4bKnashds8"
    assert NameAddr.parse(message.get("From")).tag == "9fxced76sl"
    assert NameAddr.parse(message.get("To")).display == "Bob, the builder"
    assert message.get("call-id") == "3848276298220188511@atlanta.example.com"
    assert message.get("Subject") == "a long folded line"
    assert message.body == b"body"  # Content-Length wins over trailing bytes
    assert split_values('"a, b" <sip:x@y>;p=1, <sip:z@w,1>') == ['"a, b" <sip:x@y>;p=1', "<sip:z@w,1>"]


@pytest.mark.parametrize("value, user", [
    ("<sip:caller@127.0.0.1>;tag=1", "caller"),
    ('"Ann" <sip:%2B8613800138000:secret@carrier.example;user=phone>', "+8613800138000"),
    ("sip:4155550100@gw.example;tag=77", "4155550100"),
    ("<tel:+14155550100;phone-context=x>", "+14155550100"),
    ("<sip:anonymous.invalid>", ""),
])
def test_caller_is_the_user_part_of_from(value, user):
    assert NameAddr.parse(value).user == user


def test_serialise_counts_the_body_and_parse_reverses_it():
    message = SipMessage(status=200, reason="OK", headers=[("Call-ID", "x"), ("Content-Length", "9")], body=b"v=0\r\n")
    data = message.serialise()
    assert data == b"SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 5\r\n\r\nv=0\r\n"
    assert SipMessage.parse(data).serialise() == data


@pytest.mark.parametrize("data, reason", [
    (b"INVITE sip:x@y SIP/2.0\r\nContent-Length: 100\r\n\r\nv=0", "truncated"),
    (b"HELLO WORLD\r\n\r\n", "bad request line"),
    (b"SIP/2.0 99 Odd\r\n\r\n", "bad status line"),
    (b"OPTIONS sip:x@y SIP/2.0\r\nno colon here\r\n\r\n", "bad header line"),
    (b"OPTIONS sip:x@y SIP/2.0\r\nVia: \xff\xfe\r\n\r\n", "not UTF-8"),
])
def test_malformed_messages_are_rejected_with_a_reason(data, reason):
    with pytest.raises(ValueError, match=reason):
        SipMessage.parse(data)


@pytest.mark.parametrize("formats, codec, payload_type", [
    ("0 8 101", "PCMU", 0), ("8 101", "PCMA", 8), ("8 0 101", "PCMA", 8), ("96 0", "PCMU", 0)])
def test_sdp_answer_picks_g711_in_the_offerers_order(formats, codec, payload_type):
    answer, choice = answer_sdp(BARESIP_SDP.format(port=32516, formats=formats).encode(), "10.1.2.3", 40002, 7)
    assert (choice.codec, choice.payload_type, choice.remote) == (codec, payload_type, ("127.0.0.1", 32516))
    lines = answer.decode().split("\r\n")
    assert "c=IN IP4 10.1.2.3" in lines and "t=0 0" in lines and "a=sendrecv" in lines
    dtmf = " 101" if "101" in formats else ""
    assert f"m=audio 40002 RTP/AVP {payload_type}{dtmf}" in lines
    assert f"a=rtpmap:{payload_type} {codec}/8000" in lines
    assert ("a=rtpmap:101 telephone-event/8000" in lines) == bool(dtmf)
    assert choice.dtmf_payload_type == (101 if dtmf else None)


def test_sdp_answer_rejects_what_it_cannot_take():
    assert answer_sdp(BARESIP_SDP.format(port=32516, formats="9 18").encode(), "10.1.2.3", 40002, 7) is None
    offer = ("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n"
             "m=video 5000 RTP/AVP 96\r\nc=IN IP4 192.0.2.9\r\n"
             "m=audio 5002 RTP/AVP 8\r\nc=IN IP4 192.0.2.9\r\na=sendonly\r\n")
    answer, choice = answer_sdp(offer.encode(), "10.1.2.3", 40002, 7)
    lines = answer.decode().split("\r\n")
    assert lines.index("m=video 0 RTP/AVP 96") < lines.index("m=audio 40002 RTP/AVP 8")  # same order, rejected
    assert "a=recvonly" in lines and choice.remote is None  # the caller only sends: we must not


def test_rtp_pack_and_parse_match_a_hand_built_packet():
    payload = bytes(range(160))
    wire = bytes([0x80, 0x80 | 8, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04]) + payload
    packet = RtpPacket(payload_type=8, sequence=0x1234, timestamp=0xDEADBEEF, ssrc=0x01020304, payload=payload,
                       marker=True)
    assert packet.pack() == wire
    assert RtpPacket.parse(wire) == packet
    # one CSRC, a one-word header extension and three bytes of padding
    fancy = (bytes([0xB1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]) + struct.pack("!I", 99)
             + bytes([0xBE, 0xDE, 0, 1, 1, 2, 3, 4]) + b"abc" + bytes([0, 0, 3]))
    assert RtpPacket.parse(fancy) == RtpPacket(0, 1, 2, 3, b"abc", csrcs=(99,))
    for broken in (b"\x80\x00\x00", bytes([0x40]) + bytes(11), bytes([0xA0]) + bytes(10) + b"\xff"):
        with pytest.raises(ValueError):
            RtpPacket.parse(broken)


def test_telephone_event_payload():
    event = TelephoneEvent.parse(bytes([11, 0x80 | 10, 0x03, 0x20]))
    assert event == TelephoneEvent(event=11, end=True, volume=10, duration=800)
    assert event.digit == "#" and event.pack() == bytes([11, 0x8A, 0x03, 0x20])
    assert [TelephoneEvent(e, False, 10, 160).digit for e in (0, 9, 10, 12, 15, 16)] == ["0", "9", "*", "A", "D", None]


def test_rtp_stream_sends_paced_frames_and_decodes_audio_and_digits():
    async def body():
        frames, digits = [], []
        peer = await UdpPeer.open()
        stream = await RtpStream.open("127.0.0.1", (41000, 41100), codec="PCMA", payload_type=8, dtmf_payload_type=101,
                                      remote=("127.0.0.1", peer.port))
        stream.on_frame, stream.on_digit = frames.append, digits.append
        tone = (np.sin(np.arange(160) / 3) * 8000).astype("<i2").tobytes()
        for _ in range(3):
            stream.send(tone)
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # a pause: the next frame starts a new talkspurt
        stream.send(tone)
        sent = [RtpPacket.parse(await asyncio.wait_for(peer.received.get(), 1)) for _ in range(4)]
        assert [p.marker for p in sent] == [True, False, False, True]
        assert [(p.sequence - sent[0].sequence) % 65536 for p in sent] == [0, 1, 2, 3]
        assert [(p.timestamp - sent[0].timestamp) % 2**32 for p in sent[:3]] == [0, 160, 320]
        # the pause is skipped over, not closed up (a lower bound only: a busy machine may sleep longer)
        assert (sent[3].timestamp - sent[0].timestamp) % 2**32 >= 320 + 160 * 10
        assert len({p.ssrc for p in sent}) == 1 and {p.payload_type for p in sent} == {8}
        assert sent[0].payload == alaw_encode(tone)

        audio = RtpPacket(8, 500, 1000, 7, alaw_encode(tone))
        restarted = RtpPacket(8, 3, 160, 8, alaw_encode(tone[::-1]))  # a new source, numbering afresh
        for packet in (audio, audio, RtpPacket(8, 499, 840, 7, b"\xd5" * 160), restarted):  # a duplicate, a late one
            peer.send(packet.pack(), stream.port)
        for press, event in ((0, 5), (800, 11)):  # each key: 3 updates, then the end packet sent 3 times
            for n, end in ((1, False), (2, False), (3, False), (4, True), (4, True), (4, True)):
                peer.send(RtpPacket(101, 600 + n, 8000 + press, 7, TelephoneEvent(event, end, 10, 160 * n).pack(),
                                    marker=n == 1).pack(), stream.port)
        peer.send(b"\x00garbage", stream.port)
        await asyncio.sleep(0.2)
        assert frames == [alaw_decode(alaw_encode(tone)).tobytes(), alaw_decode(alaw_encode(tone[::-1])).tobytes()]
        assert digits == ["5", "#"]
        stream.close()

    asyncio.run(body())


# The server over UDP, with a bare socket as the far end


@run
async def test_answers_baresip_invite_with_a_correct_200_ok(server, calls):
    peer = await UdpPeer.open()
    request = invite(via_port=peer.port)
    peer.send(request, server.port)
    trying = await peer.receive()
    assert (trying.status, trying.reason) == (100, "Trying")
    ok = await peer.receive()
    sent = SipMessage.parse(request)
    assert (ok.status, ok.reason) == (200, "OK")
    assert ok.get_all("Via") == [sent.get("Via").replace(";rport", f";rport={peer.port}") + ";received=127.0.0.1"]
    assert ok.get("From") == sent.get("From") and ok.get("Call-ID") == sent.get("Call-ID")
    assert ok.get("CSeq") == "29572 INVITE"
    to_tag = NameAddr.parse(ok.get("To")).tag
    assert ok.get("To") == f"{sent.get('To')};tag={to_tag}" and len(to_tag) >= 8
    assert ok.get("Contact") == f"<sip:voicedesk@127.0.0.1:{server.port}>"
    assert ok.get("Content-Type") == "application/sdp" and int(ok.get("Content-Length")) == len(ok.body)
    sdp = ok.body.decode().split("\r\n")
    media = next(line for line in sdp if line.startswith("m=audio")).split()
    assert 40000 <= int(media[1]) <= 40998 and media[2:] == ["RTP/AVP", "0", "101"]
    assert "c=IN IP4 127.0.0.1" in sdp and "a=rtpmap:0 PCMU/8000" in sdp

    peer.send(request, server.port)  # the INVITE again: the same 200 OK again, and still one call
    assert (await peer.receive()).serialise() == ok.serialise()
    assert (await peer.receive(1.0)).serialise() == ok.serialise()  # resent on its own: no ACK yet
    peer.send(in_dialog("ACK", ok, 29572), server.port)
    await asyncio.sleep(0.05)
    assert len(calls.calls) == 1
    call = calls.calls[0]
    assert (call.call_id, call.caller, call.codec, call.sample_rate) == ("1c698ff74fc8a8af", "caller", "PCMU", 8000)

    cancel = request.replace(b"INVITE sip:", b"CANCEL sip:").replace(b"29572 INVITE", b"29572 CANCEL")
    peer.send(cancel.split(b"Content-Type")[0] + b"Content-Length: 0\r\n\r\n", server.port)
    assert (await peer.receive()).status == 200  # too late to cancel: no effect
    assert not call.ended.is_set()

    reinvite = in_dialog("INVITE", ok, 29572, branch="z9hG4bKre").replace(b"Content-Length: 0\r\n\r\n", b"")
    sdp = BARESIP_SDP.format(port=32516, formats="0 8 101").encode()
    peer.send(reinvite + b"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % len(sdp) + sdp, server.port)
    refreshed = await peer.final()  # a session refresh: the same answer, the same dialog
    assert (refreshed.status, refreshed.get("To"), refreshed.body) == (200, ok.get("To"), ok.body)
    peer.send(in_dialog("ACK", refreshed, 29573), server.port)

    peer.send(in_dialog("BYE", ok, 29573), server.port)
    bye_ok = await peer.receive()
    assert (bye_ok.status, bye_ok.get("CSeq")) == (200, "29574 BYE")
    await asyncio.wait_for(call.ended.wait(), 1)
    assert [f async for f in call.frames()] == []
    with contextlib.suppress(asyncio.TimeoutError):  # nothing more: the ACK stopped the 200 OK resends
        extra = await peer.receive(1.2)
        pytest.fail(f"unexpected {extra.status or extra.method}")


@run
async def test_cancel_before_the_answer_ends_the_invite_with_487(server, calls):
    peer = await UdpPeer.open()
    request = invite(via_port=peer.port)
    cancel = request.replace(b"INVITE sip:", b"CANCEL sip:").replace(b"29572 INVITE", b"29572 CANCEL")
    peer.send(request, server.port)
    peer.send(cancel.split(b"Content-Type")[0] + b"Content-Length: 0\r\n\r\n", server.port)
    responses = [await peer.receive() for _ in range(3)]
    assert sorted((r.status, r.get("CSeq")) for r in responses) == [
        (100, "29572 INVITE"), (200, "29572 CANCEL"), (487, "29572 INVITE")]
    await asyncio.sleep(0.1)
    assert calls.calls == []


@run
async def test_answers_pcma_when_only_pcma_and_488_when_no_g711(server, calls):
    peer = await UdpPeer.open()
    peer.send(invite("8 101", via_port=peer.port), server.port)
    ok = await peer.final()
    assert "m=audio" in ok.body.decode() and "RTP/AVP 8 101" in ok.body.decode()
    peer.send(in_dialog("ACK", ok, 29572), server.port)
    peer.send(invite("9 18", call_id="second", branch="z9hG4bK2", via_port=peer.port), server.port)
    refused = await peer.final()
    assert refused.status == 488 and "305" in refused.get("Warning")
    assert NameAddr.parse(refused.get("To")).tag and not refused.body
    await asyncio.sleep(0.05)
    assert [c.codec for c in calls.calls] == ["PCMA"]


@run
async def test_bye_follows_the_record_route_and_a_merged_invite_is_refused(server, calls):
    peer, proxy = await UdpPeer.open(), await UdpPeer.open()
    routes = f"<sip:127.0.0.1:{proxy.port};lr>, <sip:edge.example;lr>"
    request = invite(via_port=peer.port).replace(b"Max-Forwards", f"Record-Route: {routes}\r\nMax-Forwards".encode())
    peer.send(request, server.port)
    ok = await peer.final()
    assert ok.get_all("Record-Route") == [f"<sip:127.0.0.1:{proxy.port};lr>", "<sip:edge.example;lr>"]
    peer.send(in_dialog("ACK", ok, 29572), server.port)
    peer.send(invite(via_port=peer.port, branch="z9hG4bKfork"), server.port)  # same Call-ID, no To tag
    assert (await peer.final()).status == 482
    peer.send(invite(via_port=peer.port, call_id="bad-sdp", branch="z9hG4bKbad").replace(b"m=audio", b"m=audio x"),
              server.port)
    assert (await peer.final()).status == 400
    await calls.calls[0].hangup()
    bye = await proxy.receive()  # to the first route, which the caller's Contact is not
    assert bye.method == "BYE" and bye.uri == f"sip:caller-0x558c328c84a0@127.0.0.1:{peer.port}"
    assert bye.get_all("Route") == ok.get_all("Record-Route")
    proxy.send(build_response(bye, 200).serialise(), server.port)


@run
async def test_options_unknown_methods_and_strays(server, calls):
    peer = await UdpPeer.open()

    def request(method: str, cseq_method: str | None = None, tag: str = "") -> bytes:
        return (f"{method} sip:test@127.0.0.1 SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{peer.port};branch=z9hG4bK{method}\r\n"
                f"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:test@127.0.0.1>{tag}\r\nCall-ID: c-{method}\r\n"
                f"CSeq: 7 {cseq_method or method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()

    expected = [("OPTIONS", None, "", 200), ("REGISTER", None, "", 405), ("MESSAGE", None, "", 405),
                ("BYE", None, ";tag=nobody", 481), ("CANCEL", None, "", 481), ("OPTIONS", "INVITE", "", 400)]
    for method, cseq_method, tag, status in expected:
        peer.send(request(method, cseq_method, tag), server.port)
        response = await peer.receive()
        assert response.status == status, method
        assert response.get("CSeq") == f"7 {cseq_method or method}"
        if status in (200, 405):
            assert response.get("Allow") == "INVITE, ACK, BYE, CANCEL, OPTIONS"
    assert calls.calls == []


@run
async def test_we_hang_up_with_bye_and_a_silent_caller_is_hung_up(server, calls):
    server.rtp_timeout_s = 0.6
    peer = await UdpPeer.open()
    rtp = await UdpPeer.open()
    peer.send(invite(rtp_port=rtp.port, via_port=peer.port), server.port)
    ok = await peer.final()
    peer.send(in_dialog("ACK", ok, 29572), server.port)
    await asyncio.sleep(0.05)
    call = calls.calls[0]
    tone = (np.sin(np.arange(160) / 5) * 4000).astype("<i2").tobytes()
    await call.send(tone)
    packet = RtpPacket.parse(await asyncio.wait_for(rtp.received.get(), 1))
    assert packet.payload == ulaw_encode(tone) and packet.marker
    answer_port = int(next(line for line in ok.body.decode().split("\r\n") if line.startswith("m=")).split()[1])
    rtp.send(RtpPacket(0, 1, 160, 9, ulaw_encode(tone)).pack(), answer_port)
    frames = call.frames()
    assert await asyncio.wait_for(anext(frames), 1) == ulaw_decode(ulaw_encode(tone)).tobytes()

    await call.hangup()
    bye = await peer.receive()
    assert (bye.method, bye.uri) == ("BYE", f"sip:caller-0x558c328c84a0@127.0.0.1:{peer.port}")  # its Contact
    assert bye.get("From") == ok.get("To") and bye.get("To") == ok.get("From")
    assert bye.get("Call-ID") == ok.get("Call-ID") and bye.cseq()[1] == "BYE"
    assert bye.branch.startswith("z9hG4bK") and bye.get("Max-Forwards") == "70"
    peer.send(build_response(bye, 200).serialise(), server.port)  # answered: no more resends
    assert call.ended.is_set()
    assert [f async for f in frames] == []

    # the second call's caller never sends RTP: after rtp_timeout_s we hang up
    peer.send(invite(rtp_port=rtp.port, call_id="silent", branch="z9hG4bK3", via_port=peer.port), server.port)
    ok = await peer.final()
    peer.send(in_dialog("ACK", ok, 29572), server.port)
    started = time.monotonic()
    while (message := await peer.receive(3)).method != "BYE":
        pass
    # not before the timeout (a lower bound only: a busy machine can make a timer late, never early)
    assert message.get("Call-ID") == "silent" and time.monotonic() - started > 0.5
    assert calls.calls[1].ended.is_set()


def sipp() -> str:
    return need(shutil.which("sipp"), "sipp", "sip-tester")


async def run_sipp(server: SipServer, tmp_path: Path, *args: str, scenario: str = "uac") -> tuple[int, str]:
    """Run sipp as the caller against `server`: a built-in scenario by name, or a scenario file's path."""
    command = [sipp(), "-sf" if scenario.endswith(".xml") else "-sn", scenario, f"127.0.0.1:{server.port}", *args,
               "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(free_port()), "-nostdin",
               "-timeout", "20s", "-timeout_error", "-trace_err", "-max_retrans", "3"]
    process = await asyncio.create_subprocess_exec(*command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    errors = "".join(p.read_text() for p in tmp_path.glob("*_errors.log"))
    return process.returncode, output.decode(errors="replace")[-2000:] + errors


@run
async def test_sipp_calls_one_then_five_in_parallel(server, calls, tmp_path):
    status, output = await run_sipp(server, tmp_path, "-m", "1")
    assert status == 0, output
    assert len(calls.calls) == 1 and calls.calls[0].caller == "sipp" and calls.calls[0].ended.is_set()
    status, output = await run_sipp(server, tmp_path, "-m", "5", "-r", "5", "-d", "1000")
    assert status == 0, output
    assert len(calls.calls) == 6 and all(c.ended.is_set() for c in calls.calls)
    assert calls.most_live >= 2


@run
async def test_sipp_plays_alaw_audio_and_a_dtmf_digit_from_pcap(server, calls, tmp_path):
    """sipp's built-in `uac_pcap` scenario (PCMA offer, RTP from Debian's pcap files), made shorter."""
    scenario = (await asyncio.create_subprocess_exec(sipp(), "-sd", "uac_pcap", stdout=asyncio.subprocess.PIPE))
    text = (await scenario.communicate())[0].decode("latin-1")
    assert 'play_pcap_audio="pcap/dtmf_2833_1.pcap"' in text and '<pause milliseconds="8000"/>' in text
    text = text.replace('"pcap/', '"/usr/share/sip-tester/')
    text = text.replace('<pause milliseconds="8000"/>', '<pause milliseconds="1500"/>')
    (tmp_path / "uac_pcap.xml").write_text(text, encoding="latin-1")
    frames: list[bytes] = []

    async def record() -> None:
        while not calls.calls:
            await asyncio.sleep(0.01)
        async for frame in calls.calls[0].frames():
            frames.append(frame)

    recording = asyncio.create_task(record())
    status, output = await run_sipp(server, tmp_path, "-m", "1", scenario=str(tmp_path / "uac_pcap.xml"))
    assert status == 0, output
    await asyncio.wait_for(recording, 2)
    call = calls.calls[0]
    assert call.codec == "PCMA" and call.ended.is_set()
    assert call.dtmf.get_nowait() == "1" and call.dtmf.empty()
    assert len(frames) >= 40 and {len(f) for f in frames} == {480}  # the pcap holds 30 ms packets
    audio = np.frombuffer(b"".join(frames), "<i2").astype(np.float64)
    assert np.sqrt(np.mean(audio**2)) > 100  # it is not silence


@run
async def test_garbage_is_dropped_and_the_server_still_answers(server, calls, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="telephony.sip")
    garbage = random.Random(3261)
    peer = await UdpPeer.open()
    truncated = invite(via_port=peer.port)[:-40]
    datagrams = [garbage.randbytes(garbage.randrange(1, 1400)) for _ in range(300)]
    datagrams += [truncated, truncated[:200], b"\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n", b"INVITE sip:x SIP/2.0\r\n\r\n",
                  invite(via_port=peer.port).replace(b"Call-ID", b"X-Call-Id"), b"\xff" * 2000, bytes(65000)]
    for data in datagrams:
        peer.send(data, server.port)
        await asyncio.sleep(0.001)  # or the socket's receive buffer overflows and the kernel drops them first
    await asyncio.sleep(0.2)
    assert calls.calls == []
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == len(datagrams) - 3  # all but two keep-alives (CRLFs, NULs) and the stray response
    assert all("\n" not in line for line in dropped)
    status, output = await run_sipp(server, tmp_path, "-m", "1")
    assert status == 0, output
    assert len(calls.calls) == 1


# A real call from baresip


def baresip_config(directory: Path, sip_port: int, source: Path, codec: str) -> None:
    need(shutil.which("baresip"), "baresip", "baresip")  # every baresip test configures it first
    (directory / "config").write_text(
        "poll_method\tepoll\n"
        f"sip_listen\t127.0.0.1:{sip_port}\n"
        "net_interface\t127.0.0.1\n"  # or its SDP offers eth0's address
        f"audio_source\taufile,{source}\n"
        "audio_alert\tnone\n"
        "module_path\t/usr/lib/baresip/modules\n"
        "module\tg711.so\nmodule\taufile.so\nmodule\tsndfile.so\n"
        "module_app\taccount.so\nmodule_app\tmenu.so\n"
        f"snd_path\t{directory}\n")
    (directory / "accounts").write_text(f"<sip:caller@127.0.0.1>;regint=0;audio_codecs={codec}/8000/1\n")


def snr_db(signal: np.ndarray, reference: np.ndarray) -> float:
    """SNR of `signal` against `reference` at the best alignment (cross-correlation)."""
    x, ref = signal.astype(np.float64), reference.astype(np.float64)
    size = 2 * (len(x) + len(ref))
    lag = int(np.argmax(np.fft.irfft(np.fft.rfft(x, size) * np.conj(np.fft.rfft(ref, size)), size)))
    lag = lag - size if lag > size // 2 else lag
    x, ref = (x[lag:], ref) if lag >= 0 else (x, ref[-lag:])
    n = min(len(x), len(ref))
    return 10 * np.log10(np.sum(ref[:n] ** 2) / max(np.sum((x[:n] - ref[:n]) ** 2), 1e-9))


def pcm16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()


@pytest.mark.slow
@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
def test_real_call_from_baresip(tmp_path, transcriber, codec):
    """baresip dials us and plays one clip; we record it, play another back, and hang up."""
    ours = pcm16(read_audio(SAMPLES / "en/01.wav", sample_rate=8000).pcm)  # "... order, number one zero zero two three"
    theirs = read_audio(SAMPLES / "en/02.ogg", sample_rate=8000).pcm  # "Where is my package? ..."
    source = tmp_path / "caller.wav"
    sf.write(source, np.concatenate([theirs, np.zeros(8000 * 5, np.float32)]), 8000, subtype="PCM_16")
    baresip_config(tmp_path, free_port(), source, codec)
    received: list[bytes] = []
    handled: list[SipCall] = []

    async def on_call(call: SipCall) -> None:
        handled.append(call)

        async def record() -> None:
            async for frame in call.frames():
                received.append(frame)

        recording = asyncio.create_task(record())
        clock = asyncio.get_running_loop().time()
        for start in range(0, len(ours), 320):
            await call.send(ours[start:start + 320].ljust(320, b"\0"))
            clock += 0.02
            await asyncio.sleep(clock - asyncio.get_running_loop().time())
        await asyncio.sleep(0.5)
        await call.hangup()
        await recording

    async def body() -> str:
        server = SipServer(on_call, port=0)
        await server.start()
        process = await asyncio.create_subprocess_exec(
            "baresip", "-f", str(tmp_path), "-e", f"/dial sip:test@127.0.0.1:{server.port}", "-t", "25",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            for _ in range(200):
                await asyncio.sleep(0.1)
                if process.returncode is not None or (handled and handled[0].ended.is_set() and not server._requests):
                    break
            await asyncio.sleep(0.3)
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), 10)
            await server.stop()
        return output.decode(errors="replace")

    log = asyncio.run(body())
    assert handled, log
    call = handled[0]
    assert (call.codec, call.caller, call.ended.is_set()) == (codec, "caller", True)
    assert "Call established" in log and "terminated" in log, log
    assert "end of file" not in log.split("Call established")[1].split("terminated")[0]  # we hung up first

    inbound = np.frombuffer(b"".join(received), "<i2")
    sent_by_baresip, _ = sf.read(glob.glob(str(tmp_path / "dump-*-enc.wav"))[0], dtype="int16")
    heard_by_baresip, _ = sf.read(glob.glob(str(tmp_path / "dump-*-dec.wav"))[0], dtype="int16")
    assert len(inbound) >= len(ours) // 2  # 20 ms frames for as long as we played
    assert snr_db(inbound[: len(sent_by_baresip)], sent_by_baresip) > 20  # two G.711 encoders differ by a step
    ours_int = np.frombuffer(ours, "<i2")
    assert snr_db(heard_by_baresip, ours_int) > 20

    def words(audio: np.ndarray) -> str:
        pcm = read_audio(audio.astype("<i2").tobytes(), sample_rate=16000, raw_format="s16le", raw_rate=8000).pcm
        return transcriber.transcribe(pcm, "en").text.lower()

    assert {"package", "yesterday"} <= set(words(inbound).replace("?", " ").replace(".", " ").split())
    heard = words(heard_by_baresip)
    digits = "".join(c for c in heard if c.isdigit())
    assert "order" in heard and ("10023" in digits or "one zero zero two three" in heard), heard

