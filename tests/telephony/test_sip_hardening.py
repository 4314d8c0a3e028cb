"""What a SIP or RTP peer may not do to the server: kill the listener with one datagram, call
from an address nobody listed, skip authentication, hold a line without confirming the call, be answered
200 and then hung up when the lines are full, or speak into another caller's RTP stream."""

from __future__ import annotations

import asyncio
import contextlib

import numpy as np
import pytest

from speech.g711 import ulaw_encode
from telephony.rtp import RtpPacket, RtpStream, TelephoneEvent
from telephony.sip import SipMessage, SipServer, digest_response, parse_digest
from tests.telephony.test_sip import Calls, UdpPeer, in_dialog, invite


def options(peer_port: int, via_port: object = None, branch: str = "z9hG4bKopt", host: str = "127.0.0.1") -> bytes:
    via = f"{host}:{via_port if via_port is not None else peer_port}"
    return (f"OPTIONS sip:test@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {via};branch={branch}\r\n"
            f"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:test@127.0.0.1>\r\nCall-ID: {branch}\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def serve(body, timers: dict[str, float] | None = None, **settings) -> None:
    """Run `body(server, calls)` against a started SipServer built with `settings` (and these timers)."""
    async def run():
        calls = Calls()
        server = SipServer(calls, port=0, **settings)
        for name, value in (timers or {}).items():
            setattr(server, name, value)
        await server.start()
        try:
            await asyncio.wait_for(body(server, calls), 30)
        finally:
            await server.stop()

    asyncio.run(run())


@pytest.mark.parametrize("via", [(99999999, "127.0.0.1"), (0, "127.0.0.1"), (5060, "no-such-host.invalid"),
                                 (5060, "999.1.1.1"), ("65536", "127.0.0.1")])
def test_a_via_no_packet_can_go_to_does_not_close_the_listener(via):
    """The issue's datagram: `Via: SIP/2.0/UDP 127.0.0.1:99999999` made sendto() raise OverflowError, which
    closes asyncio's datagram transport for good. Now the answer goes to the source and the server lives."""
    port, host = via

    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(options(peer.port, port, "z9hG4bKbad", host), server.port)
        await asyncio.sleep(0.1)
        peer.send(options(peer.port, branch="z9hG4bKgood"), server.port)
        while (answer := await peer.receive()).get("Call-ID") != "z9hG4bKgood":  # the bad one's answer, if
            pass  # it had a port: to its source (RFC 3261 18.2.2 sends to the Via's port when it is valid)
        assert answer.status == 200 and server.listening

    serve(body)


def test_an_sdp_with_an_impossible_rtp_port_is_refused_and_the_server_lives():
    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port, rtp_port=99999999), server.port)
        assert (await peer.final()).status == 488
        peer.send(invite(via_port=peer.port, call_id="next", branch="z9hG4bKnext"), server.port)
        assert (await peer.final()).status == 200 and server.listening

    serve(body)


def test_invites_from_peers_not_listed_are_forbidden():
    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port), server.port)
        refused = await peer.final()
        assert refused.status == 403 and not refused.body
        peer.send(options(peer.port), server.port)
        assert (await peer.receive()).status == 403
        await asyncio.sleep(0.1)
        assert calls.calls == [] and not server._dialogs

    serve(body, allowed_peers="192.0.2.0/24")


def test_caller_id_is_trusted_only_from_listed_trusted_peers():
    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port), server.port)
        ok = await peer.final()
        peer.send(in_dialog("ACK", ok, 29572), server.port)
        await asyncio.sleep(0.1)
        return calls.calls[0].trusted

    results = []

    async def check(server, calls):
        results.append(await body(server, calls))

    serve(check)
    serve(check, trusted_peers="127.0.0.1/32")
    assert results == [False, True]


def test_digest_response_matches_rfc_2617():
    """RFC 2617 section 3.5's worked example (qop=auth), and the value parser on its Authorization header."""
    assert digest_response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                           "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001",
                           "0a4f113b") == "6629fae49393a05397450978507c4ef1"
    params = parse_digest('Digest username="Mufasa", realm="testrealm@host.com", qop=auth, nc=00000001, '
                          'uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1"')
    assert params["username"] == "Mufasa" and params["qop"] == "auth" and params["uri"] == "/dir/index.html"


