"""The server (`voicedesk serve`): every wire callers use, one call session type behind them all.

Routes: /health, /ready, /metrics; Twilio's voice webhook (/twilio/voice) and Media Streams socket
(/twilio/media); the browser page (/) and its socket (/ws/browser); call records (/api/calls,
/calls). AudioSocket (TCP) and SIP (UDP) listeners start with the app when their ports are set.
Every route but Twilio's needs the API token (header `Authorization: Bearer ...` or `?token=`);
Twilio's need a valid X-Twilio-Signature instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from telephony import audiosocket, twilio
from telephony.calls import CallRegistry, RateLimiter, TooManyCalls
from voice import metrics
from voice.services import ServiceError, Services
from voice.session import CallSession
from voice.settings import Settings, get_settings

log = logging.getLogger("voicedesk.server")
STATIC = Path(__file__).parent / "static"
MAX_BROWSER_AUDIO = 64 * 1024  # bytes in one message (2 s of 16 kHz PCM16)
MAX_TEXT = 4096
FRAMES_PER_SECOND = 200  # media messages; Twilio sends 50


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry: CallRegistry = app.state.calls
        if registry.services is None:
            try:
                registry.services = await asyncio.to_thread(Services.load, settings)
            except ServiceError as e:
                log.error("%s; calls are turned away until it is fixed", e)
        servers: list[Any] = []
        if settings.audiosocket_port and registry.ready:
            servers.append(await audiosocket.serve(lambda u, r, w: audiosocket_call(registry, u, r, w),
                                                   settings.host, settings.audiosocket_port))
            log.info("AudioSocket listening on %s:%d", settings.host, settings.audiosocket_port)
        sip = None
        if settings.sip_port and registry.ready:
            from telephony.sip import SipServer

            sip = SipServer(lambda call: sip_call(registry, call), host=settings.host, port=settings.sip_port)
            await sip.start()
            log.info("SIP listening on %s:%d/udp", settings.host, sip.port)
        app.state.sip = sip
        yield
        await registry.end_all("server shutting down")
        for server in servers:
            server.close()
        if sip is not None:
            await sip.stop()

    app = FastAPI(title="VoiceDesk", lifespan=lifespan)
    app.state.settings = settings
    app.state.calls = CallRegistry(services, settings.max_calls)

    def require_token(request: Request) -> None:
        if not _token_ok(settings, request.headers.get("authorization"), request.query_params.get("token")):
            raise HTTPException(401, "missing or wrong API token (Authorization: Bearer <token> or ?token=)")

    auth = [Depends(require_token)]

    @app.get("/health", dependencies=auth)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", dependencies=auth)
    async def ready(request: Request) -> JSONResponse:
        registry: CallRegistry = request.app.state.calls
        body = {"ready": registry.ready, "calls": len(registry.active), "max_calls": registry.max_calls}
        return JSONResponse(body, status_code=200 if registry.ready else 503)

    @app.get("/metrics", dependencies=auth)
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
        params = {"caller": form.get("From", ""), "language": language}
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
        await twilio_stream(ws.app.state.calls, ws)

    # --- the browser ----------------------------------------------------------------------------
    @app.get("/", dependencies=auth)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "call.html")

    @app.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            raise HTTPException(404, "no such file")
        return FileResponse(path)

    @app.websocket("/ws/browser")
    async def browser(ws: WebSocket) -> None:
        if not _token_ok(settings, ws.headers.get("authorization"), ws.query_params.get("token")):
            await ws.close(code=1008, reason="missing or wrong API token")
            return
        if not _origin_ok(settings, ws):
            metrics.REJECTED.labels("browser", "origin").inc()
            log.warning("browser socket from origin %s refused", ws.headers.get("origin"))
            await ws.close(code=1008, reason="origin not allowed")
            return
        await ws.accept()
        await browser_call(ws.app.state.calls, ws)

    # --- call records ---------------------------------------------------------------------------
    @app.get("/api/calls", dependencies=auth)
    async def list_calls(request: Request, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        registry: CallRegistry = request.app.state.calls
        if registry.services is None:
            raise HTTPException(503, "not ready")
        return await asyncio.to_thread(registry.services.records.list_calls, min(limit, 500), offset)

    @app.get("/api/calls/{call_id}", dependencies=auth)
    async def get_call(request: Request, call_id: str) -> dict[str, Any]:
        registry: CallRegistry = request.app.state.calls
        if registry.services is None:
            raise HTTPException(503, "not ready")
        call = await asyncio.to_thread(registry.services.records.get_call, call_id)
        if call is None:
            raise HTTPException(404, f"no call {call_id}")
        return call

    @app.get("/calls", dependencies=auth)
    async def calls_page() -> FileResponse:
        return FileResponse(STATIC / "calls.html")

    return app


def _token_ok(settings: Settings, header: str | None, query: str | None) -> bool:
    given = query or (header[7:] if header and header.lower().startswith("bearer ") else None)
    return bool(given) and hmac.compare_digest(given.encode(), settings.api_token.encode())


def _origin_ok(settings: Settings, ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser (a test client, a server-side integration); the token still applies
    allowed = {o.strip() for o in settings.allowed_origins.split(",") if o.strip()}
    host = ws.headers.get("host", "")
    return origin in allowed or urlsplit(origin).netloc == host


def _public_url(settings: Settings, request: Request | WebSocket, scheme: str | None = None) -> str:
    """The URL Twilio signed: the configured public URL (behind a proxy) or the one we were called on."""
    url = request.url
    if settings.public_url:
        base = urlsplit(settings.public_url)
        url = url.replace(scheme=scheme or base.scheme, netloc=base.netloc)
    return str(url)


# --- one call per wire ------------------------------------------------------------------------
async def twilio_stream(registry: CallRegistry, ws: WebSocket) -> None:
    session: CallSession | None = None
    limiter = RateLimiter(FRAMES_PER_SECOND)
    reason = "caller hung up"
    try:
        while True:
            text = await ws.receive_text()
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
                                                   call_id=msg.start.call_sid,
                                                   language=msg.start.custom.get("language"))
                except TooManyCalls as e:
                    log.warning("twilio call %s turned away: %s", msg.start.call_sid, e)
                    reason = "turned away"
                    await ws.close(code=1013, reason="too many calls")
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
    except TooManyCalls as e:
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
        session = await registry.start(channel, call_id=str(call_uuid))
    except TooManyCalls as e:
        log.warning("audiosocket call %s turned away: %s", call_uuid, e)
        await channel.hangup()
        return
    reason = "caller hung up"
    try:
        while not session.closed.is_set():
            packet = await audiosocket.read_packet(reader)
            if packet is None or packet.kind == audiosocket.HANGUP:
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
    except (audiosocket.AudioSocketError, ConnectionError) as e:
        reason = f"wire error: {e}"
        raise
    finally:
        await registry.end(session, session.end_reason or reason)


async def sip_call(registry: CallRegistry, call: Any) -> None:
    """A SIP call (telephony/sip.py) answered with G.711: its frames feed a session like any other wire."""

    class SipChannel:
        name = "sip"
        sample_rate = 8000
        playback_lead_s = 0.04
        continuous_media = True  # RTP flows all call long: peers and NATs time out a silent stream

        async def send_audio(self, pcm16: bytes) -> None:
            await call.send(pcm16)

        async def clear(self) -> None:
            pass

        async def mark(self, name: str) -> None:
            pass

        async def send_event(self, event: dict[str, Any]) -> None:
            pass

        async def hangup(self) -> None:
            await call.hangup()

    try:
        session = await registry.start(SipChannel(), caller_id=call.caller or None, call_id=call.call_id[:64])
    except TooManyCalls as e:
        log.warning("sip call %s turned away: %s", call.call_id, e)
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
        await registry.end(session, session.end_reason or "caller hung up")

