"""One typed settings object: environment variables (VOICEDESK_*) with offline defaults."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOICEDESK_")

    threads: int = 2  # CPU threads per model
    asr_backend: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    beam_size: int = 5
    language: Literal["zh", "en", "auto"] = "auto"
    # Reply generation: "local" runs the embedded GGUF through llama.cpp; a URL uses any OpenAI-compatible
    # server (llama.cpp server, vLLM); "none" speaks the checked templates only.
    llm: str = "local"
    llm_model: str = "default"  # the model name sent to an OpenAI-compatible server
    llm_adapter: str = "default"  # "default": the shipped fine-tuned LoRA; "none": the base model; or a path
    # Calls: records, limits, the server
    calls_url: str = "sqlite:///data/calls.db"  # call records; a postgresql:// URL for deployments
    recordings_dir: str = ""  # "" records no audio; a folder gets one stereo WAV per call (caller L, assistant R)
    max_calls: int = 3  # concurrent calls (3 stay real-time on 2 cores: bench/results/calls.md); then refused
    # Credentials (README "Security"). Talking and reading records are separate: the talk token opens the
    # browser page, which trades it for a short-lived per-call token to open its call; the operator token
    # reads call records, metrics and readiness. Set your own of both in production.
    api_token: str = "dev-token"  # the talk token: the page (/?token=) and POST /api/call-tokens
    operator_token: str = "dev-operator-token"  # /api/calls, /calls, /ready, /metrics
    call_token_ttl_s: float = 60.0  # a per-call token must open its call this soon, and opens one call only
    api_docs: bool = False  # /docs, /redoc, /openapi.json: off, since they map every route for anyone who asks
    twilio_auth_token: str = ""  # validates X-Twilio-Signature; "" rejects all Twilio traffic
    twilio_caller_id_trusted: bool = True  # From on Twilio's signed webhook identifies the caller (carrier-given)
    public_url: str = ""  # the URL Twilio calls us on (for signatures and the stream URL); "" = from the request
    allowed_origins: str = ""  # extra browser origins, comma-separated; the server's own origin is always allowed
    host: str = "127.0.0.1"
    port: int = 8080
    audiosocket_port: int = 0  # 0: off; Asterisk's AudioSocket() dials host:port
    audiosocket_allowed_peers: str = "127.0.0.0/8"  # addresses/CIDRs (comma-separated) that may connect
    sip_port: int = 0  # 0: off; SIP over UDP
    # SIP trust: requests only from these addresses/CIDRs (others get 403); a call's From is the caller's
    # identity only from the trusted ones (a trunk or PBX that vouches for caller ID); "" trusts none.
    sip_allowed_peers: str = "127.0.0.0/8"
    sip_trusted_peers: str = ""
    sip_digest_user: str = ""  # with a password: INVITEs must answer a digest challenge (RFC 3261 22)
    sip_digest_password: str = ""
    rtp_ports: str = "40000-40998"  # each call's RTP port is drawn at random from this range


def get_settings() -> Settings:
    return Settings()