def test_digest_authentication_challenges_then_admits_the_right_password():
    def authorized(request: bytes, challenge: SipMessage, password: str) -> bytes:
        params = parse_digest(challenge.get("WWW-Authenticate"))
        uri = "sip:test@127.0.0.1:5096"
        answer = digest_response("pbx", params["realm"], password, "INVITE", uri, params["nonce"], "auth",
                                 "00000001", "c0ffee")
        header = (f'Authorization: Digest username="pbx", realm="{params["realm"]}", nonce="{params["nonce"]}", '
                  f'uri="{uri}", response="{answer}", qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5\r\n')
        return request.replace(b"Max-Forwards", header.encode() + b"Max-Forwards")

    async def body(server, calls):
        peer = await UdpPeer.open()
        first = invite(via_port=peer.port)
        peer.send(first, server.port)
        challenge = await peer.final()
        assert challenge.status == 401 and 'realm="voicedesk"' in challenge.get("WWW-Authenticate")
        wrong = authorized(invite(via_port=peer.port, branch="z9hG4bKwrong"), challenge, "guess")
        peer.send(wrong, server.port)
        assert (await peer.final()).status == 401
        right = authorized(invite(via_port=peer.port, branch="z9hG4bKright"), challenge, "s3cret")
        peer.send(right, server.port)
        assert (await peer.final()).status == 200

    serve(body, digest=("pbx", "s3cret"))


def test_a_full_house_gets_486_before_anything_is_answered():
    admitted: list[str] = []

    async def busy(call_id: str):
        admitted.append(call_id)
        return (486, "Busy Here")

    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port), server.port)
        responses = [await peer.receive()]
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                responses.append(await peer.receive(0.6))
        assert {r.status for r in responses} == {486}, [r.status for r in responses]  # no 100, 200 or BYE
        # (a final answer to INVITE is resent until its ACK, which this peer never sends)
        assert responses[0].get("Retry-After")
        assert admitted == ["1c698ff74fc8a8af"] and calls.calls == [] and not server._dialogs

    serve(body, admit=busy)


def test_an_admission_that_fails_is_a_500_not_silence():
    async def broken(call_id: str):
        raise RuntimeError("database is locked")

    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port), server.port)
        assert (await peer.final()).status == 500 and calls.calls == [] and server.listening

    serve(body, admit=broken)


def test_an_invite_never_confirmed_is_hung_up_fast_and_never_reaches_the_application():
    """The issue: three INVITEs that never ACK and send no RTP held every line for 32 s."""
    async def body(server, calls):
        peer = await UdpPeer.open()
        started = asyncio.get_running_loop().time()
        for n in range(3):
            peer.send(invite(via_port=peer.port, call_id=f"ghost-{n}", branch=f"z9hG4bKg{n}"), server.port)
        byes = set()
        while len(byes) < 3:
            message = await peer.receive(3)
            if message.method == "BYE":
                byes.add(message.get("Call-ID"))
        assert byes == {"ghost-0", "ghost-1", "ghost-2"}
        assert asyncio.get_running_loop().time() - started < 2.5
        assert calls.calls == [] and not server._dialogs

    serve(body, timers={"ack_timeout_s": 0.8})


def test_media_confirms_a_call_whose_ack_was_lost():
    async def body(server, calls):
        peer, rtp = await UdpPeer.open(), await UdpPeer.open()
        peer.send(invite(via_port=peer.port, rtp_port=rtp.port), server.port)
        ok = await peer.final()
        port = int(next(line for line in ok.body.decode().split("\r\n") if line.startswith("m=")).split()[1])
        rtp.send(RtpPacket(0, 1, 160, 9, ulaw_encode(bytes(320))).pack(), port)
        await asyncio.sleep(1.2)  # past the ACK timeout: media confirmed it
        assert len(calls.calls) == 1 and not calls.calls[0].ended.is_set()

    serve(body, timers={"ack_timeout_s": 0.8})


