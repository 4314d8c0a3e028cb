"""Speech synthesis: one voice per language behind the `Synthesizer` protocol."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from speech.tts.base import AudioChunk, Synthesizer

__all__ = ["AudioChunk", "Synthesizer", "BilingualVoice", "TtsSettings"]


@dataclass
class TtsSettings:
    """The voices' settings section (VOICEDESK_TTS__*)."""

    threads: int = 2  # CPU threads per voice
    zh_speed_ratio: float = 1.1  # the Mandarin voice's durations stretched by this (clearer on a phone line)
    en_length_scale: float | None = None  # Piper's; None: the voice's own


class BilingualVoice:
    """Routes text to the English or Mandarin voice; each is loaded the first time it is needed."""

    def __init__(self, settings: TtsSettings | None = None) -> None:
        self.settings = settings or TtsSettings()
        self._voices: dict[str, Synthesizer] = {}

    def voice(self, language: str) -> Synthesizer:
        if language not in ("en", "zh"):
            raise ValueError(f"no voice for language {language!r} (use en or zh)")
        if language not in self._voices:
            if language == "en":
                from speech.tts.english import EnglishSynthesizer

                self._voices[language] = EnglishSynthesizer(threads=self.settings.threads,
                                                            length_scale=self.settings.en_length_scale)
            else:
                from speech.tts.mandarin import MandarinSynthesizer

                self._voices[language] = MandarinSynthesizer(threads=self.settings.threads,
                                                             speed_ratio=self.settings.zh_speed_ratio)
        return self._voices[language]

    def stream(self, text: str, language: str) -> Iterator[AudioChunk]:
        return self.voice(language).stream(text, language)
