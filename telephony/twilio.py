"""Twilio Programmable Voice: the voice webhook's TwiML, request signatures, and Media Streams framing.

Pure functions and a small channel; the FastAPI routes in telephony/app.py do the I/O.
Media Streams (bidirectional, `<Connect><Stream>`): Twilio sends `connected`, `start`, `media`
(base64 8 kHz mu-law, 20 ms), `dtmf`, `mark` (our mark, echoed once the audio before it has
played) and `stop`; we send `media`, `mark` and `clear` (drop the audio queued at Twilio).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from speech import g711

FRAME_BYTES = 160  # 20 ms of 8 kHz mu-law
MAX_MESSAGE_BYTES = 16 * 1024  # a media message is ~300 bytes; anything this big is not Twilio


class TwilioProtocolError(ValueError):
    """A Media Streams message that does not parse; the reason says what was wrong."""


# --- the voice webhook ------------------------------------------------------------------------
def signature(url: str, params: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature: HMAC-SHA1 over the full URL plus every POST field (name then value, sorted by name)."""
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_signature(url: str, params: dict[str, str], auth_token: str, given: str | None) -> bool:
    if not auth_token or not given:
        return False
    return hmac.compare_digest(signature(url, params, auth_token), given)


def connect_stream_twiml(stream_url: str, parameters: dict[str, str]) -> str:
    """The answer to the voice webhook: open a bidirectional media stream to us."""
    params = "".join(f"<Parameter name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in parameters.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f"<Response><Connect><Stream url={quoteattr(stream_url)}>{params}</Stream></Connect></Response>")


def say_and_hang_up_twiml(text: str, language: str = "en-US") -> str:
    """For a call we cannot take (too many calls, models not ready): a clear sentence, then hang up."""
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f"<Response><Say language={quoteattr(language)}>{escape(text)}</Say><Hangup/></Response>")


# --- Media Streams ----------------------------------------------------------------------------
@dataclass
class StreamStart:
    stream_sid: str
    call_sid: str
    custom: dict[str, str] = field(default_factory=dict)
    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000


@dataclass
class Inbound:
    """One message from Twilio, parsed. `audio` is PCM16 8 kHz for `media`."""

    event: str
    stream_sid: str | None = None
    start: StreamStart | None = None
    audio: bytes = b""
    track: str | None = None
    mark: str | None = None
    digit: str | None = None


def parse(text: str | bytes) -> Inbound:
    if len(text) > MAX_MESSAGE_BYTES:
        raise TwilioProtocolError(f"message of {len(text)} bytes is over the {MAX_MESSAGE_BYTES} byte limit")
    try:
        msg = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TwilioProtocolError(f"not JSON: {e}") from e
    if not isinstance(msg, dict) or not isinstance(msg.get("event"), str):
        raise TwilioProtocolError("no 'event' field")
    event, sid = msg["event"], msg.get("streamSid")
    try:
        if event == "connected":
            return Inbound(event)
        if event == "start":
            s = msg["start"]
            fmt = s.get("mediaFormat") or {}
            custom = s.get("customParameters") or {}
            if not all(isinstance(s.get(k), str) and 0 < len(s[k]) <= 64 for k in ("streamSid", "callSid")):
                raise TwilioProtocolError("start message without a valid streamSid and callSid")
            if not isinstance(custom, dict) or not all(isinstance(v, str) and len(v) <= 256 for v in custom.values()):
                raise TwilioProtocolError("start message with customParameters that are not short strings")
            start = StreamStart(s["streamSid"], s["callSid"], {str(k): v for k, v in custom.items()},
                                fmt.get("encoding", "audio/x-mulaw"), int(fmt.get("sampleRate", 8000)))
            if start.encoding != "audio/x-mulaw" or start.sample_rate != 8000:
                raise TwilioProtocolError(f"unsupported media format {start.encoding} at {start.sample_rate} Hz")
            return Inbound(event, sid or start.stream_sid, start=start)
        if event == "media":
            media = msg["media"]
            payload = base64.b64decode(media["payload"], validate=True)
            return Inbound(event, sid, audio=g711.ulaw_decode(payload).tobytes(), track=media.get("track"))
        if event == "mark":
            return Inbound(event, sid, mark=str(msg["mark"]["name"])[:64])
        if event == "dtmf":
            digit = str(msg["dtmf"]["digit"])
            if len(digit) != 1 or digit not in "0123456789*#ABCD":
                raise TwilioProtocolError(f"dtmf message with digit {digit[:8]!r}")
            return Inbound(event, sid, digit=digit)
        if event == "stop":
            return Inbound(event, sid)
    except TwilioProtocolError:
        raise
    except (KeyError, TypeError, ValueError) as e:
        raise TwilioProtocolError(f"{event} message without a valid {e}") from e
    raise TwilioProtocolError(f"unknown event {event!r}")


def media_message(stream_sid: str, pcm16: bytes) -> str:
    payload = base64.b64encode(g711.ulaw_encode(pcm16)).decode()
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


class TwilioChannel:
    """The session's view of a Media Streams socket. `send` is the socket's text sender."""

    name = "twilio"
    sample_rate = 8000
    playback_lead_s = 0.2  # Twilio buffers what it gets; a little ahead rides out network jitter
    uses_marks = True  # a mark after each sentence; Twilio echoes it once the sentence has played
    continuous_media = False  # media only while we talk

    def __init__(self, stream_sid: str, send: Any, close: Any) -> None:
        self.stream_sid, self._send, self._close = stream_sid, send, close

    async def send_audio(self, pcm16: bytes) -> None:
        await self._send(media_message(self.stream_sid, pcm16))

    async def clear(self) -> None:
        await self._send(clear_message(self.stream_sid))

    async def mark(self, name: str) -> None:
        await self._send(mark_message(self.stream_sid, name))

    async def send_event(self, event: dict[str, Any]) -> None:
        pass  # Twilio carries audio only

    async def hangup(self) -> None:
        await self._close()
