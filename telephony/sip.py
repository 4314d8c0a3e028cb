"""SIP signalling (RFC 3261 subset) with SDP offer/answer (RFC 4566, RFC 3264) over UDP.

VoiceDesk only answers calls: `SipServer` is a user-agent server that takes INVITE with an SDP offer
of PCMU or PCMA, answers 200 OK, runs the call's RTP (`telephony.rtp`) and hands a `SipCall` to the
application once the caller confirms it (ACK, or their first RTP packet). Either side may hang up with
BYE. The wire format (`SipMessage`, `answer_sdp`) is pure functions over bytes; the server keeps just
enough transaction state for UDP: responses are resent when a request is retransmitted, a 200 OK to
INVITE is resent until the ACK comes (a call with neither ACK nor media after `ack_timeout_s` is
hung up), our BYE is resent until it is answered. Anything that does not parse is logged in one line
and dropped; nothing a peer sends is sent to unchecked (`udp_destination`).

Trust is configured, never assumed: requests are taken only from `allowed_peers` (addresses or
CIDRs), optionally with digest authentication (RFC 3261 22, RFC 2617 MD5); a call's `From` user is
its caller ID, and counts as the caller's identity only when the call comes from a `trusted_peers`
address (a trunk or PBX the operator vouches for). A call the application cannot take gets 486 or 503
before anything is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import socket
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from dialog.security import redact
from telephony.rtp import SAMPLE_RATE, RtpStream, udp_destination

log = logging.getLogger(__name__)

T1, T2 = 0.5, 4.0  # RFC 3261 timers: round-trip estimate and the longest retransmit interval
TRANSACTION_S = 64 * T1  # how long a transaction (and its cached response) lives
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS"
USER_AGENT = "VoiceDesk"
MAGIC_COOKIE = "z9hG4bK"
COMPACT_FORMS = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
                 "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding"}
CANONICAL_NAMES = {name.lower(): name for name in (
    "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards",
    "Record-Route", "Route", "Allow", "Accept", "Supported", "Require", "Server", "User-Agent", "Warning")}
REASONS = {100: "Trying", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           405: "Method Not Allowed", 415: "Unsupported Media Type", 420: "Bad Extension",
           481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops", 486: "Busy Here",
           487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error",
           503: "Service Unavailable"}
NONCE_S = 300.0  # how long a digest challenge's nonce stays good
_TOKEN = re.compile(r"^[A-Za-z0-9.!%*_+`'~-]+$")


class SipError(ValueError):
    """A datagram that is not a well-formed SIP message (or lacks what we need to answer it)."""


def split_values(value: str) -> list[str]:
    """Split a header value on commas that are outside quotes and <...> (RFC 3261 section 7.3.1)."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(value):
        if char == '"' and (i == 0 or value[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "<>":
            depth += 1 if char == "<" else -1
        elif char == "," and not quoted and depth == 0:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return [p for p in parts if p]


def parse_params(text: str) -> dict[str, str]:
    params = {}
    for item in text.split(";"):
        if item.strip():
            name, _, value = item.partition("=")
            params[name.strip().lower()] = value.strip()
    return params


@dataclass(frozen=True)
class NameAddr:
    """A From, To or Contact value: `"Display" <sip:user@host>;tag=x` or `sip:user@host;tag=x`."""

    uri: str
    params: dict[str, str]
    display: str = ""

    @classmethod
    def parse(cls, value: str) -> NameAddr:
        value = value.strip()
        if "<" in value:
            display, _, rest = value.partition("<")
            uri, closed, params = rest.partition(">")
            if not closed:
                raise SipError(f"unclosed <...> in {value!r}")
            return cls(uri.strip(), parse_params(params), display.strip().strip('"'))
        uri, _, params = value.partition(";")  # addr-spec form: parameters belong to the header
        return cls(uri, parse_params(params))

    @property
    def tag(self) -> str | None:
        return self.params.get("tag") or None

    @property
    def user(self) -> str:
        """The user part of a sip:/sips:/tel: URI, unescaped; "" when there is none."""
        scheme, _, rest = self.uri.partition(":")
        if scheme.lower() == "tel":
            return unquote(rest.split(";")[0])
        if "@" not in rest:
            return ""
        return unquote(rest.rsplit("@", 1)[0].split(":")[0])


def uri_address(uri: str) -> tuple[str, int]:
    """Host and port of a sip: URI (5060 when the port is left out)."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    hostport = rest.rsplit("@", 1)[-1].split(";")[0].split("?")[0]
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = hostport.partition(":")
    if not host or (port and not port.isdigit()):
        raise SipError(f"no host:port in URI {uri!r}")
    return host, int(port or 5060)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(peers: str | Sequence[str]) -> tuple[Network, ...]:
    """"127.0.0.1, 10.0.0.0/8" (or a list of them) -> networks; a bad entry is a clear ValueError."""
    items = peers.split(",") if isinstance(peers, str) else peers
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())
    except ValueError as error:
        raise ValueError(f"SIP peer list: {error}") from None


def in_networks(host: str, networks: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def digest_response(username: str, realm: str, password: str, method: str, uri: str, nonce: str,
                    qop: str = "", nc: str = "", cnonce: str = "") -> str:
    """RFC 2617 3.2.2 with MD5: what a client that knows the password answers to our challenge."""
    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - the protocol's own hash

    ha1, ha2 = md5(f"{username}:{realm}:{password}"), md5(f"{method}:{uri}")
    return md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}" if qop else f"{ha1}:{nonce}:{ha2}")


def parse_digest(value: str) -> dict[str, str]:
    """`Digest username="a", nonce="b", qop=auth, ...` -> its parameters (names lower-cased)."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        return {}
    params = {}
    for item in split_values(rest):
        name, _, raw = item.partition("=")
        params[name.strip().lower()] = raw.strip().strip('"')
    return params


@dataclass
class SipMessage:
    """One request (`method` set) or response (`status` set); headers keep their order and repeats."""

    method: str = ""
    uri: str = ""
    status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def get(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def get_all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def cseq(self) -> tuple[int, str]:
        number, _, method = (self.get("CSeq") or "").partition(" ")
        if not number.isdigit() or not method.strip():
            raise SipError(f"bad CSeq {self.get('CSeq')!r}")
        return int(number), method.strip()

    @property
    def branch(self) -> str:
        via = self.get("Via")
        return parse_params(via.partition(";")[2]).get("branch", "") if via else ""

    def transaction_key(self) -> tuple[str, ...]:
        """Which server transaction a request belongs to (RFC 3261 17.2.3: the branch and the method;
        Call-ID and CSeq too, for peers whose branches are not unique). CANCEL and ACK get their own keys."""
        number, method = self.cseq()
        call_id = self.get("Call-ID") or ""
        return (self.branch, call_id, str(number), method)

    def serialise(self) -> bytes:
        start = f"{self.method} {self.uri} SIP/2.0" if self.method else f"SIP/2.0 {self.status} {self.reason}"
        lines = [start] + [f"{n}: {v}" for n, v in self.headers if n.lower() != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    @classmethod
    def parse(cls, data: bytes) -> SipMessage:
        data = data.lstrip(b"\r\n")  # RFC 3261 7.5: CRLFs before the start line are ignored
        head, separator, body = data.partition(b"\r\n\r\n")
        if not separator:
            head, separator, body = data.partition(b"\n\n")
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SipError(f"headers are not UTF-8 ({error.reason})") from None
        lines = text.replace("\r\n", "\n").split("\n")
        message = cls._start_line(lines[0].strip())
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and message.headers:  # folded continuation of the previous header
                name, value = message.headers[-1]
                message.headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, colon, value = line.partition(":")
            name = name.strip()
            if not colon or not _TOKEN.match(name):
                raise SipError(f"bad header line {line[:60]!r}")
            name = COMPACT_FORMS.get(name.lower()) or CANONICAL_NAMES.get(name.lower(), name)
            values = split_values(value) if name in ("Via", "Record-Route", "Route") else [value.strip()]
            message.headers.extend((name, v) for v in values)
        length = message.get("Content-Length")
        if length is not None:
            if not length.isdigit():
                raise SipError(f"bad Content-Length {length!r}")
            if int(length) > len(body):
                raise SipError(f"truncated: Content-Length {length} but {len(body)} body bytes")
            body = body[: int(length)]
        message.body = body
        return message

    @classmethod
    def _start_line(cls, line: str) -> SipMessage:
        if line.startswith("SIP/2.0 "):
            _, status, reason = (line.split(" ", 2) + [""])[:3]
            if not (status.isdigit() and len(status) == 3 and 100 <= int(status) < 700):
                raise SipError(f"bad status line {line[:60]!r}")
            return cls(status=int(status), reason=reason)
        parts = line.split(" ")
        if len(parts) != 3 or parts[2] != "SIP/2.0" or not _TOKEN.match(parts[0]) or ":" not in parts[1]:
            raise SipError(f"bad request line {line[:60]!r}")
        return cls(method=parts[0], uri=parts[1])


def build_response(request: SipMessage, status: int, to_tag: str | None = None, reason: str | None = None,
                   headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> SipMessage:
    """A response that copies Via, From, To (tagged), Call-ID and CSeq from the request (RFC 3261 8.2.6)."""
    response = SipMessage(status=status, reason=reason or REASONS.get(status, ""))
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.get_all(name):
            if name == "To" and to_tag and status > 100 and NameAddr.parse(value).tag is None:
                value = f"{value};tag={to_tag}"
            response.headers.append((name, value))
    if request.method == "INVITE" and 200 <= status < 300:
        response.headers.extend(("Record-Route", v) for v in request.get_all("Record-Route"))
    response.headers.extend(headers or [])
    response.headers.append(("Server", USER_AGENT))
    response.body = body
    return response


def response_destination(via: str, source: tuple[str, int]) -> tuple[str, tuple[str, int]]:
    """Where a response goes (RFC 3261 18.2.2 with RFC 3581 rport), and the top Via stamped with
    `received` / `rport` so that it says so."""
    sent_by, _, params = via.partition(";")
    hostport = sent_by.split()[-1] if sent_by.split() else ""
    host, _, port = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    parsed = parse_params(params)
    if "rport" in parsed:  # RFC 3581: answer to the source address and port, and say so even if they agree
        via = re.sub(r";rport(?==|;|$)(=[^;]*)?", f";rport={source[1]}", via, flags=re.IGNORECASE)
        if "received" not in parsed:
            via += f";received={source[0]}"
        return via, source
    if host != source[0] and "received" not in parsed:
        via += f";received={source[0]}"
    return via, (source[0], int(port) if port.isdigit() else 5060)


@dataclass
class MediaChoice:
    """What the SDP answer agreed: the codec, DTMF payload type and where to send our RTP."""

    codec: str
    payload_type: int
    dtmf_payload_type: int | None
    remote: tuple[str, int] | None  # None when the offer says not to send (port 0, address 0.0.0.0, recvonly...)
    host: str | None = None  # the offer's connection address: the only host whose RTP we take


@dataclass
class _Media:
    kind: str
    port: int
    proto: str
    formats: list[str]
    lines: list[str]
    connection: str | None


def _parse_sdp(body: bytes) -> tuple[list[str], list[_Media]]:
    session: list[str] = []
    media: list[_Media] = []
    for raw in body.decode("utf-8", "replace").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        if line.startswith("m="):
            parts = line[2:].split()
            if len(parts) < 4 or not parts[1].split("/")[0].isdigit():
                raise SipError(f"bad SDP media line {line!r}")
            media.append(_Media(parts[0], int(parts[1].split("/")[0]), parts[2], parts[3:], [], None))
        elif media:
            media[-1].lines.append(line)
            if line.startswith("c="):
                media[-1].connection = line[2:]
        else:
            session.append(line)
    return session, media


def _direction(lines: list[str]) -> str | None:
    return next((line[2:] for line in lines if line[2:] in ("sendrecv", "sendonly", "recvonly", "inactive")), None)


def answer_sdp(offer: bytes, host: str, rtp_port: int, session_id: int) -> tuple[bytes, MediaChoice] | None:
    """The RFC 3264 answer to an SDP offer: G.711 on the first audio stream that offers PCMU or PCMA
    (in the offerer's order of preference), telephone-event if offered; other streams rejected with
    port 0. None when no stream is acceptable (the caller then answers 488)."""
    session, media = _parse_sdp(offer)
    session_connection = next((line[2:] for line in session if line.startswith("c=")), None)
    timing = next((line for line in session if line.startswith("t=")), "t=0 0")
    lines = ["v=0", f"o={USER_AGENT} {session_id} {session_id} IN IP4 {host}", f"s={USER_AGENT}",
             f"c=IN IP4 {host}", timing]
    choice = None
    for stream in media:
        accepted = None
        if choice is None and stream.kind == "audio" and stream.port and stream.proto in ("RTP/AVP", "RTP/AVPF"):
            accepted = _choose_formats(stream)
        connection = (stream.connection or session_connection or "").split()
        if accepted is None or len(connection) < 3 or connection[1] != "IP4":
            lines.append(f"m={stream.kind} 0 {stream.proto} {' '.join(stream.formats)}")
            continue
        codec, payload_type, dtmf = accepted
        offered = _direction(stream.lines) or _direction(session) or "sendrecv"
        answered = {"sendonly": "recvonly", "recvonly": "sendonly"}.get(offered, offered)
        address = connection[2].split("/")[0]
        if address != "0.0.0.0" and udp_destination(address, stream.port) is None:  # a name, or port 99999999
            lines.append(f"m={stream.kind} 0 {stream.proto} {' '.join(stream.formats)}")
            continue
        sends = answered in ("sendrecv", "sendonly") and address not in ("0.0.0.0", "")
        choice = MediaChoice(codec, payload_type, dtmf, (address, stream.port) if sends else None, address)
        formats = f"{payload_type} {dtmf}" if dtmf is not None else f"{payload_type}"
        lines += [f"m=audio {rtp_port} {stream.proto} {formats}", f"a=rtpmap:{payload_type} {codec}/8000"]
        if dtmf is not None:
            lines += [f"a=rtpmap:{dtmf} telephone-event/8000", f"a=fmtp:{dtmf} 0-15"]
        lines += ["a=ptime:20", f"a={answered}"]
    if choice is None:
        return None
    return ("\r\n".join(lines) + "\r\n").encode(), choice


def _choose_formats(stream: _Media) -> tuple[str, int, int | None] | None:
    """(codec, its payload type, telephone-event payload type) from one offered audio stream."""
    encodings = {"0": "PCMU/8000", "8": "PCMA/8000"}  # static payload types need no rtpmap
    for line in stream.lines:
        if line.startswith("a=rtpmap:"):
            number, _, encoding = line[len("a=rtpmap:"):].partition(" ")
            encodings[number] = encoding.strip().upper()
    names = {fmt: "/".join(encodings.get(fmt, "").split("/")[:2]) for fmt in stream.formats if fmt.isdigit()}
    codec = next((fmt for fmt, name in names.items() if name in ("PCMU/8000", "PCMA/8000")), None)
    dtmf = next((int(fmt) for fmt, name in names.items() if name == "TELEPHONE-EVENT/8000"), None)
    return None if codec is None else (names[codec].split("/")[0], int(codec), dtmf)


class SipCall:
    """One answered call, as the application sees it: inbound frames, outbound frames, DTMF, hang-up."""

    sample_rate: int = SAMPLE_RATE

    def __init__(self, call_id: str, caller: str, codec: str, stream: RtpStream,
                 hangup: Callable[[SipCall], Awaitable[None]], max_buffered_frames: int = 1500,
                 trusted: bool = False, source: tuple[str, int] = ("", 0)) -> None:
        self.call_id, self.caller, self.codec = call_id, caller, codec
        self.trusted = trusted  # the caller ID comes from a peer the operator listed as trusted
        self.source = source  # where the INVITE came from
        self.end_reason: str | None = None  # what ended the call, when the far end or the network did
        self.dtmf: asyncio.Queue[str] = asyncio.Queue()
        self.ended = asyncio.Event()
        self._stream = stream
        self._hangup = hangup
        self._inbound: asyncio.Queue[bytes | None] = asyncio.Queue(max_buffered_frames)

    async def frames(self) -> AsyncIterator[bytes]:
        """Inbound PCM16 LE mono 8 kHz, one item per RTP packet; ends when the call ends."""
        while True:
            frame = await self._inbound.get()
            if frame is None:
                return
            yield frame

    async def send(self, pcm16: bytes) -> None:
        """Send one frame (320 bytes = 20 ms) with the negotiated codec; the caller paces frames."""
        if not self.ended.is_set():
            self._stream.send(pcm16)

    async def hangup(self) -> None:
        if not self.ended.is_set():
            await self._hangup(self)

    def _receive(self, item: bytes | None) -> None:
        if self._inbound.full():  # a stalled consumer loses the oldest audio, not the newest
            self._inbound.get_nowait()
        self._inbound.put_nowait(item)

    def _end(self) -> None:
        if not self.ended.is_set():
            self.ended.set()
            self._stream.close()
            self._receive(None)


@dataclass
class _Dialog:
    """The signalling state of one call (RFC 3261 section 12) kept by the server."""

    call: SipCall
    local_tag: str
    remote_tag: str | None
    local_uri: str  # the To of the INVITE (our identity)
    remote_uri: str  # the From of the INVITE
    remote_target: str  # the caller's Contact URI
    route_set: list[str]
    source: tuple[str, int]
    answer: bytes
    invite_cseq: int = 0
    confirmed: bool = False  # ACK or media came: the call is real and has been handed to the application
    local_cseq: int = field(default_factory=lambda: secrets.randbelow(2**16) + 1)


class _SipProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: SipServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server._datagram_received(data, addr)

    def error_received(self, exc: Exception) -> None:  # e.g. ICMP port unreachable from a vanished peer
        log.info("SIP socket error: %s", exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.server._transport is not None:  # not our own stop(): say so, /ready shows it
            log.error("SIP socket closed: %r; no more SIP calls until restart", exc)
            self.server._transport = None


Admit = Callable[[str], Awaitable[tuple[int, str] | None]]


async def _admit_all(call_id: str) -> tuple[int, str] | None:
    return None


@dataclass
class SipSettings:
    """The SIP listener's settings section (VOICEDESK_SIP__*)."""

    port: int = 0  # 0: off; SIP over UDP on this port
    # requests only from these addresses/CIDRs (others get 403); a call's From is the caller's identity only
    # from the trusted ones (a trunk or PBX that vouches for caller ID); "" trusts none
    allowed_peers: str = "127.0.0.0/8"
    trusted_peers: str = ""
    digest_user: str = ""  # with a password: INVITEs must answer a digest challenge (RFC 3261 22)
    digest_password: str = ""
    rtp_ports: str = "40000-40998"  # each call's RTP port is drawn at random from this range
    public_host: str = ""  # the address peers reach us on (Contact, SDP) when behind NAT; "": found per peer

    def rtp_range(self) -> tuple[int, int]:
        low, _, high = self.rtp_ports.partition("-")
        return int(low), int(high or low)

    def digest_credentials(self) -> tuple[str, str] | None:
        return (self.digest_user, self.digest_password) if self.digest_password else None


class SipServer:
    """A SIP user-agent server on one UDP port that answers acceptable INVITEs from the peers it is told to take.

    `admit(call_id)` is asked before an INVITE is answered: None takes the call, `(status, reason)` refuses
    it (486 when every line is busy, 503 when not ready...). Calls count for the application only once
    confirmed: `on_call` gets them at the ACK (or the first RTP packet)."""

    rtp_timeout_s = 30.0  # no RTP for this long and the caller is taken to be gone: we send BYE
    ack_timeout_s = 4.0  # an answered INVITE with neither ACK nor media by then is hung up
    max_pending = 8  # answered INVITEs awaiting their ACK at once; more get 503

    def __init__(self, on_call: Callable[[SipCall], Awaitable[None]], host: str = "127.0.0.1", port: int = 5060,
                 rtp_ports: tuple[int, int] = (40000, 40998), public_host: str | None = None, *,
                 allowed_peers: str | Sequence[str] = "127.0.0.0/8", trusted_peers: str | Sequence[str] = (),
                 digest: tuple[str, str] | None = None, realm: str = "voicedesk", admit: Admit = _admit_all) -> None:
        self.on_call, self.host, self.port = on_call, host, port
        self.rtp_ports, self.public_host = rtp_ports, public_host
        self.allowed_peers, self.trusted_peers = parse_networks(allowed_peers), parse_networks(trusted_peers)
        self.digest, self.realm, self.admit = digest, realm, admit  # digest: (username, password) or None
        self._nonce_key = secrets.token_bytes(16)
        self._transport: asyncio.DatagramTransport | None = None
        self._dialogs: dict[str, _Dialog] = {}  # by Call-ID
        self._responses: OrderedDict[tuple[str, ...], tuple[float, bytes, tuple[str, int]]] = OrderedDict()
        self._invites: dict[tuple[str, ...], bool] = {}  # INVITEs being answered -> cancelled meanwhile
        self._requests: dict[str, asyncio.Future[int]] = {}  # our BYEs, by branch
        self._acked: set[tuple[str, int]] = set()  # (Call-ID, CSeq) of INVITEs whose ACK came
        self._tasks: set[asyncio.Task] = set()

    @property
    def listening(self) -> bool:
        """The socket is open and taking datagrams (for /ready)."""
        return self._transport is not None and not self._transport.is_closing()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _SipProtocol(self), local_addr=(self.host, self.port))
        self.port = self._transport.get_extra_info("sockname")[1]
        log.info("SIP listening on %s:%d/udp", self.host, self.port)

    async def stop(self) -> None:
        """Hang up every live call (BYE, waiting up to 2 s for the answers), then close the socket."""
        await asyncio.gather(*(d.call.hangup() for d in list(self._dialogs.values())))
        if self._requests:
            await asyncio.wait(list(self._requests.values()), timeout=2.0)
        for task in list(self._tasks):
            task.cancel()
        if self._transport is not None:
            transport, self._transport = self._transport, None
            transport.close()

    def _spawn(self, coroutine: Awaitable) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("SIP task failed: %r", task.exception())

    def _send(self, message: SipMessage, addr: tuple[str, int]) -> bytes:
        data = message.serialise()
        self._sendto(data, addr)
        return data

    def _sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        """Every datagram we send goes through here: a destination no packet can go to is logged and
        skipped, so that no address a peer wrote can close the socket (see `udp_destination`)."""
        destination = udp_destination(*addr)
        if destination is None:
            log.warning("SIP message to %r:%r not sent: not an IPv4 address and port", *addr)
            return
        if self._transport is not None:
            try:
                self._transport.sendto(data, destination)
            except (OSError, ValueError, OverflowError, TypeError) as error:
                log.warning("SIP message to %s:%d not sent: %r", *destination, error)

    def _local_host(self, peer: tuple[str, int]) -> str:
        """The address peers should send to: public_host, the bound host, or the interface that routes to `peer`."""
        if self.public_host:
            return self.public_host
        if self.host not in ("0.0.0.0", ""):
            return self.host
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(peer)  # no packet is sent: this only picks the outgoing interface
                return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"

    # Receiving

    def _datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not data.strip(b"\r\n\0 "):  # RFC 5626 keep-alive
            return
        try:
            message = SipMessage.parse(data)
            if message.method:
                self._request_received(message, addr)
            else:
                self._response_received(message)
        except SipError as error:
            log.warning("SIP datagram from %s:%d dropped (%d bytes): %s", addr[0], addr[1], len(data), error)
        except Exception as error:  # never let one datagram take the server down
            log.error("SIP datagram from %s:%d dropped (%d bytes): %r", addr[0], addr[1], len(data), error)

    def _request_received(self, request: SipMessage, addr: tuple[str, int]) -> None:
        for name in ("Via", "From", "To", "Call-ID", "CSeq"):
            if request.get(name) is None:
                raise SipError(f"{request.method} without {name}")
        NameAddr.parse(request.get("From") or "")
        NameAddr.parse(request.get("To") or "")
        number, cseq_method = request.cseq()
        self._expire_responses()
        key = request.transaction_key()
        if request.method != "ACK" and key in self._responses:  # a retransmission: repeat our answer
            _, data, destination = self._responses[key]
            self._sendto(data, destination)
            return
        if not in_networks(addr[0], self.allowed_peers):
            log.warning("SIP %s from %s:%d refused: not an allowed peer (VOICEDESK_SIP_ALLOWED_PEERS)",
                        request.method, addr[0], addr[1])
            if request.method != "ACK":
                self._respond(request, addr, 403, to_tag=secrets.token_hex(4))
            return
        if cseq_method != request.method:
            self._respond(request, addr, 400, reason="CSeq Method Does Not Match")
        elif request.method == "INVITE":
            if key not in self._invites:
                self._invites[key] = False
                self._spawn(self._invite(request, addr, key))
        elif request.method == "ACK":
            self._ack(request, number)
        elif request.method == "BYE":
            self._bye(request, addr)
        elif request.method == "CANCEL":
            self._cancel(request, addr)
        elif request.method == "OPTIONS":
            self._respond(request, addr, 200, to_tag=secrets.token_hex(4), headers=[
                ("Allow", ALLOW), ("Accept", "application/sdp")])
        else:
            self._respond(request, addr, 405, to_tag=secrets.token_hex(4), headers=[("Allow", ALLOW)])

    def _respond(self, request: SipMessage, addr: tuple[str, int], status: int, **kwargs) -> bytes:
        response = build_response(request, status, **kwargs)
        via, destination = response_destination(response.get("Via") or "", addr)
        if udp_destination(*destination) is None:  # a Via naming a host or port we cannot send to: the source
            destination = addr
        first_via = next(i for i, (name, _) in enumerate(response.headers) if name == "Via")
        response.headers[first_via] = ("Via", via)
        data = self._send(response, destination)
        self._responses[request.transaction_key()] = (time.monotonic(), data, destination)
        if request.method == "INVITE" and status >= 200:
            number = request.cseq()[0]
            self._spawn(self._retransmit_until_ack(request.get("Call-ID") or "", number, data, destination))
        return data

    def _expire_responses(self) -> None:
        now = time.monotonic()
        while self._responses and next(iter(self._responses.values()))[0] < now - TRANSACTION_S:
            self._responses.popitem(last=False)

    def _nonce(self, issued: int | None = None) -> str:
        issued = int(time.time()) if issued is None else issued
        mac = hmac.new(self._nonce_key, str(issued).encode(), hashlib.sha256).hexdigest()[:24]
        return f"{issued:x}.{mac}"

    def _authorized(self, request: SipMessage) -> bool:
        """Digest authentication of an INVITE (always true when none is configured); a stateless nonce
        (issue time + HMAC) that expires after NONCE_S."""
        if self.digest is None:
            return True
        username, password = self.digest
        params = parse_digest(request.get("Authorization") or "")
        issued, _, _ = params.get("nonce", "").partition(".")
        try:
            fresh = time.time() - int(issued, 16) < NONCE_S and hmac.compare_digest(
                params["nonce"], self._nonce(int(issued, 16)))
        except (KeyError, ValueError):
            return False
        if not fresh or params.get("username") != username or params.get("realm") != self.realm:
            return False
        expected = digest_response(username, self.realm, password, request.method, params.get("uri", ""),
                                   params["nonce"], params.get("qop", ""), params.get("nc", ""),
                                   params.get("cnonce", ""))
        return hmac.compare_digest(expected, params.get("response", ""))

    def _in_dialog(self, request: SipMessage) -> _Dialog | None:
        dialog = self._dialogs.get(request.get("Call-ID") or "")
        to_tag = NameAddr.parse(request.get("To") or "").tag
        from_tag = NameAddr.parse(request.get("From") or "").tag
        if dialog is None or to_tag != dialog.local_tag or from_tag != dialog.remote_tag:
            return None
        return dialog

    async def _invite(self, request: SipMessage, addr: tuple[str, int], key: tuple[str, ...]) -> None:
        try:
            await self._answer_invite(request, addr, key)
        finally:
            self._invites.pop(key, None)

    async def _answer_invite(self, request: SipMessage, addr: tuple[str, int], key: tuple[str, ...]) -> None:
        to = NameAddr.parse(request.get("To") or "")
        if to.tag is not None:  # a re-INVITE: same media, so the same answer (a refresh or hold changes nothing here)
            dialog = self._in_dialog(request)
            if dialog is None:
                self._respond(request, addr, 481)
                return
            self._respond(request, addr, 200, headers=self._answer_headers(addr), body=dialog.answer)
            return
        if request.get("Call-ID") in self._dialogs:  # the same call reached us twice (forked or looped)
            self._respond(request, addr, 482, to_tag=secrets.token_hex(4))
            return
        max_forwards = request.get("Max-Forwards")
        if max_forwards is not None and max_forwards.strip() == "0":
            self._respond(request, addr, 483, to_tag=secrets.token_hex(4))
            return
        if request.get("Require"):
            self._respond(request, addr, 420, to_tag=secrets.token_hex(4), headers=[
                ("Unsupported", request.get("Require") or "")])
            return
        if not self._authorized(request):
            if request.get("Authorization"):
                log.warning("SIP INVITE %s from %s:%d: wrong digest credentials", redact(request.get("Call-ID") or ""),
                            *addr)
            challenge = f'Digest realm="{self.realm}", nonce="{self._nonce()}", algorithm=MD5, qop="auth"'
            self._respond(request, addr, 401, to_tag=secrets.token_hex(4), headers=[("WWW-Authenticate", challenge)])
            return
        pending = sum(not d.confirmed for d in self._dialogs.values())
        try:
            refusal = (503, "Too Many Unconfirmed Calls") if pending >= self.max_pending else \
                await self.admit((request.get("Call-ID") or "")[:64])
        except Exception as error:  # noqa: BLE001 - the application could not say (its database?): refuse
            log.error("SIP call %s: admission failed: %r", request.get("Call-ID"), error)
            refusal = (500, "Server Internal Error")
        if refusal is not None:
            status, reason = refusal
            log.warning("SIP call %s from %s:%d refused: %d %s", request.get("Call-ID"), *addr, status, reason)
            self._respond(request, addr, status, to_tag=secrets.token_hex(4), reason=reason,
                          headers=[("Retry-After", "10")] if status in (486, 503) else [])
            return
        self._respond(request, addr, 100)
        content_type = (request.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/sdp":
            status = 488 if not request.body else 415  # no offer: we do not make offers in 200 OK
            self._respond(request, addr, status, to_tag=secrets.token_hex(4), headers=[("Accept", "application/sdp")])
            return
        host = self._local_host(addr)
        try:
            stream = await RtpStream.open(self.host or "0.0.0.0", self.rtp_ports)
        except OSError as error:
            log.error("call %s refused: %s", request.get("Call-ID"), error)
            self._respond(request, addr, 503, to_tag=secrets.token_hex(4), headers=[("Retry-After", "5")])
            return
        try:
            result = answer_sdp(request.body, host, stream.port, secrets.randbelow(2**31))
        except SipError as error:
            stream.close()
            self._respond(request, addr, 400, to_tag=secrets.token_hex(4), reason=f"Bad SDP ({error})")
            return
        if result is None or self._invites[key]:  # no acceptable media, or CANCEL came meanwhile
            stream.close()
            if result is None:
                self._respond(request, addr, 488, to_tag=secrets.token_hex(4),
                              headers=[("Warning", f'305 {host} "Incompatible media format"')])
            return
        answer, choice = result
        stream.codec, stream.payload_type = choice.codec, choice.payload_type
        stream.dtmf_payload_type, stream.remote = choice.dtmf_payload_type, choice.remote
        stream.peer_host = choice.host
        sender = NameAddr.parse(request.get("From") or "")
        contacts = request.get_all("Contact")
        call = SipCall(request.get("Call-ID") or "", sender.user, choice.codec, stream, self._hang_up,
                       trusted=in_networks(addr[0], self.trusted_peers), source=addr)
        stream.on_frame, stream.on_digit = call._receive, call.dtmf.put_nowait
        dialog = _Dialog(call, secrets.token_hex(6), sender.tag, request.get("To") or "", request.get("From") or "",
                         NameAddr.parse(contacts[0]).uri if contacts else sender.uri,
                         request.get_all("Record-Route"), addr, answer, invite_cseq=request.cseq()[0])
        stream.on_latched = lambda: self._confirm(dialog, "media")
        self._dialogs[call.call_id] = dialog
        self._respond(request, addr, 200, to_tag=dialog.local_tag, headers=self._answer_headers(addr), body=answer)
        log.info("call %s from %s answered with %s (%s line)", call.call_id, redact(repr(call.caller)), call.codec,
                 "trusted" if call.trusted else "untrusted")

    def _confirm(self, dialog: _Dialog, how: str) -> None:
        """The caller's ACK (or media) came: the call is real, and now the application takes it."""
        if dialog.confirmed or dialog.call.ended.is_set() or self._dialogs.get(dialog.call.call_id) is not dialog:
            return
        dialog.confirmed = True
        log.debug("call %s confirmed by %s", dialog.call.call_id, how)
        self._spawn(self._watch_media(dialog))
        self._spawn(self._run_call(dialog.call))

    async def _run_call(self, call: SipCall) -> None:
        """The application's handler owns the call; when it returns (or fails) the call is over."""
        try:
            await self.on_call(call)
        finally:
            await call.hangup()

    def _answer_headers(self, addr: tuple[str, int]) -> list[tuple[str, str]]:
        return [("Contact", f"<sip:{USER_AGENT.lower()}@{self._local_host(addr)}:{self.port}>"), ("Allow", ALLOW),
                ("Content-Type", "application/sdp")]

    async def _retransmit_until_ack(self, call_id: str, cseq: int, data: bytes, destination: tuple[str, int]) -> None:
        """RFC 3261 13.3.1.4 / 17.2.1: resend a final response to INVITE until its ACK. A 200 OK neither
        ACKed nor followed by media within `ack_timeout_s` ends the call (BYE): a line is not held for 32 s
        by a caller who never confirms."""
        interval, started = T1, time.monotonic()
        answered = data.startswith(b"SIP/2.0 2")
        limit = self.ack_timeout_s if answered else TRANSACTION_S
        while time.monotonic() - started < limit:
            await asyncio.sleep(min(interval, max(0.0, started + limit - time.monotonic())))
            if (call_id, cseq) in self._acked or self._transport is None:
                return
            dialog = self._dialogs.get(call_id)
            if answered and dialog is not None and dialog.confirmed:
                limit = TRANSACTION_S  # media flows, the ACK was lost: keep resending as the RFC says
            self._sendto(data, destination)
            interval = min(2 * interval, T2)
        dialog = self._dialogs.get(call_id)
        if dialog is not None and answered and not dialog.confirmed:
            log.warning("call %s: no ACK or media %g s after our 200 OK, hanging up", call_id, limit)
            dialog.call.end_reason = "no ACK from the caller"
            await self._hang_up(dialog.call)

    def _ack(self, request: SipMessage, cseq: int) -> None:
        self._acked.add((request.get("Call-ID") or "", cseq))
        if len(self._acked) > 10000:
            self._acked.clear()
        dialog = self._in_dialog(request)
        if dialog is not None and cseq == dialog.invite_cseq:
            self._confirm(dialog, "ACK")

    def _bye(self, request: SipMessage, addr: tuple[str, int]) -> None:
        dialog = self._in_dialog(request)
        if dialog is None:
            self._respond(request, addr, 481)
            return
        self._respond(request, addr, 200)
        log.info("call %s: caller hung up", dialog.call.call_id)
        dialog.call.end_reason = dialog.call.end_reason or "caller hung up"
        self._end(dialog)

    def _cancel(self, request: SipMessage, addr: tuple[str, int]) -> None:
        number, _ = request.cseq()
        invite_key = (request.branch, request.get("Call-ID") or "", str(number), "INVITE")
        if invite_key not in self._invites and invite_key not in self._responses:
            self._respond(request, addr, 481)
            return
        self._respond(request, addr, 200)
        if self._invites.get(invite_key) is False:  # not answered yet: it never will be
            self._invites[invite_key] = True
            invite = SipMessage(method="INVITE", uri=request.uri, headers=[
                (n, v.replace(" CANCEL", " INVITE") if n == "CSeq" else v) for n, v in request.headers])
            self._respond(invite, addr, 487, to_tag=secrets.token_hex(4))

    def _response_received(self, response: SipMessage) -> None:
        future = self._requests.get(response.branch)
        if future is not None and response.status >= 200 and not future.done():
            future.set_result(response.status)

    # Ending calls

    def _end(self, dialog: _Dialog) -> None:
        if self._dialogs.get(dialog.call.call_id) is dialog:
            del self._dialogs[dialog.call.call_id]
        dialog.call._end()

    async def _hang_up(self, call: SipCall) -> None:
        dialog = self._dialogs.get(call.call_id)
        if dialog is None:
            call._end()
            return
        self._end(dialog)
        bye = self._bye_request(dialog)
        try:  # RFC 3261 12.2.1.1: to the first route (loose routing), else to the caller's Contact
            host, port = uri_address(NameAddr.parse(dialog.route_set[0]).uri if dialog.route_set
                                     else dialog.remote_target)
            found = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
                host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM), 2.0)
            destination = found[0][4][:2]
        except (TimeoutError, SipError, OSError, OverflowError, UnicodeError):
            destination = dialog.source
        future = asyncio.get_running_loop().create_future()
        self._requests[bye.branch] = future
        self._spawn(self._send_until_answered(bye, destination, future))
        log.info("call %s: we hung up", call.call_id)

    def _bye_request(self, dialog: _Dialog) -> SipMessage:
        dialog.local_cseq += 1
        host = self._local_host(dialog.source)
        bye = SipMessage(method="BYE", uri=dialog.remote_target, headers=[
            ("Via", f"SIP/2.0/UDP {host}:{self.port};branch={MAGIC_COOKIE}{secrets.token_hex(8)};rport"),
            ("Max-Forwards", "70"),
            ("From", f"{dialog.local_uri};tag={dialog.local_tag}" if NameAddr.parse(dialog.local_uri).tag is None
             else dialog.local_uri),
            ("To", dialog.remote_uri), ("Call-ID", dialog.call.call_id), ("CSeq", f"{dialog.local_cseq} BYE")])
        bye.headers.extend(("Route", route) for route in dialog.route_set)  # a UAS keeps Record-Route's order
        bye.headers.append(("User-Agent", USER_AGENT))
        return bye

    async def _send_until_answered(self, request: SipMessage, destination: tuple[str, int],
                                   answered: asyncio.Future[int]) -> None:
        """RFC 3261 17.1.2: a non-INVITE request over UDP is resent (timer E) until a final answer or timeout."""
        data, interval = request.serialise(), T1
        try:
            for _ in range(11):  # 0.5 + 1 + 2 + 4 * 8 = 35.5 s > 64 * T1
                if self._transport is None:
                    return
                self._sendto(data, destination)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(answered), interval)
                    return
                interval = min(2 * interval, T2)
            log.warning("%s to %s:%d was never answered", request.method, *destination)
        finally:
            self._requests.pop(request.branch, None)
            if not answered.done():
                answered.set_result(408)

    async def _watch_media(self, dialog: _Dialog) -> None:
        """Hang up a call whose RTP has stopped: the caller's phone died or the network went away."""
        stream, loop = dialog.call._stream, asyncio.get_running_loop()
        while not dialog.call.ended.is_set():
            await asyncio.sleep(min(1.0, self.rtp_timeout_s / 4))
            if loop.time() - stream.last_received > self.rtp_timeout_s:
                log.warning("call %s: no RTP for %g s, hanging up", dialog.call.call_id, self.rtp_timeout_s)
                dialog.call.end_reason = f"no RTP for {self.rtp_timeout_s:g} s"
                await self._hang_up(dialog.call)