def test_rtp_from_anyone_but_the_peer_is_dropped():
    """The issue: DTMF sent from another socket to a call's RTP port became a typed turn in that call."""
    async def body():
        peer, stranger = await UdpPeer.open(), await UdpPeer.open()
        stream = await RtpStream.open("127.0.0.1", (41000, 41998), dtmf_payload_type=101,
                                      remote=("127.0.0.1", peer.port))
        digits, frames = [], []
        stream.on_digit, stream.on_frame = digits.append, frames.append
        tone = (np.sin(np.arange(160) / 3) * 8000).astype("<i2").tobytes()
        peer.send(RtpPacket(0, 1, 160, 7, ulaw_encode(tone)).pack(), stream.port)
        await asyncio.sleep(0.05)
        for n, end in ((1, False), (2, True)):
            stranger.send(RtpPacket(101, 50 + n, 9000, 99, TelephoneEvent(9, end, 10, 160 * n).pack()).pack(),
                          stream.port)
            stranger.send(RtpPacket(0, 60 + n, 9000, 99, ulaw_encode(tone)).pack(), stream.port)
        await asyncio.sleep(0.1)
        assert digits == [] and len(frames) == 1 and stream.latched == ("127.0.0.1", peer.port)
        assert stream.dropped == 4
        peer.send(RtpPacket(101, 2, 8000, 7, TelephoneEvent(5, True, 10, 160).pack()).pack(), stream.port)
        await asyncio.sleep(0.05)
        assert digits == ["5"]
        stream.close()

    asyncio.run(body())


def test_rtp_from_another_host_than_the_sdp_names_never_latches():
    async def body():
        stream = await RtpStream.open("127.0.0.1", (41000, 41998), remote=("192.0.2.10", 4000))
        frames = []
        stream.on_frame = frames.append
        stranger = await UdpPeer.open()
        stranger.send(RtpPacket(0, 1, 160, 7, ulaw_encode(bytes(320))).pack(), stream.port)
        await asyncio.sleep(0.05)
        assert frames == [] and stream.latched is None
        stream.close()

    asyncio.run(body())


def test_rtp_ports_are_drawn_at_random_from_the_range():
    async def body():
        streams = [await RtpStream.open("127.0.0.1", (42000, 42998)) for _ in range(12)]
        ports = [s.port for s in streams]
        for s in streams:
            s.close()
        return ports

    ports = asyncio.run(body())
    assert all(42000 <= p <= 42998 and p % 2 == 0 for p in ports) and len(set(ports)) == 12
    assert ports != sorted(ports) and min(ports) != 42000 or max(ports) - min(ports) > 100


def test_end_reasons_say_what_happened():
    async def body(server, calls):
        peer = await UdpPeer.open()
        peer.send(invite(via_port=peer.port), server.port)
        ok = await peer.final()
        peer.send(in_dialog("ACK", ok, 29572), server.port)
        await asyncio.sleep(0.05)
        peer.send(in_dialog("BYE", ok, 29572), server.port)
        assert (await peer.receive()).get("CSeq") == "29573 BYE"
        peer.send(invite(via_port=peer.port, call_id="quiet", branch="z9hG4bKq"), server.port)
        ok = await peer.final()
        peer.send(in_dialog("ACK", ok, 29572), server.port)
        while (await peer.receive(3)).method != "BYE":
            pass
        assert [c.end_reason for c in calls.calls] == ["caller hung up", "no RTP for 0.5 s"]

    serve(body, timers={"rtp_timeout_s": 0.5})


@pytest.mark.slow
def test_baresip_answers_our_digest_challenge_and_a_wrong_password_does_not(tmp_path):
    """A real peer: baresip with the right password gets through our 401 challenge; with a wrong one it
    never reaches the application."""
    import signal

    from tests.conftest import SAMPLES
    from tests.telephony.test_sip import baresip_config, free_port

    async def dial(password: str, folder) -> tuple[list, str]:
        handled: list = []

        async def on_call(call):
            handled.append(call)
            await asyncio.sleep(0.5)
            await call.hangup()

        server = SipServer(on_call, port=0, digest=("caller", "s3cret"))
        await server.start()
        folder.mkdir()
        baresip_config(folder, free_port(), SAMPLES / "en" / "01.wav", "PCMU")
        accounts = folder / "accounts"
        accounts.write_text(accounts.read_text().replace(";regint=0", f";auth_pass={password};regint=0"))
        process = await asyncio.create_subprocess_exec(
            "baresip", "-f", str(folder), "-e", f"/dial sip:test@127.0.0.1:{server.port}", "-t", "8",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            for _ in range(60):
                await asyncio.sleep(0.1)
                if handled or process.returncode is not None:
                    break
            await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), 10)
            await server.stop()
        return handled, output.decode(errors="replace")

    handled, log = asyncio.run(dial("s3cret", tmp_path / "right"))
    assert handled and handled[0].caller == "caller", log
    handled, log = asyncio.run(dial("guess", tmp_path / "wrong"))
    assert not handled and "401" in log, log
