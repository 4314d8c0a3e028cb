"""The server (`voicedesk serve`): every wire callers use, one call session type behind them all.

Routes: /health, /ready, /metrics; Twilio's voice webhook (/twilio/voice) and Media Streams socket
(/twilio/media); the browser page (/), its per-call tokens (POST /api/call-tokens) and its socket
(/ws/browser); call records (/api/calls, /calls). AudioSocket (TCP) and SIP (UDP) listeners start with
the app when their ports are set.

Credentials (docs/calls.md, "Security"): the talk token (`api_token`) opens the page and buys per-call tokens;
a per-call token (single use, `call_token_ttl_s`) opens one browser call, sent as a WebSocket subprotocol
so that it is in no URL; the operator token reads records, metrics and readiness; Twilio's routes need a
valid X-Twilio-Signature instead. Tokens go in `Authorization: Bearer ...` (or `?token=` for the two
pages a person opens), and the access log never writes a query string.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dialog.security import install_log_redaction
from telephony import audiosocket, twilio
from telephony.calls import CallRefused, CallRegistry, CallTokens, DuplicateCall, RateLimiter
from telephony.sip import SipServer, SipSettings, in_networks, parse_networks
from voice import metrics
from voice.services import ServiceError, Services
from voice.session import CallSession, SessionOptions

log = logging.getLogger("voicedesk.server")
STATIC = Path(__file__).parent / "static"
MAX_BROWSER_AUDIO = 64 * 1024  # bytes in one message (2 s of 16 kHz PCM16)
MAX_TEXT = 4096
FRAMES_PER_SECOND = 200  # media messages; Twilio sends 50
STATIC_FILES = frozenset(p.name for p in STATIC.iterdir() if p.is_file())  # all /static serves, by exact name
SUBPROTOCOL = "voicedesk"  # the page offers ["voicedesk", "voicedesk.token.<per-call token>"]
TOKEN_PROTOCOL = "voicedesk.token."
DOCS = ("/docs", "/redoc", "/openapi.json")


class AccessLogWithoutQuery(logging.Filter):
    """uvicorn's access log line, with the path's query string dropped: tokens and callers' input never
    reach a log file through a URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], record.args[2].split("?", 1)[0], *record.args[3:])
        return True


@dataclass
class ServerSettings:
    """The server's settings section (VOICEDESK_SERVER__*): where it listens, its credentials, its wires.

    Talking and reading records are separate (docs/calls.md, "Security"): the talk token opens the browser page,
    which trades it for a short-lived per-call token to open its call; the operator token reads call
    records, metrics and readiness. Set your own of both in production."""

    host: str = "127.0.0.1"
    port: int = 8080
    api_token: str = "dev-token"  # the talk token: the page (/?token=) and POST /api/call-tokens
    operator_token: str = "dev-operator-token"  # /api/calls, /calls, /ready, /metrics
    call_token_ttl_s: float = 60.0  # a per-call token must open its call this soon, and opens one call only
    api_docs: bool = False  # /docs, /redoc, /openapi.json: off, since they map every route for anyone who asks
    twilio_auth_token: str = ""  # validates X-Twilio-Signature; "" rejects all Twilio traffic
    twilio_caller_id_trusted: bool = True  # From on Twilio's signed webhook identifies the caller (carrier-given)
    public_url: str = ""  # the URL Twilio calls us on (for signatures and the stream URL); "" = from the request
    allowed_origins: str = ""  # extra browser origins, comma-separated; the server's own origin is always allowed
    audiosocket_port: int = 0  # 0: off; Asterisk's AudioSocket() dials host:port
    audiosocket_allowed_peers: str = "127.0.0.0/8"  # addresses/CIDRs (comma-separated) that may connect


