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
    api_token: str = "dev-token"  # every endpoint but the telephony webhooks needs it; set your own in production
    twilio_auth_token: str = ""  # validates X-Twilio-Signature; "" rejects all Twilio traffic
    public_url: str = ""  # the URL Twilio calls us on (for signatures and the stream URL); "" = from the request
    allowed_origins: str = ""  # extra browser origins, comma-separated; the server's own origin is always allowed
    host: str = "127.0.0.1"
    port: int = 8080
    audiosocket_port: int = 0  # 0: off; Asterisk's AudioSocket() dials host:port
    sip_port: int = 0  # 0: off; SIP over UDP


def get_settings() -> Settings:
    return Settings()
