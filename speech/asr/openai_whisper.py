"""The same Whisper base weights on openai-whisper's reference PyTorch code.

Its checkpoint is converted offline from the CTranslate2 model (`speech.asr.whisper_convert`,
run by `make setup`): openai-whisper's own downloader cannot work here. This engine plugs
into the same pipeline as the default one (VAD windows, prompts, filters); it differs in
decoding a full 30 s window, as openai-whisper always does.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch
import whisper
from whisper.tokenizer import get_tokenizer

from speech import models
from speech.asr.base import SAMPLE_RATE
from speech.asr.whisper import (
    LANGUAGES,
    Decoded,
    DecodeOptions,
    Hints,
    add_lead,
    decoded_from_tokens,
    lead_s,
    prompt_text,
    remove_lead,
)


class TorchWhisperEngine:
    name = "openai-whisper"

    def __init__(self, checkpoint: Path | str | None = None, threads: int = 2,
                 options: DecodeOptions | None = None) -> None:
        self.options = options or DecodeOptions()
        torch.set_num_threads(threads)
        path = Path(checkpoint) if checkpoint is not None else models.path(models.OPENAI_WHISPER_BASE)
        self.model = whisper.load_model(str(path), device="cpu").eval()
        self._lock = threading.Lock()

    def decode(self, pcm: np.ndarray, language: str | None, *, prefix: str = "", beam_size: int | None = None,
               full_window: bool | None = None, hints: Hints | None = None) -> tuple[Decoded, str]:
        lead = lead_s(self.options, True)  # openai-whisper always encodes the whole 30 s window
        audio = add_lead(pcm, lead)
        duration = min(len(audio) / SAMPLE_RATE, 30.0)
        mel = whisper.log_mel_spectrogram(torch.from_numpy(whisper.pad_or_trim(audio)), self.model.dims.n_mels)
        beam = beam_size or self.options.beam_size
        with self._lock, torch.inference_mode():
            if language is None:
                _, probs = self.model.detect_language(mel)
                language = max(LANGUAGES, key=lambda lang: probs.get(lang, 0.0))
            options = whisper.DecodingOptions(
                task="transcribe", language=language, temperature=0.0, fp16=False, without_timestamps=False,
                beam_size=beam if beam > 1 else None, prompt=prompt_text(self.options, language, hints) or None,
                prefix=prefix or None)
            result = whisper.decode(self.model, mel, options)
        tok = get_tokenizer(True, language=language, task="transcribe")
        tokens = list(result.tokens)
        if prefix:
            tokens = tok.encode(" " + prefix.strip()) + tokens
        decoded = decoded_from_tokens(tok, tokens, language, result.avg_logprob, result.no_speech_prob, duration)
        return remove_lead(decoded, lead), language