def create_app(server: ServerSettings | None = None, sip_settings: SipSettings | None = None, *,
               services: Services | None = None, load: Callable[[], Services] | None = None, max_calls: int = 3,
               session: SessionOptions | None = None) -> FastAPI:
    """The app, given its settings; `services` when already loaded, else `load` builds them at start-up (the
    composition root, voicedesk/build.py, passes both)."""
    settings = server or ServerSettings()
    sip_settings = sip_settings or SipSettings()
    install_log_redaction()
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogWithoutQuery) for f in access.filters):
        access.addFilter(AccessLogWithoutQuery())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry: CallRegistry = app.state.calls
        if registry.services is None and load is not None:
            try:
                registry.services = await asyncio.to_thread(load)
            except ServiceError as e:
                log.error("%s; calls are turned away until it is fixed", e)
        listeners: dict[str, Any] = {}
        if settings.audiosocket_port and registry.ready:
            asterisks = parse_networks(settings.audiosocket_allowed_peers)
            listeners["audiosocket"] = await audiosocket.serve(
                lambda u, r, w: audiosocket_call(registry, u, r, w), settings.host, settings.audiosocket_port,
                allowed=lambda host: in_networks(host, asterisks))
            log.info("AudioSocket listening on %s:%d", settings.host, settings.audiosocket_port)
        if sip_settings.port and registry.ready:
            listeners["sip"] = sip = SipServer(
                lambda call: sip_call(registry, call), host=settings.host, port=sip_settings.port,
                rtp_ports=sip_settings.rtp_range(), public_host=sip_settings.public_host or None,
                allowed_peers=sip_settings.allowed_peers, trusted_peers=sip_settings.trusted_peers,
                digest=sip_settings.digest_credentials(), admit=lambda call_id: sip_admit(registry, call_id))
            await sip.start()
            log.info("SIP listening on %s:%d/udp (peers %s; caller ID trusted from %s)", settings.host, sip.port,
                     sip_settings.allowed_peers or "none", sip_settings.trusted_peers or "none")
        app.state.listeners = listeners
        app.state.sip = listeners.get("sip")
        yield
        await registry.end_all("server shutting down")
        for name, listener in listeners.items():
            if name == "sip":
                await listener.stop()
            else:
                listener.close()

    docs = settings.api_docs  # off by default: the schema maps every route for whoever asks
    app = FastAPI(title="VoiceDesk", lifespan=lifespan, docs_url=DOCS[0] if docs else None,
                  redoc_url=DOCS[1] if docs else None, openapi_url=DOCS[2] if docs else None)
    app.state.settings, app.state.sip_settings = settings, sip_settings
    app.state.calls = CallRegistry(services, max_calls, session)
    app.state.call_tokens = CallTokens(settings.call_token_ttl_s)
    app.state.listeners = {}

    def require(token: str, what: str) -> Any:
        def check(request: Request) -> None:
            if not _token_ok(token, request.headers.get("authorization"), request.query_params.get("token")):
                raise HTTPException(401, f"missing or wrong {what} (Authorization: Bearer <token>)")
        return [Depends(check)]

    talk = require(settings.api_token, "API token")
    operator = require(settings.operator_token, "operator token")

    @app.get("/health")
    async def health() -> dict[str, str]:
        """Liveness, for probes: says nothing but that the process answers."""
        return {"status": "ok"}

    @app.get("/ready", dependencies=operator)
    async def ready(request: Request) -> JSONResponse:
        """Whether calls can be taken: the models, and each listener's real state (a dead one shows)."""
        registry: CallRegistry = request.app.state.calls
        listeners = {name: "listening" if (listener.listening if name == "sip" else listener.is_serving())
                     else "down" for name, listener in request.app.state.listeners.items()}
        ok = registry.ready and all(state == "listening" for state in listeners.values())
        body = {"ready": ok, "models": registry.ready, "listeners": listeners, "calls": len(registry.active),
                "max_calls": registry.max_calls}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", dependencies=operator)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # --- Twilio ---------------------------------------------------------------------------------
    @app.post("/twilio/voice")
    async def twilio_voice(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_TEXT * 4:
            return PlainTextResponse("request body too large", status_code=413)
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))  # Twilio posts a form
        url = _public_url(settings, request)
        if not twilio.valid_signature(url, form, settings.twilio_auth_token,
                                      request.headers.get("x-twilio-signature")):
            metrics.REJECTED.labels("twilio", "bad signature").inc()
            log.warning("twilio webhook: bad or missing X-Twilio-Signature for %s", url)
            return PlainTextResponse("invalid Twilio signature", status_code=403)
        registry: CallRegistry = request.app.state.calls
        language = request.query_params.get("language", "")
        if not registry.has_room():
            metrics.REJECTED.labels("twilio", "too many calls").inc()
            sorry = ("All our lines are busy. Please call again in a few minutes." if language != "zh"
                     else "线路繁忙，请稍后再拨。")
            return Response(twilio.say_and_hang_up_twiml(sorry, "zh-CN" if language == "zh" else "en-US"),
                            media_type="application/xml")
        stream = urlsplit(url)._replace(scheme="wss" if url.startswith("https") else "ws", path="/twilio/media",
                                        query="").geturl()
        params = {"caller": form.get("From", ""), "language": language}  # Twilio signed this From
        return Response(twilio.connect_stream_twiml(stream, params), media_type="application/xml")

    @app.websocket("/twilio/media")
    async def twilio_media(ws: WebSocket) -> None:
        url = _public_url(settings, ws, scheme="wss" if settings.public_url.startswith("https") else "ws")
        if not twilio.valid_signature(url, {}, settings.twilio_auth_token, ws.headers.get("x-twilio-signature")):
            metrics.REJECTED.labels("twilio", "bad signature").inc()
            log.warning("twilio media: bad or missing X-Twilio-Signature for %s", url)
            await ws.close(code=1008, reason="invalid Twilio signature")
            return
        await ws.accept()
        await twilio_stream(ws.app.state.calls, ws, caller_id_trusted=settings.twilio_caller_id_trusted)

    # --- the browser ----------------------------------------------------------------------------
    @app.get("/", dependencies=talk)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "call.html")

    @app.post("/api/call-tokens", dependencies=talk)
    async def call_token(request: Request) -> dict[str, Any]:
        """A single-use token for one browser call: what the page opens its socket with."""
        return {"token": request.app.state.call_tokens.issue(), "expires_in_s": settings.call_token_ttl_s}

    @app.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        if name not in STATIC_FILES:  # exact names only: no traversal, no NUL bytes, no odd encodings
            raise HTTPException(404, "no such file")
        return FileResponse(STATIC / name)

    @app.websocket("/ws/browser")
    async def browser(ws: WebSocket) -> None:
        offered = [p.strip() for p in ws.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
        given = next((p[len(TOKEN_PROTOCOL):] for p in offered if p.startswith(TOKEN_PROTOCOL)), None)
        header = ws.headers.get("authorization") or ""
        given = given or (header[7:] if header.lower().startswith("bearer ") else None)
        if not _origin_ok(settings, ws):
            metrics.REJECTED.labels("browser", "origin").inc()
            log.warning("browser socket from origin %s refused", ws.headers.get("origin"))
            await ws.close(code=1008, reason="origin not allowed")
            return
        if not ws.app.state.call_tokens.redeem(given):
            metrics.REJECTED.labels("browser", "token").inc()
            log.warning("browser socket refused: no valid per-call token (POST /api/call-tokens first)")
            await ws.close(code=1008, reason="missing, used or expired call token")
            return
        await ws.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        await browser_call(ws.app.state.calls, ws)

    # --- call records ---------------------------------------------------------------------------
    @app.get("/api/calls", dependencies=operator)
    async def list_calls(request: Request, limit: int = Query(50, ge=1, le=500),
                         offset: int = Query(0, ge=0)) -> list[dict[str, Any]]:
        registry: CallRegistry = request.app.state.calls
        if registry.services is None:
            raise HTTPException(503, "not ready")
        return await asyncio.to_thread(registry.services.records.list_calls, limit, offset)

    @app.get("/api/calls/{call_id}", dependencies=operator)
    async def get_call(request: Request, call_id: str) -> dict[str, Any]:
        registry: CallRegistry = request.app.state.calls
        if registry.services is None:
            raise HTTPException(503, "not ready")
        call = await asyncio.to_thread(registry.services.records.get_call, call_id)
        if call is None:
            raise HTTPException(404, f"no call {call_id}")
        return call

    @app.get("/calls", dependencies=operator)
    async def calls_page() -> FileResponse:
        return FileResponse(STATIC / "calls.html")

    return app


def _token_ok(expected: str, header: str | None, query: str | None) -> bool:
    given = (header[7:] if header and header.lower().startswith("bearer ") else None) or query
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _origin_ok(settings: ServerSettings, ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser (a test client, a server-side integration); the token still applies
    allowed = {o.strip() for o in settings.allowed_origins.split(",") if o.strip()}
    host = ws.headers.get("host", "")
    return origin in allowed or urlsplit(origin).netloc == host


def _public_url(settings: ServerSettings, request: Request | WebSocket, scheme: str | None = None) -> str:
    """The URL Twilio signed: the configured public URL (behind a proxy) or the one we were called on."""
    url = request.url
    if settings.public_url:
        base = urlsplit(settings.public_url)
        url = url.replace(scheme=scheme or base.scheme, netloc=base.netloc)
    return str(url)


# --- one call per wire ------------------------------------------------------------------------
async def twilio_stream(registry: CallRegistry, ws: WebSocket, caller_id_trusted: bool = True) -> None:
    session: CallSession | None = None
    limiter = RateLimiter(FRAMES_PER_SECOND)
    reason = "caller hung up"
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                reason = "disconnected"
                break
            # Twilio sends text only: a binary frame is parsed, and refused, like any other bad message
            text = message["text"] if message.get("text") is not None else message.get("bytes") or b""
            if not limiter.allow():
                metrics.REJECTED.labels("twilio", "flood").inc()
                log.warning("twilio stream %s: over %d messages a second; closing", session and session.call_id,
                            FRAMES_PER_SECOND)
                reason = "flood"
                await ws.close(code=1008, reason="message rate limit")
                break
            try:
                msg = twilio.parse(text)
            except twilio.TwilioProtocolError as e:
                metrics.REJECTED.labels("twilio", "malformed").inc()
                log.warning("twilio stream %s: malformed message ignored: %s", session and session.call_id, e)
                continue
            if msg.event == "start" and session is None and msg.start is not None:
                channel = twilio.TwilioChannel(msg.start.stream_sid, ws.send_text, ws.close)
                try:
                    session = await registry.start(channel, caller_id=msg.start.custom.get("caller") or None,
                                                   caller_id_trusted=caller_id_trusted, call_id=msg.start.call_sid,
                                                   language=msg.start.custom.get("language"))
                except CallRefused as e:
                    log.warning("twilio call %s turned away: %s", msg.start.call_sid, e)
                    reason = "turned away"
                    duplicate = isinstance(e, DuplicateCall)
                    await ws.close(code=1008 if duplicate else 1013,
                                   reason="call id in use" if duplicate else "too many calls")
                    break
            elif session is None:
                continue  # connected, or media before start: nothing to do yet
            elif msg.event == "media" and msg.track in (None, "inbound"):
                await session.feed(msg.audio)
            elif msg.event == "mark" and msg.mark:
                session.mark_played(msg.mark)
            elif msg.event == "dtmf" and msg.digit:
                await session.dtmf(msg.digit)
            elif msg.event == "stop":
                break
            if session.closed.is_set():
                break
    except WebSocketDisconnect:
        reason = "disconnected"
    except RuntimeError as e:  # sending on a socket the peer closed
        reason = f"disconnected ({e})"
    finally:
        if session is not None:
            await registry.end(session, session.end_reason or reason)


class BrowserChannel:
    name = "browser"
    sample_rate = 16000
    playback_lead_s = 0.15
    uses_marks = False
    continuous_media = False

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws

    async def send_audio(self, pcm16: bytes) -> None:
        await self.ws.send_bytes(pcm16)

    async def clear(self) -> None:
        await self.ws.send_text(json.dumps({"type": "clear"}))

    async def mark(self, name: str) -> None:
        pass

    async def send_event(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.ws.send_text(json.dumps(event, ensure_ascii=False, default=str))

    async def hangup(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.ws.close(code=1000, reason="call ended")


async def browser_call(registry: CallRegistry, ws: WebSocket) -> None:
    """Binary messages: PCM16 16 kHz mono from the microphone. Text: {"type": "start"|"text"|"hangup"}."""
    language = ws.query_params.get("language")
    channel = BrowserChannel(ws)
    try:
        session = await registry.start(channel, language=language)
    except CallRefused as e:
        log.warning("browser call turned away: %s", e)
        await ws.send_text(json.dumps({"type": "error", "error": "All lines are busy; please try again shortly."}))
        await ws.close(code=1013, reason="too many calls")
        return
    await channel.send_event({"type": "ready", "call_id": session.call_id})
    limiter = RateLimiter(FRAMES_PER_SECOND)
    reason = "caller hung up"
    try:
        while not session.closed.is_set():
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                reason = "disconnected"
                break
            if not limiter.allow():
                metrics.REJECTED.labels("browser", "flood").inc()
                log.warning("browser call %s: over %d messages a second; closing", session.call_id,
                            FRAMES_PER_SECOND)
                reason = "flood"
                await ws.close(code=1008, reason="message rate limit")
                break
            data, text = message.get("bytes"), message.get("text")
            if data is not None:
                if len(data) > MAX_BROWSER_AUDIO or len(data) % 2:
                    metrics.REJECTED.labels("browser", "bad audio").inc()
                    await channel.send_event({"type": "error", "error": f"audio message of {len(data)} bytes refused "
                                              f"(PCM16, at most {MAX_BROWSER_AUDIO} bytes)"})
                    continue
                await session.feed(np.frombuffer(data, "<i2").astype(np.float32) / 32768.0)
            elif text is not None:
                try:
                    msg = json.loads(text) if len(text) <= MAX_TEXT else None
                    kind = msg.get("type") if isinstance(msg, dict) else None
                except json.JSONDecodeError:
                    kind = None
                if kind == "text":
                    await session.text(str(msg.get("text", ""))[:500])
                elif kind == "hangup":
                    break
                else:
                    metrics.REJECTED.labels("browser", "malformed").inc()
                    await channel.send_event({"type": "error", "error": "unknown message (expected type text or "
                                              "hangup, at most 4096 bytes)"})
    except WebSocketDisconnect:
        reason = "disconnected"
    finally:
        await registry.end(session, session.end_reason or reason)


async def audiosocket_call(registry: CallRegistry, call_uuid: uuid.UUID, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
    channel = audiosocket.AudioSocketChannel(writer)
    try:
        session = await registry.start(channel, call_id=str(call_uuid))  # AudioSocket carries no caller ID
    except CallRefused as e:
        log.warning("audiosocket call %s turned away: %s", call_uuid, e)
        if isinstance(e, DuplicateCall):  # the live call with this UUID is another connection: leave it be
            writer.write(audiosocket.encode(audiosocket.ERROR, b"\x04"))
        await channel.hangup()
        return
    reason = "caller hung up"
    try:
        while not session.closed.is_set():
            packet = await audiosocket.read_packet(reader)
            if packet is None:
                reason = "disconnected (connection closed without a hang-up)"
                break
            if packet.kind == audiosocket.HANGUP:
                break
            if packet.kind == audiosocket.AUDIO:
                if len(packet.payload) % 2:
                    raise audiosocket.AudioSocketError(f"audio packet of odd length {len(packet.payload)}")
                await session.feed(packet.payload)
            elif packet.kind == audiosocket.DTMF and packet.payload:
                await session.dtmf(packet.payload[:1].decode("ascii", "replace"))
            elif packet.kind == audiosocket.ERROR:
                log.warning("audiosocket call %s: Asterisk reports error %s", call_uuid, packet.payload.hex())
                reason = "asterisk error"
                break
    except ConnectionError as e:
        reason = f"disconnected ({type(e).__name__})"
        raise
    except audiosocket.AudioSocketError as e:
        reason = f"wire error: {e}"
        raise
    finally:
        await registry.end(session, session.end_reason or reason)


class SipChannel:
    """A SIP call's media (telephony/sip.py's `SipCall`) as the session's channel."""

    name = "sip"
    sample_rate = 8000
    playback_lead_s = 0.04
    uses_marks = False
    continuous_media = True  # RTP flows all call long: peers and NATs time out a silent stream

    def __init__(self, call: Any) -> None:
        self.call = call

    async def send_audio(self, pcm16: bytes) -> None:
        await self.call.send(pcm16)

    async def clear(self) -> None:
        pass

    async def mark(self, name: str) -> None:
        pass

    async def send_event(self, event: dict[str, Any]) -> None:
        pass

    async def hangup(self) -> None:
        await self.call.hangup()


async def sip_call(registry: CallRegistry, call: Any) -> None:
    """A SIP call (telephony/sip.py) answered with G.711: its frames feed a session like any other wire."""

    try:
        session = await registry.start(SipChannel(call), caller_id=call.caller or None, caller_id_trusted=call.trusted,
                                       call_id=call.call_id[:64])
    except CallRefused as e:  # only when another wire took the last line between our 486 check and the ACK
        log.warning("sip call %s turned away after it was answered: %s", call.call_id, e)
        await call.hangup()
        return

    async def digits() -> None:
        while True:
            await session.dtmf(await call.dtmf.get())

    dtmf_task = asyncio.create_task(digits())
    try:
        async for frame in call.frames():
            await session.feed(frame)
            if session.closed.is_set():
                break
    finally:
        dtmf_task.cancel()
        await registry.end(session, session.end_reason or call.end_reason or "caller hung up")


async def sip_admit(registry: CallRegistry, call_id: str) -> tuple[int, str] | None:
    """What an INVITE is answered before anything else: None (take it), 486 (every line busy), 503 (not
    ready), 400 (a call ID that is live or on the record)."""
    refused = await registry.refusal(call_id)
    if refused is None:
        return None
    if isinstance(refused, DuplicateCall):
        return 400, "Call-ID Already Used"
    return (486, "Busy Here") if registry.ready else (503, "Service Unavailable")

